"""A titled, filterable list of entities on the line API.

Only the visible rows are ever rendered, and a cursor move repaints just the two
rows involved (not the scrollbar beside them), so a list of 10,000 actors costs what
a list of ten does. Rendered rows are kept until the styles change, so repainting a
row that was drawn before costs a lookup. Items linked to the current selection
elsewhere are marked; the rest are dimmed. In diff mode a column before the names
marks the items added (``+``), changed (``~``) or renamed (``»``) since the older version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from ..content import Entity
from ..content.lazy import catalog_of
from ..diffmode import CHANGE_GLYPH, CHANGE_STYLE
from ..glyphs import LINKED_MARK
from .caches import LIST_ROWS, LRUCache
from .cursor_list import CursorList
from .framed import FramedRows
from .inline_bar import InlineScrollbar


class EntityList(InlineScrollbar, FramedRows, CursorList):
    """Entities of one kind; posts :class:`Highlighted` and :class:`Chosen`."""

    DEFAULT_CSS = """
    EntityList {
        border-subtitle-color: $text-accent;
        overflow-y: hidden;  /* the scrollbar is drawn inline: InlineScrollbar */
    }
    EntityList:focus > .cursor-list--cursor {
        text-style: bold;
    }
    EntityList > .entity-list--unlinked {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = {"entity-list--unlinked"}

    BINDINGS = [Binding("enter", "choose", "Open", id="open")]

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto ``entity`` (in list ``entity_list``).

        Posted straight to the screen, not bubbled up through the containers: it is
        the message of every cursor move, and each hop on the way costs a turn of
        the event loop.
        """

        entity_list: EntityList
        entity: Entity

    @dataclass
    class Chosen(Message):
        """The user pressed enter (or clicked) on ``entity``."""

        entity_list: EntityList
        entity: Entity

    def __init__(
        self,
        title: str,
        entities: Sequence[Entity],
        search_key: Callable[[str], str],
        *,
        id: str,
    ) -> None:
        self._strips: LRUCache[tuple[int, bool | None, bool, int] | int, Strip] = LRUCache(
            LIST_ROWS
        )
        """Rendered rows by (entity, linked?, cursor?, width), blank rows by width;
        emptied when styles change."""
        self._styles_for: tuple[bool, str] | None = None
        """(focused?, theme) the cached rows were rendered for."""
        super().__init__(id=id)  # (it refreshes: the cache must exist)
        self.title = title
        self._search_key = search_key
        self._take(entities)
        self._shown = list(range(len(self.entities)))
        self.filter_text = ""
        self.linked: frozenset[str] | None = None
        """Ids linked to the current selection; None when nothing is selected."""
        self.changes: Mapping[str, str] | None = None
        """Diff mode: the status (``added``, ``changed``, ``renamed``) of each item that
        changed, by id; None out of diff mode (no column for the marks)."""
        self._changed = 0
        """How many of the items :attr:`changes` marks."""
        self._update_titles()
        self.virtual_size = Size(0, len(self._shown))

    # -- what is shown -----------------------------------------------------
    def set_entities(self, entities: Sequence[Entity], search_key: Callable[[str], str]) -> None:
        """Replace the items (after a reload), keeping the filter and, if it still
        exists, the item under the cursor."""
        current = self.current
        self._search_key = search_key
        self._take(entities)
        self.set_filter(self.filter_text, announce=False)
        row = self._row_of(current.id) if current is not None else None
        self._announce = False
        self.cursor = row if row is not None else 0

    def _take(self, entities: Sequence[Entity]) -> None:
        """Show ``entities``: kept as given (a stored dossier's section decodes an item
        only when it is asked for), with each one's id and label from its catalog."""
        self.entities = entities
        catalog = catalog_of(entities)
        self._ids = [entry.id for entry in catalog]
        self._labels = [entry.label for entry in catalog]
        self._rows_of: dict[str, int] = {entity_id: n for n, entity_id in enumerate(self._ids)}

    @property
    def visible_count(self) -> int:
        return len(self._shown)

    def neighbours(self) -> list[str]:
        """Ids of the items just below and just above the cursor (where it goes next)."""
        visible, cursor = self._shown, self.cursor
        return [
            self._ids[visible[row]] for row in (cursor + 1, cursor - 1) if 0 <= row < len(visible)
        ]

    @property
    def current(self) -> Entity | None:
        """The entity under the cursor (None when the filter hides everything)."""
        index = self.current_index()
        return None if index is None else self.entities[index]

    def _update_titles(self) -> None:
        total = len(self.entities)
        changed = f", {self._changed} changed" if self._changed else ""
        if self.filter_text:
            self.border_title = f"{self.title} ({len(self._shown)}/{total}{changed})"
            self.border_subtitle = Text(f"/{self.filter_text}", no_wrap=True)
        else:
            self.border_title = f"{self.title} ({total}{changed})"
            self.border_subtitle = ""

    def set_changes(self, changes: Mapping[str, str] | None) -> None:
        """Diff mode: mark these items by status (None: no marks, no column)."""
        self.changes = changes
        rows = self._rows_of
        self._changed = 0 if changes is None else sum(1 for i in changes if i in rows)
        self._update_titles()
        self.refresh()

    def set_filter(self, text: str, *, announce: bool = True) -> int:
        """Show only entities whose name, aliases or id contain every word; the count."""
        self.filter_text = text
        words = text.casefold().split()
        current = self.current
        if words:
            key = self._search_key
            self._shown = [
                n
                for n, entity_id in enumerate(self._ids)
                if all(w in key(entity_id) for w in words)
            ]
        else:
            self._shown = list(range(len(self.entities)))
        self.virtual_size = Size(0, len(self._shown))
        self._update_titles()
        row = self._row_of(current.id) if current is not None else None
        self._announce = announce
        self.cursor = row if row is not None else 0
        self.refresh()
        return len(self._shown)

    def _row_of(self, entity_id: str) -> int | None:
        index = self._rows_of.get(entity_id)
        if index is None:
            return None
        if not self.filter_text:  # every item shown, in order (no pass over 50,000 rows)
            return index
        try:
            return self._shown.index(index)
        except ValueError:
            return None

    def select(self, entity_id: str, *, announce: bool = False) -> bool:
        """Put the cursor on ``entity_id`` (clearing a filter that hides it)."""
        if entity_id not in self._rows_of:
            return False
        row = self._row_of(entity_id)
        if row is None:
            self.set_filter("")
            row = self._row_of(entity_id)
        assert row is not None
        self._announce = announce
        self.cursor = row
        return True

    def set_linked(self, linked: frozenset[str] | None) -> None:
        """Mark these ids (repaints only the rows whose mark changed)."""
        old = self.linked
        self.linked = linked
        if (old is None) != (linked is None):
            self.refresh()
            return
        top = round(self.scroll_y)
        for y in range(self.viewport.height):
            row = top + y
            if row >= len(self._shown):
                break
            entity_id = self._ids[self._shown[row]]
            was = old is not None and entity_id in old
            now = linked is not None and entity_id in linked
            if was != now:
                self._refresh_row(row)

    # -- cursor ------------------------------------------------------------
    _announce = True
    highlights_waiting = 0
    """Highlighted messages posted and not yet handled by the screen (a cursor move
    typed faster than a frame): the owner counts them down as it handles them."""
    _painted_cursor = 0
    """The row last painted with the cursor style."""

    def watch_cursor(self, old: int, new: int) -> None:
        entity = self.current
        announce, self._announce = self._announce, True
        if entity is not None and announce:
            # Paint nothing yet: the owner answers Highlighted by calling select() while
            # it updates the rest, so the whole change goes out in one frame. (Painting
            # the row now sends a frame at once and holds the next back a frame interval.)
            self.highlights_waiting += 1
            self.screen.post_message(self.Highlighted(self, entity))
        else:
            self._paint_cursor()

    def _paint_cursor(self) -> None:
        """Repaint the row the cursor left and the row it is on, and keep it in view."""
        self.scroll_to_cursor()
        if self._painted_cursor == self.cursor:
            return
        self._refresh_row(self._painted_cursor)
        self._refresh_row(self.cursor)
        self._painted_cursor = self.cursor

    def _refresh_row(self, row: int) -> None:
        """Repaint one row of the list (its text only: not the border or scrollbar)."""
        width = self.viewport.width
        self.refresh(Region(0, row - round(self.scroll_y), width, 1))

    def choose(self) -> None:
        entity = self.current
        if entity is not None:
            self.post_message(self.Chosen(self, entity))

    # -- rendering ---------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        if not regions:  # a whole repaint: a style may have changed too
            self._strips.clear()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_row(self, y: int) -> Strip:
        width = self.viewport.width
        row = round(self.scroll_y) + y
        styles_for = (self.has_focus, self.app.theme)
        if styles_for != self._styles_for:
            self._strips.clear()
            self._styles_for = styles_for
        if row >= len(self._shown) or width <= 0:
            blank = self._strips.get(width)
            if blank is None:
                blank = Strip.blank(width, self.rich_style)
                self._strips.set(width, blank)
            return blank
        index = self._shown[row]
        linked = None if self.linked is None else self._ids[index] in self.linked
        key = (index, linked, row == self.cursor, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(index, linked, row == self.cursor, width)
            self._strips.set(key, strip)
        return strip

    def _render_row(self, index: int, linked: bool | None, cursor: bool, width: int) -> Strip:
        """Entity ``index`` as a row ``width`` cells wide."""
        style: Style = self.rich_style
        mark = "  "
        if linked is not None:
            if linked:
                mark = f"{LINKED_MARK} "
                style += self.get_component_rich_style("cursor-list--linked")
            else:
                style += self.get_component_rich_style("entity-list--unlinked")
        if cursor:
            style += self.get_component_rich_style("cursor-list--cursor")
        label = self._labels[index]
        text = Text(style=style, no_wrap=True, overflow="ellipsis", end="")
        if self.changes is not None:
            status = self.changes.get(self._ids[index])
            if status is None:
                text.append("  ")
            else:
                text.append(CHANGE_GLYPH[status], CHANGE_STYLE[status])
                text.append(" ")
        text.append(mark + label)
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [Segment(s.text, s.style or style) for s in text.render(self.app.console)]
        return Strip(segments, width).crop(0, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._shown)


__all__ = ["EntityList"]
