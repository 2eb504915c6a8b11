"""The Textual application: the driver, the dossier swap and the app-wide keys
(navigation is :mod:`.navigation`'s, the palette :mod:`.commands`', reload :mod:`.watch`'s)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from socket import socket
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.screen import Screen

from .commands import EntityCommands, copy_citation, show_help, system_commands
from .content import Dossier, Index, LoadResult
from .content.gcpause import settle_startup_memory
from .diffmode import Baseline
from .edit import edit_current, in_served_session
from .history import History
from .navigation import DELAYS, Delays, Navigation
from .output import driver_for
from .presenting import PresenterModeApp
from .screens import PickerScreen
from .watch import LiveReload


class DossierApp(PresenterModeApp):
    """Explore a dossier (loaded, or one of a folder's picked first with ``load``); every
    screen shows ``navigation.current``. ``delays``: its timers (zero in tests); ``room``:
    presenter mode's channel (else ``DOSSIER_ROOM_FD``'s, if set; see :mod:`.presenting`);
    ``baseline``: diff mode's older version (see :mod:`.diffmode`).
    """

    CSS_PATH = "app.tcss"
    TITLE = "dossier"
    COMMANDS = App.COMMANDS | {EntityCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="quit-ctrl"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("f1", "help", "Help", show=False, id="help-f1"),
        # Back/forward: in the help only (a footer tracking them rebuilds on most steps).
        Binding("backspace", "go_back", "Back", show=False, id="back"),
        Binding("alt+left", "go_back", "Back", show=False, id="back-alt"),
        Binding("alt+right", "go_forward", "Forward", show=False, id="forward"),
        Binding("m", "open_view('matrix')", "Matrix", show=False, id="view-matrix"),
        Binding("t", "open_view('timeline')", "Timeline", show=False, id="view-timeline"),
        Binding("e", "open_view('evidence')", "Evidence", show=False, id="view-evidence"),
        Binding("n", "open_view('neighbourhood')", "Links", show=False, id="view-neighbourhood"),
        Binding("s", "open_view('search')", "Search", show=False, id="view-search"),
        Binding("p", "tour", "Tour", show=False, id="tour"),
        Binding("y", "copy_citation", "Cite", show=False, id="copy-citation"),
        Binding("E", "edit_item", "Edit", id="edit"),  # in the footer unless served; there
        Binding("E,shift+e", "edit_item('any')", "Edit", show=False, id="edit-any"),  # it says no
        Binding("c", "open_view('changes')", "Changes", id="view-changes"),  # --diff only
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
        delays: Delays = DELAYS,
        room: socket | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        super().__init__(room)
        self.navigation = Navigation(self, delays)
        self.navigation.baseline = baseline  # diff mode: compared with this older version
        self.live_reload: LiveReload | None = None
        if watch is not None and load is not None:
            self.live_reload = LiveReload(self, self.navigation, watch, load, delays.watch_interval)
        self._choices = choices or {}
        self._folder = folder or Path(".")
        self._load = load
        if dossier is not None:
            self.navigation.adopt(dossier, index)

    @property
    def history(self) -> History:
        return self.navigation.history

    @property
    def dossier(self) -> Dossier:
        """The dossier shown (an error before one is picked: see ``navigation.shown``)."""
        return self.navigation.shown.dossier

    @property
    def index(self) -> Index:
        return self.navigation.shown.index

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, writing fewer bytes on a Linux terminal (see :mod:`.output`)."""
        return driver_for(super().get_driver_class())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.navigation.user_active()
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.navigation.loaded is not None:
            self.navigation.open_explorer()
            self.navigation.prepare_views_soon()
        else:
            assert self._load is not None, "a folder of dossiers needs a load function"
            self.push_screen(PickerScreen(self._folder, self._choices, self._load))
        self.call_after_refresh(settle_startup_memory)
        if self.live_reload is not None:
            self.live_reload.start()

    def on_picker_screen_opened(self, message: PickerScreen.Opened) -> None:
        self.navigation.adopt(message.dossier, message.index)
        self.navigation.open_explorer()

    # -- app-wide keys -----------------------------------------------------
    def open_entity(self, entity_id: str, *, replace: bool = False) -> None:
        """Show ``entity_id`` in the explorer (see :meth:`Navigation.open_entity`)."""
        self.navigation.open_entity(entity_id, replace=replace)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        return system_commands(self, self.navigation, super().get_system_commands(screen))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        history = self.navigation.history
        if action in ("go_back", "go_forward"):
            return history.can_go_back if action == "go_back" else history.can_go_forward
        if action in ("open_view", "edit_item"):
            if parameters == ("changes",) and self.navigation.baseline is None:
                return False  # not diff mode
            if action == "edit_item" and not parameters and in_served_session(self):
                return False  # hidden: it could only be refused (edit-any still says why)
            return self.navigation.loaded is not None and self.navigation.explorer is not None
        return super().check_action(action, parameters)

    def action_open_view(self, view: str) -> None:
        self.navigation.open_view(view)

    def action_go_back(self) -> None:
        self.navigation.go_back()

    def action_go_forward(self) -> None:
        self.navigation.go_forward()

    def action_tour(self) -> None:
        self.navigation.start_tour()

    def action_copy_citation(self) -> None:
        copy_citation(self, self.navigation)

    def action_edit_item(self, _: str = "") -> None:
        edit_current(self, self.navigation, load=self._load, live_reload=self.live_reload)

    def action_help(self) -> None:
        show_help(self)
