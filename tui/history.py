"""Back/forward navigation history with browser semantics (no Textual in here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXPLORER = "explorer"


@dataclass(frozen=True)
class Place:
    """Where the user is: a view (the explorer, the matrix, ...) and its item."""

    view: str
    entity_id: str | None = None


MAX_ENTRIES = 500
"""Oldest steps are dropped beyond this, so a long session stays small."""


class History:
    """A list of visited places and a position in it.

    ``visit`` after going back drops the forward trail, as a browser does;
    visiting the entry already current is not a new step.
    """

    def __init__(self) -> None:
        self._entries: list[Place] = []
        self._index = -1

    @property
    def current(self) -> Place | None:
        """The place being shown, or None before the first visit."""
        return self._entries[self._index] if self._entries else None

    @property
    def can_go_back(self) -> bool:
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        return self._index < len(self._entries) - 1

    @property
    def current_entity(self) -> str | None:
        """The item of the current place (None before the first visit)."""
        place = self.current
        return place.entity_id if place is not None else None

    def visit(self, place: Place) -> bool:
        """Make ``place`` the current entry; False if it already was."""
        if self.current == place:
            return False
        del self._entries[self._index + 1 :]
        self._entries.append(place)
        if len(self._entries) > MAX_ENTRIES:
            del self._entries[0]
        self._index = len(self._entries) - 1
        return True

    def replace(self, place: Place) -> None:
        """Make ``place`` current in place of the current entry (cursor browsing)."""
        if not self._entries:
            self.visit(place)
            return
        self._entries[self._index] = place
        # A neighbour equal to the new entry would make back/forward look stuck.
        if self._index > 0 and self._entries[self._index - 1] == place:
            del self._entries[self._index]
            self._index -= 1

    def back(self) -> Place | None:
        """Step back; the new current place, or None if there is nothing behind."""
        if not self.can_go_back:
            return None
        self._index -= 1
        return self.current

    def forward(self) -> Place | None:
        """Step forward; the new current place, or None if there is nothing ahead."""
        if not self.can_go_forward:
            return None
        self._index += 1
        return self.current

    def trail(self) -> Sequence[Place]:
        """The entries up to and including the current one (for a breadcrumb)."""
        return self._entries[: self._index + 1]

    def forget(self, keep: set[str]) -> None:
        """Drop places whose items are not in ``keep`` (after a reload removed them)."""
        current = self.current
        self._entries = [e for e in self._entries if e.entity_id is None or e.entity_id in keep]
        if current in self._entries:
            self._index = self._entries.index(current)
        else:
            self._index = len(self._entries) - 1
