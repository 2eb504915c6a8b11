"""The Changes view (diff mode, ``c``): everything that changed since the older version.

Grouped by kind as ``dossier diff`` prints it: an item that is in this version is a link
(enter opens it in the explorer); removed items, relations and the tour are plain lines.
Under each item, one muted line per change. Out of diff mode the view says how to start
it. The comparison itself is :mod:`tui.content.diffing`'s, made when the dossier was
loaded (see :mod:`tui.diffmode`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..diffmode import CHANGE_GLYPH, CHANGE_STYLE, change_text, screen_line, summary
from ..widgets.detail_lines import HEADING, LINK_ARROW, MUTED, DetailLine
from .view import LinesView

if TYPE_CHECKING:
    from ..content.diffing import DossierDiff, ItemChange

GROUPS = {
    "dossier": "The dossier",
    "source": "Sources",
    "actor": "Actors",
    "issue": "Issues",
    "assessment": "Assessments",
    "event": "Events",
    "relation": "Relations",
    "tour": "Tour",
}
"""Each kind of item and its heading, in the order they are listed."""
OPENABLE = frozenset({"source", "actor", "issue", "assessment", "event"})
NOT_IN_DIFF_MODE = (
    "Nothing to compare: start the explorer with dossier --diff OLD [PATH] to mark what "
    "changed since OLD, an older copy of this dossier, or with --diff-git REV to compare "
    "with git revision REV."
)


class ChangesScreen(LinesView):
    """Every change since diff mode's older version, a link per item still here."""

    VIEW = "changes"
    NAME = "Changes"

    def show(self) -> None:
        loaded = self.navigation.loaded
        baseline = self.navigation.baseline
        diff = loaded.diff if loaded is not None else None
        if diff is None or baseline is None:
            lines = [DetailLine(Text(NOT_IN_DIFF_MODE))]
            title = "Changes"
        else:
            lines = changes_lines(diff)
            title = f"Changes since {screen_line(baseline.name)}: {summary(diff)}"
        self.pane.lines = lines
        self.pane.set_lines({})
        self.pane.border_title = Text(title, no_wrap=True)
        first = next((n for n, line in enumerate(lines) if line.target), None)
        self.pane.highlighted = first


def changes_lines(diff: DossierDiff) -> list[DetailLine]:
    """The view's lines: a heading per kind, a line per item, its changes under it."""
    if diff.same:
        return [DetailLine(Text("No changes: this version says what the older one said."))]
    groups: dict[str, list[ItemChange]] = {kind: [] for kind in GROUPS}
    for item in diff.items:
        groups.setdefault(item.kind, []).append(item)
    lines: list[DetailLine] = []
    for kind, items in groups.items():
        if not items:
            continue
        if lines:
            lines.append(DetailLine(Text()))
        heading = f"{GROUPS.get(kind, kind)} ({len(items)})"
        lines.append(DetailLine(Text.assemble((heading, HEADING))))
        for item in items:
            lines.append(_item_line(item))
            if item.changes:
                lines.extend(
                    DetailLine(Text.assemble((f"    {t}", MUTED))) for t in change_text(item)
                )
    return lines


def _item_line(item: ItemChange) -> DetailLine:
    status = item.status.value
    label = screen_line(item.label or item.id)
    text = Text.assemble((f"{CHANGE_GLYPH[status]} ", CHANGE_STYLE[status]))
    openable = item.kind in OPENABLE and status != "removed"
    if openable:
        text.append(LINK_ARROW, MUTED)
    text.append(label)
    if item.old_id is not None:
        text.append(f"  (was {screen_line(item.old_id)})", MUTED)
    elif status in ("added", "removed"):
        text.append(f"  ({'new' if status == 'added' else 'removed'})", MUTED)
    return DetailLine(text, item.id if openable else None)


__all__ = ["ChangesScreen", "changes_lines"]
