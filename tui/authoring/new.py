"""``dossier new NAME``: write a small, valid starter dossier to edit.

The starter (the ``starter/`` folder next to this module) has one commented example
of every section. It is written to a temporary folder beside the target and renamed
into place when complete, so the command either creates the whole dossier or leaves
nothing behind, and it never touches a folder that already exists.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shlex
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TextIO

from ..content.schema import ID_PATTERN
from ..content.text import clean_text, printable_path, shorten
from .schema_write import SCHEMA_FILE, schema_text

PROG = "dossier new"
_ID_RE = re.compile(ID_PATTERN)
_FILE_ROLES = {
    "dossier.yaml": "what the dossier is: id, title, summary, date",
    "sources.yaml": "the documents it cites",
    "actors.yaml": "who is involved",
    "issues.yaml": "what they disagree on, with each position",
    "assessments.yaml": "an expert's verdict and the claims behind it",
    "events.yaml": "the timeline",
    "relations.yaml": "typed links between items",
    "tour.yaml": "the guided walk-through",
    "sources/tessel-report.txt": "a numbered copy of the source, to check quotes",
    SCHEMA_FILE: "lets your editor complete and check the fields",
}


class NewError(Exception):
    """The dossier could not be created (the message says why); nothing was changed."""


def suggested_name(text: str) -> str:
    """A valid dossier name made from ``text`` ('' when nothing usable is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a dossier (with a suggestion), or None if it can."""
    if _ID_RE.fullmatch(name):
        return None
    message = (
        f"'{shorten(name)}' is not a valid dossier name: "
        "use lowercase letters, digits and single hyphens"
    )
    suggestion = suggested_name(name)
    return message + (f"\n  hint: try '{suggestion}'" if suggestion else "")


def _title_of(name: str) -> str:
    return name.replace("-", " ").capitalize()


def _starter_files(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """(relative path, resource) of every starter file, in a stable order."""
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            yield from _starter_files(entry, f"{prefix}{entry.name}/")
        else:
            yield f"{prefix}{entry.name}", entry


def starter_contents(name: str, as_of: datetime.date) -> dict[str, str]:
    """Relative path -> text of every file of a new dossier called ``name``."""
    values = {"{{id}}": name, "{{title}}": _title_of(name), "{{as_of}}": as_of.isoformat()}
    contents = {}
    for relative, resource in _starter_files(files(__package__ or __name__).joinpath("starter")):
        text = resource.read_text(encoding="utf-8")
        if relative.endswith(".yaml"):
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
        contents[relative] = text
    contents[SCHEMA_FILE] = schema_text()  # as `dossier schema --write` writes it
    return contents


def _default_mode(kind: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return kind & ~umask


def create_dossier(folder: Path, name: str, as_of: datetime.date) -> list[str]:
    """Write the starter dossier ``name`` as ``folder``; return the files written.

    Raises :class:`NewError` if ``folder`` exists or cannot be written; then nothing
    has been changed (apart from creating ``folder``'s parent when it was missing).
    """
    shown = printable_path(folder)
    if folder.exists() or folder.is_symlink():
        raise NewError(
            f"{shown} already exists; nothing was changed. "
            "Choose another name (or --dir), or move the folder away first"
        )
    parent = folder.parent
    if parent.exists() and not parent.is_dir():
        raise NewError(f"cannot create {shown}: {printable_path(parent)} is not a folder")
    contents = starter_contents(name, as_of)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}.", suffix=".tmp"))
    except OSError as error:
        raise NewError(f"cannot create {shown}: {error.strerror or error}") from None
    try:
        for relative, text in contents.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        os.chmod(staging, _default_mode(0o777))  # mkdtemp makes it private
        os.rename(staging, folder)
    except OSError as error:
        if folder.exists():
            raise NewError(f"{shown} already exists; nothing was changed") from None
        raise NewError(f"cannot create {shown}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already after the rename
    return list(contents)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier new``'s arguments."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write a small, valid starter dossier with one commented example "
        "of every section, ready to edit.",
    )
    parser.add_argument(
        "name", help="the new dossier's name and id: lowercase letters, digits and hyphens"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("content"),
        help="the folder to create it in (default: content)",
    )
    return parser


def main(
    argv: Sequence[str],
    out: TextIO | None = None,
    err: TextIO | None = None,
    today: datetime.date | None = None,
) -> int:
    """``dossier new``: 0 when created, 1 when it could not be, 2 for a bad name."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    args = build_parser().parse_args(argv)
    name: str = args.name
    problem = name_problem(name)
    if problem:
        print(f"{PROG}: {problem}", file=err)
        return 2
    folder: Path = args.dir / name
    try:
        written = create_dossier(folder, name, today or datetime.date.today())
    except NewError as error:
        print(f"{PROG}: {clean_text(str(error))}", file=err)
        return 1
    # A name that needs escaping is shown escaped, even in the commands: one line each.
    printable = printable_path(folder)
    shown = shlex.quote(str(folder)) if printable == str(folder) else printable
    order = list(_FILE_ROLES)
    written.sort(key=lambda path: order.index(path) if path in order else len(order))
    width = max(len(path) for path in written)
    print(f"Created the starter dossier {printable_path(f'{folder}{os.sep}')}", file=out)
    for path in written:
        print(f"  {path.ljust(width)}  {_FILE_ROLES.get(path, '')}".rstrip(), file=out)
    commands = [
        (f"dossier validate {shown}", "check it"),
        (f"dossier {shown}", "explore it"),
        (f"dossier export {shown} -o briefing.html", "share it as a briefing"),
    ]
    width = max(len(command) for command, _ in commands)
    print("\nEdit the examples (the comments explain each field), then:", file=out)
    for command, purpose in commands:
        print(clean_text(f"  {command.ljust(width)}  {purpose}"), file=out)
    return 0
