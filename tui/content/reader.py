"""Reading one file's YAML nodes safely: positions, diagnostics and the alias budget.

:class:`NodeReader` knows YAML, not the dossier schema: it checks tags, applies merge
keys, rejects duplicate keys and reads lists, scalars and extension values, recording
a diagnostic at the node's position for every problem instead of raising.
:mod:`tui.content.fields` builds the schema's records and fields on top of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import Diagnostic, Location
from .model import Ref
from .schema import FieldSpec
from .text import clean_text, shorten
from .yamlsafe import (
    MAP_TAG,
    MAX_DEPTH,
    SEQ_TAG,
    STR_TAG,
    MappingNode,
    Node,
    SequenceNode,
    mapping_pairs,
    scalars_are_clean,
    size,
)

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
"""Plain scalars that YAML reads as null: a field given one counts as absent."""
_BOOLEANS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
"""Plain scalars that YAML 1.2 reads as true or false."""
_NUMBER = re.compile(
    r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"  # 12, 1_000, 1.5, 1., 1e3
    r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"  # .5
    r"|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+"  # 0x1F, 0o17, 0b101
    r"|\.(?:inf|Inf|INF))"
    r"|\.(?:nan|NaN|NAN)"
)
"""Plain scalars that YAML 1.2 readers take for a number: the core schema's integers
and floats, and the underscores and ``0b`` binary that some (ruamel.yaml, and so
check-jsonschema) also accept."""
_NUMBER_START = frozenset("0123456789+-.")
_BOOLEAN_START = frozenset("tTfF")
NON_TEXT_START = _NUMBER_START | _BOOLEAN_START
"""The first characters of the scalars :func:`reads_as_non_text` may refuse (a quick
test before calling it)."""
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_new = tuple.__new__


def reads_as_non_text(value: str) -> str:
    """What YAML 1.2 makes of the *plain* scalar ``value`` when it is not text:
    ``"a number"``, ``"a boolean"`` (true or false), or ``""`` when it is text (or null).

    An editor's YAML language server and ``check-jsonschema`` read scalars so; the
    loader keeps every scalar as the text written, and refuses such a plain scalar
    where text is expected, so that the two agree (the author quotes it)."""
    first = value[:1]
    if first in _NUMBER_START:
        return "a number" if _NUMBER.fullmatch(value) is not None else ""
    if first in _BOOLEAN_START and len(value) <= 5 and value in _BOOLEANS:
        return "a boolean"
    return ""


def tag_as_written(tag: str) -> str:
    """A tag the way an author writes it (``!!str``, not ``tag:yaml.org,2002:str``)."""
    if tag.startswith(_YAML_TAG_PREFIX):
        return "!!" + tag[len(_YAML_TAG_PREFIX) :]
    return tag


def kind_name(node: Node) -> str:
    """How a node reads to an author: 'text', 'a list', 'a mapping'."""
    if type(node) is MappingNode:
        return "a mapping"
    if type(node) is SequenceNode:
        return "a list"
    return f"'{shorten(node[0])}'" if len(node[0]) <= 40 else "text"


def place(display: str, mark: Any) -> Location:
    """The location of the parser's (0-based) ``mark`` in the file shown as ``display``."""
    # tuple.__new__ makes the named tuple at C speed, as Location(...) would in Python
    return _new(Location, (display, mark.line + 1, mark.column + 1))


class PendingLink(NamedTuple):
    """A link read from a file, checked once all ids are known.

    A named tuple: a large dossier has hundreds of thousands, made with
    ``tuple.__new__`` at C speed (a frozen dataclass sets each field through
    ``object.__setattr__``). Where it is written is kept as the parser's mark, made
    into a :class:`Location` only for a diagnostic: nearly every link is good."""

    owner: str
    """Id of the entity the link belongs to ('' for relations and the tour)."""
    field: str
    target: str
    kind: str | None
    """The entity kind the target must be, or None for any."""
    display: str
    """The file it is in, as shown."""
    mark: Any
    """Where its value starts (the parser's mark)."""

    @property
    def loc(self) -> Location:
        """Where the link is written."""
        return place(self.display, self.mark)


class RefPlaces(NamedTuple):
    """A ref as read, with where its ``para`` and ``quote`` values are, for checks
    across files (kept as marks, made into locations only for a diagnostic)."""

    ref: Ref
    display: str
    """The file it is in, as shown."""
    para_mark: Any
    """Where its ``para`` value is (None: report at the ref itself)."""
    quote_mark: Any
    """Where its ``quote`` value is (None: report at the ref itself)."""

    @property
    def para_loc(self) -> Location:
        mark = self.para_mark
        return self.ref.loc if mark is None else place(self.display, mark)

    @property
    def quote_loc(self) -> Location:
        mark = self.quote_mark
        return self.ref.loc if mark is None else place(self.display, mark)


@dataclass
class NodeReader:
    """Conversion state for one load: diagnostics and links found so far, and node checks."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    links: list[PendingLink] = field(default_factory=list)
    unchecked_links: int = 0
    """Links to items that do not exist, not reported one by one because files were
    skipped (see :func:`.crosscheck.cross_check`)."""
    refs: list[RefPlaces] = field(default_factory=list)
    """Every ref read, with where its ``para`` and its ``quote`` (if any) are."""
    display: str = ""
    owner: str = ""
    """Id of the entity being read, so links know where they come from."""
    budget: int = 0
    """Collection items still allowed in this file (guards against alias bombs)."""
    clean: bool = False
    """True when no scalar of the file being read can hold a character
    :func:`clean_text` removes, so none needs cleaning (see :meth:`start_file`)."""
    reported: dict[tuple[int, str], tuple[int, Diagnostic, Node]] = field(
        default_factory=dict, repr=False
    )
    """The errors recorded in this file by node and message: (the node's id, the
    message) -> (the diagnostic's index, the diagnostic, the node, kept so that its id
    is not reused). A node repeated by aliases is read once per use, and its problem
    is reported once."""

    def start_file(self, display: str, size: int, data: bytes | None) -> None:
        """Get ready to read the file shown as ``display``, of ``size`` bytes; ``data``
        (the bytes composed, if known) tells whether its scalars need cleaning."""
        self.display = display
        self.budget = 2 * size + 10_000
        self.clean = data is not None and scalars_are_clean(data)
        self.reported.clear()

    # -- diagnostics -------------------------------------------------------
    def loc(self, node: Node) -> Location:
        return place(self.display, node[3])

    def error(self, node: Node, message: str, hint: str = "") -> None:
        """Record ``message`` at ``node``, unless it is already recorded there (the
        node is an alias's target, read before)."""
        key = (id(node), message)
        known = self.reported.get(key)
        diagnostics = self.diagnostics
        if known is not None:
            index, diagnostic, _ = known
            # still there (what was read since may have been undone and read again)
            if index < len(diagnostics) and diagnostics[index] is diagnostic:
                return
        diagnostic = Diagnostic(self.loc(node), message, hint)
        self.reported[key] = (len(diagnostics), diagnostic, node)
        diagnostics.append(diagnostic)

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
        """False (with an error) when the author wrote a tag on the node: any tag,
        YAML's own (``!!str``, ``!!int``, ...) and ``!`` included.

        Composition gives an untagged node one of these very objects as its tag."""
        tag = node[1]
        if tag is STR_TAG or tag is MAP_TAG or tag is SEQ_TAG:
            return True
        written = tag_as_written(tag)
        self.error(
            node,
            f"the tag '{shorten(written)}' is not allowed",
            "a dossier is plain data: remove the tag"
            + (
                " (quote a number or true/false to keep it as text)"
                if written in ("!!str", "!")
                else ""
            ),
        )
        return False

    def pairs(self, node: Node, record: str) -> list[tuple[str, Node, Node]]:
        """The mapping's (key, key node, value node) triples, merge keys applied."""
        return self._pairs(node, record, set(), report=True)

    def _pairs(
        self, node: Node, record: str, active: set[int], *, report: bool
    ) -> list[tuple[str, Node, Node]]:
        """:meth:`pairs` of ``node``, its own keys first, then those merged in that it
        does not have; ``active``: the mappings being merged into it (a loop is an
        error). ``report``: say what is wrong with a key (False for a mapping merged
        in: that is said where the mapping itself is read)."""
        active = active | {id(node)}
        if not self.spend(node, size(node)):
            return []
        result: list[tuple[str, Node, Node]] = []
        seen: dict[str, Node] = {}
        merged: list[Node] = []
        for key_node, value_node in mapping_pairs(node):
            if type(key_node) is not tuple:
                if report:
                    self.error(key_node, f"keys of {record} must be plain names")
                continue
            if key_node[1] is not STR_TAG and report:
                self.tag_ok(key_node)  # reported, and the key read as written
            key = key_node[0]
            if key == "<<" and key_node[2] == "":
                merged.extend(self._merge_sources(value_node))
            elif key not in seen:
                seen[key] = key_node
                result.append((key, key_node, value_node))
            elif report:
                first = seen[key][3].line + 1
                self.error(
                    key_node,
                    f"duplicate key '{shorten(key)}' (first given on line {first})",
                    "YAML would silently keep only the last one: remove one",
                )
        if merged:
            self._apply_merges(merged, seen, result, record, active)
        return result

    def _merge_sources(self, value: Node) -> list[Node]:
        if type(value) is MappingNode:
            return [value]
        if type(value) is SequenceNode and all(type(v) is MappingNode for v in value[0]):
            return list(value[0])
        self.error(value, "a merge key (<<) takes a mapping or a list of mappings")
        return []

    def _apply_merges(
        self,
        sources: list[Node],
        seen: dict[str, Node],
        result: list[tuple[str, Node, Node]],
        record: str,
        active: set[int],
    ) -> None:
        for source in sources:
            if id(source) in active:
                self.error(source, "a merge key (<<) refers back to its own mapping")
                continue
            for key, key_node, value_node in self._pairs(source, record, active, report=False):
                if key not in seen:
                    seen[key] = key_node
                    result.append((key, key_node, value_node))

    def items(self, node: Node, what: str) -> list[Node]:
        """The items of a list node (an error and [] for anything else)."""
        if node[1] is not SEQ_TAG and not self.tag_ok(node):
            return []
        if type(node) is SequenceNode:
            return list(node[0]) if self.spend(node, len(node[0])) else []
        if type(node) is tuple and node[2] == "" and node[0] in _NULLS:
            return []
        self.error(
            node, f"{what} must be a list, not {kind_name(node)}", "write it as '- item' lines"
        )
        return []

    def scalar(self, node: Node, spec: FieldSpec) -> str | None:
        """The text of a scalar node; None (with an error if required) for null."""
        if node[1] is not STR_TAG and not self.tag_ok(node):
            return None
        if type(node) is not tuple:
            self.error(node, f"'{spec.name}' must be a single value, not {kind_name(node)}")
            return None
        if node[2] == "" and node[0] in _NULLS:
            if spec.required:
                self.error(node, f"'{spec.name}' needs a value")
            return None
        return str(node[0])

    def text(self, node: Node, spec: FieldSpec) -> str | None:
        """:meth:`scalar`, refusing (with an error) a plain scalar that YAML reads as a
        number or as true/false: ``name: 1945`` must be written ``name: "1945"``."""
        value = self.scalar(node, spec)
        if value is None or node[2]:
            return value
        reads_as = reads_as_non_text(value)
        if reads_as:
            self.error(
                node,
                f"'{spec.name}' must be text, but YAML reads {shorten(value)} as {reads_as}",
                f'quote it: "{shorten(value)}"',
            )
            return None
        return value

    def plain(self, node: Node, depth: int) -> object:
        """An extension value as plain immutable data (text, tuples, key/value pairs).

        Not checked against the format, but read by YAML's rules as the rest is: a tag
        or a key given twice is an error, and merge keys are applied."""
        if not self.tag_ok(node):
            return None  # (a refused node is not read further)
        if type(node) is tuple:
            return clean_text(node[0])
        if depth >= MAX_DEPTH:  # aliases can nest nodes deeper than composition allows
            self.error(
                node,
                f"nesting is deeper than {MAX_DEPTH} levels (aliases included)",
                "a dossier needs only a few levels; write the value out",
            )
            return None
        if type(node) is SequenceNode:
            if not self.spend(node, size(node)):
                return None
            return tuple(self.plain(item, depth + 1) for item in node[0])
        return tuple(
            (clean_text(key), self.plain(value, depth + 1))
            for key, _, value in self.pairs(node, "an extension value")
        )
