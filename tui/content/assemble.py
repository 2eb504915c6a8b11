"""Parse and check a dossier's YAML files into a :class:`~tui.content.model.Dossier`.

Used by :mod:`.loader` when the cache has no answer: each file is composed safely
(:mod:`.yamlsafe`), its sections read against the schema (:mod:`.fields`), and the
whole checked across files (:mod:`.crosscheck`); every problem is collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .crosscheck import TextFiles, cross_check
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
from .yamlsafe import UTF8_BOM, ComposeError, MappingNode, Node, compose, decode

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
        self.text_file_locations: dict[str, Location] = {}

    def add_file(self, root: Node | None, shown: str, size: int, text: str | None = None) -> None:
        """Read the sections of one composed file (``text``: the file's text, if known,
        which lets the reader skip cleaning every scalar: see ``Reader.start_file``)."""
        r = self.reader
        r.start_file(shown, size, text)
        if root is None:
            r.diagnostics.append(
                Diagnostic(Location(shown), "the file is empty", "add a section such as 'actors:'")
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
        r = self.reader
        spec = SECTIONS[key]
        entity_class = _ENTITY_CLASSES.get(key)
        for item in r.items(node, f"'{key}'"):
            r.owner = _peek_id(item) if entity_class else ""
            values = r.read_record(item, spec)
            if values is None:
                continue
            loc = r.loc(item)
            if entity_class is None:
                self.lists[key].append(_build_plain(key, values, loc))
                continue
            entity = entity_class(loc=loc, **values)
            first = self.entities.get(entity.id)
            if first is not None:
                r.error(
                    item,
                    f"duplicate id '{entity.id}': also the {first.kind} at {first.loc}",
                    "ids are shared by every kind of item: give this one another id",
                )
                continue
            self.entities[entity.id] = entity
            self.lists[key].append(entity)
            if isinstance(entity, Source) and entity.text_file is not None:
                self.text_file_locations[entity.id] = _value_location(r, item, "text_file")


def _value_location(reader: Reader, node: Node, key: str) -> Location:
    """Where the value of ``key`` is in a mapping node (the node itself if absent)."""
    for key_node, value in node[0] if type(node) is MappingNode else ():
        if key_node[0] == key:
            return reader.loc(value)
    return reader.loc(node)


def _peek_id(node: Node) -> str:
    if type(node) is MappingNode:
        for key, value in node[0]:
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
    unreadable = bool(problems)
    for _, shown, data in contents:
        text = decode(data, shown, diagnostics)
        if text is None:
            unreadable = True
            continue
        # libyaml is handed the bytes already read (without a BOM, as decode drops it)
        unmarked = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
        try:
            root_node = compose(text, shown, diagnostics, unmarked)
        except ComposeError:
            unreadable = True
            continue
        assembler.add_file(root_node, shown, len(data), text)
    shown_files = tuple(shown for _, shown, _ in contents)
    info = assembler.info
    if assembler.info_loc is None and contents and not unreadable:
        diagnostics.append(
            Diagnostic(
                Location(shown_files[0]),
                "the dossier has no 'dossier' section",
                "add one with id, title, summary and as_of (see docs/content-format.md)",
            )
        )
    texts.locations.update(assembler.text_file_locations)
    links = cross_check(assembler.reader, assembler.entities, texts)
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
