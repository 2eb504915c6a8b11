"""The detail pane: everything about one entity, its links followable with the keyboard.

Built on OptionList (line API): text lines are disabled options the cursor skips,
link lines are enabled ones, so up/down walk from link to link and enter follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..content import Dossier, Entity, Index
from .detail_lines import LINK_ARROW, DetailLine, detail_lines

HINT_KEYS = "asdfghjklqwertyuiopzxcvbnm"


def hint_labels(count: int) -> list[str]:
    """``count`` prefix-free labels: single letters while they last, else two letters."""
    if count <= len(HINT_KEYS):
        return list(HINT_KEYS[:count])
    return [a + b for a in HINT_KEYS for b in HINT_KEYS][:count]


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
    DetailPane.-hints { border: round $warning; }
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
        self.hints: dict[str, str] = {}
        """Label -> target while link hints are shown (empty otherwise)."""
        self._typed = ""

    def show(self, entity: Entity | None) -> None:
        """Render ``entity`` (None: the dossier's own summary) and go to the top."""
        self.entity = entity
        self.hints = {}
        self.remove_class("-hints")
        self.lines = detail_lines(self.dossier, self.index, entity)
        self.set_lines({})
        self.border_title = f"Detail: {entity.kind}" if entity is not None else "Detail"
        # No link is highlighted until the user moves: the pane opens at the top, and
        # the first down (or enter) lands on the first link.
        self.highlighted = None
        self.scroll_home(animate=False, immediate=True)

    def set_lines(self, labels: dict[int, str]) -> None:
        """(Re)build the options; ``labels`` puts a hint label on those link lines."""
        options = []
        for number, line in enumerate(self.lines):
            text = line.text
            label = labels.get(number)
            if label is not None:
                text = Text.assemble((f" {label} ", "bold reverse"), " ", text[len(LINK_ARROW) :])
            options.append(Option(text, disabled=line.target is None))
        self.set_options(options)

    # -- link hints ----------------------------------------------------------
    def start_hints(self) -> bool:
        """Label every link; typing a label follows it. False if there is no link."""
        links = self.links
        if not links:
            return False
        labels = hint_labels(len(links))
        self.hints = {label: target for label, (_, target) in zip(labels, links, strict=True)}
        self._typed = ""
        scroll_y, highlighted = self.scroll_y, self.highlighted
        self.set_lines({line: label for label, (line, _) in zip(labels, links, strict=True)})
        self.highlighted = highlighted
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.add_class("-hints")
        self.focus()
        return True

    def stop_hints(self) -> None:
        if not self.hints:
            return
        self.hints = {}
        scroll_y, highlighted = self.scroll_y, self.highlighted
        self.set_lines({})
        self.highlighted = highlighted
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.remove_class("-hints")

    def on_key(self, event: events.Key) -> None:
        if not self.hints:
            return
        event.stop()
        event.prevent_default()
        if event.key == "escape" or not event.character or not event.character.isalpha():
            self.stop_hints()
            return
        self._typed += event.character.lower()
        target = self.hints.get(self._typed)
        if target is not None:
            self.stop_hints()
            self.post_message(self.LinkChosen(target))
        elif not any(label.startswith(self._typed) for label in self.hints):
            self.stop_hints()
            self.notify(f"No link is labelled {self._typed!r}.", severity="warning", timeout=2)

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
