"""Command palette providers: jump to any entity, and the app's own commands."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from .glyphs import KIND_LABEL

if TYPE_CHECKING:
    from .app import DossierApp

MAX_HITS = 60


class EntityCommands(Provider):
    """Fuzzy search over every entity's name, aliases and id."""

    @property
    def dossier_app(self) -> DossierApp:
        from .app import DossierApp

        assert isinstance(self.app, DossierApp)
        return self.app

    async def discover(self) -> Hits:
        app = self.dossier_app
        for stop in app.dossier.tour[:8] or []:
            entity = app.dossier.get(stop.target)
            if entity is not None:
                yield DiscoveryHit(
                    Content(f"Go to {entity.label}"),
                    partial(app.open_entity, entity.id),
                    text=f"Go to {entity.label}",
                    help=KIND_LABEL.get(entity.kind, entity.kind),
                )

    async def search(self, query: str) -> Hits:
        app = self.dossier_app
        matcher = self.matcher(query)
        hits = 0
        for entity in app.dossier.entities.values():
            names = [entity.label, entity.id, *getattr(entity, "aliases", ())]
            score, best = max((matcher.match(name), name) for name in names)
            if score <= 0:
                continue
            display = matcher.highlight(entity.label)
            if best != entity.label:
                display = display + Content.styled(f"  ({best})", "dim")
            yield Hit(
                score,
                display,
                partial(app.open_entity, entity.id),
                text=entity.label,
                help=f"{KIND_LABEL.get(entity.kind, entity.kind)} · {entity.id}",
            )
            hits += 1
            if hits >= MAX_HITS * 20:
                break
