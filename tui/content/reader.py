"""Reading one file's YAML nodes safely: positions, diagnostics and the alias budget.

:class:`NodeReader` knows YAML, not the dossier schema: it checks tags, applies merge
keys, rejects duplicate keys and reads lists, scalars and extension values, recording
a diagnostic at the node's position for every problem instead of raising.
:mod:`tui.content.fields` builds the schema's records and fields on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Diagnostic, Location
from .model import Ref
from .schema import FieldSpec
from .text import clean_text, shorten
from .yamlsafe import SEQ_TAG, STR_TAG, MappingNode, Node, ScalarNode, SequenceNode

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "null", "timestamp", "seq", "map")
)
_TEXT_TAGS = frozenset({STR_TAG})


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
class NodeReader:
    """Conversion state for one load: diagnostics and links found so far, and node checks."""

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
        return self._pairs(node, record, set(), report=True)

    def _pairs(
        self, node: MappingNode, record: str, active: set[int], *, report: bool
    ) -> list[tuple[str, ScalarNode, Node]]:
        """:meth:`pairs` of ``node``, its own keys first, then those merged in that it
        does not have; ``active``: the mappings being merged into it (a loop is an
        error). ``report``: say what is wrong with a key (False for a mapping merged
        in: that is said where the mapping itself is read)."""
        active = active | {id(node)}
        if not self.spend(node, len(node.value)):
            return []
        result: list[tuple[str, ScalarNode, Node]] = []
        seen: dict[str, ScalarNode] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or (report and key_node.tag not in _TEXT_TAGS):
                if report:
                    self.error(key_node, f"keys of {record} must be plain names")
                continue
            key = key_node.value
            if key == "<<" and key_node.style == "":
                merged.extend(self._merge_sources(value_node))
            elif key not in seen:
                seen[key] = key_node
                result.append((key, key_node, value_node))
            elif report:
                first = seen[key].start_mark.line + 1
                self.error(
                    key_node,
                    f"duplicate key '{shorten(key)}' (first given on line {first})",
                    "YAML would silently keep only the last one: remove one",
                )
        if merged:
            self._apply_merges(merged, seen, result, record, active)
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
            for key, key_node, value_node in self._pairs(source, record, active, report=False):
                if key not in seen:
                    seen[key] = key_node
                    result.append((key, key_node, value_node))

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

    def plain(self, node: Node, depth: int) -> object:
        """An extension value as plain immutable data (text, tuples, key/value pairs)."""
        if isinstance(node, ScalarNode):
            return clean_text(node.value)
        if depth > 16 or not self.spend(node, len(node.value)):
            return None
        if isinstance(node, SequenceNode):
            return tuple(self.plain(item, depth + 1) for item in node.value)
        return tuple((clean_text(str(k.value)), self.plain(v, depth + 1)) for k, v in node.value)
