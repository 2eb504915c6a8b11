"""The size of a scrolling widget's viewport, worked out once per size.

``Widget.scrollable_content_region`` looks the widget up in the screen's layout on
every call; the line-API widgets ask for it on every row they render. This mixin
keeps the answer until the widget's outer size or its scrollbars change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:  # a plain mixin at run time: a Widget base would bring Widget's CSS along
    _Base = object


class ViewportSize(_Base):
    """Adds :attr:`viewport`: the size of the scrollable content region, cached.

    Mix in before the widget class: ``class Pane(ViewportSize, ScrollView)``.
    """

    _viewport_key: tuple[Size, bool, bool] | None = None
    _viewport = Size(0, 0)

    @property
    def viewport(self) -> Size:
        """Width and height of the region that shows content (minus borders, padding
        and scrollbars)."""
        key = (self.outer_size, self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        if key != self._viewport_key:
            self._viewport_key = key
            self._viewport = self.scrollable_content_region.size
        return self._viewport
