"""Command-line options shared by every command that loads a dossier."""

from __future__ import annotations

import argparse
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
