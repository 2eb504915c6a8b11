"""Load a dossier: YAML files -> checked, immutable :class:`~tui.content.model.Dossier`.

Problems never stop the load early: every file is read and every check runs, and
all diagnostics come back together (:func:`check_dossier`), or raised at once as a
:class:`~tui.content.errors.ContentError` (:func:`load_dossier`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import cache as _cache
from .crosscheck import TextFiles, cross_check
from .errors import ContentError, Diagnostic, Location, Severity
from .fields import Reader, shorten, suggest
from .gcpause import collector_paused
from .index import Index
from .limits import SIZE_HINT, default_max_file_size, human_size
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
from .yamlsafe import (
    ComposeError,
    MappingNode,
    Node,
    ScalarNode,
    compose,
    decode,
)

YAML_SUFFIXES = (".yaml", ".yml")

_ENTITY_CLASSES: dict[str, type[Entity]] = {
    "sources": Source,
    "actors": Actor,
    "issues": Issue,
    "assessments": Assessment,
    "events": Event,
}


@dataclass(frozen=True)
class LoadResult:
    """What a load produced: the dossier (None if it has errors) and all diagnostics."""

    dossier: Dossier | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]
    index: Index | None = None
    """The dossier's :class:`Index`, built with it (and cached with it: for a large
    dossier reading it back is quicker than building it again)."""

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        return self.dossier is not None


def display_path(path: Path) -> str:
    """``path`` as shown in diagnostics: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def dossier_files(path: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The YAML files that make up the dossier at ``path``, in load order."""
    shown = display_path(path)
    if path.is_file():
        return [path], []
    if not path.is_dir():
        return [], [Diagnostic(Location(shown), "no such file or folder")]
    try:
        entries = sorted(path.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        return [], [Diagnostic(Location(shown), f"cannot read the folder: {exc.strerror}")]
    files = [
        p
        for p in entries
        if p.suffix.lower() in YAML_SUFFIXES and not p.name.startswith(".") and p.is_file()
    ]
    if files:
        return files, []
    inner = [p.name for p in entries if p.is_dir() and any(p.glob("*.y*ml"))]
    hint = (
        f"this folder holds several dossiers; name one: {', '.join(inner[:5])}"
        if inner
        else "a dossier is a folder of .yaml/.yml files, or a single .yaml file"
    )
    return [], [Diagnostic(Location(shown), "no .yaml or .yml files in this folder", hint)]


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

    def add_file(self, root: Node | None, shown: str, size: int) -> None:
        r = self.reader
        r.display = shown
        r.budget = 2 * size + 10_000
        if root is None:
            r.diagnostics.append(
                Diagnostic(Location(shown), "the file is empty", "add a section such as 'actors:'")
            )
            return
        if not isinstance(root, MappingNode):
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
            values = r.record(item, spec)
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
    for key_node, value in node.value if isinstance(node, MappingNode) else ():
        if key_node.value == key:
            return reader.loc(value)
    return reader.loc(node)


def _peek_id(node: Node) -> str:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                return str(value.value)
    return ""


def _build_plain(key: str, values: dict[str, Any], loc: Location) -> object:
    if key == "relations":
        values.setdefault("summary", None)
        values.setdefault("refs", ())
        return Relation(loc=loc, **values)
    return TourStop(loc=loc, **values)


def _read_files(
    files: Iterable[Path], max_size: int
) -> tuple[list[tuple[Path, str, bytes]], list[Diagnostic]]:
    """Read each file's bytes, refusing those over ``max_size``."""
    result: list[tuple[Path, str, bytes]] = []
    problems: list[Diagnostic] = []
    for path in files:
        shown = display_path(path)
        try:
            size = path.stat().st_size
            if size > max_size:
                problems.append(
                    Diagnostic(
                        Location(shown),
                        f"the file is {human_size(size)}, over the limit of {human_size(max_size)}",
                        SIZE_HINT,
                    )
                )
                continue
            result.append((path, shown, path.read_bytes()))
        except OSError as exc:
            problems.append(Diagnostic(Location(shown), f"cannot read the file: {exc.strerror}"))
    return result, problems


def check_dossier(
    path: Path,
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    max_file_size: int | None = None,
) -> LoadResult:
    """Load and check the dossier at ``path``; never raises for problems in content."""
    max_size = default_max_file_size() if max_file_size is None else max_file_size
    files, problems = dossier_files(path)
    contents, read_problems = _read_files(files, max_size)
    problems += read_problems
    key = None
    if use_cache and not problems:
        key = _cache.key_for(contents, max_size)
        cached = _cache.lookup(key, cache_dir)
        if isinstance(cached, LoadResult):
            return cached
    root = path if path.is_dir() else path.parent
    with collector_paused():
        result = _assemble(TextFiles(root, max_size, {}), path, contents, problems)
        if result.dossier is not None:
            result = replace(result, index=Index(result.dossier))
    if key is not None:
        _cache.store(key, result, result_dependencies(result), cache_dir)
    return result


def result_dependencies(result: LoadResult) -> list[Path]:
    """Files besides the YAML that a result depends on (text copies of sources)."""
    if result.dossier is None:
        return []
    root = result.dossier.root if result.dossier.root.is_dir() else result.dossier.root.parent
    return [root / s.text_file for s in result.dossier.sources if s.text_file]


def _assemble(
    texts: TextFiles,
    path: Path,
    contents: list[tuple[Path, str, bytes]],
    problems: list[Diagnostic],
) -> LoadResult:
    assembler = _Assembler()
    diagnostics = assembler.reader.diagnostics
    diagnostics.extend(problems)
    unreadable = bool(problems)
    for _, shown, data in contents:
        text = decode(data, shown, diagnostics)
        if text is None:
            unreadable = True
            continue
        try:
            root_node = compose(text, shown, diagnostics)
        except ComposeError:
            unreadable = True
            continue
        assembler.add_file(root_node, shown, len(data))
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


def load_dossier(
    path: Path,
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    max_file_size: int | None = None,
) -> Dossier:
    """Load the dossier at ``path``; raise :class:`ContentError` listing every problem."""
    result = check_dossier(
        path, use_cache=use_cache, cache_dir=cache_dir, max_file_size=max_file_size
    )
    if result.dossier is None:
        raise ContentError(result.diagnostics)
    return result.dossier
