"""The key bar: the keys that work right now, on the bottom line.

It shows what Textual's ``Footer`` shows (each action shown once, by its first key;
the command palette's key at the right) but draws it as one line of text. The stock
footer is a widget per key, rebuilt, restyled and laid out whenever the screen or the
focus changes: opening a view paid for that twice. This bar repaints one line, and
only when what it shows changes. A click on a key presses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class _Key:
    key: str
    """The key to press (Textual's name for it)."""
    display: str
    description: str
    enabled: bool


class KeyBar(Widget):
    """One line listing the active bindings that are marked ``show``."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[_Key, ...] = ()
        self._palette: _Key | None = None
        self._spans: list[tuple[int, int, str]] = []
        """(start, end, key) of each key as last drawn, for clicks."""
        self._collected = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self._collect()

    def _collect(self, *, repaint: bool = True) -> None:
        """Read the screen's active bindings; repaint if what is shown changed."""
        keys: list[_Key] = []
        seen: set[str] = set()
        palette: _Key | None = None
        app = self.app
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = _Key(binding.key, app.get_key_display(binding), "palette", enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append(
                _Key(binding.key, app.get_key_display(binding), binding.description, enabled)
            )
        self._collected = True
        if (tuple(keys), palette) != (self._keys, self._palette):
            self._keys, self._palette = tuple(keys), palette
            if repaint:
                self.refresh()

    def render(self) -> Text:
        if not self._collected:  # the first frame shows the keys (no second frame for them)
            self._collect(repaint=False)
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        dim = self.get_component_rich_style("key-bar--disabled")
        width = self.size.width
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []
        palette = self._palette
        # Columns left of the palette key.
        room = width - (len(palette.display) + len(palette.description) + 4 if palette else 0)

        def add(entry: _Key) -> None:
            start = line.cell_len
            extra = Text.assemble(
                (f" {entry.display} ", key_style), (entry.description, text_style)
            )
            if not entry.enabled:
                extra.stylize(dim)
            line.append_text(extra)
            spans.append((start, line.cell_len, entry.key))
            line.append(" ", text_style)

        for entry in self._keys:
            if line.cell_len + len(entry.display) + len(entry.description) + 3 > room:
                break
            add(entry)
        if palette is not None and room >= line.cell_len:  # the palette key, at the right
            line.append(" " * (room - line.cell_len), text_style)
            line.append("▏", text_style)
            add(palette)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return


__all__ = ["KeyBar"]
