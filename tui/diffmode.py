"""Diff mode (``dossier --diff OLD [PATH]``): the explorer compared with an older version.

A :class:`Baseline` is the older dossier, loaded once when the app starts. Each dossier
the app shows (the first, then every reload) is compared with it by
:func:`tui.content.diffing.compare`; the lists mark what changed and the detail pane and
the Changes view say how (see :func:`change_lines`). No Textual here: the lines are
plain data the widgets draw.

The comparison of a reload runs in the reload's worker thread (:meth:`Baseline.prepare`),
so the app's thread finds it done; the answer is kept for the last dossier compared.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .content.text import clean_text, one_line

if TYPE_CHECKING:
    from .content import Dossier
    from .content.diffing import DossierDiff, ItemChange

CHANGE_GLYPH: dict[str, str] = {"added": "+", "changed": "~", "renamed": "»", "removed": "−"}
"""A mark per status, told apart by shape (16 colours, NO_COLOR)."""
CHANGE_STYLE: dict[str, str] = {
    "added": "bold green",
    "changed": "bold yellow",
    "renamed": "bold cyan",
    "removed": "bold red",
}
CHANGE_WORD: dict[str, str] = {
    "added": "new",
    "changed": "changed",
    "renamed": "renamed",
    "removed": "removed",
}


@dataclass
class Baseline:
    """The older version the shown dossier is compared with."""

    dossier: Dossier
    name: str
    """How the user named it (a path, or ``REV:PATH``), printable."""
    _last: tuple[Dossier, DossierDiff] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def diff_for(self, dossier: Dossier) -> DossierDiff:
        """What changed from the baseline to ``dossier`` (worked out once per dossier)."""
        with self._lock:
            last = self._last
            if last is not None and last[0] is dossier:
                return last[1]
            from .content.diffing import compare  # only diff mode pays for the import

            diff = compare(self.dossier, dossier)
            self._last = (dossier, diff)
            return diff

    prepare = diff_for
    """Compare ahead of time (from a worker thread), so that showing ``dossier`` finds
    the answer ready."""


def summary(diff: DossierDiff) -> str:
    """``2 changed, 1 renamed`` (statuses with none left out), or ``no changes``."""
    parts = [f"{count} {status}" for status, count in diff.counts().items() if count]
    return ", ".join(parts) if parts else "no changes"


def statuses(diff: DossierDiff | None) -> dict[str, str] | None:
    """Each added, changed or renamed item's status by its id (None: not in diff mode)."""
    if diff is None:
        return None
    return {entity_id: change.status.value for entity_id, change in diff.by_new_id.items()}


def change_text(change: ItemChange) -> list[str]:
    """What the detail pane says of one item's change, a line each (content as
    written, on one line each; the widget draws it literally)."""
    status = change.status.value
    if status == "added":
        return ["new: not in the older version"]
    if status == "renamed":
        return [f"renamed: was {screen_line(change.old_id or '')}"]
    if status == "removed":
        return ["removed: not in this version"]
    return [screen_line(item.text) for item in change.changes]


def screen_line(text: str) -> str:
    """Content for one line of the screen: nothing that drives a terminal, no breaks."""
    return clean_text(one_line(text))


__all__ = [
    "CHANGE_GLYPH",
    "CHANGE_STYLE",
    "CHANGE_WORD",
    "Baseline",
    "change_text",
    "screen_line",
    "statuses",
    "summary",
]
