"""The Stance matrix view: who stands where on what, actors by issues.

Rows and columns are sorted by number of positions, so the busy corner is at the
top left. Columns are numbered (issue titles are long); the info area under the grid
names the actor and the issue under the cursor in full, with the position and what
it cites. ``enter`` opens the issue, ``a`` the actor.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ..content import Actor, Dossier, Index, Issue, Position, Ref
from ..content.stances import StanceTable
from ..content.text import one_line
from ..glyphs import STANCE_GLYPH, STANCE_STYLE
from ..widgets.stance_grid import StanceGrid, stance_legend
from .view import ViewScreen

MUTED = "dim"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class MatrixScreen(ViewScreen):
    """Stance matrix of the dossier, the cursor on the item the user came from."""

    VIEW = "matrix"
    NAME = "Stance matrix"
    SHORT = 20  # the info area shrinks to two lines and the legend hides

    DEFAULT_CSS = """
    MatrixScreen #matrix-info { height: 5; }
    MatrixScreen #matrix-legend {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    MatrixScreen.-short #matrix-info { height: 2; }
    MatrixScreen.-short #matrix-legend { display: none; }
    """

    def __init__(self, dossier: Dossier, index: Index, entity_id: str | None) -> None:
        super().__init__(dossier, index, entity_id)
        self.table = StanceTable.of(dossier, index)
        """Sorted once per dossier: the grid and the info area read it."""
        self._info_for: tuple[str, str] | None = None
        """(actor, issue) the info area describes."""

    @classmethod
    def prepare(cls, dossier: Dossier, index: Index) -> None:
        """Sort the table (the slow part of a first matrix on a large dossier)."""
        StanceTable.of(dossier, index)

    def compose_view(self) -> ComposeResult:
        table = self.table
        grid = StanceGrid(table, start=table.start_for(self.entity_id), id="matrix")
        grid.border_title = (
            f"Stance matrix: {_plural(len(table.actors), 'actor')}"
            f" × {_plural(len(table.issues), 'issue')}"
        )
        grid.border_subtitle = "sorted by number of positions"
        yield grid
        current = grid.current
        self._info_for = (current[0].id, current[1].id) if current is not None else None
        info = self._info(*current) if current is not None else ""
        yield Static(info, id="matrix-info", classes="view-info", markup=False)
        yield Static(stance_legend(), id="matrix-legend", markup=False)

    # -- messages up -------------------------------------------------------
    def on_stance_grid_cell_highlighted(self, message: StanceGrid.CellHighlighted) -> None:
        cell = (message.actor.id, message.issue.id)
        if cell == self._info_for:
            return  # shown already (the grid announces its first cell on mount)
        self._info_for = cell
        self.query_one("#matrix-info", Static).update(
            self._info(message.actor, message.issue, message.position),
            layout=False,  # a fixed-size area: repaint it, not the screen
        )

    def on_stance_grid_chosen(self, message: StanceGrid.Chosen) -> None:
        self.open_in_explorer(message.entity_id)

    # -- the info area -----------------------------------------------------
    def _info(self, actor: Actor, issue: Issue, position: Position | None) -> Group:
        table = self.table
        row, col = table.row_of[actor.id], table.col_of[issue.id]
        actor_line = Text(no_wrap=True, overflow="ellipsis")
        actor_line.append(one_line(actor.label), style="bold")
        actor_line.append(f"  {_plural(table.actor_counts[row], 'position')}", style=MUTED)
        issue_line = Text(no_wrap=True, overflow="ellipsis")
        issue_line.append(f"#{col + 1} ", style="bold")
        issue_line.append(one_line(issue.label))
        issue_line.append(f"  {_plural(table.issue_counts[col], 'position')}", style=MUTED)
        stance_line = Text(no_wrap=True, overflow="ellipsis")
        said = Text()
        if position is None:
            stance_line.append("no recorded position", style=MUTED)
        else:
            style = STANCE_STYLE[position.stance]
            stance_line.append(f"{STANCE_GLYPH[position.stance]} {position.stance.value}", style)
            cited = self._cite(position.refs)
            if cited:
                stance_line.append(f"  cites {cited}", style=MUTED)
            said.append(position.position or "(no position text)")
            for ref in position.refs:
                if ref.quote:
                    said.append("  “", style=MUTED)
                    said.append(ref.quote, style="italic")
                    said.append("”", style=MUTED)
        return Group(actor_line, issue_line, stance_line, said)

    def _cite(self, refs: Iterable[Ref]) -> str:
        """Refs as '¶1, ¶2; ¶4 of Other source', as the detail pane cites them: the
        dossier's main (first) source goes unnamed."""
        main_source = self.dossier.sources[0].id if self.dossier.sources else ""
        by_source: dict[str, list[int]] = {}
        for ref in refs:
            by_source.setdefault(ref.source, []).extend(ref.paras)
        parts = []
        for source_id, paras in by_source.items():
            numbers = ", ".join(f"¶{n}" for n in dict.fromkeys(paras))
            if source_id == main_source:
                parts.append(numbers)
                continue
            source = self.dossier.get(source_id)
            parts.append(f"{numbers} of {source.label if source is not None else source_id}")
        return "; ".join(parts)
