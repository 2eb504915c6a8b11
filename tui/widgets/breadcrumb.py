"""The trail of items visited, newest last, cut from the left to fit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ..content.text import one_line
from .framed import FramedRows

SEPARATOR = " › "


class Breadcrumb(FramedRows, Widget):
    """Shows ``Japan › Territorial dispute › No breakthrough``.

    A new trail repaints only as many cells as the longer of the old and new trails
    (the rest of the line is blank either way).
    """

    DEFAULT_CSS = """
    Breadcrumb {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, labels: Sequence[str] = ()) -> None:
        super().__init__()
        self._labels: list[str] = [one_line(label) for label in labels]
        self._trail: Text | None = None
        """The trail as drawn for the current width (None: not worked out yet)."""
        self._strip: tuple[tuple[Text, int, Style], Strip] | None = None
        """The trail's strip and the (trail, width, style) it was made for."""

    def set_trail(self, labels: Sequence[str]) -> None:
        """Show ``labels`` (a name with line breaks or tabs stays on the one line)."""
        labels = [one_line(label) for label in labels]
        if labels == self._labels:
            return
        self._labels = labels
        before = self._trail.cell_len if self._trail is not None else self.size.width
        self._trail = self._render_trail(self.size.width or 80)
        self.refresh(Region(0, 0, max(before, self._trail.cell_len), 1))

    def on_resize(self) -> None:
        self._trail = None
        self.refresh()

    def render(self) -> Text:
        """The trail as text (what :meth:`render_line` draws)."""
        if self._trail is None:
            self._trail = self._render_trail(self.size.width or 80)
        return self._trail

    def render_line(self, y: int) -> Strip:
        """The trail as one strip, made once per trail, width and style (a line of
        Rich text through Textual's renderer costs as much as a pane of rows)."""
        width = self.size.width
        base = self.rich_style
        trail = self.render()
        if self._strip is None or self._strip[0] != (trail, width, base):
            if trail.cell_len > width:
                trail = trail.copy()
                trail.truncate(width, overflow="ellipsis")
            segments = [
                Segment(piece.text, base + piece.style if piece.style else base)
                for piece in trail.render(self.app.console, end="")
            ]
            blank = Style(bgcolor=base.bgcolor)  # as Textual pads a line of text
            line = Strip(segments).crop(0, width).extend_cell_length(width, blank)
            self._strip = ((self.render(), width, base), line)
        if y == 0:
            return self._strip[1]
        return Strip.blank(width, base)

    def _render_trail(self, width: int) -> Text:
        labels = self._labels
        room = max(10, width - 2)
        shown: list[str] = []
        used = 0
        for label in reversed(labels):
            cost = len(label) + len(SEPARATOR)
            if shown and used + cost > room:
                break
            shown.insert(0, label)
            used += cost
        text = Text(no_wrap=True, overflow="ellipsis")
        if len(shown) < len(labels):
            text.append("… › ")
        for n, label in enumerate(shown):
            last = n == len(shown) - 1
            text.append(label, style="bold" if last else "")
            if not last:
                text.append(SEPARATOR)
        return text
