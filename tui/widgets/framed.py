"""Line-API widgets whose repainted rows are framed cheaply.

Textual draws every repainted row of a widget through its styles pipeline: it works
out the border and the padding of the row again, pads the content, applies effects
and builds the strip. For a pane whose rows change on every key (the detail pane, a
list whose marks move) that is a large part of the cost of the key, yet the frame of
a content row (the border cell and padding either side of the content) is the same on
every row until the widget's size or look changes.

:class:`FramedRows` gives a widget a styles cache
(:class:`~tui.textual_internals.FramedStylesCache`, Textual's own private one, which
still decides which rows need drawing and keeps the rest) whose per-row drawing keeps
that frame: once per look it lets Textual draw one content row, keeps the cells either side of
the content, and then frames each repainted content row itself. Border rows (the
title, the bottom edge) and padding rows are still drawn by Textual, and so is every
row of a widget with an effect that touches each cell (tint, opacity, text opacity,
hatch, outline). Tests compare the result with Textual's own drawing cell by cell.

A widget may put one more cell after each content row (an inline scrollbar's, see
:mod:`.inline_bar`) through :meth:`FramedRows.content_row_parts`; the frame takes it
without building the row twice.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.strip import Strip

from ..textual_internals import FramedStylesCache, use_styles_cache
from .caches import FRAMED_LINES
from .mixin import WidgetMixin


class FramedRows(WidgetMixin):
    """Mixin for line-API widgets: repainted content rows are framed cheaply (see the
    module doc). Mix in before the widget class: ``class Pane(FramedRows, ScrollView)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_styles_cache(self, FramedStylesCache(self.content_row_parts, FRAMED_LINES))

    def content_row_parts(self, y: int) -> tuple[Strip, Segment | None]:
        """Content row ``y`` and a cell drawn after it (an inline scrollbar's), or None."""
        return self.render_line(y), None
