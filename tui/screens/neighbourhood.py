"""The Neighbourhood view (work in progress: being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .view import ViewScreen


class NeighbourhoodScreen(ViewScreen):
    """Neighbourhood of the dossier, from the item the user came from."""

    VIEW = "neighbourhood"
    NAME = "Neighbourhood"

    def compose_view(self) -> ComposeResult:
        yield Static("Neighbourhood: not built yet", markup=False)
