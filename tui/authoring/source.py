"""``dossier source add`` and ``dossier source show``: bring a source's text into a dossier.

``add TEXTFILE --id ID [--title T] [PATH]`` copies the text into the dossier folder as
``sources/ID.txt`` with its paragraphs numbered ``[1]``, ``[2]`` ... the way the loader
counts them (a text already numbered so is kept as it is), and adds the source's entry
(``id``, ``title``, ``paragraphs``, ``text_file``) at the end of the dossier's
``sources:`` section: the YAML file is otherwise left byte for byte as it was, comments,
order and blank lines included. Nothing that exists is overwritten, and either both
files are written or neither.

``show ID [--para N] [PATH]`` prints a source's numbered paragraphs, so an author can
cite ``¶7`` and copy a quote that ``dossier validate`` will find.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..content import Source, check_dossier
from ..content.bundled import default_dossier
from ..content.limits import default_max_file_size
from ..content.loader import dossier_files
from ..content.quotes import paragraphs_of, resolve_inside
from ..content.safefile import FileRefusedError, read_regular_file
from ..content.schema import ID_PATTERN
from ..content.text import clean_text, printable_path

PROG = "dossier source"
_ID_RE = re.compile(ID_PATTERN)
_TOP_KEY = re.compile(r"[^\s#-][^:#]*:(\s|$)")
"""A line that starts a top-level section (``actors:``), not a comment or an item."""


class SourceError(Exception):
    """The command cannot do what was asked (the message says why); nothing changed."""


def numbered(text: str) -> tuple[str, int]:
    """``text`` with ``[N]``-numbered paragraphs, and how many: kept as it is when it is
    numbered 1, 2, 3 ... already, else split at blank lines."""
    existing = paragraphs_of(text)
    if existing and list(existing) == list(range(1, len(existing) + 1)):
        return text, len(existing)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    body = "\n\n".join(f"[{n}] {p}" for n, p in enumerate(paragraphs, 1))
    return body + "\n", len(paragraphs)


def entry_lines(source_id: str, title: str, paragraphs: int, indent: str) -> list[str]:
    """The YAML of a source's entry as an item of the list, each item at ``indent``."""
    inner = indent + "  "
    return [
        f"{indent}- id: {source_id}\n",
        f"{inner}title: {json.dumps(title, ensure_ascii=False)}\n",
        f"{inner}paragraphs: {paragraphs}\n",
        f"{inner}text_file: sources/{source_id}.txt\n",
    ]


def insert_entry(yaml_text: str, source_id: str, title: str, paragraphs: int) -> str | None:
    """``yaml_text`` with the entry added at the end of its ``sources:`` section (None
    when it has no such section). Raises :class:`SourceError` when the section is
    written in flow style (``sources: [...]``)."""
    lines = yaml_text.splitlines(keepends=True)
    start = next((n for n, line in enumerate(lines) if re.match(r"sources:", line)), None)
    if start is None:
        return None
    if lines[start].split("#", 1)[0].strip() != "sources:":
        raise SourceError(
            "its sources: section is written on one line (flow style): add the entry by hand"
        )
    end = next((n for n in range(start + 1, len(lines)) if _TOP_KEY.match(lines[n])), len(lines))
    content = [n for n in range(start + 1, end) if lines[n].strip() and not _is_comment(lines[n])]
    items = [n for n in content if lines[n].lstrip().startswith("- ")]
    indent = (
        lines[items[0]][: len(lines[items[0]]) - len(lines[items[0]].lstrip())] if items else "  "
    )
    at = content[-1] + 1 if content else start + 1
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    lines[at:at] = entry_lines(source_id, title, paragraphs, indent)
    return "".join(lines)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def add_source(
    text_file: Path, source_id: str, title: str | None, folder: Path, max_size: int
) -> tuple[Path, Path, int]:
    """Add the source; (the YAML file changed, the text written, paragraphs)."""
    if not _ID_RE.fullmatch(source_id):
        raise SourceError(
            f"'{source_id}' is not a valid id: lower-case letters, digits and hyphens, "
            "starting with a letter"
        )
    if not folder.is_dir():
        raise SourceError(f"{printable_path(folder)} is not a dossier folder")
    bundled = default_dossier().resolve()
    if folder.resolve() == bundled or bundled in folder.resolve().parents:
        raise SourceError(
            "the bundled dossier is not yours to change: start your own with `dossier new NAME`"
        )
    files, problems = dossier_files(folder)
    if problems or not files:
        raise SourceError(f"{printable_path(folder)} holds no dossier (no .yaml files)")
    loaded = check_dossier(folder, use_cache=False, max_file_size=max_size)
    if loaded.dossier is not None and loaded.dossier.get(source_id) is not None:
        raise SourceError(f"the dossier already has an item with the id '{source_id}'")
    try:
        raw = read_regular_file(text_file, max_size)
        text = raw.decode("utf-8-sig")
    except FileRefusedError as refused:
        raise SourceError(f"{printable_path(text_file)}: the file {refused.reason}") from None
    except UnicodeDecodeError:
        raise SourceError(f"{printable_path(text_file)} is not UTF-8 text") from None
    except OSError as error:
        raise SourceError(f"{printable_path(text_file)}: {error.strerror}") from None
    body, count = numbered(text.replace("\r\n", "\n"))
    if count == 0:
        raise SourceError(f"{printable_path(text_file)} has no paragraphs")
    target = folder / "sources" / f"{source_id}.txt"
    if target.exists():
        raise SourceError(f"{printable_path(target)} exists already: nothing was changed")
    name = title or text_file.stem.replace("-", " ").replace("_", " ")
    yaml_file, new_yaml = _yaml_with_entry(files, folder, source_id, clean_text(name), count)
    target.parent.mkdir(exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # (x: never over a file)
        handle.write(body)
    try:
        _write_over(yaml_file, new_yaml)
    except OSError as error:
        target.unlink(missing_ok=True)
        raise SourceError(f"{printable_path(yaml_file)}: {error.strerror}") from None
    return yaml_file, target, count


def _yaml_with_entry(
    files: list[Path], folder: Path, source_id: str, title: str, count: int
) -> tuple[Path, str | None]:
    for path in files:
        text = path.read_text(encoding="utf-8")
        changed = insert_entry(text, source_id, title, count)
        if changed is not None:
            return path, changed
    new = folder / "sources.yaml"
    if new.exists():
        raise SourceError(f"{printable_path(new)} exists but has no sources: section")
    return new, "sources:\n" + "".join(entry_lines(source_id, title, count, "  "))


def _write_over(path: Path, text: str | None) -> None:
    """Replace ``path`` with ``text`` through a temporary file (never half written)."""
    assert text is not None
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".source-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def show_source(source_id: str, folder: Path, para: int | None, max_size: int, out: TextIO) -> int:
    """Print the numbered paragraphs of ``source_id`` (or only ``para``); 0 if shown."""
    loaded = check_dossier(folder, max_file_size=max_size)
    if loaded.dossier is None:
        raise SourceError(f"{printable_path(folder)} does not load: run `dossier validate`")
    source = loaded.dossier.get(source_id)
    if not isinstance(source, Source):
        raise SourceError(f"the dossier has no source with the id '{source_id}'")
    if not source.text_file:
        raise SourceError(f"the source '{source_id}' names no text_file")
    root = folder if folder.is_dir() else folder.parent
    path = resolve_inside(root, source.text_file)
    try:
        text = read_regular_file(path, max_size).decode("utf-8-sig") if path else None
    except (OSError, FileRefusedError, UnicodeDecodeError):
        text = None
    if text is None:
        raise SourceError(f"{source.text_file} cannot be read")
    paragraphs = paragraphs_of(text)
    if para is not None:
        if para not in paragraphs:
            raise SourceError(f"the source '{source_id}' has no paragraph {para}")
        paragraphs = {para: paragraphs[para]}
    for number, paragraph in paragraphs.items():
        out.write(clean_text(f"¶{number} {' '.join(paragraph.split())}") + "\n\n")
    return 0


def _parser(verb: str) -> argparse.ArgumentParser:
    """The parser of one verb (each its own: positionals may follow options)."""
    parser = argparse.ArgumentParser(prog=f"{PROG} {verb}")
    if verb == "add":
        parser.description = "Copy a text in, numbered, and add its entry to the dossier."
        parser.add_argument("text", type=Path, help="the plain-text file of the source")
        parser.add_argument("--id", required=True, help="its id (lower-case-with-hyphens)")
        parser.add_argument("--title", help="its title (default: from the file's name)")
    else:
        parser.description = "Print a source's numbered paragraphs."
        parser.add_argument("id", help="the source's id")
        parser.add_argument("--para", type=int, help="only this paragraph")
    parser.add_argument(
        "path", type=Path, nargs="?", default=Path("."), help="the dossier folder (default: .)"
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """Both verbs under one parser, for ``dossier completion`` (each runs with its own)."""
    parser = argparse.ArgumentParser(prog=PROG, description="Bring a source's text in.")
    verbs = parser.add_subparsers(dest="verb", metavar="add|show")
    for verb in ("add", "show"):
        own = _parser(verb)
        verbs.add_parser(verb, parents=[own], add_help=False, description=own.description)
    return parser


USAGE = f"usage: {PROG} add TEXTFILE --id ID [--title T] [PATH] | {PROG} show ID [--para N] [PATH]"


def main(argv: Sequence[str], out: TextIO = sys.stdout) -> int:
    """``dossier source ...``: 0 done, 1 refused (a message says why), 2 usage."""
    if not argv or argv[0] not in ("add", "show"):
        print(USAGE, file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    verb = argv[0]
    args = _parser(verb).parse_intermixed_args(argv[1:])
    args.verb = verb
    max_size = default_max_file_size()
    try:
        if args.verb == "show":
            return show_source(args.id, args.path, args.para, max_size, out)
        yaml_file, target, count = add_source(args.text, args.id, args.title, args.path, max_size)
    except SourceError as error:
        print(f"{PROG} {args.verb}: {error}", file=sys.stderr)
        return 1
    out.write(
        f"added source '{args.id}' ({count} paragraphs) to {printable_path(yaml_file)}; "
        f"its text is {printable_path(target)}\n"
        f"cite it as  - {{source: {args.id}, para: N}}  (dossier source show {args.id})\n"
    )
    return 0


__all__ = ["add_source", "build_parser", "insert_entry", "main", "numbered", "show_source"]
