"""``dossier schema --write [DIR]``: set a dossier up for editors in one step.

The JSON Schema goes into the dossier folder as ``dossier.schema.json``, and every YAML
file of the dossier (found as the loader finds them) that has no
``# yaml-language-server:`` line gets ``# yaml-language-server: $schema=dossier.schema.json``
as its new first line: after a UTF-8 byte order mark, with the file's own line ending.
No other byte of a file changes, so the loader reads it exactly as before, one line
lower. A file whose line names another schema is left as it is and reported.

Everything is checked before anything is written: a schema file that is not a dossier
schema, or the bundled dossier, is refused with nothing changed. Each file is replaced
through a temporary file, so none is ever half written, and a second run finds
everything set up and changes nothing. ``dossier new`` writes the same file and line.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO
from urllib.parse import unquote, urlsplit

from ..content import json_schema
from ..content.bundled import bundled_root, default_dossier, dossiers_in
from ..content.limits import default_max_file_size
from ..content.loader import dossier_files
from ..content.safefile import FileRefusedError, read_regular_file
from ..content.text import clean_text, printable_path

PROG = "dossier schema --write"
SCHEMA_FILE = "dossier.schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"
"""The line each file gets: the schema's path relative to the file's folder."""
_BOM = b"\xef\xbb\xbf"
_LANGUAGE_SERVER_LINE = re.compile(r"^[ \t]*#[ \t]*yaml-language-server[ \t]*:(.*)$", re.M)
_SCHEMA_SETTING = re.compile(r"\$schema=(\S+)")


class SetupError(Exception):
    """The dossier cannot be set up (the message says why); nothing was changed."""


def schema_text() -> str:
    """The schema file's text: what ``dossier schema`` prints."""
    return json.dumps(json_schema(), indent=2) + "\n"


def with_modeline(data: bytes) -> bytes:
    """``data`` with :data:`MODELINE` as its first line (after a UTF-8 BOM), ended as the
    file's first line is ended (``\\n`` in a file of one line)."""
    bom = _BOM if data.startswith(_BOM) else b""
    body = data[len(bom) :]
    ends = [at for at in (body.find(b"\n"), body.find(b"\r")) if at >= 0]
    if not ends:
        newline = b"\n"
    elif body[min(ends) : min(ends) + 2] == b"\r\n":
        newline = b"\r\n"
    else:
        newline = body[min(ends) : min(ends) + 1]
    return bom + MODELINE.encode("ascii") + newline + body


def schema_named(text: str) -> str | None:
    """The ``$schema=`` of ``text``'s first ``# yaml-language-server:`` line (the one the
    language server reads); '' when that line names none; None when there is no line."""
    line = _LANGUAGE_SERVER_LINE.search(text)
    if line is None:
        return None
    setting = _SCHEMA_SETTING.search(line.group(1))
    return setting.group(1) if setting else ""


def names_schema(named: str, yaml_file: Path, schema_file: Path) -> bool:
    """Whether ``named`` (a ``$schema=`` value in ``yaml_file``) is ``schema_file``."""
    if named.startswith("file:"):
        named = unquote(urlsplit(named).path)
    elif "://" in named:
        return False
    return os.path.realpath(yaml_file.parent / named) == os.path.realpath(schema_file)


@dataclass(frozen=True)
class FileStep:
    """What happens to one YAML file."""

    path: Path
    outcome: Literal["add", "done", "leave"]
    """'add': it gets the line; 'done': it names our schema already; 'leave': it is
    left as it is (it names another schema, or cannot be read as the loader reads it)."""
    report: str
    """What is said about it: 'added the schema line', 'already set up', 'left as ...'."""
    new: bytes | None = None
    """Its bytes once set up; None when it is not written."""
    seen: tuple[int, int, int] = (0, 0, 0)
    """Its (inode, size, mtime) when read: a file changed since is not replaced."""


def _stamp(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_ino, info.st_size, info.st_mtime_ns


def _file_step(path: Path, schema_file: Path, limit: int) -> FileStep:
    try:
        info = os.lstat(path)
        data = read_regular_file(path, limit)
    except FileRefusedError as refused:
        return FileStep(path, "leave", f"left as it is: the file {refused.reason}")
    except OSError as error:
        return FileStep(path, "leave", f"left as it is: {error.strerror or error}")
    try:
        text = data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError:
        return FileStep(
            path, "leave", "left as it is: not UTF-8 text (the loader cannot read it either)"
        )
    named = schema_named(text)
    if named is None:
        return FileStep(path, "add", "added the schema line", with_modeline(data), _stamp(info))
    if named == "":
        return FileStep(
            path,
            "leave",
            "left as it is: its yaml-language-server line names no $schema "
            f"(add $schema={SCHEMA_FILE} to it)",
        )
    if names_schema(named, path, schema_file):
        return FileStep(path, "done", "already set up")
    return FileStep(path, "leave", f"left as it is: its yaml-language-server line names {named}")


def _schema_step(schema_file: Path, text: str) -> str | None:
    """What to say about the schema file (None: it is current); raises
    :class:`SetupError` when it is something else than a dossier schema."""
    shown = printable_path(schema_file)
    try:
        data = read_regular_file(schema_file, max(len(text) * 4, 1 << 20))
    except FileNotFoundError:
        return "written"
    except FileRefusedError as refused:
        raise SetupError(f"{shown} exists and {refused.reason}; nothing was changed") from None
    except OSError as error:
        raise SetupError(f"cannot read {shown}: {error.strerror or error}") from None
    if data == text.encode("utf-8"):
        return None
    try:
        existing = json.loads(data)
    except ValueError:
        existing = None
    ours = json_schema()
    if not (
        isinstance(existing, dict)
        and existing.get("title") == ours["title"]
        and existing.get("$schema") == ours["$schema"]
    ):
        raise SetupError(
            f"{shown} exists and is not a dossier schema; nothing was changed\n"
            "  hint: move it away, or point the files at it yourself"
        )
    return "updated (it was an older dossier schema)"


def _is_bundled(target: Path) -> bool:
    """Whether ``target`` is one of the dossiers shipped with dossier: everything in an
    installed package's ``bundled`` folder; in a source checkout (where ``dossier new``
    writes beside them, in content/) the default dossier, as ``dossier source add``."""
    root = bundled_root().resolve()
    shipped = root if root.name == "bundled" else default_dossier().resolve()
    resolved = target.resolve()
    return resolved == shipped or shipped in resolved.parents


def _dossier_of(target: Path) -> tuple[Path, list[Path]]:
    """The folder the schema goes into, and the dossier's YAML files."""
    shown = printable_path(target)
    if not target.exists():
        raise SetupError(f"{shown}: no such file or folder")
    if _is_bundled(target):
        raise SetupError(
            "the bundled dossier is not yours to change: start your own with `dossier new NAME`"
        )
    several = dossiers_in(target)
    if several:
        names = ", ".join(printable_path(name) for name in list(several)[:5])
        raise SetupError(f"{shown} holds several dossiers; name one: {names}")
    files, problems = dossier_files(target)
    if problems or not files:
        raise SetupError(f"{shown} holds no dossier (no .yaml or .yml files)")
    return (target if target.is_dir() else target.parent), files


@dataclass(frozen=True)
class Setup:
    """What ``set_up`` found to do (nothing is written yet)."""

    folder: Path
    schema_report: str | None
    """'written' or 'updated ...'; None when the schema file is current."""
    schema_text: str
    files: list[FileStep]


def plan(target: Path) -> Setup:
    """Check everything and decide what to write; raises :class:`SetupError`."""
    folder, files = _dossier_of(target)
    text = schema_text()
    schema_file = folder / SCHEMA_FILE
    report = _schema_step(schema_file, text)
    limit = default_max_file_size()
    return Setup(folder, report, text, [_file_step(path, schema_file, limit) for path in files])


def _replace(path: Path, data: bytes, mode: int, exclusive: bool) -> None:
    """Write ``path`` through a temporary file beside it; with ``exclusive``, never over
    a file that appeared meanwhile (FileExistsError)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        if not exclusive:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails if anything is there by now
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: check, then rename
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


Done = tuple[Path, str, Literal["written", "kept", "failed"]]
"""A file, what is said about it, and what became of it."""


def apply(setup: Setup) -> list[Done]:
    """Write what :func:`plan` decided, the schema first, and say how it went for each
    file. Raises :class:`SetupError` when the schema cannot be written (then no YAML
    file has been touched)."""
    schema_file = setup.folder / SCHEMA_FILE
    if setup.schema_report is None:
        done: list[Done] = [(schema_file, "up to date", "kept")]
    else:
        created = setup.schema_report == "written"
        mode = _default_mode() if created else os.stat(schema_file).st_mode & 0o777
        try:
            _replace(schema_file, setup.schema_text.encode("utf-8"), mode, exclusive=created)
        except FileExistsError:
            raise SetupError(
                f"{printable_path(schema_file)} appeared meanwhile; nothing was changed"
            ) from None
        except OSError as error:
            raise SetupError(
                f"cannot write {printable_path(schema_file)}: {error.strerror or error}"
            ) from None
        done = [(schema_file, setup.schema_report, "written")]
    return done + [_apply_file(step) for step in setup.files]


def _apply_file(step: FileStep) -> Done:
    if step.new is None:
        return step.path, step.report, "kept"
    try:
        info = os.lstat(step.path)
        if _stamp(info) != step.seen:
            return step.path, "not written: it changed meanwhile (run the command again)", "failed"
        _replace(step.path, step.new, info.st_mode & 0o777, exclusive=False)
    except OSError as error:
        return step.path, f"not written: {error.strerror or error}", "failed"
    return step.path, step.report, "written"


def write_command(target: Path, out: TextIO = sys.stdout, err: TextIO | None = None) -> int:
    """``dossier schema --write``: 0 when set up, 1 when refused or a file not written."""
    err = sys.stderr if err is None else err
    try:
        setup = plan(target)
        done = apply(setup)
    except SetupError as error:
        print(f"{PROG}: {clean_text(str(error))}", file=err)
        return 1
    for path, what, _ in done:
        print(clean_text(f"{printable_path(path)}: {what}"), file=out)
    failed = sum(1 for _, _, state in done if state == "failed")
    pointing = sum(1 for step in setup.files if step.outcome != "leave") - failed
    summary = f"{pointing} of {len(setup.files)} files name {SCHEMA_FILE}"
    if failed:
        print(f"{PROG}: {failed} not written; {summary}", file=err)
        return 1
    if any(state == "written" for _, _, state in done):
        print(
            f"set up: {summary}; editors with the YAML language server (VS Code, Neovim, "
            "...) complete and check them as you type",
            file=out,
        )
    else:
        already = "already set up: " if pointing == len(setup.files) else ""
        print(f"{already}{summary}; nothing was changed", file=out)
    return 0


__all__ = [
    "MODELINE",
    "SCHEMA_FILE",
    "Done",
    "SetupError",
    "apply",
    "names_schema",
    "plan",
    "schema_named",
    "with_modeline",
    "write_command",
]
