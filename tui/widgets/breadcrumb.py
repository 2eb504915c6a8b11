"""The trail of items visited, newest last, cut from the left to fit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

SEPARATOR = " › "


class Breadcrumb(Static):
    """Shows ``Japan › Territorial dispute › No breakthrough``."""

    DEFAULT_CSS = """
    Breadcrumb {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self._labels: list[str] = []

    def set_trail(self, labels: Sequence[str]) -> None:
        if list(labels) == self._labels:
            return
        self._labels = list(labels)
        self.update(self._render_trail(self.size.width or 80), layout=False)

    def on_resize(self) -> None:
        self.update(self._render_trail(self.size.width), layout=False)

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
