"""The base of every scrolling widget that draws its own rows (see "Line panes" in
docs/architecture.md): a framed pane on the line API, with one look for all of them.

A pane adds :class:`~.inline_bar.InlineScrollbar` and :class:`~.framed.FramedRows`
before it (``class Pane(InlineScrollbar, FramedRows, LinePane)``) and implements
``render_row``; a list with a cursor subclasses :class:`~.cursor_list.CursorList`,
itself a line pane. Only its own look goes in the pane's ``DEFAULT_CSS``.
"""

from __future__ import annotations

from textual.scroll_view import ScrollView


class LinePane(ScrollView, can_focus=True):
    """A focusable, framed line-API pane; its frame brightens while it has focus."""

    DEFAULT_CSS = """
    LinePane {
        height: 1fr;
        border: round $primary-darken-2;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
    }
    LinePane:focus {
        border: round $accent;
        border-title-color: $text;
        border-title-style: bold;
    }
    """


__all__ = ["LinePane"]
