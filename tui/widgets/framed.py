"""Line-API widgets whose repainted rows are framed cheaply.

Textual draws every repainted row of a widget through its styles pipeline: it works
out the border and the padding of the row again, pads the content, applies effects
and builds the strip. For a pane whose rows change on every key (the detail pane, a
list whose marks move) that is a large part of the cost of the key, yet the frame of
a content row (the border cell and padding either side of the content) is the same on
every row until the widget's size or look changes.

:class:`FramedRows` gives a widget a styles cache (Textual's own, which still decides
which rows need drawing and keeps the rest) whose per-row drawing keeps that frame:
once per look it lets Textual draw one content row, keeps the cells either side of
the content, and then frames each repainted content row itself. Border rows (the
title, the bottom edge) and padding rows are still drawn by Textual, and so is every
row of a widget with an effect that touches each cell (tint, opacity, text opacity,
hatch, outline). Tests compare the result with Textual's own drawing cell by cell.

A widget may put one more cell after each content row (an inline scrollbar's, see
:mod:`.inline_bar`) through :meth:`FramedRows.content_row_parts`; the frame takes it
without building the row twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content
from textual.css.styles import StylesBase
from textual.geometry import Size, Spacing
from textual.strip import Strip
from textual.style import Style as TextualStyle

from .mixin import WidgetMixin

KEPT_LINES = 512
"""Framed lines kept per widget for rows drawn again."""


class _Frame(NamedTuple):
    """Cells left and right of a content row, and what short content is padded with."""

    look: tuple[object, ...]
    left: list[Segment]
    right: list[Segment]
    fill: Style


class FramedStylesCache(StylesCache):
    """Textual's styles cache, drawing plain content rows inside a kept frame."""

    def __init__(self, parts: Callable[[int], tuple[Strip, Segment | None]]) -> None:
        super().__init__()
        self._frame: _Frame | None = None
        self._parts = parts
        """The widget's content row ``y`` and a cell to draw after it (or None)."""
        self._lines: dict[tuple[int, Segment | None], tuple[Strip, Strip]] = {}
        """Framed lines by (id of the content row, cell after it): the content row (to
        check the id still means it) and the line. A row drawn again (going back to an
        item, a cursor returning) gets the same line object, so Textual's caches on it
        (filtered, cropped, divided, rendered to text) answer instead of doing it again."""

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        border_title: tuple[Content, Color, Color, TextualStyle] | None,
        border_subtitle: tuple[Content, Color, Color, TextualStyle] | None,
        opacity: float,
        ansi_theme: TerminalTheme,
        native_ansi: bool,
    ) -> Strip:
        rest = (border_title, border_subtitle, opacity, ansi_theme, native_ansi)
        gutter = styles.gutter
        content_y = y - gutter.top
        frame = None
        if (
            opacity == 1.0
            and 0 <= content_y < content_size.height
            and content_y < size.height - gutter.bottom
        ):
            frame = self._frame_for(
                styles, size, content_size, padding, base_background, background, rest
            )
        if frame is None:  # a border or padding row, or an effect: Textual's drawing
            return super().render_line(
                styles,
                y,
                size,
                content_size,
                padding,
                base_background,
                background,
                render_content_line,
                *rest,
            )
        row, cell = self._parts(content_y)
        key = (id(row), cell)
        kept = self._lines.get(key)
        if kept is not None and kept[0] is row:
            return kept[1]
        if cell is None:
            content = row.adjust_cell_length(content_size.width, frame.fill)
            line = Strip([*frame.left, *content, *frame.right], size.width)
        else:
            content = row.adjust_cell_length(content_size.width - 1, frame.fill)
            line = Strip([*frame.left, *content, cell, *frame.right], size.width)
        lines = self._lines
        if len(lines) >= KEPT_LINES:
            del lines[next(iter(lines))]
        lines[key] = (row, line)
        return line

    def _frame_for(
        self,
        styles: StylesBase,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        rest: tuple[Any, ...],
    ) -> _Frame | None:
        """The frame of a content row in this look (None: leave the row to Textual)."""
        if (
            styles.text_opacity != 1.0
            or styles.tint.a
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or any(edge for edge, _ in styles.outline)
        ):
            return None
        look = (size, content_size, padding, base_background, background, styles.border, rest)
        frame = self._frame
        if frame is not None and frame.look == look:
            return frame
        # One content row as Textual draws it, around a blank: the cells either side of
        # the content are the frame of every content row while the look stays.
        fill = Style(bgcolor=(base_background + background).rich_color)
        blank = Strip.blank(content_size.width, fill)
        probe = super().render_line(
            styles,
            styles.gutter.top,
            size,
            content_size,
            padding,
            base_background,
            background,
            lambda _: blank,
            *rest,
        )
        left_width = styles.gutter.left
        self._lines.clear()
        frame = self._frame = _Frame(
            look,
            list(probe.crop(0, left_width)),
            list(probe.crop(left_width + content_size.width, size.width)),
            fill,
        )
        return frame


class FramedRows(WidgetMixin):
    """Mixin for line-API widgets: repainted content rows are framed cheaply (see the
    module doc). Mix in before the widget class: ``class Pane(FramedRows, ScrollView)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._styles_cache = FramedStylesCache(self.content_row_parts)

    def content_row_parts(self, y: int) -> tuple[Strip, Segment | None]:
        """Content row ``y`` and a cell drawn after it (an inline scrollbar's), or None."""
        return self.render_line(y), None
