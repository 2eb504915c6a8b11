"""A dossier as it was at a git revision, copied into a folder to be loaded (``dossier
diff --git REV``).

Git is run as a program (argument lists, never a shell), read-only: ``rev-parse`` finds
the repository and the commit, ``ls-tree`` lists the dossier's files at that commit with
their sizes, and ``cat-file --batch`` gives their bytes, which are written under a
folder the caller owns (and removes). Regular files and symbolic links are copied (the
loader itself refuses links that leave the dossier's folder); nothing is written outside
that folder, and no more than :data:`MAX_TOTAL` bytes in all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..content.errors import Diagnostic

MAX_TOTAL = 1 << 30
"""The most bytes copied out of a revision (the files' sizes are known before)."""
TIMEOUT = 120.0
"""Seconds any one git command may take."""


class GitError(Exception):
    """Why the revision's dossier could not be had, in words for the user."""


@dataclass(frozen=True)
class _Entry:
    mode: str
    object_id: str
    size: int
    path: str


def dossier_at_revision(
    path: Path, rev: str, into: Path, max_total: int = MAX_TOTAL
) -> tuple[Path, str]:
    """Copy the dossier at ``path`` (a folder or file of a git working tree) as it was at
    ``rev`` into the folder ``into``: the copy's path, and how to name it (``REV:PATH``,
    the path from the top of the repository)."""
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (or not on PATH): --git needs it")
    if not rev or rev.startswith("-") or any(c in rev for c in "\0\n\r"):
        raise GitError(f"{rev!r} is not a revision")
    absolute = Path(os.path.realpath(path))
    folder = absolute if absolute.is_dir() else absolute.parent
    if not folder.is_dir():
        raise GitError(f"{path} is not in a folder that exists")
    top = Path(_git(git, folder, "rev-parse", "--show-toplevel").decode(errors="replace").strip())
    relative = os.path.relpath(absolute, os.path.realpath(top))
    if relative == ".." or relative.startswith(".." + os.sep):
        raise GitError(f"{path} is outside the git repository at {top}")
    commit = _commit(git, top, rev)
    inside = PurePosixPath(Path(relative).as_posix())
    spec = [] if str(inside) == "." else ["--", str(inside)]
    entries = _entries(
        _git(git, top, "ls-tree", "-r", "-z", "--long", "--full-tree", commit, *spec)
    )
    name = top.name if str(inside) == "." else inside.name
    shown = f"{rev}:{'' if str(inside) == '.' else inside}"
    if not entries:
        raise GitError(f"{shown} does not exist")
    total = sum(entry.size for entry in entries)
    if total > max_total:
        raise GitError(f"{shown} holds {total:,} bytes, more than the {max_total:,} copied at most")
    single = len(entries) == 1 and entries[0].path == str(inside)
    target = into / name
    blobs = _blobs(git, top, entries)
    for entry in entries:
        parts = PurePosixPath(entry.path).parts
        below = parts[-1:] if single else parts[len(inside.parts) if str(inside) != "." else 0 :]
        if not below or any(part in ("", ".", "..") for part in below):
            raise GitError(f"{rev}:{entry.path} is not a path that can be copied")
        destination = into / name if single else target.joinpath(*below)
        destination.parent.mkdir(parents=True, exist_ok=True)
        data = blobs[entry.object_id]
        if entry.mode == "120000":
            os.symlink(os.fsdecode(data), destination)
        else:
            descriptor = os.open(
                destination,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
            )
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
    return target, shown


def said_at_revision(diagnostic: Diagnostic, copy: str, shown: str) -> Diagnostic:
    """A diagnostic of the revision's copy (at ``copy``, as the loader shows that path),
    with its path said as ``REV:PATH/...`` (``shown``, as :func:`dossier_at_revision`
    names it), so it points into the revision, not into a folder already removed."""
    path = diagnostic.location.path
    if path != copy and not path.startswith(copy + "/"):
        return diagnostic
    location = diagnostic.location._replace(path=shown.rstrip("/") + path[len(copy) :])
    return Diagnostic(location, diagnostic.message, diagnostic.hint, diagnostic.severity)


def _git(git: str, folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took more than {TIMEOUT:.0f} seconds") from None
    except OSError as error:
        raise GitError(f"git could not be run: {error.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed ({done.returncode})")
    return done.stdout


def _commit(git: str, top: Path, rev: str) -> str:
    try:
        out = _git(git, top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError:
        raise GitError(f"{rev!r} is not a revision of the repository at {top}") from None
    return out.decode().strip()


def _entries(listing: bytes) -> list[_Entry]:
    """``ls-tree -r -z --long`` output: blobs and symbolic links (submodules left out)."""
    entries: list[_Entry] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        mode, kind, object_id, size = head.split()
        if kind != b"blob":
            continue
        entries.append(_Entry(mode.decode(), object_id.decode(), int(size), os.fsdecode(name)))
    return entries


def _blobs(git: str, top: Path, entries: list[_Entry]) -> dict[str, bytes]:
    """The bytes of every entry's blob, by object id, through one ``cat-file --batch``."""
    wanted = list(dict.fromkeys(entry.object_id for entry in entries))
    try:
        done = subprocess.run(
            [git, "-C", str(top), "cat-file", "--batch"],
            input="".join(f"{object_id}\n" for object_id in wanted).encode(),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git cat-file took more than {TIMEOUT:.0f} seconds") from None
    if done.returncode != 0:
        raise GitError("git cat-file failed: " + done.stderr.decode(errors="replace").strip())
    blobs: dict[str, bytes] = {}
    data, at = done.stdout, 0
    for object_id in wanted:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        if len(header) != 3 or header[0].decode() != object_id:
            raise GitError(f"git cat-file gave something else for {object_id}")
        size = int(header[2])
        blobs[object_id] = data[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return blobs


__all__ = ["MAX_TOTAL", "GitError", "dossier_at_revision", "said_at_revision"]
