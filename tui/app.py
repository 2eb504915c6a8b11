"""The Textual application: holds the dossier and the navigation history."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.screen import Screen

from .commands import EntityCommands
from .content import Dossier, Index, LoadResult
from .content.citation import citation_text
from .content.gcpause import collector_paused, settle_startup_memory
from .content.text import clean_text
from .history import EXPLORER, History, Place
from .kept_views import KeptViews
from .output import CompactDriver
from .screens import VIEWS, ExplorerScreen, HelpScreen, PickerScreen, ViewScreen, view_screen
from .watch import ChangeWatcher

PREPARE_DELAY = 0.3
"""Seconds after the first screen before the views prepare what they need."""
WATCH_INTERVAL = 0.25
"""Seconds between looks at the files with --watch (a change acts after one quiet look)."""


class DossierApp(App[None]):
    """Explore a dossier; every screen shows ``history.current``.

    Started with a loaded dossier, or with a folder of several and a ``load``
    function, in which case a picker comes first.
    """

    CSS_PATH = "app.tcss"
    TITLE = "dossier"
    COMMANDS = App.COMMANDS | {EntityCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="quit-ctrl"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("f1", "help", "Help", show=False, id="help-f1"),
        # Back/forward are in the help, not the footer: a footer that tracked whether
        # they can act would be rebuilt on most steps, which costs more than the step.
        Binding("backspace", "go_back", "Back", show=False, id="back"),
        Binding("alt+left", "go_back", "Back", show=False, id="back-alt"),
        Binding("alt+right", "go_forward", "Forward", show=False, id="forward"),
        Binding("m", "open_view('matrix')", "Matrix", show=False, id="view-matrix"),
        Binding("t", "open_view('timeline')", "Timeline", show=False, id="view-timeline"),
        Binding("e", "open_view('evidence')", "Evidence", show=False, id="view-evidence"),
        Binding("n", "open_view('neighbourhood')", "Links", show=False, id="view-neighbourhood"),
        Binding("p", "tour", "Tour", show=False, id="tour"),
        Binding("y", "copy_citation", "Cite", show=False, id="copy-citation"),
    ]

    def __init__(
        self,
        dossier: Dossier | None = None,
        *,
        index: Index | None = None,
        choices: dict[str, Path] | None = None,
        folder: Path | None = None,
        load: Callable[[Path], LoadResult] | None = None,
        watch: Path | None = None,
    ) -> None:
        super().__init__()
        self.history = History()
        self.kept_views = KeptViews(self)
        self._watch_path = watch
        self._watcher: ChangeWatcher | None = None
        self._choices = choices or {}
        self._folder = folder or Path(".")
        self._load = load
        self.dossier: Dossier
        self.index: Index
        if dossier is not None:
            self._adopt(dossier, index)

    @staticmethod
    def _index_of(dossier: Dossier) -> Index:
        """Build the index (when the load did not bring one)."""
        with collector_paused():  # the index lives as long as the dossier: see gcpause
            return Index(dossier)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, writing fewer bytes on a Linux terminal (see :mod:`.output`)."""
        driver = super().get_driver_class()
        if driver is LinuxDriver and not os.environ.get("DOSSIER_PLAIN_OUTPUT"):
            return CompactDriver
        return driver

    def _adopt(self, dossier: Dossier, index: Index | None = None) -> None:
        """Start on ``dossier`` (a new history, at its first item)."""
        self._set_dossier(dossier, index)
        self.history = History()
        self._visit_first()

    def _set_dossier(self, dossier: Dossier, index: Index | None) -> None:
        """Hold ``dossier`` (and its index): the title follows, kept views go, and the
        views prepare for it once the screen has settled."""
        self.dossier = dossier
        self.index = index if index is not None else self._index_of(dossier)
        self.title = dossier.info.title
        self.sub_title = f"as of {dossier.info.as_of}"
        self.kept_views.clear()
        if self.is_running:
            self.set_timer(PREPARE_DELAY, self._prepare_views)

    def _visit_first(self) -> None:
        """Go to the dossier's first item when the history has no current place."""
        dossier = self.dossier
        first = next(iter(dossier.actors or dossier.issues or dossier.assessments), None)
        if first is not None and self.history.current is None:
            self.history.visit(Place(EXPLORER, first.id))

    def on_mount(self) -> None:
        if hasattr(self, "dossier"):
            self._start_explorer()
        else:
            self.push_screen(PickerScreen(self._folder, self._choices))
        self.call_after_refresh(settle_startup_memory)
        if hasattr(self, "dossier"):
            self.set_timer(PREPARE_DELAY, self._prepare_views)
        if self._watch_path is not None and self._load is not None:
            self._watcher = ChangeWatcher(self._watch_path, self._text_files())
            self.set_interval(WATCH_INTERVAL, self._poll_files)

    # -- live reload -------------------------------------------------------
    def _text_files(self) -> list[Path]:
        if not hasattr(self, "dossier"):
            return []
        root = self.dossier.root if self.dossier.root.is_dir() else self.dossier.root.parent
        return [root / s.text_file for s in self.dossier.sources if s.text_file]

    def _poll_files(self) -> None:
        if self._watcher is not None and self._watcher.poll():
            self._reload()

    @work(thread=True, exclusive=True, group="reload")
    def _reload(self) -> None:
        assert self._load is not None
        assert self._watch_path is not None
        result = self._load(self._watch_path)
        self.call_from_thread(self._reloaded, result)

    def _reloaded(self, result: LoadResult) -> None:
        explorer = self.explorer
        if result.dossier is None:
            problems = [clean_text(str(d)) for d in result.errors]
            if explorer is not None:
                explorer.set_problems(problems)
            self.notify("The dossier has errors: showing the last good version.", severity="error")
            return
        if self._watcher is not None:
            self._watcher.extra = self._text_files()
        if explorer is None:
            return
        while len(self.screen_stack) > 1 and self.screen is not explorer:
            self.pop_screen()
        self._set_dossier(result.dossier, result.index)
        self.history.forget(set(result.dossier.entities))
        self._visit_first()
        explorer.reload(self.dossier, self.index)
        self._show_current()
        self.notify("Reloaded.", timeout=2)

    def _start_explorer(self) -> None:
        screen = ExplorerScreen(self.dossier, self.index)
        if isinstance(self.screen, PickerScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # -- picking -----------------------------------------------------------
    def on_picker_screen_picked(self, message: PickerScreen.Picked) -> None:
        self.notify(f"Opening {message.path.name}…", timeout=2)
        self._open_picked(message.path)

    @work(thread=True, exclusive=True)
    def _open_picked(self, path: Path) -> None:
        assert self._load is not None
        result = self._load(path)
        self.call_from_thread(self._picked_loaded, path, result)

    def _picked_loaded(self, path: Path, result: LoadResult) -> None:
        if result.dossier is None:
            if isinstance(self.screen, PickerScreen):
                self.screen.show_problems(path, [clean_text(str(d)) for d in result.errors])
            return
        self._adopt(result.dossier, result.index)
        self._start_explorer()

    # -- navigation --------------------------------------------------------
    @property
    def explorer(self) -> ExplorerScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, ExplorerScreen)), None)

    def open_entity(self, entity_id: str, *, replace: bool = False) -> None:
        """Show ``entity_id`` in the explorer: a new history step, or (``replace``) in
        place of the current one."""
        if not hasattr(self, "dossier") or self.dossier.get(entity_id) is None:
            self.notify(f"Nothing in this dossier has the id {entity_id!r}.", severity="warning")
            return
        place = Place(EXPLORER, entity_id)
        if replace:
            self.history.replace(place)
        else:
            self.history.visit(place)
        self._show_current()

    def action_open_view(self, view: str) -> None:
        """Open an analyst view for the current item (a new history step)."""
        if view not in VIEWS or not hasattr(self, "dossier"):
            return
        self.history.visit(Place(view, self.history.current_entity))
        self._show_current()

    def _show_current(self) -> None:
        """Make the screens show ``history.current``: the explorer, or a view over it."""
        place = self.history.current
        explorer = self.explorer
        if place is None or explorer is None:
            return
        top = self.screen
        if isinstance(top, ViewScreen) and (top.VIEW, top.entity_id) == (
            place.view,
            place.entity_id,
        ):
            return
        while len(self.screen_stack) > 1 and self.screen is not explorer:
            self.pop_screen()
        explorer.show(place.entity_id)
        if place.view != EXPLORER:
            make = partial(view_screen(place.view), self.dossier, self.index, place.entity_id)
            self.push_screen(self.kept_views.screen_for(place, make))

    def _prepare_views(self) -> None:
        if hasattr(self, "dossier"):
            for view in VIEWS:
                view_screen(view).prepare(self.dossier, self.index)

    def restore_place(self, place: Place) -> None:
        """Put ``place`` back as the current one (after a tour) and show it."""
        self.history.replace(place)
        self._show_current()

    def action_tour(self) -> None:
        explorer = self.explorer
        if explorer is not None:
            explorer.start_tour()

    def action_copy_citation(self) -> None:
        entity_id = self.history.current_entity
        entity = self.dossier.get(entity_id) if entity_id else None
        if entity is None:
            return
        text = citation_text(self.dossier, entity)
        self.copy_to_clipboard(text)
        first = text.splitlines()[1].strip() if "\n" in text else ""
        self.notify(f"Copied the citation of {entity.label!r}.\n{first}", title="Citation")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            # Saving a screenshot writes a file: not something a served app should offer.
            if "screenshot" not in command.title.lower():
                yield command
        if not hasattr(self, "dossier"):
            return
        for view, entry in VIEWS.items():
            yield SystemCommand(
                f"View: {entry.name}",
                f"Open the {entry.name.lower()} for the current item",
                partial(self.action_open_view, view),
            )
        yield SystemCommand("Tour", "Present the dossier's guided tour", self.action_tour)
        yield SystemCommand(
            "Copy citation", "Copy the current item's sources and quotes", self.action_copy_citation
        )
        yield SystemCommand("Back", "Go back", self.action_go_back)
        yield SystemCommand("Forward", "Go forward", self.action_go_forward)
        yield SystemCommand("Keys", "Show every key", self.action_help)

    def trail_labels(self) -> list[str]:
        """The breadcrumb: a label for each place up to the current one."""
        labels = []
        for place in self.history.trail():
            if place.view != EXPLORER:
                labels.append(VIEWS[place.view].name)
                continue
            item = self.dossier.get(place.entity_id) if place.entity_id else None
            labels.append(item.label if item is not None else str(place.entity_id))
        return labels

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go_back":
            return self.history.can_go_back
        if action == "go_forward":
            return self.history.can_go_forward
        if action == "open_view":
            return hasattr(self, "dossier") and self.explorer is not None
        return True

    def action_go_back(self) -> None:
        if self.history.back() is not None:
            self._show_current()

    def action_go_forward(self) -> None:
        if self.history.forward() is not None:
            self._show_current()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
