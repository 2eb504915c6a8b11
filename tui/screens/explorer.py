"""The explorer: lists of actors, issues and assessments beside a detail pane."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from ..content import Dossier, Entity, Index
from ..widgets import DetailPane, EntityList


class ExplorerScreen(Screen[None]):
    """Three entity lists and the detail of the highlighted entity."""

    DEFAULT_CSS = """
    ExplorerScreen #lists { width: 2fr; }
    ExplorerScreen DetailPane { width: 3fr; }
    """

    def __init__(self, dossier: Dossier, index: Index) -> None:
        super().__init__()
        self.dossier = dossier
        self.index = index

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="lists"):
                yield EntityList("Actors", self.dossier.actors, id="actors")
                yield EntityList("Issues", self.dossier.issues, id="issues")
                yield EntityList("Assessment", self.dossier.assessments, id="assessments")
            yield DetailPane(self.dossier, self.index)
        yield Footer()

    def on_entity_list_highlighted(self, message: EntityList.Highlighted) -> None:
        self.query_one(DetailPane).entity = message.entity

    def on_mount(self) -> None:
        first: Entity | None = next(
            iter(self.dossier.actors or self.dossier.issues or self.dossier.assessments), None
        )
        self.query_one(DetailPane).entity = first
