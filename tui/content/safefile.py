"""Reading the files a dossier is made of: regular files only, never blocking, bounded.

Every file the loader reads (its YAML files, the sources' text copies, and the text
copies the load cache hashes again) goes through :func:`read_regular_file`. Opening a
named pipe blocks until a writer appears and opening a device can have effects, so the
file's kind is checked before it is opened; it is then opened without blocking and
without following a symbolic link, and checked again on the open file (it may have
been swapped in between). At most ``limit + 1`` bytes are read, so a file that grows
past the limit while it is read is refused too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from .limits import SIZE_HINT, human_size

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)
NOT_REGULAR_HINT = "only regular files are read: put the content in an ordinary file"


class FileRefusedError(Exception):
    """A file that is not read: not a regular file, or over the size limit."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        """Completes a sentence about the file: 'the file ' + reason."""
        self.hint = hint


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, from its ``st_mode``: 'a named pipe'."""
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _check(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileRefusedError(
            f"is not a regular file (it is {kind_of(info.st_mode)})", NOT_REGULAR_HINT
        )
    if info.st_size > limit:
        raise FileRefusedError(
            f"is {human_size(info.st_size)}, over the limit of {human_size(limit)}", SIZE_HINT
        )


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` of them).

    ``path`` should be resolved: a symbolic link is refused, not followed. Raises
    :class:`FileRefusedError` for anything but a regular file within the limit, and
    ``OSError`` when the file cannot be read (``FileNotFoundError`` when it is missing).
    """
    _check(os.lstat(path), limit)
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        _check(info, limit)
        data = _read_up_to(descriptor, limit + 1, info.st_size + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise FileRefusedError(f"is over the limit of {human_size(limit)}", SIZE_HINT)
    return data


def digest_regular_file(
    path: Path | str, limit: int, update: Callable[[memoryview], object]
) -> int:
    """Pass the bytes of the regular file ``path`` to ``update`` piece by piece, as
    :func:`read_regular_file` would read them (same checks, same errors); their count.

    For hashing a file without holding it: the pieces go through one small buffer, so
    hashing a dossier of 40 MB leaves no 40 MB of freed heap behind in the process
    (the allocator would keep most of it)."""
    _check(os.lstat(path), limit)
    descriptor = os.open(path, _OPEN_FLAGS)
    buffer = bytearray(_PIECE)
    view = memoryview(buffer)
    total = 0
    try:
        _check(os.fstat(descriptor), limit)
        while True:
            count = os.readv(descriptor, [buffer])
            if not count:
                break
            total += count
            if total > limit:
                raise FileRefusedError(f"is over the limit of {human_size(limit)}", SIZE_HINT)
            update(view[:count])
    finally:
        view.release()
        os.close(descriptor)
    return total


_PIECE = 256 * 1024


def _read_up_to(descriptor: int, most: int, expected: int) -> bytes:
    """Up to ``most`` bytes (O_NONBLOCK does not apply to a regular file: reads wait
    for the disk as usual). ``expected`` is the size known, plus one to notice growth."""
    chunks: list[bytes] = []
    left = most
    while left > 0:
        chunk = os.read(descriptor, min(left, max(expected, 64 * 1024)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


__all__ = ["FileRefusedError", "digest_regular_file", "kind_of", "read_regular_file"]
