"""Snapshot tests of key screens (pytest-textual-snapshot; update with --snapshot-update)."""

from __future__ import annotations

from typing import Any

import pytest

from tui.app import DossierApp
from tui.content import load_dossier
from tui.content.bundled import default_dossier

from .conftest import fixture_dossier


def default_app() -> DossierApp:
    return DossierApp(load_dossier(default_dossier(), use_cache=False))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(default_app(), terminal_size=size)


def test_issue_with_positions(snap_compare: Any) -> None:
    assert snap_compare(default_app(), terminal_size=(80, 24), press=["2", "down", "enter"])


def test_help_screen(snap_compare: Any) -> None:
    assert snap_compare(default_app(), terminal_size=(80, 24), press=["question_mark"])


def test_hostile_content(snap_compare: Any) -> None:
    app = DossierApp(fixture_dossier("hostile"))
    assert snap_compare(app, terminal_size=(80, 24), press=["down", "enter"])


def test_tour_first_stop(snap_compare: Any) -> None:
    assert snap_compare(default_app(), terminal_size=(80, 24), press=["p"])
