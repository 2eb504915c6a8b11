"""The timeline: events, three lines each, on the line API.

Each event reads as its date, status glyph and word, and title, then who took part
and which issues it was about (dimmed). Only the lines in view are rendered, so
5,000 events cost what five do. Events linked to the item the view was opened
from are marked, and can be shown alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from ..content import Event, EventStatus
from ..content.lazy import catalog_of
from ..content.text import one_line
from ..glyphs import EVENT_GLYPH, LINKED_MARK
from .cursor_list import CursorList
from .framed import FramedRows
from .inline_bar import InlineScrollbar

LINES_PER_EVENT = 3
CURSOR_BAR = "▌"
"""Marks the cursor's event on each of its lines (a shape, for NO_COLOR terminals)."""
DATE_WIDTH = 10
STATUS_WORD: dict[EventStatus | None, str] = {
    EventStatus.HELD: "held",
    EventStatus.SCHEDULED: "scheduled",
    EventStatus.CANCELLED: "cancelled",
    None: "no status",
}
STATUS_STYLE: dict[EventStatus | None, str] = {
    EventStatus.HELD: "bold green",
    EventStatus.SCHEDULED: "bold cyan",
    EventStatus.CANCELLED: "bold red",
    None: "dim",
}
WIDE = 60
"""From this width on, the status is spelled out beside its glyph."""


class TimelineList(InlineScrollbar, FramedRows, CursorList):
    """Events in the order given; posts :class:`Highlighted` and :class:`Chosen`."""

    DEFAULT_CSS = """
    TimelineList {
        overflow-y: hidden;  /* the scrollbar is drawn inline: InlineScrollbar */
    }
    TimelineList > .timeline-list--detail {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = {"timeline-list--detail"}

    BINDINGS = [Binding("enter", "choose", "Open event", id="open-event")]

    ROW_LINES = LINES_PER_EVENT

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto ``event``."""

        timeline: TimelineList
        event: Event

    @dataclass
    class Chosen(Message):
        """The user pressed enter (or double-clicked) on ``event``."""

        timeline: TimelineList
        event: Event

    def __init__(
        self,
        events: Sequence[Event],
        label: Callable[[str], str],
        *,
        linked: frozenset[str] = frozenset(),
        start: str | None = None,
        id: str,
    ) -> None:
        super().__init__(id=id)
        self.events = events
        """The events, each read when asked for (a stored dossier's are decoded then)."""
        self._ids = [entry.id for entry in catalog_of(events)]
        self.linked = linked
        """Ids of the events linked to the item the view was opened from."""
        self._label = label
        self.only_linked = False
        self.empty_text = "No events in this dossier."
        """What the list says when it shows nothing."""
        self._shown = list(range(len(self.events)))
        self._update_size()
        if start is not None:
            row = next((n for n, event_id in enumerate(self._ids) if event_id == start), 0)
            self.set_reactive(TimelineList.cursor, row)

    # -- what is shown -----------------------------------------------------
    @property
    def shown_count(self) -> int:
        return len(self._shown)

    @property
    def current(self) -> Event | None:
        """The event under the cursor (None when nothing is shown)."""
        index = self.current_index()
        return None if index is None else self.events[index]

    def _update_size(self) -> None:
        self.virtual_size = Size(0, len(self._shown) * LINES_PER_EVENT)

    def set_only_linked(self, only_linked: bool) -> None:
        """Show only the linked events, or all; the cursor stays on its event if shown."""
        current = self.current
        self.only_linked = only_linked
        if only_linked:
            self._shown = [n for n, event_id in enumerate(self._ids) if event_id in self.linked]
        else:
            self._shown = list(range(len(self.events)))
        self._update_size()
        self.refresh()
        if current is None or not self.select(current.id):
            self.cursor = 0

    def select(self, event_id: str) -> bool:
        """Put the cursor on ``event_id`` if it is shown."""
        for row, index in enumerate(self._shown):
            if self._ids[index] == event_id:
                self.cursor = row
                return True
        return False

    # -- cursor ------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_cursor()
        self.refresh_lines(old * LINES_PER_EVENT, LINES_PER_EVENT)
        self.refresh_lines(new * LINES_PER_EVENT, LINES_PER_EVENT)
        self._announce()

    def _announce(self) -> None:
        event = self.current
        if event is not None:
            self.post_message(self.Highlighted(self, event))

    def on_mount(self) -> None:
        self.call_after_refresh(self.scroll_to_cursor, center=True)
        self._announce()

    def choose(self) -> None:
        event = self.current
        if event is not None:
            self.post_message(self.Chosen(self, event))

    # -- rendering ---------------------------------------------------------
    def render_row(self, y: int) -> Strip:
        width = self.viewport.width
        base = self.rich_style
        if width <= 0:
            return Strip.blank(0)
        row, part = divmod(round(self.scroll_y) + y, LINES_PER_EVENT)
        if row >= len(self._shown):
            if row == 0 and part == 0:
                return self._strip(Text(self.empty_text, style=base), width, base)
            return Strip.blank(width, base)
        event = self.events[self._shown[row]]
        style = base
        if row == self.cursor:
            style += self.get_component_rich_style("cursor-list--cursor")
        gutter = CURSOR_BAR if row == self.cursor else " "
        text = Text(gutter, style=style, end="")
        if part == 0:
            self._headline(text, event, width, style)
        else:
            indent = DATE_WIDTH + 2 if width >= WIDE else 2
            text.append(" " * indent)
            detail = self.get_component_rich_style("timeline-list--detail", partial=True)
            if part == 1:
                names = [one_line(self._label(actor)) for actor in event.actors]
                text.append("with: ", style=detail)
                text.append(", ".join(names) if names else "—", style=detail)
            else:
                titles = [one_line(self._label(issue)) for issue in event.issues]
                text.append("on: ", style=detail)
                text.append("; ".join(titles) if titles else "—", style=detail)
        return self._strip(text, width, style)

    def _headline(self, text: Text, event: Event, width: int, style: Style) -> None:
        if event.id in self.linked:
            linked = self.get_component_rich_style("cursor-list--linked", partial=True)
            text.append(LINKED_MARK, style=linked)
        else:
            text.append(" ")
        text.append(str(event.date).ljust(DATE_WIDTH))
        text.append(" ")
        status_style = STATUS_STYLE[event.status]
        text.append(EVENT_GLYPH[event.status], style=status_style)
        if width >= WIDE:
            text.append(f" {STATUS_WORD[event.status]:<9}", style=status_style)
        text.append(" ")
        text.append(one_line(event.title), style="bold")

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.no_wrap = True
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [Segment(s.text, s.style or style) for s in text.render(self.app.console)]
        return Strip(segments, width).crop_extend(0, width, style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._shown) * LINES_PER_EVENT


__all__ = ["TimelineList"]
