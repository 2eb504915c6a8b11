"""The search view's hits, two rows each, on the line API.

Each hit reads as its item (the kind's glyph and its name) and the field the words were
found in, said the way a person would ("Japan's position on the islands"); below, one
line of the text around the match with the matched words in bold reverse (a look that
stays in 16 colours and NO_COLOR). Only the rows in view are drawn, so a thousand hits
cost what ten do. The list never takes the focus: the query input keeps it, and the
screen moves this list's cursor (up, down, pages) and opens its hit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from ..content.search import Hit, Unit, snippet
from ..content.text import clean_text, one_line
from ..glyphs import KIND_GLYPH
from .caches import LIST_ROWS, LRUCache
from .cursor_list import CursorList
from .framed import FramedRows
from .inline_bar import InlineScrollbar

ROWS_PER_HIT = 2
CURSOR_BAR = "▌"
"""Marks the cursor's hit on both of its rows (a shape, for NO_COLOR terminals)."""
MATCH_STYLE = Style(bold=True, reverse=True)
"""How a matched word looks in a snippet."""
BOLD = Style(bold=True)
INDENT = "   "
ELLIPSIS = "…"


@dataclass(frozen=True)
class _Looks:
    """The styles of the rows for one theme: (off, on the cursor) pairs."""

    theme: str
    base: Style
    cursor: Style
    empty: Style
    where: tuple[Style, Style]
    name: tuple[Style, Style]
    match: tuple[Style, Style]


def _line(pieces: Sequence[tuple[str, Style]], width: int, style: Style) -> Strip:
    """``pieces`` as one row of ``width`` cells: cut with "…" where too long, padded."""
    strip = Strip([Segment(text, look) for text, look in pieces if text])
    if strip.cell_length > width:
        strip = Strip([*strip.crop(0, width - 1), Segment(ELLIPSIS, style)])
    return strip.crop_extend(0, width, style)


class SearchResults(InlineScrollbar, FramedRows, CursorList, can_focus=False):
    """The hits of one search; posts :class:`Chosen` (enter, or a double click)."""

    DEFAULT_CSS = """
    SearchResults {
        overflow-y: hidden;  /* the scrollbar is drawn inline: InlineScrollbar */
    }
    SearchResults > .cursor-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    SearchResults > .search-results--where {
        color: $text-muted;
    }
    SearchResults > .search-results--empty {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = {"search-results--where", "search-results--empty"}

    BINDINGS = [Binding("enter", "choose", "Open", id="open-hit")]

    ROW_LINES = ROWS_PER_HIT

    @dataclass
    class Chosen(Message):
        """The user opened ``hit`` (its row number among the hits: ``row``)."""

        results: SearchResults
        hit: Hit
        row: int

    def __init__(self, label: Callable[[str], str], *, id: str) -> None:
        self._strips: LRUCache[tuple[Unit, int, bool, int, tuple[str, ...]], Strip] = LRUCache(
            LIST_ROWS
        )
        """Rendered rows by (unit, row of the hit, cursor?, width, the words marked in a
        snippet): a unit still listed after a key (a letter more narrows the hits) keeps
        its rows. Emptied when the look changes."""
        self._looks: _Looks | None = None
        super().__init__(id=id)
        self._label = label
        self.hits: tuple[Hit, ...] = ()
        self._shown = []
        self.empty_text = ""
        """What the list says when it shows no hit (why: no query, nothing matched)."""

    # -- what is shown -----------------------------------------------------
    @property
    def current(self) -> Hit | None:
        """The hit under the cursor (None when there is none)."""
        index = self.current_index()
        return None if index is None else self.hits[index]

    def set_hits(self, hits: Sequence[Hit], empty_text: str, *, cursor: int = 0) -> None:
        """Show ``hits`` (``empty_text`` when there are none), the cursor on ``cursor``."""
        self.hits = tuple(hits)
        self.empty_text = empty_text
        self._shown = list(range(len(self.hits)))
        # Set without its watcher: a new virtual size would lay the whole screen out
        # again on every key, when only this list's rows change (its scrollbar is its
        # own, drawn inline).
        self.set_reactive(
            SearchResults.virtual_size, Size(0, max(1, len(self.hits)) * ROWS_PER_HIT)
        )
        self.set_reactive(SearchResults.cursor, self.validate_cursor(cursor))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.scroll_to_cursor()
        self.refresh()

    # -- cursor ------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_cursor()
        self.refresh_lines(old * ROWS_PER_HIT, ROWS_PER_HIT)
        self.refresh_lines(new * ROWS_PER_HIT, ROWS_PER_HIT)

    def choose(self) -> None:
        hit = self.current
        if hit is not None:
            self.post_message(self.Chosen(self, hit, self.cursor))

    # -- rendering ---------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = None
        self._strips.clear()

    def _looks_now(self) -> _Looks:
        """The rows' styles, worked out once per theme and style change (asking Textual
        for a component's style costs more than drawing a row)."""
        looks = self._looks
        if looks is None or looks.theme != self.app.theme:
            base = self.rich_style
            cursor = base + self.get_component_rich_style("cursor-list--cursor")
            where = self.get_component_rich_style("search-results--where", partial=True)
            looks = _Looks(
                theme=self.app.theme,
                base=base,
                cursor=cursor,
                empty=base + self.get_component_rich_style("search-results--empty"),
                where=(base + where, cursor + where),
                name=(base + BOLD, cursor + BOLD),
                match=(base + MATCH_STYLE, cursor + MATCH_STYLE),
            )
            self._looks = looks
            self._strips.clear()
        return looks

    def render_row(self, y: int) -> Strip:
        width = self.viewport.width
        if width <= 0:
            return Strip.blank(0)
        looks = self._looks_now()
        row, part = divmod(round(self.scroll_y) + y, ROWS_PER_HIT)
        if row >= len(self.hits):
            if row == 0 and part == 0 and self.empty_text:
                return _line([(" " + self.empty_text, looks.empty)], width, looks.empty)
            return Strip.blank(width, looks.base)
        hit = self.hits[row]
        key = (hit.unit, part, row == self.cursor, width, hit.terms if part else ())
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_hit_row(hit, part, row == self.cursor, width)
            self._strips.set(key, strip)
        return strip

    def _render_hit_row(self, hit: Hit, part: int, cursor: bool, width: int) -> Strip:
        """Row ``part`` (0: the item and field, 1: the snippet) of ``hit``: plain
        segments (no Rich rendering: every key redraws the rows in view)."""
        looks = self._looks_now()
        on = int(cursor)
        style = looks.cursor if cursor else looks.base
        pieces: list[tuple[str, Style]] = [(CURSOR_BAR if cursor else " ", style)]
        unit = hit.unit
        if part == 0:
            pieces.append((f"{KIND_GLYPH.get(unit.kind, '·')} ", style))
            pieces.append((clean_text(one_line(self._label(unit.item))), looks.name[on]))
            pieces.append((f"  · {clean_text(one_line(unit.where))}", looks.where[on]))
        else:
            pieces.append((INDENT, style))
            room = max(8, width - len(INDENT) - 2)
            line, spans = snippet(unit.text, hit.spans(), room)
            at = 0
            for start, end in spans:
                pieces.append((line[at:start], style))
                pieces.append((line[start:end], looks.match[on]))
                at = end
            pieces.append((line[at:], style))
        return _line(pieces, width, style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.hits)) * ROWS_PER_HIT


__all__ = ["SearchResults"]
