"""Command-line parsing for ``dossier``; each command calls into the rest of the package.

dossier [PATH]                      open a dossier in the explorer
dossier validate [PATH ...]         check dossiers, print problems compiler-style
dossier schema                      print the JSON Schema of the file format
dossier search QUERY [PATH]         print where QUERY matches (tui/search_cli.py)
dossier diff OLD [NEW] | --git REV  what changed between two versions (tui/authoring/diff.py)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .cliargs import add_load_options
from .content import Diagnostic, LoadResult, check_dossier, default_dossier, json_schema
from .content.bundled import dossiers_in
from .content.text import clean_text, printable_path
from .served import end_with_server
from .watch import text_files

if TYPE_CHECKING:
    from textual.app import App


def _open_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier",
        description="A terminal explorer for policy dossiers.",
        epilog="commands: 'dossier validate [PATH ...]' checks dossiers; "
        "'dossier schema' prints the JSON Schema of the format; "
        "'dossier search QUERY' finds text; "
        "'dossier new NAME' starts a dossier; 'dossier source add|show' brings a "
        "source's text in; 'dossier export' writes a briefing.",
    )
    parser.add_argument(
        "path", nargs="?", type=Path, help="a dossier folder or file (default: the bundled one)"
    )
    parser.add_argument("--version", action="version", version=f"dossier {__version__}")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="reload when the dossier's files change (keeps your place; errors shown in a panel)",
    )
    add_load_options(parser)
    return parser


def _validate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier validate",
        description="Check dossiers and print every problem as path:line:col: message.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="dossier folders or files (default: the bundled one)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_load_options(parser)
    return parser


def _schema_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="dossier schema",
        description="Print a JSON Schema of the dossier file format, for editors.",
    )


def _load(path: Path, args: argparse.Namespace) -> LoadResult:
    return check_dossier(path, use_cache=not args.no_cache, max_file_size=args.max_file_size)


def _print_diagnostics(diagnostics: Sequence[Diagnostic], out: TextIO) -> None:
    for diagnostic in diagnostics:
        # Messages quote content (keys, ids): strip anything that could drive a terminal.
        print(clean_text(str(diagnostic)), file=out)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def validate(argv: Sequence[str], out: TextIO = sys.stdout) -> int:
    """``dossier validate``: 0 when every dossier is valid, 1 when not."""
    args = _validate_parser().parse_args(argv)
    paths: list[Path] = args.paths or [default_dossier()]
    results = [(path, _load(path, args)) for path in paths]
    diagnostics = [d for _, result in results for d in result.diagnostics]
    errors = sum(1 for d in diagnostics if d.is_error)
    if args.format == "json":
        json.dump([d.as_dict() for d in diagnostics], out, indent=2)
        out.write("\n")
        return 1 if errors else 0
    _print_diagnostics(diagnostics, out)
    for path, result in results:
        dossier = result.dossier
        if dossier is None:
            continue
        counts = ", ".join(
            _plural(n, word)
            for n, word in (
                (len(dossier.actors), "actor"),
                (len(dossier.issues), "issue"),
                (len(dossier.assessments), "assessment"),
                (len(dossier.events), "event"),
                (len(dossier.sources), "source"),
            )
        )
        shown = printable_path(path)
        print(clean_text(f"{shown}: ok: {dossier.info.title} ({counts})"), file=out)
    notes = len(diagnostics) - errors
    files = sum(len(result.files) for _, result in results)
    summary = f"{_plural(errors, 'error')}, {_plural(notes, 'note')} in {_plural(files, 'file')}"
    print(("invalid: " if errors else "valid: ") + summary, file=out)
    return 1 if errors else 0


def schema(argv: Sequence[str], out: TextIO = sys.stdout) -> int:
    """``dossier schema``: print the JSON Schema."""
    _schema_parser().parse_args(argv)
    json.dump(json_schema(), out, indent=2)
    out.write("\n")
    return 0


@dataclass(frozen=True)
class PreparedExplorer:
    """What ``dossier [PATH]`` found before the app starts: loaded, or why it cannot open.

    :func:`prepare_explorer` does the part that needs no terminal (parsing the arguments,
    loading and indexing the dossier, importing the app); :meth:`run` does the rest. The
    session factory of ``dossier serve`` prepares once and runs in every forked session.
    """

    run: Callable[[], int]
    """Run the app (or print why it cannot open); the exit status."""
    make_app: Callable[[], App[Any]] | None
    watched: tuple[Path, list[Path]] | None
    """The dossier's path and its sources' text files, to notice a change (see
    :func:`tui.watch.snapshot`); None when nothing was loaded yet (a folder of dossiers)."""


def prepare_explorer(argv: Sequence[str]) -> PreparedExplorer:
    """Parse ``argv`` and load its dossier; nothing is drawn yet."""
    args = _open_parser().parse_args(argv)
    path: Path = args.path or default_dossier()
    choices = dossiers_in(path)
    if choices:
        from .app import DossierApp

        def picker() -> App[Any]:
            return DossierApp(choices=choices, folder=path, load=lambda p: _load(p, args))

        return PreparedExplorer(_runner(picker), picker, None)
    result = _load(path, args)
    dossier = result.dossier
    if dossier is None:

        def refuse() -> int:
            _print_diagnostics(result.diagnostics, sys.stderr)
            print(
                f"dossier: cannot open {printable_path(path)}: "
                f"{_plural(len(result.errors), 'error')}",
                file=sys.stderr,
            )
            return 1

        return PreparedExplorer(refuse, None, (path, []))
    from .app import DossierApp  # Textual is imported only when the app runs

    watch = path if args.watch else None

    def explorer() -> App[Any]:
        return DossierApp(dossier, index=result.index, watch=watch, load=lambda p: _load(p, args))

    return PreparedExplorer(_runner(explorer), explorer, (path, text_files(dossier)))


def _runner(make_app: Callable[[], App[Any]]) -> Callable[[], int]:
    def run() -> int:
        make_app().run()
        return 0

    return run


def open_explorer(argv: Sequence[str]) -> int:
    """``dossier [PATH]``: load, then run the app (problems are printed instead)."""
    end_with_server()  # a no-op unless dossier serve started this app for a client
    return prepare_explorer(argv).run()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dossier`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "validate":
            return validate(args[1:])
        if args and args[0] == "search":
            from .search_cli import search

            return search(args[1:])
        if args and args[0] == "schema":
            return schema(args[1:])
        if args and args[0] == "serve":
            from .serve.cli import main as serve_main

            return serve_main(args[1:])
        if args and args[0] == "new":
            from .authoring.new import main as new_main

            return new_main(args[1:])
        if args and args[0] == "source":
            from .authoring.source import main as source_main

            return source_main(args[1:])
        if args and args[0] == "diff":
            from .authoring.diff import main as diff_main

            return diff_main(args[1:])
        if args and args[0] == "export":
            from .authoring.export import main as export_main

            return export_main(args[1:])
        return open_explorer(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
