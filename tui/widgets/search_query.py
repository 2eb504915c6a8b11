"""The search view's query line: an input that keeps the focus while the hits below it
are moved through (up, down and the page keys are the screen's; enter opens a hit)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class SearchQuery(Input):
    """One line for the query; ``enter`` (shown in the footer) posts ``Submitted``."""

    DEFAULT_CSS = """
    SearchQuery, SearchQuery:focus {
        height: 1;
        border: none;
        padding: 0 1;
        background: $panel;
    }
    """

    BINDINGS = [Binding("enter", "submit", "Open hit", id="search-open")]

    def __init__(self, value: str = "", *, id: str) -> None:
        super().__init__(
            value,
            placeholder='search: words, "a phrase", kind: stance: source:',
            id=id,
            select_on_focus=False,
        )


__all__ = ["SearchQuery"]
