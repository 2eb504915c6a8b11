"""The detail pane: everything about one entity, its links followable with the keyboard.

Built on OptionList (line API): text lines are disabled options the cursor skips,
link lines are enabled ones, so up/down walk from link to link and enter follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..content import Dossier, Entity, Index
from .detail_lines import DetailLine, detail_lines


class DetailPane(OptionList):
    """Shows one entity; posts :class:`LinkChosen` when a link is followed."""

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
        border: round $primary-darken-2;
        border-title-color: $text-muted;
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    DetailPane:focus {
        border: round $accent;
        border-title-color: $text;
        border-title-style: bold;
        background-tint: $foreground 0%;
    }
    DetailPane > .option-list--option-disabled {
        color: $foreground;
    }
    DetailPane > .option-list--option {
        color: $text-accent;
    }
    """

    BINDINGS = [
        Binding("k", "cursor_up", "Up", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
        Binding("enter", "select", "Follow link", id="follow"),
    ]

    @dataclass
    class LinkChosen(Message):
        """The user followed a link to ``target``."""

        target: str

    def __init__(self, dossier: Dossier, index: Index, *, id: str = "detail") -> None:
        super().__init__(id=id, markup=False)
        self.dossier = dossier
        self.index = index
        self.entity: Entity | None = None
        self.lines: list[DetailLine] = []
        self.border_title = "Detail"

    def show(self, entity: Entity | None) -> None:
        """Render ``entity`` (None: the dossier's own summary) and go to the top."""
        self.entity = entity
        self.lines = detail_lines(self.dossier, self.index, entity)
        self.set_options(
            Option(line.text, id=None, disabled=line.target is None) for line in self.lines
        )
        self.border_title = f"Detail: {entity.kind}" if entity is not None else "Detail"
        # No link is highlighted until the user moves: the pane opens at the top, and
        # the first down (or enter) lands on the first link.
        self.highlighted = None
        self.scroll_home(animate=False, immediate=True)

    @property
    def links(self) -> list[tuple[int, str]]:
        """(line, target) of every link, in order."""
        return [(n, line.target) for n, line in enumerate(self.lines) if line.target]

    def action_select(self) -> None:
        if self.highlighted is None:
            self.action_cursor_down()
        else:
            super().action_select()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self.lines[event.option_index].target
        if target is not None:
            self.post_message(self.LinkChosen(target))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
