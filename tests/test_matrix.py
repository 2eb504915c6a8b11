"""The stance matrix as a user meets it: Pilot at 80x24, asserting on state and on the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.synth import write_synthetic
from tui.app import DossierApp
from tui.content import Stance, load_dossier
from tui.content.stances import StanceTable
from tui.glyphs import STANCE_GLYPH
from tui.screens import MatrixScreen
from tui.widgets.stance_grid import StanceGrid

from .conftest import bundled_dossier, fixture_dossier
from .on_screen import lines_of, press, screen_text

AppFactory = Callable[..., DossierApp]


def grid(app: DossierApp) -> StanceGrid:
    return app.screen.query_one(StanceGrid)


def info(app: DossierApp) -> str:
    """What the info area under the grid shows."""
    return "\n".join(lines_of(app.screen.query_one("#matrix-info")))


def cursor_ids(app: DossierApp) -> tuple[str, str]:
    current = grid(app).current
    assert current is not None
    return current[0].id, current[1].id


# -- the view ------------------------------------------------------------------
async def test_m_opens_the_matrix_on_the_origin_actor(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")  # Southland
        await press(pilot, "m")
        assert isinstance(app.screen, MatrixScreen)
        assert app.focused is grid(app)
        assert cursor_ids(app) == ("south", "border")
        text = info(app)
        assert "Southland" in text and "The border line" in text
        assert f"{STANCE_GLYPH[Stance.AGAINST]} against" in text
        assert "Never." in text and "¶2" in text
        shown = screen_text(app)
        assert "Stance matrix: 4 actors × 1 issue" in shown
        assert "[−]" in shown  # the cursor: brackets, readable without colour
        assert "+ for" in shown and "? unclear" in shown  # the legend
        assert "Open issue" in shown and "Open actor" in shown  # the footer


async def test_moving_the_cursor_updates_the_info_area(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "down", "m")
        await press(pilot, "up")
        assert cursor_ids(app) == ("north", "border")
        text = info(app)
        assert "Northland" in text and "+ for" in text
        assert "Yes" in text and "“the line should move”" in text and "¶1" in text
        await press(pilot, "j", "j")
        assert cursor_ids(app) == ("north-leader", "border")
        assert "Ada North" in info(app) and "no recorded position" in info(app)
        await pilot.press("G")
        assert cursor_ids(app)[0] == "analyst"
        await pilot.press("g")
        assert cursor_ids(app)[0] == "north"
        await pilot.press("right")  # one column only: the cursor stays put
        assert cursor_ids(app) == ("north", "border")


async def test_columns_are_numbered_and_the_info_names_the_issue(make_app: AppFactory) -> None:
    app = make_app(bundled_dossier())
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "m")
        table = grid(app).table
        assert cursor_ids(app)[0] == "russia"
        await press(pilot, "g", "home")
        assert cursor_ids(app) == (table.actors[0].id, table.issues[0].id)
        assert f"#1 {table.issues[0].title}" in info(app)
        await press(pilot, "end")
        last = len(table.issues)
        assert f"#{last} {table.issues[-1].title}" in info(app)
        header = lines_of(grid(app))[1]
        assert "actor ╲ issue" in header and " 1 " in header and str(last) in header


async def test_opened_from_an_issue_the_cursor_is_in_its_column(make_app: AppFactory) -> None:
    app = make_app(bundled_dossier())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("peace-treaty")
        await pilot.pause()
        await press(pilot, "m")
        table = grid(app).table
        row, col = grid(app).cursor
        assert table.issues[col].id == "peace-treaty"
        assert table.position(row, col) is not None  # the first actor with a position
        assert all(table.position(r, col) is None for r in range(row))


async def test_hostile_content_is_shown_literally(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "m")
        assert isinstance(app.screen, MatrixScreen)
        assert cursor_ids(app) == ("markup", "hostile-issue")
        shown = screen_text(app)
        assert "[b]Bold?[/b]" in shown
        text = info(app)
        assert "[reverse]Issue[/reverse] with $variables and {braces}" in text
        assert "[@click=app.bell]ring[/]" in text
        assert "“[bold]quoted markup[/bold]”" in text
        for key in ("down", "down", "down", "down", "right", "end", "G"):
            await press(pilot, key)
            screen_text(app)
        assert app.is_running


async def test_the_cursor_moves_in_a_small_terminal(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(40, 12)) as pilot:
        await press(pilot, "m")
        table_widget = grid(app)
        assert table_widget.scrollable_content_region.height >= 3  # header and two rows
        await press(pilot, "down", "down")
        assert cursor_ids(app)[0] == table_widget.table.actors[2].id


async def test_large_matrix_scrolls_both_ways_and_draws_only_what_is_in_view(
    tmp_path: Path, make_app: AppFactory
) -> None:
    write_synthetic(tmp_path / "big", 300)
    app = make_app(load_dossier(tmp_path / "big", use_cache=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "m")
        widget = grid(app)
        table = widget.table
        assert len(table.actors) == 300 and len(table.issues) == 300
        assert table.rows_looked_up < 40  # the visible rows (and the origin's), not 300
        await press(pilot, "g", "home")
        assert widget.scroll_offset == (0, 0)
        await press(pilot, "G", "end")
        assert widget.scroll_x > 0 and widget.scroll_y > 0
        assert widget.cursor == (299, 299)
        shown = screen_text(app)
        numbers = [int(n) for n in lines_of(widget)[1].split("│")[2].split()]
        assert numbers[-1] == 300  # the last column, in view
        assert numbers == list(range(numbers[0], 301))  # whole columns: none cut in half
        last = table.actors[-1].label
        assert last[:8] in shown
        assert table.rows_looked_up < 80
        await press(pilot, "pageup", "ctrl+pageup")
        row, col = widget.cursor
        assert row < 299 and col < 299


async def test_the_scrollbar_is_the_grids_last_column(tmp_path: Path, make_app: AppFactory) -> None:
    """The vertical bar is drawn inline (no scrollbar widget); a click on its track
    pages the rows without moving the cursor, and the last column is still reachable."""
    write_synthetic(tmp_path / "big", 60)
    app = make_app(load_dossier(tmp_path / "big", use_cache=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "m", "g", "home")
        widget = grid(app)
        assert not widget.show_vertical_scrollbar and widget.show_horizontal_scrollbar
        column = widget.bar()
        assert column is not None and column.thumb[0] == 0
        assert widget.viewport.width == widget.scrollable_content_area.width - 1
        bar_cells = [line[-2] for line in lines_of(widget)[1:-2]]  # inside the border
        assert bar_cells == [cell.text for cell in column.cells]
        region = widget.scrollable_content_region  # above the horizontal bar's row
        await pilot.click(offset=(region.right - 1, region.bottom - 1))
        await pilot.pause()
        assert widget.cursor == (0, 0)
        assert widget.scroll_y > 0
        await press(pilot, "end")
        numbers = [int(n) for n in lines_of(widget)[1].split("│")[2].split()]
        assert numbers[-1] == 60  # the last column whole, left of the bar


def test_matrix_snapshot(snap_compare: Any, make_app: AppFactory) -> None:
    assert snap_compare(make_app(bundled_dossier()), terminal_size=(80, 24), press=["m"])


async def test_the_table_is_sorted_before_the_matrix_is_first_opened(
    make_app: AppFactory,
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the app prepares its views once the first screen is up
        table = StanceTable.built(app.dossier, app.index)
        assert table is not None
        await press(pilot, "m")
        assert app.screen.table is table  # type: ignore[attr-defined]


async def test_the_views_are_prepared_once_keys_pause_after_the_first_frame() -> None:
    """Preparing the views holds the app for a moment on a big dossier: it waits for the
    first frame, then for a pause in the keys, so a key pressed early never waits on it."""
    from tui.navigation import Delays

    delays = Delays(prepare_views=0.25, prepare_neighbours=0, prefetch_link=0,
                    watch_interval=None, room_place=0)  # fmt: skip
    app = DossierApp(fixture_dossier("small"), delays=delays)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(6):  # keys every 0.1 s: less than the pause the views wait for
            await pilot.press("down" if _ % 2 == 0 else "up")
            await pilot.pause(0.1)
            assert StanceTable.built(app.dossier, app.index) is None
        await pilot.pause(0.5)
        assert StanceTable.built(app.dossier, app.index) is not None
