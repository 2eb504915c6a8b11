"""Command-line parsing for ``dossier``; each command calls into the rest of the package.

dossier [PATH]                      open a dossier in the explorer
dossier COMMAND ...                 one of :data:`COMMANDS`, each in its own module

A command is one entry of :data:`COMMANDS`: its name, a one-line summary and the module
that holds its ``build_parser()`` and ``main(argv)``. The module is imported only when
the command runs (so ``dossier --help`` and the explorer never import serve code), and
``dossier completion SHELL`` reads every parser, so a command added there is completed
in every shell without more work.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .cliargs import add_diff_options, add_load_options
from .content import Diagnostic, LoadResult, check_dossier, default_dossier, json_schema
from .content.bundled import dossiers_in
from .content.text import clean_text, printable_path
from .diffmode import Baseline
from .served import end_with_server
from .watch import text_files

if TYPE_CHECKING:
    from textual.app import App


@dataclass(frozen=True)
class Command:
    """A ``dossier`` command, found in its module only when it is wanted."""

    name: str
    summary: str
    """One line, for ``dossier --help`` and the shells' completion menus."""
    module: str
    """The module that holds the command; imported only to run it or read its parser."""
    runner: str = "main"
    """The function of ``module`` that runs it: ``main(argv: Sequence[str]) -> int``."""
    parser_factory: str = "build_parser"
    """The function of ``module`` that returns its ``argparse.ArgumentParser``."""

    def run(self, argv: Sequence[str]) -> int:
        """Run the command with the words after its name; its exit status."""
        runner = self._attribute(self.runner)
        if runner is None:
            print(f"dossier: '{self.name}' is not available in this installation", file=sys.stderr)
            return 2
        return int(runner(list(argv)))

    def parser(self) -> argparse.ArgumentParser | None:
        """The command's parser, or None when its module does not have one (yet)."""
        factory = self._attribute(self.parser_factory)
        return factory() if factory is not None else None

    def _attribute(self, name: str) -> Any:
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as missing:
            if missing.name == self.module:
                return None  # the command's own module is absent, not one it imports
            raise
        return getattr(module, name, None)


COMMANDS: tuple[Command, ...] = (
    Command("validate", "check dossiers, print every problem as path:line:col", __name__,
            "validate", "validate_parser"),
    Command("schema", "print the JSON Schema; --write sets a dossier up for editors",
            __name__, "schema", "schema_parser"),
    Command("search", "print every place a query matches", "tui.search_cli", "search"),
    Command("new", "start a dossier: a valid, commented starter", "tui.authoring.new"),
    Command("source", "bring a source's text in (add), show its paragraphs (show)",
            "tui.authoring.source"),
    Command("export", "write a briefing in Markdown or HTML", "tui.authoring.export"),
    Command("diff", "what changed between two versions of a dossier", "tui.authoring.diff"),
    Command("serve", "serve the explorer over SSH or to browsers", "tui.serve.cli"),
    Command("completion", "print a shell's completion script (bash, zsh, fish)",
            "tui.completion"),
)  # fmt: skip
"""Every command but the explorer's own ``dossier [PATH]``, in the order --help lists them."""


def command_named(name: str) -> Command | None:
    """The entry of :data:`COMMANDS` called ``name``."""
    return next((command for command in COMMANDS if command.name == name), None)


def open_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier [PATH]``: the explorer; its epilog lists the commands."""
    width = max(len(command.name) for command in COMMANDS)
    listed = "\n".join(f"  {c.name.ljust(width)}  {c.summary}" for c in COMMANDS)
    parser = argparse.ArgumentParser(
        prog="dossier",
        description="A terminal explorer for policy dossiers.",
        epilog=f"commands ('dossier COMMAND --help' for each):\n{listed}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    add_diff_options(parser, "mark in the lists, and say in the detail pane, what changed")
    add_load_options(parser)
    return parser


def validate_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier validate``."""
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


def schema_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier schema``."""
    parser = argparse.ArgumentParser(
        prog="dossier schema",
        description="Print a JSON Schema of the dossier file format, for editors; or, with "
        "--write, set a dossier up for them in one step.",
    )
    parser.add_argument(
        "--write",
        nargs="?",
        const=Path("."),
        type=Path,
        metavar="DIR",
        help="write the schema into the dossier folder DIR (default: .) as "
        "dossier.schema.json, and a '# yaml-language-server: $schema=...' line at the top "
        "of each of its YAML files that has none; nothing else in a file changes, and "
        "nothing that is not an older dossier schema is overwritten",
    )
    return parser


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
    args = validate_parser().parse_args(argv)
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
    """``dossier schema``: print the JSON Schema (``--write``: see
    :mod:`tui.authoring.schema_write`)."""
    args = schema_parser().parse_args(argv)
    if args.write is not None:
        from .authoring.schema_write import write_command

        return write_command(args.write, out)
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
    args = open_parser().parse_args(argv)
    path: Path = args.path or default_dossier()
    choices = dossiers_in(path)
    comparing = "--diff-git" if args.diff_git is not None else None
    if args.diff is not None:
        comparing = "--diff"  # (argparse lets only one of them through)
    if comparing and choices:
        shown = printable_path(path)
        return _refusal(f"{comparing} compares one dossier, and {shown} holds several")
    if choices:
        from .app import DossierApp

        def picker() -> App[Any]:
            return DossierApp(choices=choices, folder=path, load=lambda p: _load(p, args))

        return PreparedExplorer(_runner(picker), picker, None)
    result = _load(path, args)
    dossier = result.dossier
    if dossier is None:
        return _refusal(f"cannot open {printable_path(path)}", result, (path, []))
    baseline = older_version(path, args) if comparing else None
    if isinstance(baseline, PreparedExplorer):
        return baseline  # (why there is none)
    from .app import DossierApp  # Textual is imported only when the app runs

    watch = path if args.watch else None

    def explorer() -> App[Any]:
        return DossierApp(
            dossier,
            index=result.index,
            watch=watch,
            load=lambda p: _load(p, args),
            baseline=baseline,
        )

    return PreparedExplorer(_runner(explorer), explorer, (path, text_files(dossier)))


def older_version(path: Path, args: argparse.Namespace) -> Baseline | PreparedExplorer:
    """Diff mode's older version of the dossier at ``path`` (``--diff OLD`` or
    ``--diff-git REV``), or the refusal that says why there is none."""
    if args.diff is not None:
        older = _load(args.diff, args)
        if older.dossier is None:
            return _refusal(f"cannot compare with {printable_path(args.diff)}", older)
        return Baseline(older.dossier, printable_path(args.diff))
    import tempfile

    from .authoring.gitrev import GitError, dossier_at_revision, said_at_revision
    from .content.loader import display_path

    rev: str = args.diff_git
    with tempfile.TemporaryDirectory(prefix="dossier-diff-") as temp:
        try:
            copy, shown = dossier_at_revision(path, rev, Path(temp))
        except GitError as error:
            return _refusal(f"--diff-git: {error}")
        # Loaded whole, not through the cache: the copy is removed before the app starts.
        older = check_dossier(copy, use_cache=False, max_file_size=args.max_file_size)
        copied = display_path(copy)
    if older.dossier is None:
        renamed = tuple(said_at_revision(d, copied, shown) for d in older.diagnostics)
        result = replace(older, diagnostics=renamed)
        return _refusal(f"cannot compare with {printable_path(shown)}", result)
    return Baseline(older.dossier, rev)


def _refusal(
    why: str,
    result: LoadResult | None = None,
    watched: tuple[Path, list[Path]] | None = None,
) -> PreparedExplorer:
    """An explorer that does not open: it prints ``result``'s problems and ``why``;
    its exit status is 1 for a dossier with errors, 2 for arguments that do not fit."""

    def refuse() -> int:
        if result is not None:
            _print_diagnostics(result.diagnostics, sys.stderr)
            why_more = f"{why}: {_plural(len(result.errors), 'error')}"
        else:
            why_more = why
        print(clean_text(f"dossier: {why_more}"), file=sys.stderr)
        return 1 if result is not None else 2

    return PreparedExplorer(refuse, None, watched)


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
        command = command_named(args[0]) if args else None
        if command is not None:
            return command.run(args[1:])
        return open_explorer(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
