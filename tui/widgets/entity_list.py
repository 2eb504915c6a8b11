"""A titled list of entities (one line each, on the line API)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..content import Entity


class EntityList(OptionList):
    """Entities of one kind; posts :class:`EntityList.Highlighted` as the cursor moves."""

    DEFAULT_CSS = """
    EntityList {
        height: 1fr;
        border: round $primary-darken-2;
    }
    EntityList:focus {
        border: round $accent;
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto ``entity``."""

        entity: Entity

    def __init__(self, title: str, entities: Sequence[Entity], *, id: str) -> None:
        self.entities = tuple(entities)
        options = [Option(Content(e.label), id=e.id) for e in self.entities]
        super().__init__(*options, id=id)
        self.border_title = Content(f"{title} ({len(self.entities)})")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self.entities[event.option_index]))
