"""The commands' parsers read into a tree that the completion scripts are written from.

What a value is completed with comes from its parser: the ``choices``; folders for a
metavar or destination named DIR; file names for a ``type=Path`` or a metavar FILE or
PATH; nothing for the rest. argparse has no public way to list a parser's arguments:
this module is the one place that reads ``ArgumentParser._actions`` (and tells an
``append`` or ``count`` option by its action's class).
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

WORD = re.compile(r"[A-Za-z0-9_.,:+@%=-]+")
"""A choice or a command name written into a script as it is; others are left out."""


@dataclass(frozen=True)
class Values:
    """What a value is completed with."""

    kind: Literal["words", "file", "dir", "any"]
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    names: tuple[str, ...]
    help: str
    takes: Values | None
    """None for a flag that takes no value."""
    repeats: bool


@dataclass(frozen=True)
class Positional:
    name: str
    help: str
    takes: Values
    many: bool
    """It takes every word from here on (``nargs='*'`` or ``'+'``)."""


@dataclass(frozen=True)
class Node:
    """A command: ``path`` are the words after ``dossier`` that name it."""

    path: tuple[str, ...]
    help: str
    options: tuple[Option, ...]
    positionals: tuple[Positional, ...]
    commands: tuple[Node, ...]
    """Recognised only as the first word after the command's name (as ``main`` does)."""

    @property
    def key(self) -> str:
        return "/".join(("dossier", *self.path))

    def walk(self) -> Iterator[Node]:
        yield self
        for command in self.commands:
            yield from command.walk()


def _help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    # As argparse shows it: %(default)s and the like filled in (left as written if not).
    with contextlib.suppress(KeyError, TypeError, ValueError):
        text = text % {**vars(action), "prog": prog}
    return _short(text)


def _short(text: str) -> str:
    """One line of at most 70 characters, the first sentence or clause."""
    text = " ".join(text.split())
    text = re.split(r"(?<=\.)\s(?=[A-Z])|;\s|\s\(", text, maxsplit=1)[0].rstrip(".;")
    return text if len(text) <= 70 else text[:67].rstrip() + "..."


def _values(action: argparse.Action) -> Values:
    if action.choices is not None:
        return Values("words", tuple(w for w in map(str, action.choices) if WORD.fullmatch(w)))
    names = {str(action.metavar or "").lower(), action.dest.lower()}
    if names & {"dir", "folder", "directory"}:
        return Values("dir")
    if action.type is Path or names & {"file", "path", "paths"}:
        return Values("file")
    return Values("any")


def node_of(parser: argparse.ArgumentParser, path: tuple[str, ...], summary: str) -> Node:
    """The completion tree of ``parser``, the command named by ``path``."""
    options: list[Option] = []
    positionals: list[Positional] = []
    commands: list[Node] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            takes = None if action.nargs == 0 else _values(action)
            repeats = isinstance(action, argparse._AppendAction | argparse._CountAction)
            options.append(Option(tuple(action.option_strings), _help(action, parser.prog),
                                  takes, repeats))  # fmt: skip
        elif isinstance(action.choices, dict):  # subcommands (add_subparsers)
            for name, sub in action.choices.items():
                if WORD.fullmatch(name) and isinstance(sub, argparse.ArgumentParser):
                    commands.append(node_of(sub, (*path, name), _short(sub.description or "")))
        else:
            many = action.nargs in ("*", "+", argparse.REMAINDER)
            count = action.nargs if isinstance(action.nargs, int) else 1
            for _ in range(count):
                positionals.append(
                    Positional(action.dest, _help(action, parser.prog), _values(action), many)
                )
    return Node(path, summary, tuple(options), tuple(positionals), tuple(commands))


def command_tree() -> Node:
    """Every command of ``dossier``, read from its parser."""
    from ..cli import COMMANDS, open_parser

    top = node_of(open_parser(), (), "A terminal explorer for policy dossiers")
    commands = []
    for command in COMMANDS:
        parser = command.parser()
        if parser is None:  # a command whose module has no parser (yet): its words are files
            files = Positional("args", "", Values("file"), many=True)
            commands.append(Node((command.name,), command.summary, (), (files,), ()))
        else:
            commands.append(node_of(parser, (command.name,), command.summary))
    return Node((), top.help, top.options, top.positionals, tuple(commands))


def value_options(node: Node) -> Iterator[tuple[str, Values]]:
    """(option name, what it takes) of every name of every option that takes a value."""
    for option in node.options:
        if option.takes is not None:
            for name in option.names:
                yield name, option.takes
