"""A vertical scrollbar drawn as the last column of a line-API widget's content.

Textual's scrollbar is a widget of its own, laid over the right edge of the widget
it scrolls. On screen that costs more than its one column suggests: every row of the
screen that the pair crosses is cut at the bar's edges, so a repainted row of the
scrolled widget becomes three pieces plus the bar's own, and the bar is a second
widget to render whenever its thumb moves. The detail pane and the lists repaint many
rows on every key, so :class:`InlineScrollbar` draws the same cells (Textual's own
:meth:`ScrollBarRender.render_bar`, the same colours from the widget's
``scrollbar-*`` styles, the same hover and drag colours) as one more cell at the end
of each content row, and handles the mouse itself: the wheel scrolls, a click on the
track pages towards it, the thumb can be dragged.

The widget sets ``overflow-y: hidden`` (Textual then reserves no column and draws no
bar) and implements :meth:`render_row` (its content, one column narrower while the bar
shows) instead of ``render_line``. :attr:`BAR_ALWAYS` is ``overflow-y: scroll``
(the column is always there); otherwise it is ``auto`` (only while the content is
taller than the widget).
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

from .caches import BAR_COLUMNS, LRUCache
from .mixin import WidgetMixin

DEFAULT_TRACK = RichColor.parse("#555555")
DEFAULT_THUMB = RichColor.parse("bright_magenta")
"""A bar's colours when its style has none (as Textual's own bar falls back to)."""


class BarColumn(NamedTuple):
    """The bar's cells, one per row, and the rows its thumb covers."""

    cells: tuple[Segment, ...]
    thumb: tuple[int, int]
    """First row of the thumb and the row after its last."""


_BarKey = tuple[int, int, int, float, Style, Style]
_COLUMNS: LRUCache[_BarKey, BarColumn] = LRUCache(BAR_COLUMNS)
"""Columns drawn, shared by every pane (a thumb position recurs as items recur)."""


def bar_column(
    height: int, virtual: int, window: int, position: float, bar: Style, base: Style
) -> BarColumn:
    """The cells of a one-column vertical bar ``height`` rows tall, as Textual's
    scrollbar draws them with ``bar`` (its colours) over ``base`` (the widget's style),
    without the click actions Textual's bar puts on them (the widget handles clicks)."""
    key = (height, virtual, window, position, bar, base)
    column = _COLUMNS.get(key)
    if column is None:
        column = _draw_column(*key)
        _COLUMNS.set(key, column)
    return column


def _draw_column(
    height: int, virtual: int, window: int, position: float, bar: Style, base: Style
) -> BarColumn:
    """:func:`bar_column`, drawn afresh."""
    segments = ScrollBarRender.render_bar(
        size=height,
        virtual_size=virtual,
        window_size=window,
        position=position,
        thickness=1,
        vertical=True,
        back_color=bar.bgcolor or DEFAULT_TRACK,
        bar_color=bar.color or DEFAULT_THUMB,
    ).segments
    cells: list[Segment] = []
    thumb: list[int] = []
    for row, segment in enumerate(segments[:height]):
        style = segment.style
        if style is not None and style.meta.get("@mouse.down") == "grab":
            thumb.append(row)
        plain = style.clear_meta_and_links() if style is not None else None
        cells.append(Segment(segment.text, base + plain if plain is not None else base))
    cells += [Segment(" ", base)] * (height - len(cells))
    span = (thumb[0], thumb[-1] + 1) if thumb else (0, 0)
    return BarColumn(tuple(cells), span)


def row_runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted ``rows`` as (start, end) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row:
            runs[-1] = (runs[-1][0], row + 1)
        else:
            runs.append((row, row + 1))
    return runs


class InlineScrollbar(WidgetMixin):
    """Mixin: the vertical scrollbar is the last column of the content (module doc).

    Mix in first: ``class Pane(InlineScrollbar, FramedRows, ScrollView)``; the widget
    sets ``overflow-y: hidden``, implements :meth:`render_row` and lets clicks on the
    bar (:meth:`bar_row` not None) be.
    """

    BAR_ALWAYS: ClassVar[bool] = False
    """True: the bar's column is always there; False: only while there is more to see."""

    _bar_state = ""
    """"" normally, "hover" with the pointer over the bar, "grab" while dragging it."""
    _bar_drawn: BarColumn | None = None
    """The bar as last repainted (to repaint only the cells that change)."""
    _bar_grab: tuple[int, float] | None = None
    """While dragging the thumb: the pointer's screen row and scroll_y at the start."""
    _bar_styles: dict[str, Style] | None = None
    """Bar colours by state, worked out once per look."""

    _area_for: tuple[Size, bool] | None = None
    """The outer size :attr:`scrollable_content_area` was worked out for, and whether
    Textual's horizontal scrollbar (a row of its own) was there."""
    _area = Size(0, 0)
    _narrowed = Size(0, 0)

    # -- geometry ------------------------------------------------------------
    @property
    def viewport(self) -> Size:
        """The content's width and height, less the bar's column while it shows."""
        area = self.scrollable_content_area
        if area.width > 0 and self.bar_shown(area.height):
            return self._narrowed
        return area

    @property
    def scrollable_content_area(self) -> Size:
        """Width and height inside borders and padding (the bar's column included),
        worked out once per outer size and horizontal scrollbar (rows ask for it on
        every repaint; with ``overflow-y: hidden`` no vertical one takes room from it)."""
        outer = (self.outer_size, self.show_horizontal_scrollbar)
        if outer != self._area_for:
            self._area_for = outer
            area = self._area = self.scrollable_content_region.size
            self._narrowed = Size(max(0, area.width - 1), area.height)
        return self._area

    def bar_shown(self, height: int) -> bool:
        """Whether the bar's column is there when ``height`` rows are visible."""
        return self.BAR_ALWAYS or self.virtual_size.height > height

    @property
    def allow_vertical_scroll(self) -> bool:
        """The wheel scrolls while there is more to see (``overflow-y: hidden`` would
        otherwise turn it off)."""
        return not (self.disabled or self.loading) and self.max_scroll_y > 0

    # -- drawing -------------------------------------------------------------
    def render_row(self, y: int) -> Strip:
        """Row ``y`` of the content, :attr:`viewport` wide (without the bar)."""
        raise NotImplementedError

    def content_row_parts(self, y: int) -> tuple[Strip, Segment | None]:
        """Row ``y`` of the content and the bar's cell beside it (None: no bar)."""
        column = self._bar_drawn = self.bar()
        cell = column.cells[y] if column is not None and 0 <= y < len(column.cells) else None
        return self.render_row(y), cell

    def render_line(self, y: int) -> Strip:
        row, cell = self.content_row_parts(y)
        if cell is None:
            return row
        return Strip([*row, cell], row.cell_length + 1)

    def bar(self) -> BarColumn | None:
        """The bar as it looks now (None while it is not shown)."""
        area = self.scrollable_content_area
        height = area.height
        if area.width <= 0 or height <= 0 or not self.bar_shown(height):
            return None
        virtual = self.virtual_size.height
        styles = self._bar_styles
        if styles is None:
            styles = self._bar_styles = {}
        bar = styles.get(self._bar_state)
        if bar is None:
            bar = styles[self._bar_state] = self._bar_style(self._bar_state)
        return bar_column(
            height,
            virtual,
            height if height < virtual else 0,
            self.scroll_y,
            bar,
            self.visual_style.rich_style,
        )

    def _bar_style(self, state: str) -> Style:
        """The bar's colours (as Textual's scrollbar works them out) in ``state``."""
        styles = self.styles
        if state == "grab":
            background, color = styles.scrollbar_background_active, styles.scrollbar_color_active
        elif state == "hover":
            background, color = styles.scrollbar_background_hover, styles.scrollbar_color_hover
        else:
            background, color = styles.scrollbar_background, styles.scrollbar_color
        if background.a < 1:
            background = self.background_colors[0] + background
        color = background + color
        return Style.from_color(color.rich_color, background.rich_color)

    def refresh_bar(self) -> None:
        """Repaint the bar's cells that look different from when last painted."""
        column = self.bar()
        before, self._bar_drawn = self._bar_drawn, column
        if column is before or column == before or not self.is_mounted:
            return
        x = self.viewport.width
        if column is None or before is None or len(before.cells) != len(column.cells):
            self.refresh()  # the bar came or went: the content's width changed
            return
        pairs = zip(before.cells, column.cells, strict=True)
        for start, end in row_runs([y for y, (a, b) in enumerate(pairs) if a != b]):
            self.refresh(Region(x, start, 1, end - start))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._bar_styles = None

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.refresh_bar()

    # -- mouse -----------------------------------------------------------------
    def bar_row(self, event: events.MouseEvent) -> int | None:
        """The bar's row under the pointer (None: the pointer is not on the bar); the
        widget's own click handler ignores clicks where this is not None."""
        offset = event.get_content_offset(self)
        if offset is None or self.bar() is None or offset.x != self.viewport.width:
            return None
        return offset.y

    def on_bar(self, event: events.MouseEvent) -> bool:
        """Whether the pointer is on the bar (for a :class:`~.cursor_list.CursorList`)."""
        return self.bar_row(event) is not None

    def rows_in_view(self) -> int:
        """Rows of content in view (for a :class:`~.cursor_list.CursorList`)."""
        return self.scrollable_content_area.height

    def _set_bar_state(self, state: str) -> None:
        if state != self._bar_state:
            self._bar_state = state
            self.refresh_bar()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        row = self.bar_row(event)
        column = self.bar()
        if row is None or column is None:
            return
        event.stop()
        event.prevent_default()
        start, end = column.thumb
        if start <= row < end:
            self._bar_grab = (event.screen_y, self.scroll_y)
            self.capture_mouse()
            self._set_bar_state("grab")
        elif row < start:
            self.scroll_page_up(animate=False)
        else:
            self.scroll_page_down(animate=False)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        grab = self._bar_grab
        if grab is None:
            self._set_bar_state("hover" if self.bar_row(event) is not None else "")
            return
        event.stop()
        height = self.scrollable_content_area.height
        if height > 0:
            screen_y, scroll_y = grab
            ratio = self.virtual_size.height / height
            self.scroll_to(
                y=scroll_y + (event.screen_y - screen_y) * ratio, animate=False, immediate=True
            )

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._bar_grab is None:
            return
        event.stop()
        event.prevent_default()
        self._bar_grab = None
        self.release_mouse()
        self._set_bar_state("hover" if self.bar_row(event) is not None else "")

    def on_mouse_release(self, _: events.MouseRelease) -> None:
        """The mouse was let go some other way (another capture, the app left): the
        drag is over."""
        if self._bar_grab is not None:
            self._bar_grab = None
            self._set_bar_state("")

    def on_leave(self, _: events.Leave) -> None:
        if self._bar_grab is None:
            self._set_bar_state("")


__all__ = ["BarColumn", "InlineScrollbar", "bar_column", "row_runs"]
