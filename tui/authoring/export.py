"""``dossier export``: write a dossier as a readable briefing in Markdown or HTML.

The document goes to standard output, or to a file with ``-o``. A file is written
to a temporary file in the same folder and renamed over the target only once it is
complete, so an interrupted or failed export never leaves a half-written document;
an existing file is replaced only with ``--force``, and only if it is a regular file:
a symbolic link, a named pipe or a device is never replaced (as root, ``-o /dev/null
--force`` would otherwise swap the device for a file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..cliargs import add_load_options
from ..content import Dossier, check_dossier, default_dossier
from ..content.bundled import dossiers_in
from ..content.safefile import kind_of
from ..content.text import clean_text, printable_path
from .briefing import build_briefing
from .render import FORMATS, render

PROG = "dossier export"
_SUFFIX_FORMAT = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


class ExportError(Exception):
    """A problem the user can fix (the message says how); nothing was written."""


def briefing(dossier: Dossier, output_format: str) -> str:
    """``dossier`` as a briefing document in ``output_format`` ('markdown' or 'html')."""
    return render(build_briefing(dossier), output_format)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier export``'s arguments."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write a dossier as a briefing document: the verdict first, then the "
        "actors, the issues with each position, the timeline, the assessments with their "
        "citations, and the sources.",
    )
    parser.add_argument(
        "path", nargs="?", type=Path, help="a dossier folder or file (default: the bundled one)"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the -o file name, .html or .htm for html; "
        "else markdown)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write to FILE, a new file or (with --force) a regular file "
        "(default, or '-': standard output)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace FILE if it exists; only a regular file is ever replaced, never a "
        "symbolic link, a named pipe or a device (write to standard output for those)",
    )
    add_load_options(parser)
    return parser


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output is not None:
        return _SUFFIX_FORMAT.get(args.output.suffix.lower(), "markdown")
    return "markdown"


def _check_target(target: Path, force: bool) -> None:
    """Refuse early, before any work, when the target cannot or must not be written."""
    shown = printable_path(target)
    if target.is_dir() and not target.is_symlink():
        raise ExportError(f"{shown} is a folder; give a file name after -o")
    if not target.parent.is_dir():
        raise ExportError(
            f"cannot write {shown}: the folder {printable_path(target.parent)} does not exist"
        )
    if _refuse_unless_regular(target) and not force:
        raise ExportError(f"{shown} already exists; add --force to replace it")


def _refuse_unless_regular(target: Path) -> bool:
    """Whether ``target`` exists; raise if it does and is not a regular file (which is
    never replaced: a link, a named pipe or a device would be swapped for a file)."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return False
    except OSError as error:
        reason = clean_text(error.strerror or str(error))
        raise ExportError(f"cannot write {printable_path(target)}: {reason}") from None
    if stat.S_ISLNK(mode):
        raise ExportError(
            f"{printable_path(target)} is a symbolic link; it is never replaced "
            "(give the path of the file it points to, or another name)"
        )
    if not stat.S_ISREG(mode):
        raise ExportError(
            f"{printable_path(target)} is not a regular file (it is {kind_of(mode)}); "
            "it is never replaced (leave out -o to write to standard output instead)"
        )
    return True


def _new_file_mode(target: Path) -> int:
    """The mode the target should end up with: its current one, or the usual default."""
    with contextlib.suppress(OSError):
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(target: Path, data: bytes, force: bool) -> None:
    """Write ``data`` to ``target`` all at once: a temporary file, then a rename.

    Without ``force`` an existing target is never replaced, even one that appeared
    while the document was being written. On any failure the temporary file is removed
    and ``target`` is left as it was.
    """
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _new_file_mode(target))
        if force:
            _refuse_unless_regular(target)  # again: it may have changed since the first check
            os.replace(temporary, target)
        else:
            _link_without_replacing(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _link_without_replacing(temporary: str, target: Path) -> None:
    try:
        os.link(temporary, target)  # fails if target exists, unlike a rename
    except FileExistsError:
        _refuse_unless_regular(target)  # (not worth suggesting --force for)
        raise ExportError(
            f"{printable_path(target)} already exists; add --force to replace it"
        ) from None
    except OSError:  # a file system without hard links: check, then rename
        if _refuse_unless_regular(target):
            raise ExportError(
                f"{printable_path(target)} already exists; add --force to replace it"
            ) from None
        os.replace(temporary, target)


def _write_stdout(text: str, out: TextIO) -> None:
    # The document is UTF-8 whatever the terminal's encoding (HTML declares it).
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(text)
        return
    out.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _load(path: Path, args: argparse.Namespace, err: TextIO) -> Dossier | None:
    """The dossier at ``path``, or None after printing its problems as ``validate`` does."""
    choices = dossiers_in(path)
    if choices:
        names = ", ".join(printable_path(name) for name in choices)
        raise ExportError(
            f"{printable_path(path)} holds several dossiers ({names}); give the one to export"
        )
    result = check_dossier(path, use_cache=not args.no_cache, max_file_size=args.max_file_size)
    if result.dossier is not None:
        return result.dossier
    for diagnostic in result.diagnostics:
        print(clean_text(str(diagnostic)), file=err)
    count = len(result.errors)
    print(
        f"{PROG}: cannot export {printable_path(path)}: {count} error{'' if count == 1 else 's'} "
        f"(nothing was written)",
        file=err,
    )
    return None


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``dossier export``: 0 when the briefing was written, 1 when not, 2 on a usage error."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    args = build_parser().parse_args(argv)
    path: Path = args.path or default_dossier()
    target: Path | None = args.output
    if target is not None and str(target) == "-":
        target = None
    try:
        if target is not None:
            _check_target(target, args.force)
        dossier = _load(path, args, err)
        if dossier is None:
            return 1
        output_format = _output_format(args)
        document = briefing(dossier, output_format)
        if target is None:
            _write_stdout(document, out)
            return 0
        data = document.encode("utf-8")
        try:
            write_atomically(target, data, args.force)
        except OSError as error:
            reason = clean_text(error.strerror or str(error))
            raise ExportError(
                f"cannot write {printable_path(target)}: {reason}; nothing was changed"
            ) from None
    except ExportError as error:
        print(f"{PROG}: {clean_text(str(error))}", file=err)
        return 1
    print(f"wrote {printable_path(target)} ({output_format}, {len(data):,} bytes)", file=out)
    return 0
