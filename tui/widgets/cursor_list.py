"""The base of the lists that draw their own rows and move a cursor over items.

:class:`CursorList` holds what the entity lists and the timeline share: the cursor
(a reactive row among the items shown), moving and paging it, keeping it in view,
choosing with enter or a double click, the move bindings and the look of the cursor
(the frame's is :class:`~.line_pane.LinePane`'s). A subclass sets
:attr:`CursorList.ROW_LINES`, says which items it shows (``_shown``), draws its rows
(``render_row``, see "Line panes" in docs/architecture.md), reacts to the cursor in
``watch_cursor`` and posts its own ``Chosen`` message from :meth:`CursorList.choose`.
It adds its enter binding (with its own description) to ``BINDINGS``; the move
bindings come from here.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.geometry import Region
from textual.reactive import reactive

from .keys import MOVE_BINDINGS
from .line_pane import LinePane


class CursorList(LinePane):
    """Items of :attr:`ROW_LINES` rows each, with a cursor (module doc)."""

    DEFAULT_CSS = """
    CursorList {
        overflow-x: hidden;
    }
    CursorList > .cursor-list--cursor {
        background: $block-cursor-blurred-background;
    }
    CursorList:focus > .cursor-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    CursorList > .cursor-list--linked {
        color: $text-accent;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"cursor-list--cursor", "cursor-list--linked"}

    BINDINGS = [*MOVE_BINDINGS]

    ROW_LINES: ClassVar[int] = 1
    """Rows each item takes."""

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)
    """Index of the cursor's item among the items shown."""

    _shown: list[int] = []
    """Indices (into the subclass's items) of the items shown, in order; the subclass
    sets it (and its virtual size) whenever what is shown changes."""

    @property
    def item_count(self) -> int:
        """How many items are shown."""
        return len(self._shown)

    def current_index(self) -> int | None:
        """Index (into the subclass's items) of the item under the cursor (None when
        nothing is shown)."""
        shown = self._shown
        if not shown:
            return None
        return shown[min(self.cursor, len(shown) - 1)]

    def rows_in_view(self) -> int:
        """Rows of items the widget shows at once."""
        return self.scrollable_content_region.height

    def on_bar(self, event: events.MouseEvent) -> bool:
        """Whether the pointer is on a scrollbar drawn in the content (not an item)."""
        return False

    def choose(self) -> None:
        """Post the subclass's ``Chosen`` message for the item under the cursor."""
        raise NotImplementedError

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, self.item_count - 1))

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        """Scroll the least needed to show the cursor's item (or to centre it)."""
        lines = self.ROW_LINES
        y = self.cursor * lines
        top = round(self.scroll_y)
        if not center and top <= y and y + lines <= top + self.rows_in_view():
            return  # in view already; scrolling would only cost a refresh
        if self.is_mounted and self.item_count:
            self.scroll_to_region(
                Region(0, y, 1, lines), center=center, animate=False, force=True, immediate=True
            )

    def on_resize(self, _: events.Resize) -> None:
        self.scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.item_count - 1

    def _page(self) -> int:
        return max(1, self.rows_in_view() // self.ROW_LINES - 1)

    def action_page_up(self) -> None:
        self.cursor -= self._page()

    def action_page_down(self) -> None:
        self.cursor += self._page()

    def action_choose(self) -> None:
        self.choose()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.on_bar(event):
            return
        row = (round(self.scroll_y) + offset.y) // self.ROW_LINES
        if 0 <= row < self.item_count:
            self.cursor = row
            if event.chain >= 2:
                self.choose()


__all__ = ["CursorList"]
