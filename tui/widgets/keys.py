"""Key bindings shared by the line-API widgets, so every list moves the same way."""

from __future__ import annotations

from textual.binding import Binding

MOVE_BINDINGS: list[Binding] = [
    Binding("up,k", "cursor_up", "Up", show=False),
    Binding("down,j", "cursor_down", "Down", show=False),
    Binding("home,g", "first", "First", show=False),
    Binding("end,G", "last", "Last", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
]
"""Cursor movement (vim keys as aliases); each widget adds its own enter binding."""
