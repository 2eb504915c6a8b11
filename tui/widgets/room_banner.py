"""The room banner (presenter mode): following, exploring alone, or presenting, in a line.

Only an app in a room (``dossier serve`` gave it a channel) has one: :func:`room_banner`
yields nothing otherwise, so a screen composes it at no cost outside a room. What it
says comes from the app's presence (:mod:`tui.presenting`), which keeps every banner
up to date; it is drawn literally (names from the dossier, the presenter's label).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.widget import Widget

from ..presence import BannerLine

if TYPE_CHECKING:
    from ..presenting import Presence


class RoomBanner(Widget):
    """One line under the title: where this session stands in the room."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    RoomBanner {
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        text-style: bold;
    }
    RoomBanner.-alone { background: $warning; }
    RoomBanner.-presenting { background: $success; }
    RoomBanner.-nobody { background: $panel; }
    RoomBanner.-off { display: none; }
    """

    def __init__(self, presence: Presence) -> None:
        super().__init__()
        self._presence = presence
        self.line = presence.line
        self.add_class(f"-{self.line.tone}")

    def on_mount(self) -> None:
        self._presence.banners.add(self)
        self.show_line(self._presence.line)  # what changed while it was composed

    def on_unmount(self) -> None:
        self._presence.banners.discard(self)

    def show_line(self, line: BannerLine) -> None:
        """Say ``line`` (a repaint only if it changed)."""
        if line == self.line:
            return
        if line.tone != self.line.tone:
            self.remove_class(f"-{self.line.tone}")
            self.add_class(f"-{line.tone}")
        self.line = line
        self.refresh()

    def render(self) -> Text:
        return Text(self.line.fit(self.content_size.width), no_wrap=True, end="")


def room_banner(app: App[object]) -> Iterator[RoomBanner]:
    """A banner for a screen of ``app`` if the app is in a room; else nothing."""
    presence: Presence | None = getattr(app, "presence", None)
    if presence is not None:
        yield RoomBanner(presence)


__all__ = ["RoomBanner", "room_banner"]
