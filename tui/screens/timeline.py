"""The Timeline view (work in progress: being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .view import ViewScreen


class TimelineScreen(ViewScreen):
    """Timeline of the dossier, from the item the user came from."""

    VIEW = "timeline"
    NAME = "Timeline"

    def compose_view(self) -> ComposeResult:
        yield Static("Timeline: not built yet", markup=False)
