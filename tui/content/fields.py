"""Node -> value converters for each field type of :mod:`tui.content.schema`.

Every converter either returns a clean Python value or records a diagnostic at the
node's position and returns ``None``; conversion goes on, so one run reports every
problem. Links are not resolved here: they are recorded in :class:`Reader.links`
and checked once every file has been read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .dates import parse_date
from .errors import Diagnostic, Location
from .model import Argument, Position, Ref
from .schema import ID_PATTERN, NESTED, FieldSpec, FieldType, RecordSpec
from .text import clean_text, shorten, slug, suggest
from .yamlsafe import MAP_TAG, SEQ_TAG, STR_TAG, MappingNode, Node, ScalarNode, SequenceNode

_ID_RE = re.compile(ID_PATTERN)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "null", "timestamp", "seq", "map")
)
_TEXT_TAGS = frozenset({STR_TAG})
_MAX_DIGITS = 9


def kind_name(node: Node) -> str:
    """How a node reads to an author: 'text', 'a list', 'a mapping'."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"'{shorten(node.value)}'" if len(node.value) <= 40 else "text"


@dataclass(frozen=True)
class PendingLink:
    """A link read from a file, checked once all ids are known."""

    owner: str
    """Id of the entity the link belongs to ('' for relations and the tour)."""
    field: str
    target: str
    kind: str | None
    """The entity kind the target must be, or None for any."""
    loc: Location


@dataclass
class Reader:
    """Conversion state for one load: diagnostics and links found so far."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    links: list[PendingLink] = field(default_factory=list)
    refs: list[tuple[Ref, Location, Location | None]] = field(default_factory=list)
    """Every ref read, with the locations of its ``para`` and its ``quote`` (if any)."""
    display: str = ""
    owner: str = ""
    """Id of the entity being read, so links know where they come from."""
    budget: int = 0
    """Collection items still allowed in this file (guards against alias bombs)."""

    # -- diagnostics -------------------------------------------------------
    def loc(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self.display, mark.line + 1, mark.column + 1)

    def error(self, node: Node, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(self.loc(node), message, hint))

    def spend(self, node: Node, items: int) -> bool:
        """Charge ``items`` to the budget; False (with an error) once it is exhausted."""
        self.budget -= items
        if self.budget >= 0:
            return True
        if self.budget + items >= 0:  # report once per file
            self.error(
                node,
                "too many items after expanding aliases",
                "aliases (*name) that repeat large anchors multiply; write the items out",
            )
        return False

    # -- structure ---------------------------------------------------------
    def tag_ok(self, node: Node) -> bool:
        """False (with an error) when the author gave a tag other than YAML's basic ones."""
        tag = node.tag
        ok = tag is STR_TAG or tag in _ALLOWED_TAGS
        if not ok:
            self.error(
                node,
                f"the tag '{shorten(tag)}' is not allowed",
                "a dossier is plain data: remove the tag",
            )
        return ok

    def pairs(self, node: MappingNode, record: str) -> list[tuple[str, ScalarNode, Node]]:
        """The mapping's (key, key node, value node) triples, merge keys applied."""
        if not self.spend(node, len(node.value)):
            return []
        result: list[tuple[str, ScalarNode, Node]] = []
        seen: dict[str, ScalarNode] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _TEXT_TAGS:
                self.error(key_node, f"keys of {record} must be plain names")
                continue
            key = key_node.value
            if key == "<<" and key_node.style == "":
                merged.extend(self._merge_sources(value_node))
                continue
            if key in seen:
                first = seen[key].start_mark.line + 1
                self.error(
                    key_node,
                    f"duplicate key '{shorten(key)}' (first given on line {first})",
                    "YAML would silently keep only the last one: remove one",
                )
                continue
            seen[key] = key_node
            result.append((key, key_node, value_node))
        if merged:
            self._apply_merges(merged, seen, result, record, {id(node)})
        return result

    def _merge_sources(self, value: Node) -> list[MappingNode]:
        if isinstance(value, MappingNode):
            return [value]
        if isinstance(value, SequenceNode) and all(isinstance(v, MappingNode) for v in value.value):
            return list(value.value)
        self.error(value, "a merge key (<<) takes a mapping or a list of mappings")
        return []

    def _apply_merges(
        self,
        sources: list[MappingNode],
        seen: dict[str, ScalarNode],
        result: list[tuple[str, ScalarNode, Node]],
        record: str,
        active: set[int],
    ) -> None:
        for source in sources:
            if id(source) in active:
                self.error(source, "a merge key (<<) refers back to its own mapping")
                continue
            for key, key_node, value_node in self._pairs_for_merge(source, record, active):
                if key not in seen:
                    seen[key] = key_node
                    result.append((key, key_node, value_node))

    def _pairs_for_merge(
        self, node: MappingNode, record: str, active: set[int]
    ) -> list[tuple[str, ScalarNode, Node]]:
        active = active | {id(node)}
        if not self.spend(node, len(node.value)):
            return []
        own: list[tuple[str, ScalarNode, Node]] = []
        seen: dict[str, ScalarNode] = {}
        nested: list[MappingNode] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue  # reported where the anchor's mapping itself is read
            if key_node.value == "<<" and key_node.style == "":
                nested.extend(self._merge_sources(value_node))
            elif key_node.value not in seen:
                seen[key_node.value] = key_node
                own.append((key_node.value, key_node, value_node))
        if nested:
            self._apply_merges(nested, seen, own, record, active)
        return own

    def items(self, node: Node, what: str) -> list[Node]:
        """The items of a list node (an error and [] for anything else)."""
        if node.tag is not SEQ_TAG and not self.tag_ok(node):
            return []
        if isinstance(node, SequenceNode):
            return list(node.value) if self.spend(node, len(node.value)) else []
        if isinstance(node, ScalarNode) and node.style == "" and node.value in _NULLS:
            return []
        self.error(
            node, f"{what} must be a list, not {kind_name(node)}", "write it as '- item' lines"
        )
        return []

    def scalar(self, node: Node, spec: FieldSpec) -> str | None:
        """The text of a scalar node; None (with an error if required) for null."""
        if node.tag is not STR_TAG and not self.tag_ok(node):
            return None
        if not isinstance(node, ScalarNode):
            self.error(node, f"'{spec.name}' must be a single value, not {kind_name(node)}")
            return None
        if node.style == "" and node.value in _NULLS:
            if spec.required:
                self.error(node, f"'{spec.name}' needs a value")
            return None
        return str(node.value)

    # -- records -----------------------------------------------------------
    def record(self, node: Node, spec: RecordSpec) -> dict[str, Any] | None:
        """Convert a mapping per ``spec``: attribute -> value, plus 'extensions'."""
        if node.tag is not MAP_TAG and not self.tag_ok(node):
            return None
        if not isinstance(node, MappingNode):
            what = "the dossier section" if spec.name == "dossier" else f"each {spec.name}"
            self.error(node, f"{what} must be a mapping of fields, not {kind_name(node)}")
            return None
        present: set[str] = set()
        values: dict[str, Any] = {}
        extensions: list[tuple[str, object]] = []
        for key, key_node, value_node in self.pairs(node, spec.name):
            field_spec = spec.field(key)
            if field_spec is None:
                if key.startswith("x-"):
                    extensions.append((key, self.plain(value_node, 0)))
                    continue
                known = [f.name for f in spec.fields]
                self.error(
                    key_node,
                    f"unknown field '{shorten(key)}' in {spec.name}",
                    suggest(key, known) or f"{spec.name} fields are: {', '.join(known)}",
                )
                continue
            present.add(field_spec.attribute)
            value = CONVERTERS[field_spec.field_type](self, value_node, field_spec)
            if value is not None:
                values[field_spec.attribute] = value
        missing = [f.name for f in spec.required if f.attribute not in present]
        if missing:
            names = ", ".join(f"'{m}'" for m in missing)
            self.error(node, f"{spec.name} is missing {names}")
            return None
        if any(f.attribute not in values for f in spec.required):
            return None  # a required field was given but was wrong: already reported
        if extensions:
            values["extensions"] = tuple(extensions)
        return values

    def plain(self, node: Node, depth: int) -> object:
        """An extension value as plain immutable data (text, tuples, key/value pairs)."""
        if isinstance(node, ScalarNode):
            return clean_text(node.value)
        if depth > 16 or not self.spend(node, len(node.value)):
            return None
        if isinstance(node, SequenceNode):
            return tuple(self.plain(item, depth + 1) for item in node.value)
        return tuple((clean_text(str(k.value)), self.plain(v, depth + 1)) for k, v in node.value)


# -- converters ----------------------------------------------------------------


def _text(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    value = r.scalar(node, spec)
    if value is None:
        return None
    value = clean_text(value)
    if spec.required and not value.strip():
        r.error(node, f"'{spec.name}' must not be empty")
        return None
    return value


def _id(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    value = r.scalar(node, spec)
    if value is None:
        return None
    if _ID_RE.match(value) is None:
        r.error(
            node,
            f"'{shorten(value)}' is not a valid id",
            f"ids use lowercase letters, digits and single hyphens, like '{slug(value)}'",
        )
        return None
    return value


def _link(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    value = _id(r, node, spec)
    if value is not None:
        r.links.append(PendingLink(r.owner, spec.name, value, spec.target, r.loc(node)))
    return value


def _links(r: Reader, node: Node, spec: FieldSpec) -> tuple[str, ...] | None:
    result = []
    for item in r.items(node, f"'{spec.name}'"):
        value = _link(r, item, spec)
        if value is not None:
            result.append(value)
    return tuple(result)


def _texts(r: Reader, node: Node, spec: FieldSpec) -> tuple[str, ...] | None:
    result = []
    for item in r.items(node, f"'{spec.name}'"):
        value = _text(r, item, spec)
        if value is not None:
            result.append(value)
    return tuple(result)


def _date(r: Reader, node: Node, spec: FieldSpec) -> object:
    value = r.scalar(node, spec)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        r.error(node, f"'{spec.name}': {exc}", "dates are YYYY, YYYY-MM or YYYY-MM-DD")
        return None


def _whole_number(r: Reader, node: Node, spec: FieldSpec) -> int | None:
    value = r.scalar(node, spec)
    if value is None:
        return None
    text = value.strip().replace("_", "")
    if not text.isdigit() or not text.isascii():
        r.error(node, f"'{spec.name}' must be a whole number, not {kind_name(node)}")
        return None
    significant = text.lstrip("0") or "0"
    if len(significant) > _MAX_DIGITS:
        r.error(node, f"'{spec.name}' is too large ({len(significant)} digits)")
        return None
    number = int(significant)
    if number < 1:
        r.error(node, f"'{spec.name}' must be 1 or more")
        return None
    return number


def _enum(r: Reader, node: Node, spec: FieldSpec) -> object:
    value = r.scalar(node, spec)
    if value is None:
        return None
    assert spec.enum is not None
    choices = [m.value for m in spec.enum]
    if value not in choices:
        r.error(
            node,
            f"'{spec.name}' must be one of {', '.join(choices)}, not '{shorten(value)}'",
            suggest(value.lower(), choices),
        )
        return None
    return spec.enum(value)


def _paras(r: Reader, node: Node, spec: FieldSpec) -> tuple[int, ...] | None:
    if isinstance(node, SequenceNode):
        numbers = [_whole_number(r, item, spec) for item in r.items(node, "'para'")]
        if not numbers:
            r.error(node, "'para' needs at least one paragraph number")
            return None
        if None in numbers:
            return None
        return tuple(n for n in numbers if n is not None)
    number = _whole_number(r, node, spec)
    return None if number is None else (number,)


def _refs(r: Reader, node: Node, spec: FieldSpec) -> tuple[Ref, ...] | None:
    result = []
    for item in r.items(node, "'refs'"):
        values = r.record(item, NESTED[FieldType.REFS])
        if values is None:
            continue
        ref = Ref(values["source"], values["para"], values.get("quote"), r.loc(item))
        where = {k.value: v for k, v in item.value} if isinstance(item, MappingNode) else {}
        para_loc = r.loc(where["para"]) if "para" in where else ref.loc
        quote_loc = r.loc(where["quote"]) if "quote" in where else None
        r.refs.append((ref, para_loc, quote_loc))
        result.append(ref)
    return tuple(result)


def _nested(kind: FieldType, build: Callable[..., object]) -> Callable[..., object]:
    def convert(r: Reader, node: Node, spec: FieldSpec) -> tuple[object, ...]:
        result = []
        for item in r.items(node, f"'{spec.name}'"):
            values = r.record(item, NESTED[kind])
            if values is not None:
                result.append(build(loc=r.loc(item), **values))
        return tuple(result)

    return convert


def _position(**values: Any) -> object:
    values.setdefault("position", None)
    values.setdefault("refs", ())
    return Position(**values)


def _argument(**values: Any) -> object:
    values.setdefault("refs", ())
    return Argument(**values)


CONVERTERS: dict[FieldType, Callable[[Reader, Node, FieldSpec], Any]] = {
    FieldType.TEXT: _text,
    FieldType.ID: _id,
    FieldType.LINK: _link,
    FieldType.LINKS: _links,
    FieldType.TEXTS: _texts,
    FieldType.DATE: _date,
    FieldType.COUNT: _whole_number,
    FieldType.ENUM: _enum,
    FieldType.PARAS: _paras,
    FieldType.REFS: _refs,
    FieldType.POSITIONS: _nested(FieldType.POSITIONS, _position),
    FieldType.ARGUMENTS: _nested(FieldType.ARGUMENTS, _argument),
}
