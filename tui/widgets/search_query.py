"""The search view's query line: an input that keeps the focus while the hits below it
are moved through (up, down and the page keys are the screen's; enter opens a hit)."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchQuery(Input):
    """One line for the query; ``enter`` (shown in the footer) posts ``Submitted``."""

    DEFAULT_CSS = """
    SearchQuery, SearchQuery:focus {
        width: 1fr;  /* not auto: an auto-sized input lays the screen out on every key */
        height: 1;
        border: none;
        padding: 0 1;
        background: $panel;
    }
    """

    BINDINGS = [Binding("enter", "submit", "Open hit", id="search-open")]

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """An input's virtual size is its text's width, so it changes with every key; as
    Textual declares it (``layout=True``) each key laid the whole screen out again and
    redrew every widget. This line has a fixed size: a repaint is all it needs."""

    def __init__(self, value: str = "", *, id: str) -> None:
        self.on_value: Callable[[str], object] | None = None
        """Told each new value at once, while the key that changed it is handled, so
        the hits change in the same frame as the query line (``Changed`` comes after)."""
        super().__init__(
            value,
            placeholder='search: words, "a phrase", kind: stance: source:',
            id=id,
            select_on_focus=False,
        )

    def watch_value(self, value: str) -> None:
        if self.on_value is not None:
            self.on_value(value)


__all__ = ["SearchQuery"]
