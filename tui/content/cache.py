"""A cache of loaded dossiers, keyed by the content of their files.

Re-opening an unchanged dossier skips parsing and checking: the key is a hash of
every YAML file's path and bytes (plus the loader's version and the size limit),
and an entry also records the hash of each source text file it depended on, so
any change to anything that was read invalidates it. Entries live in the user's
cache directory (``$DOSSIER_CACHE_DIR`` overrides it; ``DOSSIER_NO_CACHE=1``
switches the cache off). A cache that cannot be read or written is simply not used.

An entry is a store (:mod:`.store`): read in parts, as the app asks (:mod:`.lazy`),
so opening a big dossier costs what its first screen shows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import platformdirs

from .errors import Diagnostic
from .gcpause import collector_paused
from .index import Index
from .lazy import StoredLoad, open_stored
from .limits import default_max_file_size
from .model import Dossier
from .safefile import FileRefusedError, digest_regular_file, read_regular_file
from .store import SUFFIX, StoreCorruptError, encode

FORMAT_VERSION = "dossier-store-5"
"""Bump when the model or the loader's checks change, so old entries are ignored."""
MAX_ENTRIES = 32


def cache_root(cache_dir: Path | None = None) -> Path | None:
    """The folder entries live in, or None when caching is switched off."""
    if os.environ.get("DOSSIER_NO_CACHE"):
        return None
    if cache_dir is not None:
        return cache_dir
    override = os.environ.get("DOSSIER_CACHE_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("dossier", appauthor=False)) / "loads"


def key_for(contents: Iterable[tuple[Path, str, bytes]], max_size: int) -> str:
    """A key naming exactly these files with exactly these bytes."""
    return keyed_digests(contents, max_size)[0]


def keyed_digests(
    contents: Iterable[tuple[Path, str, bytes]], max_size: int
) -> tuple[str, dict[str, str]]:
    """:func:`key_for` of the files, and each file's own digest by the name it is shown
    as (what :func:`store` keeps, so a reader of the entry can tell the bytes it reads
    from a file now are those the entry was made from: see :mod:`.diffprints`)."""
    key = _Key(max_size)
    digests: dict[str, str] = {}
    for path, shown, data in contents:
        digest = file_digest(data)
        key.add(path, shown, len(data), digest)
        digests[shown] = digest.hex()
    return key.hexdigest(), digests


def file_digest(data: bytes) -> bytes:
    """The digest of one file's bytes, as keys and entries name them."""
    return hashlib.blake2b(data, digest_size=20).digest()


def streamed_key(files: Iterable[tuple[Path, str, Path]], max_size: int) -> str | None:
    """:func:`key_for` of the files (path, name shown, file to read), hashed as they are
    read, never held whole; None if one cannot be read as the loader would read it."""
    key = _Key(max_size)
    for path, shown, target in files:
        file_digest = hashlib.blake2b(digest_size=20)
        try:
            size = digest_regular_file(target, max_size, file_digest.update)
        except (OSError, FileRefusedError):
            return None
        key.add(path, shown, size, file_digest.digest())
    return key.hexdigest()


class _Key:
    """The hash both key functions share: the loader's version, the Python, the size
    limit and the working folder, then each file's real path, name shown, length and
    hash."""

    def __init__(self, max_size: int) -> None:
        self._digest = hashlib.blake2b(digest_size=20)
        self._digest.update(
            f"{FORMAT_VERSION}|{sys.version_info[:2]}|{max_size}|{os.getcwd()}".encode()
        )

    def add(self, path: Path, shown: str, size: int, file_digest: bytes) -> None:
        self._digest.update(f"\0{os.path.realpath(path)}\0{shown}\0{size}\0".encode())
        self._digest.update(file_digest)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _file_hash(path: Path, max_size: int) -> str | None:
    """The hash of the file as the loader reads it (never blocking on a named pipe,
    never reading more than ``max_size``); None if it is missing, and why if the loader
    would not read it."""
    try:
        data = read_regular_file(path, max_size)
    except FileNotFoundError:
        return None
    except FileRefusedError as refused:
        return f"refused: {refused.reason}"
    except OSError as error:
        return f"unreadable: {error.strerror}"
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def entry_path(key: str, cache_dir: Path | None = None) -> Path | None:
    """Where the entry for ``key`` lives (None when caching is switched off)."""
    root = cache_root(cache_dir)
    return None if root is None else root / f"{key}{SUFFIX}"


def lookup(
    key: str,
    reload: Callable[[], tuple[Dossier, Index] | None],
    cache_dir: Path | None = None,
    max_size: int | None = None,
) -> StoredLoad | None:
    """The entry for ``key`` if there is a sound one whose text files are unchanged:
    its dossier read lazily (:mod:`.lazy`; ``reload`` loads it from its files should a
    record turn out damaged later). A damaged entry is removed, to be written again."""
    max_size = default_max_file_size() if max_size is None else max_size
    path = entry_path(key, cache_dir)
    if path is None or not path.exists():
        return None
    with collector_paused():
        try:
            stored = open_stored(
                path,
                FORMAT_VERSION,
                lambda header: unchanged(header["dependencies"], max_size),
                reload,
            )
        except StoreCorruptError:
            with contextlib.suppress(OSError):  # (a read-only cache keeps it: not used)
                path.unlink(missing_ok=True)
            return None
    return stored


def file_hashes(paths: Iterable[Path], max_size: int | None = None) -> list[tuple[str, str | None]]:
    """Each path with the hash of its bytes as the loader reads them (see :func:`lookup`)."""
    max_size = default_max_file_size() if max_size is None else max_size
    return [(str(path), _file_hash(path, max_size)) for path in paths]


def unchanged(dependencies: Iterable[tuple[str, str | None]], max_size: int | None = None) -> bool:
    """Whether every file of ``dependencies`` (as :func:`file_hashes` made them) still
    hashes the same."""
    max_size = default_max_file_size() if max_size is None else max_size
    return all(_file_hash(Path(path), max_size) == digest for path, digest in dependencies)


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` in the cache folder through a temporary file and
    ``os.replace`` (a reader never sees half a file), then prune old entries; False
    when it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(path.parent)
    except OSError:
        return False
    return True


def store(
    key: str,
    dossier: Dossier | None,
    index: Index | None,
    diagnostics: tuple[Diagnostic, ...],
    files: tuple[str, ...],
    dependencies: list[Path],
    cache_dir: Path | None,
    max_size: int | None = None,
    file_digests: Mapping[str, str] | None = None,
) -> None:
    """Write an entry atomically; failures only mean the next load is not faster.
    ``file_digests`` (each YAML file's :func:`file_digest` in hex, by the name it is
    shown as) are kept in the entry's header."""
    path = entry_path(key, cache_dir)
    if path is None:
        return
    max_size = default_max_file_size() if max_size is None else max_size
    deps = file_hashes(dependencies, max_size)
    try:
        with collector_paused():  # (a million small lists, no cycles: as a load)
            data = encode(dossier, index, diagnostics, files, deps, FORMAT_VERSION, file_digests)
    except (ValueError, TypeError, RecursionError):  # (nothing a loader makes; never fatal)
        return
    write_atomically(path, data)


def _prune(root: Path) -> None:
    """Keep the newest :data:`MAX_ENTRIES` entries and search indexes (``.search``, see
    :mod:`.searchstore`); a pruned entry takes its search index with it. Pickles, the
    format before this one, are removed."""
    for old_format in root.glob("*.pickle"):
        old_format.unlink(missing_ok=True)
    for suffix in (SUFFIX, ".search"):
        entries = sorted(root.glob(f"*{suffix}"), key=_age, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".search").unlink(missing_ok=True)


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # (gone meanwhile: another process pruned it)
        return 0.0
