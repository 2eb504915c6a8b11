"""The stance matrix grid: actors (rows) by issues (columns) on the line API.

:class:`~tui.content.stances.StanceTable` sorts the rows and columns once and looks
up a row's positions the first time the row is drawn; :class:`StanceGrid` renders
only the rows and columns in view, with the actor names and the column numbers fixed
at the left and the top while the cells scroll (by whole columns). A 10,000 x 10,000
matrix costs what a 10 x 10 one does to draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from ..content import Actor, Issue, Position, Stance
from ..content.stances import StanceTable
from ..content.text import one_line
from ..glyphs import STANCE_GLYPH, STANCE_STYLE
from .caches import GRID_ROWS, LRUCache
from .framed import FramedRows
from .inline_bar import InlineScrollbar
from .line_pane import LinePane

CORNER = "actor ╲ issue"
ROW_MARK = "▸"
"""Marks the cursor's row in the row headers (a shape, for NO_COLOR terminals)."""
MIN_HEADER_WIDTH = 10
MAX_HEADER_WIDTH = 26

DIRECTIONS = ((-1, 0), (1, 0), (0, -1), (0, 1))
"""Up, down, left, right as (rows, columns)."""
MOVE_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "move": (("up,k", "Up"), ("down,j", "Down"), ("left,h", "Left"), ("right,l", "Right")),
    "page": (
        ("pageup", "Page up"),
        ("pagedown", "Page down"),
        ("ctrl+pageup", "Page left"),
        ("ctrl+pagedown", "Page right"),
    ),
    "edge": (
        ("g", "First actor"),
        ("G", "Last actor"),
        ("home", "First issue"),
        ("end", "Last issue"),
    ),
}
"""The keys and their descriptions of each move action (a step, a page, to the edge),
one per direction in :data:`DIRECTIONS`: ``move(-1, 0)`` is ``up`` or ``k``."""


_RowKey = tuple[int, int, int, int, int]
"""(row, cursor's column in it or -1, first column, width, header width); row -1 is the
column headers, row ``len(actors)`` and beyond a blank row."""


class StanceGrid(InlineScrollbar, FramedRows, LinePane):
    """The matrix; posts :class:`CellHighlighted` on a move and :class:`Chosen` to open.

    A line pane like the others (docs/architecture.md): the vertical scrollbar is the
    inline one, the last column of each row. The columns scroll with Textual's own
    horizontal scrollbar, a row of its own under the rows: it changes only when the
    view moves sideways, and it cuts no row of the grid.
    """

    DEFAULT_CSS = """
    StanceGrid {
        overflow-y: hidden;  /* the scrollbar is drawn inline: InlineScrollbar */
        scrollbar-size-horizontal: 1;
    }
    StanceGrid > .stance-grid--header {
        color: $text-muted;
        text-style: bold;
    }
    StanceGrid > .stance-grid--cursor-header {
        color: $text;
        background: $boost;
        text-style: bold reverse;
    }
    StanceGrid > .stance-grid--cursor {
        background: $block-cursor-blurred-background;
    }
    StanceGrid:focus > .stance-grid--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = {
        "stance-grid--header",
        "stance-grid--cursor-header",
        "stance-grid--cursor",
    }

    BINDINGS = [
        *(
            Binding(keys, f"{action}{direction}", description, show=False)
            for action, keys_by_direction in MOVE_KEYS.items()
            for direction, (keys, description) in zip(DIRECTIONS, keys_by_direction, strict=True)
        ),
        Binding("enter", "open_issue", "Open issue", id="open-issue"),
        Binding("a", "open_actor", "Open actor", id="open-actor"),
    ]

    @dataclass
    class CellHighlighted(Message):
        """The cursor moved onto ``actor`` x ``issue`` (``position`` None: an empty cell)."""

        grid: StanceGrid
        actor: Actor
        issue: Issue
        position: Position | None

    @dataclass
    class Chosen(Message):
        """The user asked to open ``entity_id`` (an actor or an issue)."""

        grid: StanceGrid
        entity_id: str

    cursor: reactive[tuple[int, int]] = reactive(
        (0, 0), always_update=True, init=False, repaint=False
    )
    """(row, column) of the cursor."""

    def __init__(self, table: StanceTable, *, start: tuple[int, int] = (0, 0), id: str) -> None:
        super().__init__(id=id)
        self.table = table
        self._rows = len(table.actors)
        self._cols = len(table.issues)
        self._cell_width = max(3, len(str(self._cols)) + 1)
        self._label_width = max(MIN_HEADER_WIDTH, min(MAX_HEADER_WIDTH, table.longest_label + 3))
        self._header_width = self._label_width
        self.set_reactive(StanceGrid.cursor, self.validate_cursor(start))
        self._strips: LRUCache[_RowKey, Strip] = LRUCache(GRID_ROWS)
        """Rows drawn, by what they show (emptied when the look changes)."""
        self._styles_for: tuple[bool, str] | None = None
        """(focus, theme) the kept rows were drawn in."""
        self._update_virtual_size()

    # -- geometry ----------------------------------------------------------
    def _update_virtual_size(self) -> None:
        # Columns scroll whole: pad the width so that the furthest scroll is a whole
        # number of columns too, and the last column is reachable.
        # The inline bar's column is part of the width Textual scrolls, not of the rows.
        cell = self._cell_width
        height = 1 + self._rows
        overflow = self._cols * cell - self._data_width
        pad = -overflow % cell if overflow > 0 else 0
        bar = 1 if self.bar_shown_for(height) else 0
        self.virtual_size = Size(self._header_width + self._cols * cell + pad + bar, height)

    def bar_shown_for(self, height: int) -> bool:
        """Whether the inline bar shows for ``height`` rows of content."""
        return self.BAR_ALWAYS or height > self.scrollable_content_area.height

    @property
    def _data_width(self) -> int:
        """Cells of the width that show stances (right of the row headers)."""
        return max(self._cell_width, self.viewport.width - self._header_width)

    @property
    def _first_column(self) -> int:
        """The leftmost column in view (scrolling snaps to whole columns)."""
        return round(self.scroll_x) // self._cell_width

    def on_resize(self, _: events.Resize) -> None:
        # The row headers give way to the cells in a narrow terminal.
        width = self.viewport.width
        self._header_width = min(self._label_width, max(MIN_HEADER_WIDTH, width // 3))
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.refresh()

    @property
    def current(self) -> tuple[Actor, Issue, Position | None] | None:
        """The actor, issue and position under the cursor (None for an empty matrix)."""
        if not self._rows or not self._cols:
            return None
        row, col = self.cursor
        return self.table.actors[row], self.table.issues[col], self.table.position(row, col)

    # -- cursor ------------------------------------------------------------
    def validate_cursor(self, cursor: tuple[int, int]) -> tuple[int, int]:
        row, col = cursor
        return max(0, min(row, self._rows - 1)), max(0, min(col, self._cols - 1))

    def watch_cursor(self, old: tuple[int, int], new: tuple[int, int]) -> None:
        self._scroll_to_cursor()
        if old[1] != new[1]:
            self.refresh_line(round(self.scroll_y))  # the column headers
        self.refresh_line(old[0] + 1)
        self.refresh_line(new[0] + 1)
        self._announce()

    def _announce(self) -> None:
        current = self.current
        if current is not None:
            self.post_message(self.CellHighlighted(self, *current))

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        """Scroll the least needed to show the cursor (or, opening, to centre it)."""
        if not self.is_mounted:
            return
        row, col = self.cursor
        cell = self._cell_width
        columns = max(1, self._data_width // cell)
        rows = max(1, self.viewport.height - 1)
        first_col, first_row = self._first_column, round(self.scroll_y)
        if center:
            first_col, first_row = col - columns // 2, row - rows // 2
        if col < first_col:
            first_col = col
        elif col >= first_col + columns:
            first_col = col - columns + 1
        if row < first_row:
            first_row = row
        elif row >= first_row + rows:
            first_row = row - rows + 1
        self.scroll_to(
            max(0, first_col) * cell, max(0, first_row), animate=False, force=True, immediate=True
        )

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_cursor, center=True)
        self._announce()

    def action_move(self, rows: int, cols: int) -> None:
        row, col = self.cursor
        self.cursor = (row + rows, col + cols)

    def action_page(self, rows: int, cols: int) -> None:
        page_rows = max(1, self.viewport.height - 2)
        page_cols = max(1, self._data_width // self._cell_width - 1)
        self.action_move(rows * page_rows, cols * page_cols)

    def action_edge(self, rows: int, cols: int) -> None:
        row, col = self.cursor
        if rows:
            row = 0 if rows < 0 else self._rows - 1
        if cols:
            col = 0 if cols < 0 else self._cols - 1
        self.cursor = (row, col)

    def action_open_issue(self) -> None:
        current = self.current
        if current is not None:
            self.post_message(self.Chosen(self, current[1].id))

    def action_open_actor(self) -> None:
        current = self.current
        if current is not None:
            self.post_message(self.Chosen(self, current[0].id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._rows or not self._cols or self.on_bar(event):
            return
        row, col = self.cursor
        on_header_column = offset.x < self._header_width
        if offset.y > 0:
            row = round(self.scroll_y) + offset.y - 1
        if not on_header_column:
            col = self._first_column + (offset.x - self._header_width) // self._cell_width
        if row >= self._rows or col >= self._cols:
            return
        self.cursor = (row, col)
        if event.chain >= 2:
            if on_header_column:
                self.action_open_actor()
            else:
                self.action_open_issue()

    # -- rendering ---------------------------------------------------------
    def _visible_columns(self) -> range:
        first = self._first_column
        return range(first, min(self._cols, first + self._data_width // self._cell_width + 1))

    def _row_header(self, text: str, style: Style, mark: str = " ") -> Strip:
        width = self._header_width
        label = Text(mark, style=style, no_wrap=True, end="")
        label.append(one_line(text))
        label.truncate(width - 1, overflow="ellipsis", pad=True)
        label.append("│")
        segments = [Segment(s.text, s.style or style) for s in label.render(self.app.console)]
        return Strip(segments).crop_extend(0, width, style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_row(self, y: int) -> Strip:
        width = self.viewport.width
        if width <= 0:
            return Strip.blank(0)
        styles_for = (self.has_focus, self.app.theme)
        if styles_for != self._styles_for:
            self._strips.clear()
            self._styles_for = styles_for
        row = -1 if y == 0 else min(self._rows, round(self.scroll_y) + y - 1)
        cursor_row, cursor_col = self.cursor
        on_row = cursor_col if row in (-1, cursor_row) else -1
        key = (row, on_row, self._first_column, width, self._header_width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(row, on_row, width)
            self._strips.set(key, strip)
        return strip

    def _render_row(self, row: int, cursor_col: int, width: int) -> Strip:
        """Actor ``row`` (-1: the column headers; past the last actor: blank), with the
        cursor in column ``cursor_col`` (-1: not in this row), ``width`` cells wide."""
        base = self.rich_style
        if row >= self._rows or (row >= 0 and not self._cols):
            return Strip.blank(width, base)
        if not self._rows or not self._cols:
            message = "No actors or no issues in this dossier: nothing to show."
            return Strip([Segment(message[:width], base)]).extend_cell_length(width, base)
        highlight = base + self.get_component_rich_style("stance-grid--cursor-header")
        columns = self._visible_columns()
        cell = self._cell_width
        segments: list[Segment] = []
        if row < 0:
            header_style = base + self.get_component_rich_style("stance-grid--header")
            header = self._row_header(CORNER, header_style)
            for col in columns:
                style = highlight if col == cursor_col else header_style
                segments.append(Segment(str(col + 1).center(cell), style))
        else:
            label = self.table.actors[row].label
            if cursor_col >= 0:
                header = self._row_header(label, highlight, ROW_MARK)
            else:
                header = self._row_header(label, base)
            row_cells = self.table.cells(row)
            stance_styles = {stance: base + Style.parse(s) for stance, s in STANCE_STYLE.items()}
            cursor_style = base + self.get_component_rich_style("stance-grid--cursor")
            blank = " " * cell
            pad = (cell - 3) // 2
            for col in columns:
                position = row_cells.get(col)
                glyph = STANCE_GLYPH[position.stance] if position is not None else " "
                if col == cursor_col:
                    text = f"{' ' * pad}[{glyph}]".ljust(cell)
                    segments.append(Segment(text, cursor_style))
                elif position is None:
                    segments.append(Segment(blank, base))
                else:
                    text = f"{' ' * (pad + 1)}{glyph}".ljust(cell)
                    segments.append(Segment(text, stance_styles[position.stance]))
        data = Strip(segments).crop_extend(0, width - self._header_width, base)
        return Strip.join([header, data])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + self._rows


def stance_legend() -> Text:
    """Every stance glyph in its colour with its name: ``+ for  − against ...``."""
    legend = Text(no_wrap=True, overflow="ellipsis", end="")
    for stance in Stance:
        if legend:
            legend.append("  ")
        legend.append(STANCE_GLYPH[stance], style=STANCE_STYLE[stance])
        legend.append(f" {stance.value}")
    legend.append("   [ ] cursor", style="dim")
    return legend


__all__ = ["StanceGrid", "stance_legend"]
