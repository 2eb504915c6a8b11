"""The stance matrix's table: actors by issues, sorted by number of positions.

Derived from a dossier and its index once, and drawn by
:class:`tui.widgets.stance_grid.StanceGrid`; nothing here knows about a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from weakref import WeakKeyDictionary

from .index import Index
from .lazy import Reordered, catalog_of, derived_of
from .model import Actor, Dossier, Issue, Position


class StanceTable:
    """Actors by issues, each sorted by number of positions (most first, then file order).

    Built once per loaded dossier (:meth:`of`; every matrix opened on it shares it): the
    counts and orders are computed up front (one pass over the positions); the cells of
    a row are looked up through the index the first time the row is drawn, so rows
    never scrolled to cost nothing.
    """

    @classmethod
    def of(cls, dossier: Dossier, index: Index) -> StanceTable:
        """The table of ``dossier``, built the first time it is asked for."""
        table = _TABLES.get(index)
        if table is None or table.dossier is not dossier:
            table = _TABLES[index] = cls(dossier, index)
        return table

    @classmethod
    def built(cls, dossier: Dossier, index: Index) -> StanceTable | None:
        """The table of ``dossier`` if :meth:`of` has built it already, else None."""
        table = _TABLES.get(index)
        return table if table is not None and table.dossier is dossier else None

    def __init__(self, dossier: Dossier, index: Index) -> None:
        self.dossier = dossier
        self._index = index
        # Counts from what the dossier's store worked out (a stored dossier decodes no
        # item for them), names from its catalog: only the rows drawn decode anything.
        counts = derived_of(dossier)
        issue_counts: list[int] = counts["issue_positions"]
        actor_counts: list[int] = counts["actor_positions"]
        rows = sorted(range(len(actor_counts)), key=actor_counts.__getitem__, reverse=True)
        cols = sorted(range(len(issue_counts)), key=issue_counts.__getitem__, reverse=True)
        self.actors: Sequence[Actor] = Reordered(dossier.actors, rows)
        """The rows."""
        self.issues: Sequence[Issue] = Reordered(dossier.issues, cols)
        """The columns."""
        self.actor_counts: tuple[int, ...] = tuple(actor_counts[n] for n in rows)
        """Positions of each row's actor."""
        self.issue_counts: tuple[int, ...] = tuple(issue_counts[n] for n in cols)
        """Positions on each column's issue."""
        actors, issues = catalog_of(self.actors), catalog_of(self.issues)
        # len, not cell_len: it is the C-speed bound of 10,000 names, and wide
        # scripts are truncated to fit whatever the estimate.
        self.longest_label = max((len(actor.label) for actor in actors), default=0)
        """Characters in the longest actor name (to size the row headers)."""
        self.row_of: dict[str, int] = {actor.id: row for row, actor in enumerate(actors)}
        self.col_of: dict[str, int] = {issue.id: col for col, issue in enumerate(issues)}
        self._cells: dict[int, dict[int, Position]] = {}

    def cells(self, row: int) -> dict[int, Position]:
        """column -> position for one row (an actor's first position on each issue)."""
        cells = self._cells.get(row)
        if cells is None:
            actor_id = self.actors[row].id
            cells = {}
            for backlink in self._index.backlinks_of(actor_id):
                col = self.col_of.get(backlink.owner)
                if backlink.field != "actor" or col is None or col in cells:
                    continue
                position = next(
                    (p for p in self.issues[col].positions if p.actor == actor_id), None
                )
                if position is not None:
                    cells[col] = position
            self._cells[row] = cells
        return cells

    @property
    def rows_looked_up(self) -> int:
        """How many rows' cells have been looked up so far (the rest have cost nothing)."""
        return len(self._cells)

    def position(self, row: int, col: int) -> Position | None:
        return self.cells(row).get(col)

    def start_for(self, entity_id: str | None) -> tuple[int, int]:
        """Where the cursor starts: on the row of an actor or the column of an issue,
        at its first position (top-left when ``entity_id`` is neither)."""
        if entity_id in self.row_of:
            row = self.row_of[entity_id]
            return row, min(self.cells(row), default=0)
        if entity_id in self.col_of:
            col = self.col_of[entity_id]
            issue = self.issues[col]
            rows = [self.row_of[p.actor] for p in issue.positions if p.actor in self.row_of]
            return min(rows, default=0), col
        return 0, 0


_TABLES: WeakKeyDictionary[Index, StanceTable] = WeakKeyDictionary()
"""The table of each live index (a reload makes a new index, and so a new table).

Not an :class:`~tui.content.lru.LRUCache` on purpose: this memo is bound to the life of
its index, not to a size. A table lives exactly as long as the loaded dossier it was
sorted for (a kept matrix, the next one opened and the prepared one share it); an LRU
would keep an old index and its dossier alive after a reload, or drop the table of
the dossier still on screen. Nor an attribute of the :class:`~.index.Index`, which
holds what every screen needs; the table is derived from it only on demand."""


__all__ = ["StanceTable"]
