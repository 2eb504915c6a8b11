"""Node -> value converters for each field type of :mod:`tui.content.schema`.

Every converter either returns a clean Python value or records a diagnostic at the
node's position and returns ``None``; conversion goes on, so one run reports every
problem. Links are not resolved here: they are recorded in :class:`Reader.links`
and checked once every file has been read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from .dates import parse_date
from .model import Argument, Position, Ref
from .reader import NodeReader, PendingLink, kind_name
from .schema import ID_PATTERN, NESTED, FieldSpec, FieldType, RecordSpec
from .text import clean_text, shorten, slug, suggest
from .yamlsafe import MAP_TAG, MappingNode, Node, SequenceNode

_ID_RE = re.compile(ID_PATTERN)
_MAX_DIGITS = 9
_T = TypeVar("_T")


class Reader(NodeReader):
    """A :class:`NodeReader` that converts mappings into the schema's records."""

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


def _list_of(
    read_one: Callable[[Reader, Node, FieldSpec], _T | None],
) -> Callable[[Reader, Node, FieldSpec], tuple[_T, ...]]:
    """A list field whose items each read as ``read_one`` reads a single value."""

    def convert(r: Reader, node: Node, spec: FieldSpec) -> tuple[_T, ...]:
        values = [read_one(r, item, spec) for item in r.items(node, f"'{spec.name}'")]
        return tuple(value for value in values if value is not None)

    return convert


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
    FieldType.LINKS: _list_of(_link),
    FieldType.TEXTS: _list_of(_text),
    FieldType.DATE: _date,
    FieldType.COUNT: _whole_number,
    FieldType.ENUM: _enum,
    FieldType.PARAS: _paras,
    FieldType.REFS: _refs,
    FieldType.POSITIONS: _nested(FieldType.POSITIONS, _position),
    FieldType.ARGUMENTS: _nested(FieldType.ARGUMENTS, _argument),
}
