"""Analyst views as places in the history: open by key, close with escape, back/forward."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from tui.app import DossierApp
from tui.history import EXPLORER, Place
from tui.screens import VIEWS, ExplorerScreen, ViewScreen, view_screen
from tui.widgets import Breadcrumb

AppFactory = Callable[..., DossierApp]
VIEW_KEYS = {"m": "matrix", "t": "timeline", "e": "evidence", "n": "neighbourhood"}


@pytest.mark.parametrize(("key", "view"), sorted(VIEW_KEYS.items()))
async def test_key_opens_view_and_escape_returns(make_app: AppFactory, key: str, view: str) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")  # south
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, view_screen(view))
        assert app.screen.entity_id == "south"
        assert app.history.current == Place(view, "south")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current == Place(EXPLORER, "south")
        await pilot.press("alt+right")  # forward into the view again
        await pilot.pause()
        assert isinstance(app.screen, view_screen(view))


async def test_views_chain_in_history(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("t")  # a view from a view: still about the same item
        await pilot.pause()
        assert app.history.current == Place("timeline", "north")
        assert sum(isinstance(s, ViewScreen) for s in app.screen_stack) == 1  # never a pile
        await pilot.press("escape")
        await pilot.pause()
        assert app.history.current == Place("matrix", "north")
        assert isinstance(app.screen, ViewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)


async def test_opening_an_item_from_a_view_goes_to_the_explorer(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, ViewScreen)
        view.open_in_explorer("border")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current == Place(EXPLORER, "border")
        await pilot.press("backspace")
        await pilot.pause()
        assert isinstance(app.screen, view_screen("neighbourhood"))


async def test_reopening_a_view_at_the_same_place_shows_the_same_screen(
    make_app: AppFactory,
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        matrix = app.screen
        assert isinstance(matrix, view_screen("matrix"))
        await pilot.press("right")  # move the matrix cursor
        await pilot.pause()
        cursor = matrix.query_one("#matrix").cursor  # type: ignore[attr-defined]
        await pilot.press("escape", "down")  # back, then another actor
        await pilot.pause()
        await pilot.press("up", "m")  # the same actor again: the same place
        await pilot.pause()
        assert app.screen is matrix  # kept: not composed again
        assert matrix.query_one("#matrix").cursor == cursor  # type: ignore[attr-defined]
        trail = str(matrix.query_one(Breadcrumb).render())
        assert trail.endswith("Stance matrix")
        await pilot.press("escape", "down", "m")  # another actor: a view of its own
        await pilot.pause()
        assert app.screen is not matrix
        assert app.screen.entity_id == "south"  # type: ignore[attr-defined]


async def test_kept_views_are_dropped_when_the_dossier_changes(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("m", "escape", "t", "escape", "e", "escape", "n", "escape", "down", "m"):
            await pilot.press(key)
            await pilot.pause()
        installed = [
            name for name in app.navigation.kept_views.names if app.is_screen_installed(name)
        ]
        assert len(installed) == 4  # at most KEPT_VIEWS
        matrix = app.screen
        await pilot.press("escape")
        app.navigation.adopt(app.dossier, app.index)  # as a reload or a new pick does
        assert not app.navigation.kept_views.names
        assert not any(app.is_screen_installed(name) for name in installed)
        await pilot.press("m")
        await pilot.pause()
        assert app.screen is not matrix


def test_the_view_registry_agrees_with_the_screens() -> None:
    """VIEWS names each view as its screen does (the app shows names without importing)."""
    for view, entry in VIEWS.items():
        screen = view_screen(view)
        assert issubclass(screen, ViewScreen)
        assert (screen.VIEW, screen.NAME, screen.__name__) == (view, entry.name, entry.screen)


def test_starting_the_app_does_not_import_the_views() -> None:
    code = (
        "import sys, tui.cli, tui.app;"
        "print(','.join(m for m in sys.modules if m.startswith(('tui.screens.matrix',"
        " 'tui.screens.timeline', 'tui.screens.evidence', 'tui.screens.neighbourhood',"
        " 'tui.widgets.stance_grid', 'tui.widgets.timeline_list'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


async def test_a_view_key_typed_right_after_a_cursor_move_opens_the_view_there(
    make_app: AppFactory,
) -> None:
    """↓ ↓ m typed faster than the screen updates: the cursor moves are messages still
    waiting in the explorer's queue when m is handled; the view is still for the item
    they move to, and stays open (it was closed by the late moves before)."""
    from tui.widgets import EntityList

    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        actors = app.screen.query(EntityList).first()
        actors.cursor = 1  # posts Highlighted to the explorer; not handled yet
        actors.cursor = 2
        app.action_open_view("matrix")  # handled now, before those messages
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, view_screen("matrix"))
        assert app.screen.entity_id == actors.current.id  # type: ignore[union-attr]
        assert app.history.current == Place("matrix", actors.current.id)  # type: ignore[union-attr]
