"""The Textual application: holds the dossier and the navigation history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding

from .commands import EntityCommands
from .content import Dossier, Index, LoadResult
from .content.fields import clean_text
from .history import History
from .screens import ExplorerScreen, HelpScreen, PickerScreen


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
        Binding("backspace", "go_back", "Back", id="back"),
        Binding("alt+left", "go_back", "Back", show=False, id="back-alt"),
        Binding("alt+right", "go_forward", "Forward", show=False, id="forward"),
    ]

    def __init__(
        self,
        dossier: Dossier | None = None,
        *,
        choices: dict[str, Path] | None = None,
        folder: Path | None = None,
        load: Callable[[Path], LoadResult] | None = None,
    ) -> None:
        super().__init__()
        self.history = History()
        self._choices = choices or {}
        self._folder = folder or Path(".")
        self._load = load
        self.dossier: Dossier
        self.index: Index
        if dossier is not None:
            self._adopt(dossier)

    def _adopt(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.index = Index(dossier)
        self.history = History()
        first = next(iter(dossier.actors or dossier.issues or dossier.assessments), None)
        if first is not None:
            self.history.visit(first.id)

    def on_mount(self) -> None:
        if hasattr(self, "dossier"):
            self._start_explorer()
        else:
            self.push_screen(PickerScreen(self._folder, self._choices))

    def _start_explorer(self) -> None:
        self.title = self.dossier.info.title
        self.sub_title = f"as of {self.dossier.info.as_of}"
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
        self._adopt(result.dossier)
        self._start_explorer()

    # -- navigation --------------------------------------------------------
    @property
    def explorer(self) -> ExplorerScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, ExplorerScreen)), None)

    def open_entity(self, entity_id: str, *, replace: bool = False) -> None:
        """Show ``entity_id``: a new history step, or (``replace``) instead of the current one."""
        if not hasattr(self, "dossier") or self.dossier.get(entity_id) is None:
            self.notify(f"Nothing in this dossier has the id {entity_id!r}.", severity="warning")
            return
        if replace:
            self.history.replace(entity_id)
        else:
            self.history.visit(entity_id)
        self._show_current()

    def _show_current(self) -> None:
        explorer = self.explorer
        if explorer is not None:
            explorer.show(self.history.current)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go_back":
            return self.history.can_go_back
        if action == "go_forward":
            return self.history.can_go_forward
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
