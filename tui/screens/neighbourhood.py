"""The Neighbourhood view: the current item's links as a tree, one to three hops out.

Every item line is a link (enter opens it in the explorer); group headings and
'… and K more' lines are plain text the cursor skips. ``+`` and ``-`` change how
many hops the tree reaches. The tree itself comes from :mod:`tui.content.neighbourhood`.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive

from ..content import Dossier, Index
from ..content.neighbourhood import (
    LINE_LIMIT,
    MAX_HOPS,
    MIN_HOPS,
    LinkGraph,
    Neighbourhood,
    TreeLine,
    clamp_hops,
    neighbourhood,
    tree_lines,
)
from ..glyphs import STANCE_GLYPH, STANCE_STYLE
from ..widgets import LinesPane
from ..widgets.detail_lines import MUTED, DetailLine
from .view import LinesView

REPEAT_MARK = "↺ "
"""Marks an item already shown elsewhere in the tree (not expanded again)."""


class NeighbourhoodTree(LinesPane):
    """The tree, a line per item or group: a DetailPane whose lines the screen sets."""

    DEFAULT_CSS = """
    NeighbourhoodTree { padding: 0 1 0 1; }
    """

    def show_lines(self, lines: list[DetailLine], title: str) -> None:
        """Show ``lines``, keeping the cursor on the same item if it is still there."""
        highlighted = self.highlighted
        target = self.lines[highlighted].target if highlighted is not None else None
        self.lines = lines
        self.set_lines({})
        self.border_title = title
        self.highlighted = next(
            (n for n, line in enumerate(lines) if target and line.target == target), None
        )
        if self.highlighted is None:
            self.scroll_home(animate=False, immediate=True)


def tree_line_text(line: TreeLine) -> Text:
    """One laid-out tree line as literal text: guides, then the item or the heading."""
    text = Text()
    text.append(line.guide, style=MUTED)
    node = line.node
    if node is None:
        text.append(line.text, style="bold" if line.heading else MUTED)
        return text
    if node.repeat:
        text.append(REPEAT_MARK, style="bold")
    text.append(node.before, style=MUTED)
    text.append(node.label, style="bold" if not node.role else "")
    text.append(node.after, style=MUTED)
    if node.stance is not None:
        text.append(f"  {STANCE_GLYPH[node.stance]} {node.stance.value}", STANCE_STYLE[node.stance])
    # A repeat's kind was shown where the item is expanded; say only that it is repeated.
    text.append("  (again)" if node.repeat else f"  {node.kind}", style=MUTED)
    return text


def neighbourhood_lines(tree: Neighbourhood) -> list[DetailLine]:
    """The pane's lines: every item line a link, headings and counts plain."""
    lines = [
        DetailLine(tree_line_text(line), line.node.entity_id if line.node else None)
        for line in tree_lines(tree)
    ]
    if len(lines) == 1:
        lines.append(DetailLine(Text("Nothing links to or from this item.", style=MUTED)))
    if tree.truncated:
        note = f"… the tree stops at {LINE_LIMIT:,} lines: fewer hops show the rest in full"
        lines.append(DetailLine(Text(note, style=MUTED)))
    return lines


class NeighbourhoodScreen(LinesView):
    """What the current item links to and is linked from, N hops out."""

    VIEW = "neighbourhood"
    NAME = "Neighbourhood"
    PANE = NeighbourhoodTree

    BINDINGS = [
        Binding("plus,equals_sign", "change_hops(1)", "More hops", id="more-hops"),
        Binding("minus", "change_hops(-1)", "Fewer hops", id="fewer-hops"),
    ]

    hops: reactive[int] = reactive(MIN_HOPS, init=False)
    """How many links out the tree reaches (MIN_HOPS to MAX_HOPS)."""

    def __init__(self, dossier: Dossier, index: Index, entity_id: str | None) -> None:
        super().__init__(dossier, index, entity_id)
        self._graph = LinkGraph(dossier, index)
        self._tree: Neighbourhood | None = None

    @property
    def link_tree(self) -> Neighbourhood | None:
        """The tree shown (None when the view was opened without an item)."""
        return self._tree

    def show(self) -> None:
        pane = self.pane
        origin = self.origin
        if origin is None:
            self._tree = None
            note = "Open the neighbourhood from an item: it shows that item's links."
            pane.show_lines([DetailLine(Text(note, style=MUTED))], "Neighbourhood")
            return
        self._tree = neighbourhood(self._graph, origin.id, self.hops)
        plural = "s" if self.hops > 1 else ""
        title = f"Neighbourhood: {self.hops} hop{plural} (of {MAX_HOPS})"
        pane.show_lines(neighbourhood_lines(self._tree), title)

    def validate_hops(self, hops: int) -> int:
        return clamp_hops(hops)

    def watch_hops(self) -> None:
        self.show()
        self.refresh_bindings()

    def action_change_hops(self, step: int) -> None:
        self.hops += step

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "change_hops":
            if self.origin is None:
                return False
            step = parameters[0] if parameters and isinstance(parameters[0], int) else 0
            return MIN_HOPS <= self.hops + step <= MAX_HOPS
        return True
