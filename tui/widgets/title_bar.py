"""The title bar: the dossier's title and date on the top line.

What Textual's ``Header`` shows (the app's title and sub-title), drawn as one widget:
the stock header is four (icon, title, clock space, container) whose title update
asks for a layout pass, on every screen that is composed.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class TitleBar(Widget):
    """``title — sub_title`` of the app, centred; the text is shown literally."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "title", self._title_changed, init=False)
        self.watch(self.app, "sub_title", self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()

    def render(self) -> Text:
        text = Text(self.app.title, no_wrap=True, overflow="ellipsis", end="")
        if self.app.sub_title:
            text.append(" — ", "dim")
            text.append(self.app.sub_title, "dim")
        return text


__all__ = ["TitleBar"]
