"""``dossier diff OLD NEW`` and ``dossier diff --git REV [PATH]``: what changed, item by item.

The two dossiers are loaded as ``dossier validate`` loads them (through the load cache),
compared by :func:`tui.content.diffing.compare`, and the changes printed grouped by
kind and item: as text for a terminal, as Markdown for a pull request, or as JSON for
scripts (:func:`as_json`). The exit status is 0 when they say the same, 1 when they
differ, 2 when either cannot be compared (bad arguments, a path or revision that is
not there, a dossier with errors: its problems are printed as ``validate`` prints them).

Content is untrusted: every string from a dossier is cleaned of what could drive a
terminal (:func:`tui.content.text.clean_text`) and kept on one line; in Markdown it is
escaped so that it cannot open a heading, list, link, image, code span, HTML tag or
table, and ``@`` and ``#`` are followed by an invisible WORD JOINER so that it cannot
mention anyone or link an issue.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ..cliargs import add_load_options
from ..content import LoadResult, check_dossier
from ..content.diffing import DossierDiff, ItemChange, Status, compare
from ..content.gcpause import collector_paused
from ..content.loader import display_path
from ..content.text import clean_text, printable_path

FORMATS = ("text", "markdown", "json")
GROUPS = {
    "dossier": "dossier",
    "source": "sources",
    "actor": "actors",
    "issue": "issues",
    "assessment": "assessments",
    "event": "events",
    "relation": "relations",
    "tour": "tour",
}
"""Each kind of item and its heading, in the order they are printed."""
MARKS = {Status.ADDED: "+", Status.REMOVED: "-", Status.CHANGED: "~", Status.RENAMED: ">"}
JSON_VERSION = 1
"""The ``version`` of the JSON output's shape (raised if it ever changes)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier diff",
        description="Show what changed between two versions of a dossier, item by item: "
        "items added, removed or renamed, stances, verdicts, claims and citations. "
        "Exit status: 0 the same, 1 different, 2 bad input.",
        epilog="examples: 'dossier diff old/ new/'; 'dossier diff --git HEAD content/mine' "
        "(the working tree against the last commit); '--format markdown' for a pull request.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="OLD and NEW dossiers (folders or files); with --git, the one dossier "
        "(default: the current folder)",
    )
    parser.add_argument(
        "--git",
        metavar="REV",
        help="compare the dossier in the working tree with the same path at git revision REV",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    add_load_options(parser)
    return parser


def main(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """``dossier diff``: 0 when the same, 1 when different, 2 on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.git is None:
        if len(args.paths) != 2:
            parser.error("give two dossiers, OLD and NEW (or --git REV [PATH])")
        old_path, new_path = args.paths
        return _diff(old_path, printable_path(old_path), new_path, args, out, err)
    if len(args.paths) > 1:
        parser.error("--git REV takes one dossier, PATH (default: the current folder)")
    path: Path = args.paths[0] if args.paths else Path(".")
    import tempfile  # (here: only --git needs them, and a diff's start-up counts)

    from .gitrev import GitError, dossier_at_revision

    with tempfile.TemporaryDirectory(prefix="dossier-diff-") as temp:
        try:
            old_path, shown = dossier_at_revision(path, args.git, Path(temp))
        except GitError as error:
            print(clean_text(f"dossier diff: {error}"), file=err)
            return 2
        renamed_prefix = (display_path(old_path), shown)
        # The revision's copy goes into a cache of its own, removed with it: read back
        # from there, it is compared by fingerprints and records, not item by item.
        cache = None if args.no_cache else Path(temp) / "cache"
        return _diff(old_path, printable_path(shown), path, args, out, err, renamed_prefix, cache)


def _diff(
    old_path: Path,
    old_name: str,
    new_path: Path,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    temp_prefix: tuple[str, str] | None = None,
    old_cache: Path | None = None,
) -> int:
    old, new = _load_both(
        (old_path, not args.no_cache, old_cache),
        (new_path, not args.no_cache),
        args.max_file_size,
    )
    new_name = printable_path(new_path)
    failed = False
    for name, result, prefix in ((old_name, old, temp_prefix), (new_name, new, None)):
        if result.dossier is None:
            for diagnostic in result.diagnostics:
                if prefix is not None:
                    from .gitrev import said_at_revision

                    diagnostic = said_at_revision(diagnostic, *prefix)
                print(clean_text(str(diagnostic)), file=err)
            errors = len(result.errors)
            print(
                clean_text(f"dossier diff: {name} has {errors} error{'' if errors == 1 else 's'}"),
                file=err,
            )
            failed = True
    if failed or old.dossier is None or new.dossier is None:
        return 2
    diff = compare(old.dossier, new.dossier)
    if args.format == "json":
        json.dump(as_json(diff, old_name, new_name), out, indent=2)
        out.write("\n")
    elif args.format == "markdown":
        out.write(render_markdown(diff, old_name, new_name))
    else:
        out.write(render_text(diff, old_name, new_name))
    return 0 if diff.same else 1


def _load_both(
    old: tuple[Path, bool, Path | None], new: tuple[Path, bool], max_file_size: int | None
) -> tuple[LoadResult, LoadResult]:
    """Both dossiers (path, whether through the cache; for the old one, a cache folder
    of its own or None), loaded side by side: a warm load is mostly hashing the YAML
    files, which runs outside the GIL, so two take little longer than one."""
    loaded: list[LoadResult] = []
    failed: list[BaseException] = []
    path, use_cache, cache_dir = old

    def load_old() -> None:
        try:
            result = check_dossier(
                path, use_cache=use_cache, cache_dir=cache_dir, max_file_size=max_file_size
            )
            if (
                cache_dir is not None
                and result.dossier is not None
                and any(cache_dir.glob("*.store"))
            ):  # (just written: read back as stored)
                result = check_dossier(
                    path, use_cache=True, cache_dir=cache_dir, max_file_size=max_file_size
                )
            loaded.append(result)
        except BaseException as error:  # (raised again in the main thread)
            failed.append(error)

    thread = threading.Thread(target=load_old, name="dossier diff: OLD", daemon=True)
    with collector_paused():  # (once for both: each load pauses it too)
        thread.start()
        newer = check_dossier(new[0], use_cache=new[1], max_file_size=max_file_size)
        thread.join()
    if failed:
        raise failed[0]
    return loaded[0], newer


# -- output ------------------------------------------------------------------------------
def summary(diff: DossierDiff) -> str:
    """``2 added, 1 changed`` (statuses with none left out), or ``no differences``."""
    counts = diff.counts()
    parts = [f"{count} {status}" for status, count in counts.items() if count]
    return ", ".join(parts) if parts else "no differences"


def _groups(diff: DossierDiff) -> list[tuple[str, list[ItemChange]]]:
    groups: dict[str, list[ItemChange]] = {kind: [] for kind in GROUPS}
    for item in diff.items:
        groups.setdefault(item.kind, []).append(item)
    return [(GROUPS.get(kind, kind), items) for kind, items in groups.items() if items]


def _line(text: str) -> str:
    """Content for one line of a terminal: cleaned, its line breaks made spaces."""
    return " ".join(clean_text(text).split())


def render_text(diff: DossierDiff, old_name: str, new_name: str) -> str:
    """Changes grouped by kind, one line per item (``+`` added, ``-`` removed, ``~``
    changed, ``>`` renamed) and one indented line per change; a summary last."""
    lines: list[str] = []
    for heading, items in _groups(diff):
        lines.append(f"{heading}:")
        for item in items:
            name = f"{item.old_id} -> {item.id}" if item.old_id is not None else item.id
            label = f"  {item.label}" if item.label and item.label != item.id else ""
            lines.append(
                f"  {MARKS[item.status]} {_line(name)}{_line(label) and '  ' + _line(label)}"
            )
            lines.extend(f"      {_line(change.text)}" for change in item.changes)
    lines.append(f"{_line(old_name)} -> {_line(new_name)}: {summary(diff)}")
    return "\n".join(lines) + "\n"


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&$!])")
_MD_LEADING = re.compile(r"^([#+=-]|\d+(?=[.)]))")
_MD_REFERENCE = re.compile(r"([@#])")
_WORD_JOINER = "\u2060"


def markdown_text(text: str) -> str:
    """Content as Markdown text on one line: nothing in it is markup, no mention and no
    issue link."""
    escaped = _MD_INLINE.sub(r"\\\1", _line(text))
    escaped = _MD_LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)
    return _MD_REFERENCE.sub(lambda m: m.group(1) + _WORD_JOINER, escaped)


def markdown_code(text: str) -> str:
    """Content as a Markdown code span, however many backticks it holds."""
    text = _line(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return (
        f"{fence} {text} {fence}"
        if text.startswith("`") or text.endswith("`")
        else f"{fence}{text}{fence}"
    )


def render_markdown(diff: DossierDiff, old_name: str, new_name: str) -> str:
    """A pull-request comment: a heading, the summary, a section per kind, a bullet per
    item with its changes under it."""
    lines = [
        f"### dossier diff: {markdown_code(old_name)} → {markdown_code(new_name)}",
        "",
        f"**{summary(diff)}**",
    ]
    for heading, items in _groups(diff):
        lines += ["", f"#### {heading.capitalize()}", ""]
        for item in items:
            name = (
                f"{markdown_code(item.old_id)} → {markdown_code(item.id)}"
                if item.old_id is not None
                else markdown_code(item.id)
            )
            label = f" {markdown_text(item.label)}" if item.label and item.label != item.id else ""
            lines.append(f"- **{item.status.value}** {name}{label}")
            lines.extend(f"  - {markdown_text(change.text)}" for change in item.changes)
    return "\n".join(lines) + "\n"


def as_json(diff: DossierDiff, old_name: str, new_name: str) -> dict[str, Any]:
    """The diff as JSON data: ``{"version", "old", "new", "same", "counts", "items"}``;
    each item ``{"kind", "id", "status", "label", "old_id", "changes"}``, each change
    ``{"field", "text", "old", "new"}`` (values as plain JSON). Strings are as written in
    the dossiers (JSON escapes them; ``json.dump`` here writes ASCII only)."""
    return {
        "version": JSON_VERSION,
        "old": old_name,
        "new": new_name,
        "same": diff.same,
        "counts": diff.counts(),
        "items": [
            {
                "kind": item.kind,
                "id": item.id,
                "status": item.status.value,
                "label": item.label,
                "old_id": item.old_id,
                "changes": [
                    {"field": c.field, "text": c.text, "old": c.old, "new": c.new}
                    for c in item.changes
                ],
            }
            for item in diff.items
        ],
    }


__all__ = [
    "FORMATS",
    "as_json",
    "main",
    "markdown_code",
    "markdown_text",
    "render_markdown",
    "render_text",
    "summary",
]
