"""Parse and check a dossier's YAML files into a :class:`~tui.content.model.Dossier`.

Used by :mod:`.loader` when the cache has no answer: each file is composed safely
(:mod:`.yamlsafe`), its sections read against the schema (:mod:`.fields`), and the
whole checked across files (:mod:`.crosscheck`); every problem is collected.

A file is first read as it is parsed, one list item at a time
(:func:`~.yamlsafe.compose_sections`), which spares building, keeping and freeing the
whole file's node tree; a file that cannot be read so (a YAML error, an alias, a key
given twice at the top, ...) is read again from the start, after what its first
reading did is undone, as a whole tree (:func:`~.yamlsafe.compose`). Either way its
sections and items are read in file order by the same code, so the result is the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .crosscheck import Rejected, TextFiles, cross_check
from .errors import Diagnostic, Location, Severity
from .fields import Reader
from .loader import LoadResult
from .model import (
    Actor,
    Assessment,
    Dossier,
    DossierInfo,
    Entity,
    Event,
    Issue,
    Relation,
    Source,
    TourStop,
)
from .schema import DOSSIER, SECTIONS
from .text import shorten, suggest
from .yamlsafe import (
    ITEM,
    LIST_END,
    UTF8_BOM,
    ComposeError,
    MappingNode,
    Node,
    NotStreamableError,
    compose,
    compose_sections,
    decode,
    mapping_pairs,
)

_ENTITY_CLASSES: dict[str, type[Entity]] = {
    "sources": Source,
    "actors": Actor,
    "issues": Issue,
    "assessments": Assessment,
    "events": Event,
}


class _Assembler:
    """Collects sections across files and builds the entities."""

    def __init__(self) -> None:
        self.reader = Reader()
        self.info: DossierInfo | None = None
        self.info_loc: Location | None = None
        """Where the first 'dossier' section is, even if it was broken."""
        self.info_extensions: list[tuple[str, object]] = []
        self.lists: dict[str, list[Any]] = {key: [] for key in SECTIONS if key != "dossier"}
        self.entities: dict[str, Entity] = {}
        self.rejected: dict[str, Rejected] = {}
        """Items left out for errors of their own, by the id they were given: links to
        them are not reported as naming nothing (see :func:`.crosscheck.cross_check`)."""
        self.text_file_locations: dict[str, Location] = {}

    def add_file(self, root: Node | None, shown: str, size: int, data: bytes | None = None) -> None:
        """Read the sections of one composed file (``data``: the bytes composed, if
        known, which lets the reader skip cleaning every scalar: see
        ``Reader.start_file``)."""
        r = self.reader
        r.start_file(shown, size, data)
        if root is None:
            r.diagnostics.append(
                Diagnostic(
                    Location(shown, 1, 1), "the file is empty", "add a section such as 'actors:'"
                )
            )
            return
        if type(root) is not MappingNode:
            r.error(
                root,
                "a dossier file must be a mapping of sections (dossier:, actors:, ...)",
                "start each section at the beginning of a line, like 'actors:'",
            )
            return
        if not r.tag_ok(root):
            return
        for key, key_node, value in r.pairs(root, "a file"):
            self._add_pair(key, key_node, value)

    def stream_file(self, data: bytes, shown: str, size: int) -> bool:
        """Read one file's sections as it is parsed (see the module's docstring);
        False, with nothing changed, if it must be composed whole instead.

        ``data``: its UTF-8 bytes without a BOM, already known to decode."""
        r = self.reader
        state = self._state()
        r.start_file(shown, size, data)
        sections = compose_sections(data, shown, r.diagnostics, self.lists)
        try:
            for kind, key_node, value in sections:
                if kind == ITEM:
                    self._add_item(key_node[0], value)
                elif kind == LIST_END:
                    # What reading the whole tree spends on the list and on its pair in
                    # the file's mapping, spent after its items, not before: whether the
                    # budget runs out anywhere depends only on the total, checked below.
                    r.budget -= value + 1
                else:
                    r.budget -= 1
                    self._add_pair(key_node[0], key_node, value)
        except (NotStreamableError, ComposeError):
            sections.close()
            self._restore(state)
            return False
        if r.budget < 0:  # the whole tree's reading says where it ran out
            self._restore(state)
            return False
        return True

    def _state(self) -> tuple[Any, ...]:
        """What reading a file can change, for :meth:`_restore`."""
        r = self.reader
        return (
            len(r.diagnostics),
            len(r.links),
            len(r.refs),
            {key: len(items) for key, items in self.lists.items()},
            len(self.entities),
            len(self.rejected),
            len(self.text_file_locations),
            self.info,
            self.info_loc,
            len(self.info_extensions),
        )

    def _restore(self, state: tuple[Any, ...]) -> None:
        """Undo what was read since :meth:`_state` gave ``state`` (everything it counts
        only grows, and the dicts only gain keys, at their end)."""
        r = self.reader
        diagnostics, links, refs, lists, entities, rejected, text_files, info, info_loc, extras = (
            state
        )
        del r.diagnostics[diagnostics:], r.links[links:], r.refs[refs:]
        for key, length in lists.items():
            del self.lists[key][length:]
        for entity_id in list(self.entities)[entities:]:
            del self.entities[entity_id]
        for entity_id in list(self.rejected)[rejected:]:
            del self.rejected[entity_id]
        for source_id in list(self.text_file_locations)[text_files:]:
            del self.text_file_locations[source_id]
        self.info, self.info_loc = info, info_loc
        del self.info_extensions[extras:]

    def _add_pair(self, key: str, key_node: Node, value: Node) -> None:
        """One section of a file: ``key`` (its text), its key node and its value."""
        r = self.reader
        if key == "dossier":
            self._add_info(value)
        elif key in self.lists:
            self._add_section(key, value)
        elif key.startswith("x-"):
            self.info_extensions.append((key, r.plain(value, 0)))
        else:
            r.error(
                key_node,
                f"unknown section '{shorten(key)}'",
                suggest(key, list(SECTIONS)) or f"sections are: {', '.join(SECTIONS)}",
            )

    def _add_info(self, node: Node) -> None:
        r = self.reader
        r.owner = ""
        if self.info_loc is not None:
            r.error(
                node,
                "a second 'dossier' section",
                f"a dossier has exactly one; the first is at {self.info_loc}",
            )
            return
        self.info_loc = r.loc(node)
        values = r.record(node, DOSSIER)
        if values is not None:
            self.info = DossierInfo(loc=self.info_loc, **values)

    def _add_section(self, key: str, node: Node) -> None:
        for item in self.reader.items(node, f"'{key}'"):
            self._add_item(key, item)

    def _add_item(self, key: str, item: Node) -> None:
        """One item of the list section ``key``."""
        r = self.reader
        entity_class = _ENTITY_CLASSES.get(key)
        r.owner = _peek_id(item) if entity_class else ""
        values = r.read_record(item, SECTIONS[key])
        if values is None:
            if entity_class is not None and r.owner and r.owner not in self.entities:
                self.rejected.setdefault(r.owner, Rejected(entity_class.kind, r.loc(item)))
            return
        loc = r.loc(item)
        if entity_class is None:
            self.lists[key].append(_build_plain(key, values, loc))
            return
        entity = entity_class(loc=loc, **values)
        first = self.entities.get(entity.id)
        if first is not None:
            r.error(
                item,
                f"duplicate id '{entity.id}': also the {first.kind} at {first.loc}",
                "ids are shared by every kind of item: give this one another id",
            )
            return
        self.entities[entity.id] = entity
        self.lists[key].append(entity)
        if isinstance(entity, Source) and entity.text_file is not None:
            self.text_file_locations[entity.id] = _value_location(r, item, "text_file")


def _value_location(reader: Reader, node: Node, key: str) -> Location:
    """Where the value of ``key`` is in a mapping node (the node itself if absent)."""
    for key_node, value in mapping_pairs(node) if type(node) is MappingNode else ():
        if key_node[0] == key:
            return reader.loc(value)
    return reader.loc(node)


def _peek_id(node: Node) -> str:
    if type(node) is MappingNode:
        for key, value in mapping_pairs(node):
            if type(key) is tuple and key[0] == "id" and type(value) is tuple:
                return str(value[0])
    return ""


def _build_plain(key: str, values: dict[str, Any], loc: Location) -> object:
    if key == "relations":
        values.setdefault("summary", None)
        values.setdefault("refs", ())
        return Relation(loc=loc, **values)
    return TourStop(loc=loc, **values)


def assemble(
    path: Path,
    max_size: int,
    contents: list[tuple[Path, str, bytes]],
    problems: list[Diagnostic],
) -> LoadResult:
    """The dossier at ``path`` from its files' ``contents`` (path, name shown, bytes),
    with ``problems`` found reading them and every problem found now."""
    texts = TextFiles(path if path.is_dir() else path.parent, max_size, {})
    assembler = _Assembler()
    diagnostics = assembler.reader.diagnostics
    diagnostics.extend(problems)
    # Files not read at all (refused, unreadable, not UTF-8, not YAML): links into them
    # are not reported one by one (see cross_check).
    skipped = [problem.location.path for problem in problems]
    for _, shown, data in contents:
        text = decode(data, shown, diagnostics)
        if text is None:
            skipped.append(shown)
            continue
        # libyaml is handed the bytes already read (without a BOM, as decode drops it)
        unmarked = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
        if assembler.stream_file(unmarked, shown, len(data)):
            continue
        try:
            root_node = compose(text, shown, diagnostics, unmarked)
        except ComposeError:
            skipped.append(shown)
            continue
        assembler.add_file(root_node, shown, len(data), unmarked)
    shown_files = tuple(shown for _, shown, _ in contents)
    info = assembler.info
    if assembler.info_loc is None and contents and not skipped:
        diagnostics.append(
            Diagnostic(
                Location(shown_files[0]),
                "the dossier has no 'dossier' section",
                "add one with id, title, summary and as_of (see docs/content-format.md)",
            )
        )
    texts.locations.update(assembler.text_file_locations)
    links = cross_check(assembler.reader, assembler.entities, texts, skipped, assembler.rejected)
    ordered = sorted(diagnostics, key=lambda d: (d.location.path != "", d.location))
    if info is None or any(d.severity is Severity.ERROR for d in diagnostics):
        return LoadResult(None, tuple(ordered), shown_files)
    if assembler.info_extensions:
        info = DossierInfo(
            **{**info.__dict__, "extensions": info.extensions + tuple(assembler.info_extensions)}
        )
    lists = assembler.lists
    dossier = Dossier(
        info=info,
        root=path.resolve(),
        files=shown_files,
        sources=tuple(lists["sources"]),
        actors=tuple(lists["actors"]),
        issues=tuple(lists["issues"]),
        assessments=tuple(lists["assessments"]),
        events=tuple(lists["events"]),
        relations=tuple(lists["relations"]),
        tour=tuple(lists["tour"]),
        links=links,
        notes=tuple(ordered),
        entities=assembler.entities,
    )
    return LoadResult(dossier, tuple(ordered), shown_files)


__all__ = ["assemble"]
