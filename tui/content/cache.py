"""A cache of loaded dossiers, keyed by the content of their files.

Re-opening an unchanged dossier skips parsing and checking: the key is a hash of
every YAML file's path and bytes (plus the loader's version and the size limit),
and an entry also records the hash of each source text file it depended on, so
any change to anything that was read invalidates it. Entries live in the user's
cache directory (``$DOSSIER_CACHE_DIR`` overrides it; ``DOSSIER_NO_CACHE=1``
switches the cache off). A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import platformdirs

from .gcpause import collector_paused
from .limits import default_max_file_size
from .safefile import FileRefusedError, read_regular_file

FORMAT_VERSION = "dossier-cache-6"
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
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FORMAT_VERSION}|{sys.version_info[:2]}|{max_size}|{os.getcwd()}".encode())
    for path, shown, data in contents:
        digest.update(f"\0{os.path.realpath(path)}\0{shown}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


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


def lookup(key: str, cache_dir: Path | None = None, max_size: int | None = None) -> object | None:
    """The cached result for ``key`` if present and its text files are unchanged."""
    max_size = default_max_file_size() if max_size is None else max_size
    root = cache_root(cache_dir)
    if root is None:
        return None
    try:
        with open(root / f"{key}.pickle", "rb") as handle:
            data = handle.read()
        with collector_paused():
            version, dependencies, result = pickle.loads(data)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None
    except ImportError:
        return None
    if version != FORMAT_VERSION:
        return None
    for path, digest in dependencies:
        if _file_hash(Path(path), max_size) != digest:
            return None
    return cast(object, result)


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
    result: object,
    dependencies: list[Path],
    cache_dir: Path | None,
    max_size: int | None = None,
) -> None:
    """Write an entry atomically; failures only mean the next load is not faster."""
    root = cache_root(cache_dir)
    if root is None:
        return
    max_size = default_max_file_size() if max_size is None else max_size
    deps = [(str(p), _file_hash(p, max_size)) for p in dependencies]
    try:
        root.mkdir(parents=True, exist_ok=True)
        import tempfile  # (only when storing: a cache hit does not need it)

        fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((FORMAT_VERSION, deps, result), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, root / f"{key}.pickle")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(root)
    except (OSError, pickle.PicklingError, RecursionError):
        return


def _prune(root: Path) -> None:
    """Keep the newest :data:`MAX_ENTRIES` pickles and search indexes (``.search``, see
    :mod:`.searchstore`); a pruned pickle takes its search index with it."""
    for suffix in ("pickle", "search"):
        entries = sorted(root.glob(f"*.{suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".search").unlink(missing_ok=True)
