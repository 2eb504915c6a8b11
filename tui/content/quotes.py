"""Checking quotes against a source's plain-text copy.

A source's ``text_file`` holds its paragraphs, each starting with ``[N]`` at the
beginning of a line. A quote matches when it appears in one of the cited
paragraphs once whitespace runs are collapsed and typographic quotes, apostrophes
and dashes are treated as their plain forms.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_PARA_START = re.compile(r"^\[(\d+)\][ \t]*", re.MULTILINE)
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text folded for quote comparison (whitespace and typographic marks)."""
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


def paragraphs_of(text: str) -> dict[int, str]:
    """Paragraph number -> paragraph text, from ``[N]``-numbered plain text."""
    starts = list(_PARA_START.finditer(text))
    result: dict[int, str] = {}
    for match, following in zip(starts, [*starts[1:], None][: len(starts)], strict=True):
        end = following.start() if following else len(text)
        result.setdefault(int(match.group(1)), text[match.end() : end].strip())
    return result


def resolve_inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if it stays inside ``root`` (symlinks resolved), else None.

    (``os.path.realpath``, unlike ``Path.resolve``, leaves a link in a loop unresolved
    instead of raising: reading it is then refused as a symbolic link.)"""
    if not relative or Path(relative).is_absolute():
        return None
    base = Path(os.path.realpath(root))
    candidate = Path(os.path.realpath(base / relative))
    if candidate != base and base not in candidate.parents:
        return None
    return candidate
