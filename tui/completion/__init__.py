"""``dossier completion SHELL``: completion scripts for bash, zsh and fish, generated.

The scripts are written from the commands' own parsers (:data:`tui.cli.COMMANDS`, read
by :func:`~tui.completion.tree.command_tree`), so a new command, option or choice is
completed as soon as its parser has it. Each script holds the whole tree and answers
a key press without running ``dossier``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from .bash import bash_script
from .fish import fish_script
from .tree import Node, command_tree
from .zsh import zsh_script

SCRIPTS: dict[str, Callable[[Node], str]] = {
    "bash": bash_script,
    "zsh": zsh_script,
    "fish": fish_script,
}
SHELLS = tuple(SCRIPTS)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier completion``."""
    parser = argparse.ArgumentParser(
        prog="dossier completion",
        description="Print the completion script of a shell, written from the commands' "
        'own parsers. Load it with: eval "$(dossier completion bash)" (bash, in '
        '~/.bashrc); eval "$(dossier completion zsh)" (zsh, in ~/.zshrc after compinit); '
        "dossier completion fish > ~/.config/fish/completions/dossier.fish (fish).",
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return parser


def main(argv: Sequence[str], out: TextIO | None = None) -> int:
    """``dossier completion SHELL``: the script on standard output."""
    args = build_parser().parse_args(argv)
    (out or sys.stdout).write(SCRIPTS[args.shell](command_tree()))
    return 0


__all__ = [
    "SCRIPTS",
    "SHELLS",
    "Node",
    "bash_script",
    "build_parser",
    "command_tree",
    "fish_script",
    "main",
    "zsh_script",
]
