"""The command palette: jump to any entity, the app's own commands, citation copy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from .content import Dossier
from .content.citation import citation_text
from .content.lazy import names_of
from .glyphs import KIND_LABEL
from .navigation import Navigation, Navigator, navigation_of
from .screens import VIEWS, HelpScreen

MAX_HITS = 60


class EntityCommands(Provider):
    """Fuzzy search over every entity's name, aliases and id."""

    def _shown(self) -> tuple[Navigator, Dossier | None]:
        navigation = navigation_of(self.app)
        loaded = navigation.loaded
        return navigation, loaded.dossier if loaded is not None else None

    async def discover(self) -> Hits:
        navigation, dossier = self._shown()
        if dossier is None:
            return
        for stop in dossier.tour[:8]:
            entity = dossier.get(stop.target)
            if entity is not None:
                yield DiscoveryHit(
                    Content(f"Go to {entity.label}"),
                    partial(navigation.open_entity, entity.id),
                    text=f"Go to {entity.label}",
                    help=KIND_LABEL.get(entity.kind, entity.kind),
                )

    async def search(self, query: str) -> Hits:
        navigation, dossier = self._shown()
        if dossier is None:
            return
        matcher = self.matcher(query)
        hits = 0
        for entity, names in names_of(dossier):  # (a stored dossier's names, nothing decoded)
            score, best = max((matcher.match(name), name) for name in names)
            if score <= 0:
                continue
            display = matcher.highlight(entity.label)
            if best != entity.label:
                display = display + Content.styled(f"  ({best})", "dim")
            yield Hit(
                score,
                display,
                partial(navigation.open_entity, entity.id),
                text=entity.label,
                help=f"{KIND_LABEL.get(entity.kind, entity.kind)} · {entity.id}",
            )
            hits += 1
            if hits >= MAX_HITS * 20:
                break


def system_commands(
    app: App[Any], navigation: Navigation, textuals: Iterable[SystemCommand]
) -> Iterator[SystemCommand]:
    """Textual's system commands (less one), then the app's own (once a dossier is open)."""
    for command in textuals:
        # Saving a screenshot writes a file: not something a served app should offer.
        if "screenshot" not in command.title.lower():
            yield command
    if navigation.loaded is None:
        return
    for view, entry in VIEWS.items():
        if view == "changes":
            if navigation.baseline is None:
                continue  # diff mode's view
            about = f"List everything that changed since {navigation.baseline.name}"
        else:
            about = f"Open the {entry.name.lower()} for the current item"
        yield SystemCommand(f"View: {entry.name}", about, partial(navigation.open_view, view))
    yield SystemCommand("Tour", "Present the dossier's guided tour", navigation.start_tour)
    yield SystemCommand(
        "Copy citation",
        "Copy the current item's sources and quotes",
        partial(copy_citation, app, navigation),
    )
    yield SystemCommand("Back", "Go back", navigation.go_back)
    yield SystemCommand("Forward", "Go forward", navigation.go_forward)
    yield SystemCommand("Keys", "Show every key", partial(show_help, app))


def copy_citation(app: App[Any], navigation: Navigator) -> None:
    """Copy the current item's citation (its sources and quotes) and say so."""
    loaded, entity_id = navigation.loaded, navigation.current_entity
    entity = loaded.dossier.get(entity_id) if loaded is not None and entity_id else None
    if loaded is None or entity is None:
        return
    text = citation_text(loaded.dossier, entity)
    app.copy_to_clipboard(text)
    first = text.splitlines()[1].strip() if "\n" in text else ""
    app.notify(f"Copied the citation of {entity.label!r}.\n{first}", title="Citation")


def show_help(app: App[Any]) -> None:
    """Show every key (unless the help is up already)."""
    if not isinstance(app.screen, HelpScreen):
        app.push_screen(HelpScreen())
