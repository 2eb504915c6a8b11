"""Command-line options shared by every command that loads a dossier (and diff mode's,
shared by the explorer and ``dossier serve``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Protocol

from .content.limits import MAX_FILE_SIZE_ENV, parse_size


def size_argument(text: str) -> int:
    """argparse type for sizes: bytes, or a number with K, M or G."""
    try:
        return parse_size(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size (bytes, or a number with K, M or G)"
        ) from None


class ArgumentAdder(Protocol):
    """A parser or an argument group of one: what the options are added to."""

    def add_argument(self, *names: str, **options: Any) -> argparse.Action: ...


def add_load_options(parser: ArgumentAdder) -> None:
    """--max-file-size and --no-cache."""
    parser.add_argument(
        "--max-file-size",
        type=size_argument,
        metavar="SIZE",
        help=f"largest YAML file to read, e.g. 8M (default 8M, or ${MAX_FILE_SIZE_ENV})",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="always parse, never use the load cache"
    )


class GroupAdder(Protocol):
    """A parser or an argument group: what a group of exclusive options is added to."""

    def add_mutually_exclusive_group(self, *, required: bool = False) -> Any: ...


def add_diff_options(parser: GroupAdder, what: str) -> None:
    """--diff OLD and --diff-git REV (one or the other): diff mode; ``what`` says what
    it marks (in the help)."""
    older = parser.add_mutually_exclusive_group()
    older.add_argument(
        "--diff",
        type=Path,
        metavar="OLD",
        help=f"diff mode: {what} since OLD (an older copy of the dossier); c lists it",
    )
    older.add_argument(
        "--diff-git",
        metavar="REV",
        help="diff mode against the dossier as it was at git revision REV "
        "(--diff-git HEAD: what changed since the last commit)",
    )
