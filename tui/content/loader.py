"""Load a dossier: YAML files -> checked, immutable :class:`~tui.content.model.Dossier`.

Problems never stop the load early: every file is read and every check runs, and
all diagnostics come back together (:func:`check_dossier`), or raised at once as a
:class:`~tui.content.errors.ContentError` (:func:`load_dossier`). A dossier unchanged
since it was last loaded comes from the cache (:mod:`.cache`); parsing and checking
(:mod:`.assemble`) happen only when it changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypedDict, Unpack

from . import cache as _cache
from .errors import ContentError, Diagnostic, Location, Severity
from .gcpause import collector_paused
from .index import Index
from .limits import default_max_file_size
from .model import Dossier
from .quotes import resolve_inside
from .safefile import FileRefusedError, read_regular_file
from .text import printable_path

YAML_SUFFIXES = (".yaml", ".yml")


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
    """The YAML files that make up the dossier at ``path``, in load order.

    Any file named is read (what it is gets checked when it is read); in a folder, its
    YAML files that are not hidden, not folders and not links to nothing.
    """
    shown = display_path(path)
    if not path.is_dir():
        if path.exists():
            return [path], []
        return [], [Diagnostic(Location(shown), "no such file or folder")]
    try:
        entries = sorted(path.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        return [], [Diagnostic(Location(shown), f"cannot read the folder: {exc.strerror}")]
    files = [
        p
        for p in entries
        if p.suffix.lower() in YAML_SUFFIXES
        and not p.name.startswith(".")
        and p.exists()
        and not p.is_dir()
    ]
    if files:
        return files, []
    inner = [printable_path(p.name) for p in entries if p.is_dir() and any(p.glob("*.y*ml"))]
    hint = (
        f"this folder holds several dossiers; name one: {', '.join(inner[:5])}"
        if inner
        else "a dossier is a folder of .yaml/.yml files, or a single .yaml file"
    )
    return [], [Diagnostic(Location(shown), "no .yaml or .yml files in this folder", hint)]


def _targets(
    files: Iterable[Path], folder: Path | None
) -> tuple[list[tuple[Path, str, Path]], list[Diagnostic]]:
    """Which file to read for each of ``files`` (path, name shown, file): for the files
    of a ``folder``, only those inside it once symbolic links are followed (as for a
    source's ``text_file``); a file named on its own may be a link to anywhere."""
    targets: list[tuple[Path, str, Path]] = []
    problems: list[Diagnostic] = []
    for path in files:
        shown = display_path(path)
        if folder is None:
            target: Path | None = Path(os.path.realpath(path))
        else:
            target = resolve_inside(folder, path.name)
        if target is None:
            problems.append(
                Diagnostic(
                    Location(shown),
                    "the file is a symbolic link to outside the dossier folder",
                    "only files inside the dossier folder are read: copy it in",
                )
            )
            continue
        targets.append((path, shown, target))
    return targets, problems


def _read_files(
    targets: Iterable[tuple[Path, str, Path]], max_size: int
) -> tuple[list[tuple[Path, str, bytes]], list[Diagnostic]]:
    """Read each target's bytes: regular files of at most ``max_size`` only."""
    result: list[tuple[Path, str, bytes]] = []
    problems: list[Diagnostic] = []
    for path, shown, target in targets:
        try:
            result.append((path, shown, read_regular_file(target, max_size)))
        except FileRefusedError as refused:
            problems.append(Diagnostic(Location(shown), f"the file {refused.reason}", refused.hint))
        except OSError as exc:
            problems.append(Diagnostic(Location(shown), f"cannot read the file: {exc.strerror}"))
    return result, problems


def content_key(path: Path, max_size: int) -> str | None:
    """The key the load cache files the dossier at ``path`` under (what any byte of its
    YAML files changes), hashing those bytes as they are read; None where the dossier's
    files have problems of their own (a load then says what)."""
    files, problems = dossier_files(path)
    targets, target_problems = _targets(files, path if path.is_dir() else None)
    if problems or target_problems:
        return None
    return _cache.streamed_key(targets, max_size)


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
    targets, target_problems = _targets(files, path if path.is_dir() else None)
    problems += target_problems
    if use_cache and not problems and _cache.cache_root(cache_dir) is not None:
        # The key is hashed as the files are read, none of them held whole: a big
        # dossier's bytes, read and freed, would stay in the process (the allocator
        # keeps what it got), and a cache hit needs only the key.
        key = _cache.streamed_key(targets, max_size)
        if key is not None:
            reload = partial(_reload, path, max_size, cache_dir)
            stored = _cache.lookup(key, reload, cache_dir, max_size)
            if stored is not None:
                if stored.index is not None:
                    stored.index.cache_entry = _cache.entry_path(key, cache_dir)
                return LoadResult(stored.dossier, stored.diagnostics, stored.files, stored.index)
    contents, read_problems = _read_files(targets, max_size)
    problems += read_problems
    with collector_paused():
        result = _assemble(path, max_size, contents, problems)
        if result.dossier is not None:
            result = replace(result, index=Index(result.dossier))
    if use_cache and not problems:
        # (keyed by the bytes read now, which the files may have changed to meanwhile)
        key, file_digests = _cache.keyed_digests(contents, max_size)
        if result.index is not None:
            result.index.cache_entry = _cache.entry_path(key, cache_dir)
        _cache.store(
            key,
            result.dossier,
            result.index,
            result.diagnostics,
            result.files,
            result_dependencies(result),
            cache_dir,
            max_size,
            file_digests,
        )
    return result


def _reload(path: Path, max_size: int, cache_dir: Path | None) -> tuple[Dossier, Index] | None:
    """The dossier at ``path`` loaded from its files, when its stored entry turned out
    damaged while it was read (the entry is gone by then: this writes it again)."""
    result = check_dossier(path, cache_dir=cache_dir, max_file_size=max_size)
    if result.dossier is None or result.index is None:
        return None
    return result.dossier, result.index


def result_dependencies(result: LoadResult) -> list[Path]:
    """Files besides the YAML that a result depends on (text copies of sources), as read:
    symbolic links resolved, inside the dossier folder."""
    return [] if result.dossier is None else dossier_dependencies(result.dossier)


def dossier_dependencies(dossier: Dossier) -> list[Path]:
    """:func:`result_dependencies` of a loaded dossier."""
    root = dossier.root if dossier.root.is_dir() else dossier.root.parent
    paths = (resolve_inside(root, s.text_file) for s in dossier.sources if s.text_file)
    return [path for path in paths if path is not None]


def _assemble(
    path: Path, max_size: int, contents: list[tuple[Path, str, bytes]], problems: list[Diagnostic]
) -> LoadResult:
    """Parse and check ``contents`` (the YAML machinery is imported only now: a dossier
    shown from the cache never needs it)."""
    from .assemble import assemble

    return assemble(path, max_size, contents, problems)


class LoadOptions(TypedDict, total=False):
    """:func:`check_dossier`'s options, which :func:`load_dossier` passes on."""

    use_cache: bool
    cache_dir: Path | None
    max_file_size: int | None


def load_dossier(path: Path, **options: Unpack[LoadOptions]) -> Dossier:
    """Load the dossier at ``path`` (``options`` as :func:`check_dossier`'s); raise
    :class:`ContentError` listing every problem."""
    result = check_dossier(path, **options)
    if result.dossier is None:
        raise ContentError(result.diagnostics)
    return result.dossier
