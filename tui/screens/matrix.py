"""The Stance matrix view (work in progress: being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .view import ViewScreen


class MatrixScreen(ViewScreen):
    """Stance matrix of the dossier, from the item the user came from."""

    VIEW = "matrix"
    NAME = "Stance matrix"

    def compose_view(self) -> ComposeResult:
        yield Static("Stance matrix: not built yet", markup=False)
