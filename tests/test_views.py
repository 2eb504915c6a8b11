"""Analyst views as places in the history: open by key, close with escape, back/forward."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tui.app import DossierApp
from tui.history import EXPLORER, Place
from tui.screens import VIEW_SCREENS, ExplorerScreen, ViewScreen

AppFactory = Callable[..., DossierApp]
VIEW_KEYS = {"m": "matrix", "t": "timeline", "e": "evidence", "n": "neighbourhood"}


@pytest.mark.parametrize(("key", "view"), sorted(VIEW_KEYS.items()))
async def test_key_opens_view_and_escape_returns(make_app: AppFactory, key: str, view: str) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")  # south
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, VIEW_SCREENS[view])
        assert app.screen.entity_id == "south"
        assert app.history.current == Place(view, "south")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current == Place(EXPLORER, "south")
        await pilot.press("alt+right")  # forward into the view again
        await pilot.pause()
        assert isinstance(app.screen, VIEW_SCREENS[view])


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
        assert isinstance(app.screen, VIEW_SCREENS["neighbourhood"])
