"""The Evidence view (work in progress: being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .view import ViewScreen


class EvidenceScreen(ViewScreen):
    """Evidence of the dossier, from the item the user came from."""

    VIEW = "evidence"
    NAME = "Evidence"

    def compose_view(self) -> ComposeResult:
        yield Static("Evidence: not built yet", markup=False)
