"""Every use of a private Textual name in tui/ goes through this module.

Textual keeps some things private that the fast panes need: the per-widget styles
cache (whose ``render_line`` frames each row) and the stream the Linux driver writes
to. Nothing else in tui/ imports ``textual._*`` or reads a private attribute of a
Textual object; it calls the functions here. tests/test_textual_internals.py checks,
name by name and signature by signature, that Textual still has what this module uses,
and says what changed when it does not. Textual is pinned to the minor version that
test passed on (pyproject.toml); see "Upgrading Textual" in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from io import TextIOWrapper
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content
from textual.css.styles import StylesBase
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Region, Size, Spacing
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widget import Widget

from .content.lru import LRUCache

RENDER_LINE_PARAMETERS = (
    "self",
    "styles",
    "y",
    "size",
    "content_size",
    "padding",
    "base_background",
    "background",
    "render_content_line",
    "border_title",
    "border_subtitle",
    "opacity",
    "ansi_theme",
    "native_ansi",
)
"""``StylesCache.render_line``'s parameters, in order, as :class:`FramedStylesCache`
overrides it (the canary test compares them with Textual's)."""


class _Frame(NamedTuple):
    """Cells left and right of a content row, and what short content is padded with."""

    look: tuple[object, ...]
    left: list[Segment]
    right: list[Segment]
    fill: Style


class FramedStylesCache(StylesCache):
    """Textual's styles cache, drawing plain content rows inside a kept frame (how
    and why: :mod:`tui.widgets.framed`)."""

    def __init__(self, parts: Callable[[int], tuple[Strip, Segment | None]], kept: int) -> None:
        super().__init__()
        self._frame: _Frame | None = None
        self._parts = parts
        """The widget's content row ``y`` and a cell to draw after it (or None)."""
        self._lines: LRUCache[tuple[int, Segment | None], tuple[Strip, Strip]] = LRUCache(kept)
        """Framed lines by (id of the content row, cell after it): the content row (to
        check the id still means it) and the line. A row drawn again (going back to an
        item, a cursor returning) gets the same line object, so Textual's caches on it
        (filtered, cropped, divided, rendered to text) answer instead of doing it again."""

    @property
    def framing(self) -> bool:
        """Whether the last content row was framed here (not left to Textual)."""
        return self._frame is not None

    def forget_frame(self) -> None:
        """Work the frame out again at the next content row."""
        self._frame = None
        self._lines.clear()

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
        self._lines.set(key, (row, line))
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


def use_styles_cache(widget: Widget, cache: StylesCache) -> None:
    """Make ``cache`` the styles cache ``widget`` draws its rows through."""
    widget._styles_cache = cache


def styles_cache_of(widget: Widget) -> StylesCache:
    """The styles cache ``widget`` draws its rows through."""
    return widget._styles_cache


def forget_drawn_rows(widget: Widget) -> None:
    """Drop the rows ``widget``'s styles cache keeps, so the next render draws afresh."""
    widget._styles_cache.clear()


def stock_render_lines(widget: Widget, crop: Region) -> list[Strip]:
    """``widget``'s lines in ``crop`` drawn by Textual's own styles cache (for tests
    that compare a faster drawing with Textual's)."""
    kept = widget._styles_cache
    widget._styles_cache = StylesCache()
    try:
        return widget.render_lines(crop)
    finally:
        widget._styles_cache = kept


def draw_on(driver: LinuxDriver, stream: TextIOWrapper) -> None:
    """Make ``driver`` write the screen to ``stream`` (Textual's choice is stderr);
    called before the driver starts its writer thread."""
    driver._file = stream


def screen_strips(screen: Screen[Any]) -> list[Strip]:
    """Every row of ``screen`` as the compositor would send it now (for tests)."""
    return screen._compositor.render_strips()


def repaint_regions(widget: Widget) -> set[Region]:
    """The regions of ``widget`` waiting to be repainted (for tests; mutable)."""
    return widget._repaint_regions


__all__ = [
    "RENDER_LINE_PARAMETERS",
    "FramedStylesCache",
    "draw_on",
    "forget_drawn_rows",
    "repaint_regions",
    "screen_strips",
    "stock_render_lines",
    "styles_cache_of",
    "use_styles_cache",
]
