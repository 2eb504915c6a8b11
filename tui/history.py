"""Back/forward navigation history with browser semantics (no Textual in here)."""

from __future__ import annotations

from collections.abc import Sequence

MAX_ENTRIES = 500
"""Oldest steps are dropped beyond this, so a long session stays small."""


class History:
    """A list of visited entity ids and a position in it.

    ``visit`` after going back drops the forward trail, as a browser does;
    visiting the entry already current is not a new step.
    """

    def __init__(self) -> None:
        self._entries: list[str] = []
        self._index = -1

    @property
    def current(self) -> str | None:
        """The id being shown, or None before the first visit."""
        return self._entries[self._index] if self._entries else None

    @property
    def can_go_back(self) -> bool:
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        return self._index < len(self._entries) - 1

    def visit(self, entity_id: str) -> bool:
        """Make ``entity_id`` the current entry; False if it already was."""
        if self.current == entity_id:
            return False
        del self._entries[self._index + 1 :]
        self._entries.append(entity_id)
        if len(self._entries) > MAX_ENTRIES:
            del self._entries[0]
        self._index = len(self._entries) - 1
        return True

    def replace(self, entity_id: str) -> None:
        """Make ``entity_id`` current in place of the current entry (cursor browsing)."""
        if not self._entries:
            self.visit(entity_id)
            return
        self._entries[self._index] = entity_id
        # A neighbour equal to the new entry would make back/forward look stuck.
        if self._index > 0 and self._entries[self._index - 1] == entity_id:
            del self._entries[self._index]
            self._index -= 1

    def back(self) -> str | None:
        """Step back; the new current id, or None if there is nothing behind."""
        if not self.can_go_back:
            return None
        self._index -= 1
        return self.current

    def forward(self) -> str | None:
        """Step forward; the new current id, or None if there is nothing ahead."""
        if not self.can_go_forward:
            return None
        self._index += 1
        return self.current

    def trail(self) -> Sequence[str]:
        """The entries up to and including the current one (for a breadcrumb)."""
        return self._entries[: self._index + 1]

    def forget(self, keep: set[str]) -> None:
        """Drop entries whose ids are not in ``keep`` (after a reload removed them)."""
        current = self.current
        self._entries = [e for e in self._entries if e in keep]
        if current in self._entries:
            self._index = self._entries.index(current)
        else:
            self._index = len(self._entries) - 1
