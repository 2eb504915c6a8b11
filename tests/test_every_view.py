"""What every analyst view does the same way, checked for each: it opens from any item of
a hostile dossier with nothing unsafe on screen, survives a small terminal, returns on
escape and opens what is under the cursor; the matrix and the timeline say when they
have nothing to show and keep names with line breaks on one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from tui.app import DossierApp
from tui.screens import (
    EvidenceScreen,
    ExplorerScreen,
    MatrixScreen,
    NeighbourhoodScreen,
    TimelineScreen,
)
from tui.screens.evidence import EvidencePane
from tui.screens.neighbourhood import NeighbourhoodTree
from tui.widgets.breadcrumb import Breadcrumb
from tui.widgets.stance_grid import StanceGrid
from tui.widgets.timeline_list import TimelineList

from .on_screen import lines_of, press, screen_text

AppFactory = Callable[..., DossierApp]


@dataclass(frozen=True)
class View:
    key: str
    """The key that opens it from the explorer."""
    screen: type[Screen[None]]
    pane: type[Widget]
    """The widget that shows its rows."""
    title: str
    """What its pane's title starts with (once ``more`` is pressed)."""
    more: tuple[str, ...] = ()
    """Keys that show all it can (the neighbourhood's three hops)."""
    info_gives_way: bool = False
    """Whether its info area shrinks or hides in a short terminal (the ``-short`` class)."""

    def __str__(self) -> str:
        return self.screen.__name__


MATRIX = View("m", MatrixScreen, StanceGrid, "Stance matrix", info_gives_way=True)
TIMELINE = View("t", TimelineScreen, TimelineList, "Timeline", info_gives_way=True)
EVIDENCE = View("e", EvidenceScreen, EvidencePane, "Evidence")
NEIGHBOURHOOD = View(
    "n", NeighbourhoodScreen, NeighbourhoodTree, "Neighbourhood: 3 hops", ("plus", "plus")
)
EVERY_VIEW = [MATRIX, TIMELINE, EVIDENCE, NEIGHBOURHOOD]


def view_id(value: object) -> str | None:
    """A test's id names its view (pytest numbers the other parameters)."""
    return str(value) if isinstance(value, View) else None


async def open_view(app: DossierApp, pilot: Pilot[None], view: View, entity_id: str = "") -> None:
    """Open ``view`` from ``entity_id`` (from where the explorer is, if none)."""
    if entity_id:
        app.open_entity(entity_id)
        await pilot.pause()
    await pilot.press(view.key)
    await app.workers.wait_for_complete()  # the evidence view reads its texts in a worker
    await pilot.pause()
    assert isinstance(app.screen, view.screen)


@pytest.mark.parametrize("view", EVERY_VIEW, ids=view_id)
async def test_opened_from_any_hostile_item_nothing_unsafe_reaches_the_screen(
    make_app: AppFactory, view: View
) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        for entity_id in app.dossier.entities:
            await open_view(app, pilot, view, entity_id)
            await press(pilot, *view.more, "down", "end")
            screen_text(app)  # asserts that no control character reached the screen
            await press(pilot, "escape")
            assert isinstance(app.screen, ExplorerScreen)
            assert app.history.current_entity == entity_id


@pytest.mark.parametrize(
    ("view", "shown"),
    [
        (
            EVIDENCE,
            (
                "[@click=app.bell]ring[/]",
                "“[bold]quoted markup[/bold]”",
                "Source with [link=https://example.com]a link[/link]",
            ),
        ),
        (NEIGHBOURHOOD, ("[b]Bold?[/b] [@click=app.quit]Quit![/]", "[b]allied[/b] with")),
    ],
    ids=view_id,
)
async def test_markup_in_the_content_is_shown_as_written(
    make_app: AppFactory, view: View, shown: tuple[str, ...]
) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, view, "markup")
        await press(pilot, *view.more)
        text = screen_text(app)
        for literal in shown:
            assert literal in text


@pytest.mark.parametrize("view", EVERY_VIEW, ids=view_id)
async def test_the_view_survives_a_small_terminal(make_app: AppFactory, view: View) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, view)
        await press(pilot, *view.more)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        pane = app.screen.query_one(view.pane)
        assert pane.region.right <= 40 and pane.region.height >= 5
        assert pane.scrollable_content_region.height >= 3
        assert app.screen.has_class("-short") is view.info_gives_way
        assert view.title in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert pane.region.width == 80
        assert not app.screen.has_class("-short")
        assert view.title in lines_of(pane)[0]


@pytest.mark.parametrize(
    ("view", "origin", "keys", "opened"),
    [
        (MATRIX, "south", ("enter",), "border"),  # the issue
        (MATRIX, "south", ("a",), "south"),  # the actor
        (TIMELINE, "south", ("enter",), "talks"),
        (EVIDENCE, "north", ("down", "down", "enter"), "border"),  # the position citing
        (NEIGHBOURHOOD, "north", ("down", "down", "enter"), "border"),  # headings skipped
        (NEIGHBOURHOOD, "north", ("end", "enter"), "talks"),
    ],
    ids=view_id,
)
async def test_escape_returns_enter_opens_and_back_returns_to_the_view(
    make_app: AppFactory, view: View, origin: str, keys: tuple[str, ...], opened: str
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, view, origin)
        await press(pilot, "escape")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current_entity == origin
        await open_view(app, pilot, view)
        await press(pilot, *keys)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current_entity == opened
        await press(pilot, "backspace")
        assert isinstance(app.screen, view.screen)


@pytest.mark.parametrize(
    ("view", "message", "keys"),
    [
        (MATRIX, "nothing to show", ("down", "right", "end", "enter", "a")),
        (TIMELINE, "No events in this dossier.", ("down", "end", "enter", "o")),
    ],
    ids=view_id,
)
async def test_a_dossier_with_nothing_to_show_says_so(
    make_app: AppFactory, view: View, message: str, keys: tuple[str, ...]
) -> None:
    app = make_app("bare.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, view)
        pane = app.screen.query_one(view.pane)
        assert message in lines_of(pane)[1]
        await press(pilot, *keys)
        assert isinstance(app.screen, view.screen)  # nothing to open: the view stays
        assert pane.current is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("view", "rows", "shown"),
    [
        (MATRIX, {2: ("Two lines and a tab", "[+]")}, "#1 Issue with a break"),  # the info
        (
            TIMELINE,
            {
                1: ("Event broken tab",),
                2: ("with: Two lines and a tab",),
                3: ("on: Issue with a break",),
            },
            "1 linked to Two lines and a tab",  # the pane's subtitle
        ),
    ],
    ids=view_id,
)
async def test_line_breaks_in_names_stay_on_one_line(
    make_app: AppFactory, view: View, rows: dict[int, tuple[str, ...]], shown: str
) -> None:
    app = make_app("line-breaks.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, view)
        lines = lines_of(app.screen.query_one(view.pane))
        for row, expected in rows.items():
            assert all(text in lines[row] for text in expected), lines[row]
        assert all(len(line) == len(lines[0]) for line in lines)
        assert shown in screen_text(app)
        # The breadcrumb too: the trail names the item on one line.
        trail = str(app.screen.query_one(Breadcrumb).render())
        assert "Two lines and a tab" in trail, trail
        assert "\n" not in trail and "\t" not in trail
