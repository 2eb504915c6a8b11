"""The explorer as a user meets it (Pilot, 80x24)."""

from __future__ import annotations

from textual.widgets import OptionList

from tui.widgets import DetailPane


async def test_opens_with_lists_and_detail(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lists = app.screen.query(OptionList)
        assert [str(w.border_title) for w in lists] == [
            "Actors (4)",
            "Issues (1)",
            "Assessment (1)",
        ]
        assert app.title == "Small test dossier"
        assert app.sub_title == "as of 2020-05"


async def test_cursor_moves_update_the_detail(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        actors = app.screen.query_one("#actors", OptionList)
        actors.focus()
        await pilot.press("down")
        await pilot.pause()
        detail = app.screen.query_one(DetailPane)
        assert detail.entity is not None and detail.entity.id == "south"


async def test_quit_key(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
