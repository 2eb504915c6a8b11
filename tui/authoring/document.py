"""A small format-neutral document model for exported briefings.

The briefing is built once as blocks of plain-text runs (:mod:`.briefing`), then
written out by a renderer per format (:mod:`.render`). Content text stays plain data
all the way down: only a renderer turns it into markup, and it escapes every run, so
no text from a dossier can become markup in the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Style(StrEnum):
    PLAIN = "plain"
    STRONG = "strong"
    EMPHASIS = "emphasis"
    CODE = "code"
    """Shown literally (used for URLs, which are never made into links)."""


@dataclass(frozen=True)
class Run:
    """A piece of text in one style, optionally linking to an anchor in the document."""

    text: str
    style: Style = Style.PLAIN
    link: str | None = None
    """The anchor this run points at (rendered as a link in HTML only)."""


Line = tuple[Run, ...]
"""Runs shown on one line."""


@dataclass(frozen=True)
class Heading:
    level: int
    """1 for the title, 2 for a section, 3 for an item within a section."""
    line: Line
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """One paragraph; several lines are separated by line breaks."""

    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Item:
    """One list item: lines separated by line breaks, then a nested list."""

    lines: tuple[Line, ...]
    children: tuple[Item, ...] = ()
    anchor: str | None = None


@dataclass(frozen=True)
class ItemList:
    items: tuple[Item, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Line, ...], ...]


Block = Heading | Paragraph | ItemList | Table


@dataclass(frozen=True)
class Document:
    title: str
    """The plain title (for the HTML ``<title>``)."""
    blocks: tuple[Block, ...]


def plain(text: str) -> Run:
    return Run(text)


def strong(text: str) -> Run:
    return Run(text, Style.STRONG)


def emphasis(text: str) -> Run:
    return Run(text, Style.EMPHASIS)


def code(text: str) -> Run:
    return Run(text, Style.CODE)
