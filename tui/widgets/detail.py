"""The detail pane: everything about one entity, rendered as literal text."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from ..content import Actor, Assessment, Dossier, Entity, Event, Index, Issue, Source


class DetailPane(VerticalScroll, can_focus=True):
    """Shows the entity set in :attr:`entity`."""

    DEFAULT_CSS = """
    DetailPane {
        border: round $primary-darken-2;
        padding: 0 1;
    }
    DetailPane:focus { border: round $accent; }
    """

    entity: reactive[Entity | None] = reactive(None)
    """The entity shown; None shows the dossier's own summary."""

    def __init__(self, dossier: Dossier, index: Index) -> None:
        super().__init__()
        self.dossier = dossier
        self.index = index
        self.border_title = "Detail"

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="body")

    def watch_entity(self, entity: Entity | None) -> None:
        self.query_one("#body", Static).update(self.render_entity(entity))
        self.scroll_home(animate=False)

    def _label_of(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return entity.label if entity is not None else entity_id

    def render_entity(self, entity: Entity | None) -> Text:
        """The entity as styled text; content is always appended literally."""
        text = Text()
        if entity is None:
            info = self.dossier.info
            text.append(info.title + "\n", style="bold")
            text.append(info.summary)
            return text
        text.append(entity.label + "\n", style="bold")
        text.append(f"{entity.kind} · {entity.id}\n\n", style="dim")
        if isinstance(entity, Actor):
            if entity.role:
                text.append(entity.role + "\n", style="italic")
            if entity.summary:
                text.append(entity.summary + "\n")
            for issue in self.dossier.issues:
                for position in issue.positions:
                    if position.actor == entity.id:
                        text.append(f"\n{position.stance.value:>8}  ", style="bold")
                        text.append(issue.title)
                        if position.position:
                            text.append(f": {position.position}")
        elif isinstance(entity, Issue):
            if entity.question:
                text.append(entity.question + "\n", style="italic")
            text.append(entity.summary + "\n")
            for position in entity.positions:
                text.append(f"\n{position.stance.value:>8}  ", style="bold")
                text.append(self._label_of(position.actor))
                if position.position:
                    text.append(f": {position.position}")
        elif isinstance(entity, Assessment):
            text.append(f"Verdict ({entity.confidence.value} confidence): ", style="bold")
            text.append(entity.verdict + "\n")
            if entity.horizon:
                text.append(f"Horizon: {entity.horizon}\n")
            for number, argument in enumerate(entity.arguments, 1):
                text.append(f"\n{number}. ", style="bold")
                text.append(argument.claim)
        elif isinstance(entity, Event):
            text.append(f"{entity.date}  {entity.status.value if entity.status else ''}\n")
            if entity.summary:
                text.append(entity.summary)
        elif isinstance(entity, Source):
            text.append(entity.title)
        backlinks = self.index.backlinks_of(entity.id)
        if backlinks:
            text.append("\n\nReferenced by\n", style="bold")
            for backlink in backlinks:
                text.append(f"  {backlink.role}: ", style="dim")
                text.append(self._label_of(backlink.owner) + "\n")
        return text
