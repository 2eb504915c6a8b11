"""Hostile content through the explorer: shown literally, never styled, run or sent raw."""

from __future__ import annotations

from collections.abc import Callable

from tui.app import DossierApp
from tui.widgets import DetailPane

from .conftest import fixture_dossier
from .on_screen import screen_text

AppFactory = Callable[..., DossierApp]


def test_hostile_fixture_loads_with_escapes_removed() -> None:
    dossier = fixture_dossier("hostile")
    escapes = dossier.get("escapes")
    assert escapes is not None
    assert escapes.label == "Esc[2J[HAPE bell 31m C1"
    rtl = dossier.get("rtl")
    assert rtl is not None and "evil override" in rtl.aliases[1]
    assert "\u202e" not in rtl.aliases[1]


async def test_every_item_renders_literally(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        for entity_id in app.dossier.entities:
            app.open_entity(entity_id)
            await pilot.pause()
            lines = app.screen.query_one(DetailPane).lines
            text = "\n".join(line.text.plain for line in lines)
            assert app.dossier.entities[entity_id].label.split()[0] in text
            screen_text(app)  # asserts that no control character reached the screen
        app.open_entity("markup")
        await pilot.pause()
        shown = screen_text(app)
        assert "[b]Bold?[/b]" in shown
        assert "[the islands] are editorial brackets" in shown
        assert app.is_running


async def test_clicking_markup_that_looks_like_an_action_does_nothing(
    make_app: AppFactory,
) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("markup")
        await pilot.pause()
        for y in range(1, 23, 2):
            for x in (4, 40, 60):
                await pilot.click(offset=(x, y))
        await pilot.pause()
        assert app.is_running
        assert app.dossier.info.title.startswith("[bold]Hostile[/]")
        assert "[bold]Hostile[/] dossier" in screen_text(app)


async def test_long_words_and_wide_scripts_stay_inside_their_panes(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        before = {w.id: w.region for w in app.screen.query("EntityList, DetailPane")}
        for entity_id in ("longword", "cjk", "rtl"):
            app.open_entity(entity_id)
            await pilot.pause()
            after = {w.id: w.region for w in app.screen.query("EntityList, DetailPane")}
            assert after == before, entity_id
            pane = app.screen.query_one(DetailPane)
            assert pane.virtual_size.width <= pane.scrollable_content_region.width
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert app.is_running
