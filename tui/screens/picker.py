"""The picker: choose one of several dossiers found in a folder, and load it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..content import Dossier, Index, LoadResult
from ..content.text import clean_text
from ..widgets import KeyBar, TitleBar


class PickerScreen(Screen[None]):
    """Lists dossier folders; enter loads one (off the UI thread) and posts
    :class:`Opened`, or shows why it cannot be opened."""

    DEFAULT_CSS = """
    PickerScreen OptionList { height: 1fr; border: round $accent; }
    PickerScreen #picker-help { padding: 0 1; color: $text-muted; }
    PickerScreen #picker-problems {
        padding: 0 1;
        color: $text-error;
        height: auto;
        max-height: 12;
    }
    """

    BINDINGS = [Binding("enter", "pick", "Open", show=True, id="pick")]

    @dataclass
    class Opened(Message):
        """The picked dossier, loaded: the app shows it."""

        dossier: Dossier
        index: Index | None

    def __init__(
        self, folder: Path, choices: dict[str, Path], load: Callable[[Path], LoadResult]
    ) -> None:
        super().__init__()
        self.folder = folder
        self.choices = choices
        self._load = load

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(
            Text(f"{self.folder} holds {len(self.choices)} dossiers: choose one."),
            id="picker-help",
        )
        yield OptionList(
            *(Option(Text(name), id=name) for name in self.choices), id="picker", markup=False
        )
        yield Static("", id="picker-problems", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.app.sub_title = "choose a dossier"
        self.query_one(OptionList).focus()

    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            name = options.get_option_at_index(options.highlighted).id
            if name is not None:
                self.open(self.choices[name])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.open(self.choices[event.option.id])

    def open(self, path: Path) -> None:
        """Load ``path``; then post :class:`Opened`, or show its problems."""
        self.notify(f"Opening {path.name}…", timeout=2)
        self._load_in_thread(path)

    @work(thread=True, exclusive=True)
    def _load_in_thread(self, path: Path) -> None:
        result = self._load(path)
        self.app.call_from_thread(self._loaded, path, result)

    def _loaded(self, path: Path, result: LoadResult) -> None:
        if result.dossier is None:
            self.show_problems(path, [clean_text(str(d)) for d in result.errors])
        else:
            self.post_message(self.Opened(result.dossier, result.index))

    def show_problems(self, path: Path, lines: list[str]) -> None:
        """Say why ``path`` could not be opened (the picker stays)."""
        shown = lines[:10] + ([f"... and {len(lines) - 10} more"] if len(lines) > 10 else [])
        self.query_one("#picker-problems", Static).update(
            Text(f"{path.name} cannot be opened:\n" + "\n".join(shown))
        )
