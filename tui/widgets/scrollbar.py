"""A vertical scrollbar that draws its cells directly.

Textual's :class:`~textual.scrollbar.ScrollBar` draws through Rich: every time its thumb
moves it renders a Rich renderable, splits the result into lines and wraps them in
strips, which costs about as much as repainting a pane of text. :class:`QuickScrollBar`
works out the same cells with Textual's own :meth:`ScrollBarRender.render_bar` and
keeps them as strips, one per row, until the bar's geometry or colours change. It looks
and behaves exactly like the stock bar (clicks and drags are the stock bar's).

:class:`QuickScrollbars` is the mixin that gives a scrolling widget this bar (the
stance grid, which scrolls both ways). The other panes draw theirs inline instead
(:mod:`.inline_bar`), which also saves the screen cutting their rows at the bar.
"""

from __future__ import annotations

from typing import Self

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

from ..textual_internals import vertical_scrollbar
from .caches import BAR_LOOKS, LRUCache
from .inline_bar import DEFAULT_THUMB, DEFAULT_TRACK
from .mixin import WidgetMixin

_Key = tuple[int, int, int, int, float, Style, Style]


class QuickScrollBar(ScrollBar):
    """A :class:`ScrollBar` whose vertical rows are drawn without Rich's console."""

    def __init__(
        self, vertical: bool = True, name: str | None = None, *, thickness: int = 1
    ) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._looks: LRUCache[_Key, list[Strip]] = LRUCache(BAR_LOOKS)
        """Rows of the last few looks (moving back and forth reuses them)."""
        self._current: tuple[Size, list[Strip] | None] | None = None
        """The rows drawn last and the size they were drawn at; dropped on every
        refresh (as Textual's own drawing of a widget is kept until it is refreshed)."""

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        self._current = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_lines(self, crop: Region) -> list[Strip]:
        rows = self._rows()
        if rows is None:
            return super().render_lines(crop)
        width = self.size.width
        strips = rows[crop.y : crop.bottom]
        if len(strips) < crop.height:  # asked past the bar's end: blank rows, as Textual
            strips += [Strip.blank(width, self.visual_style.rich_style)] * (
                crop.height - len(strips)
            )
        filters = self.get_line_filters()
        if filters:
            background = self.background_colors[1]
            for line_filter in filters:
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.x or crop.width != width:
            strips = [strip.crop(crop.x, crop.right) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        rows = self._rows()
        if rows is None:
            return super().render_line(y)
        if 0 <= y < len(rows):
            return rows[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _rows(self) -> list[Strip] | None:
        """The bar's rows as they look now (None: a bar this class leaves to Textual)."""
        size = self.size
        if self._current is None or self._current[0] != size:
            self._current = (size, self._draw(size))
        return self._current[1]

    def _draw(self, size: Size) -> list[Strip] | None:
        renderer = self.render()
        if not self.vertical or not isinstance(renderer, ScrollBarRender):
            return None
        if self.opacity != 1.0 or self.styles.tint.a or self.styles.text_opacity != 1.0:
            return None
        bar_style = renderer.style
        if not isinstance(bar_style, Style):
            return None
        width, height = size
        base = self.visual_style.rich_style
        key: _Key = (
            width,
            height,
            renderer.virtual_size,
            renderer.window_size,
            renderer.position,
            bar_style,
            base,
        )
        rows = self._looks.get(key)
        if rows is None:
            segments = renderer.render_bar(
                size=height,
                virtual_size=renderer.virtual_size,
                window_size=renderer.window_size,
                position=renderer.position,
                thickness=width,
                vertical=True,
                back_color=bar_style.bgcolor or DEFAULT_TRACK,
                bar_color=bar_style.color or DEFAULT_THUMB,
            )
            # As Textual draws it: the widget's style under each cell's. Most rows are
            # the same cell (track or thumb): one strip each, shared.
            strips: dict[Segment, Strip] = {}
            rows = []
            for segment in segments.segments:
                strip = strips.get(segment)
                if strip is None:
                    strip = strips[segment] = Strip(Segment.apply_style([segment], base), width)
                rows.append(strip)
            rows += [Strip.blank(width, base)] * (height - len(rows))
            self._looks.set(key, rows)
        return rows


class QuickScrollbars(WidgetMixin):
    """Mixin: this widget's vertical scrollbar is a :class:`QuickScrollBar`.

    Mix in before the widget class: ``class Pane(QuickScrollbars, ScrollView)``.
    """

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, created (hidden) on first use as Textual does."""
        return vertical_scrollbar(
            self,
            lambda: QuickScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            ),
        )
