"""The filter input shown under the lists while `/` filtering is active."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class FilterBar(Horizontal):
    """An input plus a match count; posts :class:`Changed` and :class:`Done`."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        display: none;
        background: $panel;
    }
    FilterBar.-active { display: block; }
    FilterBar Label { width: auto; padding: 0 1; color: $text-muted; }
    FilterBar Input, FilterBar Input:focus {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0;
        background: $panel;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Clear filter", id="clear-filter")]

    @dataclass
    class Changed(Message):
        text: str

    @dataclass
    class Done(Message):
        """Filtering ended: ``cleared`` when escape threw the filter away."""

        cleared: bool

    def compose(self) -> ComposeResult:
        yield Label("/", id="prompt")
        yield Input(placeholder="type to filter", id="filter-input")
        yield Label("", id="count")

    def start(self, what: str, text: str) -> None:
        """Show the bar for filtering ``what`` (e.g. 'actors'), starting from ``text``."""
        self.add_class("-active")
        self.query_one("#prompt", Label).update(f"filter {what}:")
        field = self.query_one(Input)
        field.value = text
        # At once (not after the queued messages, as field.focus() would): letters
        # typed with the "/" (one read over SSH) must land in the field, not the list.
        self.screen.set_focus(field)

    def set_count(self, shown: int, total: int) -> None:
        self.query_one("#count", Label).update(f"{shown}/{total}")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-active")
        self.post_message(self.Done(cleared=False))

    def action_cancel(self) -> None:
        self.remove_class("-active")
        self.post_message(self.Done(cleared=True))
