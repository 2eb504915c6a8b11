"""The Textual application: holds the dossier and the navigation history."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from .commands import EntityCommands
from .content import Dossier, Index
from .history import History
from .screens import ExplorerScreen, HelpScreen


class DossierApp(App[None]):
    """Explore one loaded dossier; every screen shows ``history.current``."""

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

    def __init__(self, dossier: Dossier) -> None:
        super().__init__()
        self.dossier = dossier
        self.index = Index(dossier)
        self.history = History()

    def on_mount(self) -> None:
        self.title = self.dossier.info.title
        self.sub_title = f"as of {self.dossier.info.as_of}"
        first = next(
            iter(self.dossier.actors or self.dossier.issues or self.dossier.assessments), None
        )
        if first is not None:
            self.history.visit(first.id)
        self.push_screen(ExplorerScreen(self.dossier, self.index))

    @property
    def explorer(self) -> ExplorerScreen:
        return next(s for s in self.screen_stack if isinstance(s, ExplorerScreen))

    def open_entity(self, entity_id: str, *, replace: bool = False) -> None:
        """Show ``entity_id``: a new history step, or (``replace``) instead of the current one."""
        if self.dossier.get(entity_id) is None:
            self.notify(f"Nothing in this dossier has the id {entity_id!r}.", severity="warning")
            return
        if replace:
            self.history.replace(entity_id)
        else:
            self.history.visit(entity_id)
        self._show_current()

    def _show_current(self) -> None:
        self.explorer.show(self.history.current)
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
