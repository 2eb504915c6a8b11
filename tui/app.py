"""The Textual application: holds the dossier and pushes the explorer screen."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from .content import Dossier, Index
from .screens import ExplorerScreen


class DossierApp(App[None]):
    """Explore one loaded dossier."""

    CSS_PATH = "app.tcss"
    TITLE = "dossier"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="quit-ctrl"),
    ]

    def __init__(self, dossier: Dossier) -> None:
        super().__init__()
        self.dossier = dossier
        self.index = Index(dossier)

    def on_mount(self) -> None:
        self.title = self.dossier.info.title
        self.sub_title = f"as of {self.dossier.info.as_of}"
        self.push_screen(ExplorerScreen(self.dossier, self.index))
