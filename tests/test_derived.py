"""Derived data in tui.content, without a terminal: the stance table, one_line, DATE_ORDER."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.synth import write_synthetic
from tui.content import Index, PartialDate, load_dossier
from tui.content.bundled import default_dossier
from tui.content.dates import DATE_ORDER
from tui.content.stances import StanceTable
from tui.content.text import one_line

from .conftest import fixture_dossier


# -- the stance table ------------------------------------------------------------
def test_rows_and_columns_sort_by_positions_ties_in_file_order() -> None:
    dossier = load_dossier(default_dossier(), use_cache=False)
    table = StanceTable(dossier, Index(dossier))
    by_actor = Counter(p.actor for issue in dossier.issues for p in issue.positions)
    file_order = {actor.id: n for n, actor in enumerate(dossier.actors)}
    expected_rows = sorted(dossier.actors, key=lambda a: (-by_actor[a.id], file_order[a.id]))
    assert [a.id for a in table.actors] == [a.id for a in expected_rows]
    assert list(table.actor_counts) == [by_actor[a.id] for a in expected_rows]
    assert table.actor_counts[0] > table.actor_counts[-1]
    issue_order = {issue.id: n for n, issue in enumerate(dossier.issues)}
    expected_cols = sorted(dossier.issues, key=lambda i: (-len(i.positions), issue_order[i.id]))
    assert [i.id for i in table.issues] == [i.id for i in expected_cols]
    assert list(table.issue_counts) == sorted(table.issue_counts, reverse=True)
    # Every position is in its cell, and nothing else is.
    cells = {
        (table.row_of[p.actor], table.col_of[issue.id]): p.stance
        for issue in dossier.issues
        for p in issue.positions
    }
    found = {
        (row, col): table.position(row, col)
        for row in range(len(table.actors))
        for col in range(len(table.issues))
    }
    assert {k: v.stance for k, v in found.items() if v is not None} == cells


def test_cursor_starts_on_the_origin() -> None:
    dossier = fixture_dossier("small")
    table = StanceTable(dossier, Index(dossier))
    assert [a.id for a in table.actors] == ["north", "south", "north-leader", "analyst"]
    assert table.start_for("south") == (1, 0)  # its row, at its first position
    assert table.start_for("analyst") == (3, 0)  # no position: its row all the same
    assert table.start_for("border") == (0, 0)  # an issue: its column, first actor on it
    assert table.start_for("no-deal") == (0, 0)
    assert table.start_for(None) == (0, 0)


def test_a_row_is_looked_up_only_when_asked_for() -> None:
    dossier = fixture_dossier("small")
    table = StanceTable(dossier, Index(dossier))
    assert table.rows_looked_up == 0
    assert [p.actor for p in table.cells(1).values()] == ["south"]
    assert table.cells(3) == {}  # the analyst takes no position
    assert table.rows_looked_up == 2
    assert table.longest_label == len("Bea Analyst")


def test_one_table_per_dossier_and_index() -> None:
    dossier = fixture_dossier("small")
    index = Index(dossier)
    assert StanceTable.built(dossier, index) is None
    table = StanceTable.of(dossier, index)
    assert StanceTable.of(dossier, index) is table
    assert StanceTable.built(dossier, index) is table
    # A reload makes a new dossier (and index): its table is a new one.
    reloaded = fixture_dossier("small")
    assert StanceTable.built(reloaded, index) is None
    assert StanceTable.of(reloaded, index) is not table
    assert StanceTable.built(reloaded, Index(reloaded)) is None


# -- text and dates --------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Plain name", "Plain name"),
        ("Two\nlines", "Two lines"),
        ("Tab\tand\n\n  breaks ", "Tab and breaks"),
        ("  kept  spacing  ", "  kept  spacing  "),  # no break: left as it is
    ],
)
def test_one_line(text: str, shown: str) -> None:
    assert one_line(text) == shown


@dataclass
class Dated:
    date: PartialDate


def test_date_order_puts_a_partial_date_before_the_dates_inside_it() -> None:
    dates = [PartialDate(2017, 4, 20), PartialDate(2018), PartialDate(2017, 4), PartialDate(2017)]
    in_order = sorted((Dated(d) for d in dates), key=DATE_ORDER)
    assert [str(item.date) for item in in_order] == ["2017", "2017-04", "2017-04-20", "2018"]
    assert [item.date for item in in_order] == sorted(dates)


# -- who points at an item -------------------------------------------------------
@pytest.mark.parametrize("profile", ["bundled", "light", "heavy"])
def test_owners_list_what_a_pass_over_every_item_finds(profile: str, tmp_path: Path) -> None:
    """The detail pane lists an item's positions, events and assessments from the
    backlinks (a pass over every item cost 20-50 ms a detail on 10,000 actors): the same
    items, in the same order, as the pass found them."""
    if profile == "bundled":
        dossier = load_dossier(default_dossier(), use_cache=False)
    else:
        dossier = load_dossier(write_synthetic(tmp_path / profile, 120, profile=profile),
                               use_cache=False)  # fmt: skip
    index = Index(dossier)
    for entity_id in dossier.entities:
        assert index.owners(entity_id, "actor") == [
            i.id for i in dossier.issues if any(p.actor == entity_id for p in i.positions)
        ]
        assert index.owners(entity_id, "actors") == [
            e.id for e in dossier.events if entity_id in e.actors
        ]
        assert index.owners(entity_id, "issues") == [
            e.id for e in dossier.events if entity_id in e.issues
        ]
        assert index.owners(entity_id, "about", "by") == [
            a.id for a in dossier.assessments if entity_id in a.about or a.by == entity_id
        ]
