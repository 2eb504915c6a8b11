"""The search view (issue 17): opened with s, hits as you type, enter opens the item with
the words marked in its detail, ] / [ between them, back returns to the hits as they
were; the index is built on first open (in a thread for a big dossier) and kept."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tui.app import DossierApp
from tui.content import Dossier
from tui.content.search import SearchIndex
from tui.history import EXPLORER, Place
from tui.screens import ExplorerScreen
from tui.screens import search as search_screen
from tui.screens.search import SearchScreen, hit_count, search_state
from tui.widgets import DetailPane
from tui.widgets.search_results import SearchResults

from .conftest import bundled_dossier
from .on_screen import footer_keys, lines_of, press, screen_text

AppFactory = Callable[..., DossierApp]
_BUNDLED: list[Dossier] = []


def bundled() -> Dossier:
    """The bundled dossier, loaded once for this module."""
    if not _BUNDLED:
        _BUNDLED.append(bundled_dossier())
    return _BUNDLED[0]


async def open_search(app: DossierApp, pilot: Pilot[None], *typed: str) -> SearchResults:
    """Open the search view and type ``typed`` (each a key or a character)."""
    await press(pilot, "s")
    assert isinstance(app.screen, SearchScreen)
    await app.workers.wait_for_complete()
    await press(pilot, *typed)
    return app.screen.query_one(SearchResults)


def detail_text(app: DossierApp) -> str:
    return "\n".join(lines_of(app.screen.query_one(DetailPane)))


async def test_s_opens_the_view_an_empty_query_shows_nothing_and_escape_closes(
    make_app: AppFactory,
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_search(app, pilot)
        assert app.history.current == Place("search", "north")
        assert results.hits == ()
        assert "Type to search" in screen_text(app)
        await press(pilot, "space", "space")  # blanks only: still no query
        assert results.hits == ()
        await press(pilot, "escape")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current == Place(EXPLORER, "north")


@pytest.mark.parametrize(
    ("query", "item"),
    [("Курилы", "southern-kurils"), ("北方領土", "southern-kurils"), ("sanctions", "japan")],
)
async def test_typing_finds_words_of_any_script(
    make_app: AppFactory, query: str, item: str
) -> None:
    app = make_app(bundled())
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_search(app, pilot, *query)
        assert item in {hit.unit.item for hit in results.hits}
        expected = SearchIndex.of(app.dossier).search(query, limit=search_screen.HIT_LIMIT)
        assert str(results.border_title) == f"Search: {hit_count(expected)}"
        text = screen_text(app)
        assert hit_count(expected) in text
        assert query in text  # in the query line and in a snippet


def test_the_count_reads_as_a_person_says_it() -> None:
    from tui.content.search import Query, Results

    assert hit_count(Results(Query(), [], 1)) == "1 hit"
    assert hit_count(Results(Query(), [], 23)) == "23 hits"
    assert hit_count(Results(Query(), [], 1000, complete=False)) == "1,000+ hits"


async def test_nothing_found_says_so(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_search(app, pilot, *"zqxj")
        assert results.hits == ()
        assert "Nothing matches" in screen_text(app)


async def test_enter_opens_the_item_with_the_hit_in_view_and_back_returns(
    make_app: AppFactory,
) -> None:
    app = make_app(bundled())
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_search(app, pilot, *'"largely symbolic"')
        assert results.hits[0].unit.field == "quote"  # the cursor is on the first hit
        item = results.hits[0].unit.item
        await press(pilot, "enter")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current == Place(EXPLORER, item)
        detail = app.screen.query_one(DetailPane)
        assert detail.marked_lines and detail.mark_line is not None
        assert detail.scroll_y > 0  # the quote is far down the assessment
        shown = detail_text(app)
        assert "largely" in shown and "symbolic" in shown  # scrolled into view
        await press(pilot, "backspace")
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_input.value == '"largely symbolic"'
        assert app.screen.focused is app.screen.query_input


async def test_next_and_previous_hit_in_the_item(make_app: AppFactory) -> None:
    app = make_app(bundled())
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_search(app, pilot, *"sanctions")
        row = next(n for n, hit in enumerate(results.hits) if hit.unit.field == "claim")
        for _ in range(row):
            await press(pilot, "down")  # the input keeps the focus; the hits move
        assert results.cursor == row
        await press(pilot, "enter")
        detail = app.screen.query_one(DetailPane)
        marked = detail.marked_lines
        assert len(marked) >= 3
        assert {"Next hit", "Previous hit"} <= set(footer_keys(app).values())
        first = detail.mark_line
        assert first is not None
        await press(pilot, "right_square_bracket")
        second = detail.mark_line
        assert second is not None and second > first
        assert "sanctions" in detail_text(app).casefold()
        await press(pilot, "left_square_bracket")
        assert detail.mark_line == first
        await press(pilot, "escape")  # unmarks
        assert detail.marked_lines == []
        assert "Next hit" not in footer_keys(app).values()
        await press(pilot, "backspace")  # back to the hits, the cursor where it was
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(SearchResults).cursor == row
        assert app.screen.query_input.value == "sanctions"


async def test_hostile_text_is_found_and_shown_literally(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_search(app, pilot, *"quoted markup")
        screen_text(app)  # asserts that no control character reached the screen
        assert "[bold]quoted markup[/bold]" in "\n".join(lines_of(results))
        await press(pilot, *(["backspace"] * len("quoted markup")), *"caption")
        assert any(hit.unit.field == "caption" for hit in results.hits)
        screen_text(app)
        assert "[bold]Caption[/bold]" in "\n".join(lines_of(results))
        await press(pilot, *(["backspace"] * len("caption")), *"editorial brackets")
        assert results.hits
        screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, ExplorerScreen)
        assert "[the islands]" in detail_text(app)  # the hit's line, as written
        screen_text(app)


async def test_a_big_dossier_is_indexed_in_a_thread_once(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_screen, "BUILD_IN_THREAD", 0)
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "s")
        await app.workers.wait_for_complete()
        await press(pilot, *"north")
        results = app.screen.query_one(SearchResults)
        assert results.hits
        built = search_state(app).search_index
        assert built is not None
        await press(pilot, "escape", "down", "s")  # another item: another view, same index
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.entity_id != "north"
        assert app.screen.query_input.value == "north"  # the last query
        assert search_state(app).search_index is built


async def test_indexing_is_shown_while_the_thread_works(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_screen, "BUILD_IN_THREAD", 0)
    monkeypatch.setattr(SearchScreen, "_build", lambda self: None)  # never ready
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "s", *"north")
        await app.workers.wait_for_complete()
        assert "Indexing" in screen_text(app)
        assert app.screen.query_one(SearchResults).hits == ()


async def test_a_reload_drops_the_index(make_app: AppFactory) -> None:
    from .conftest import fixture_dossier

    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "s", "escape")
        first = search_state(app).search_index
        assert first is not None
        app.navigation.adopt(fixture_dossier("small"), reload=True)
        await press(pilot, "s")
        assert search_state(app).index_of is app.index
        assert search_state(app).search_index is not first


def test_the_first_screen_imports_nothing_of_search() -> None:
    code = (
        "import sys, tui.cli, tui.app;"
        "print(','.join(m for m in sys.modules if m.startswith(('tui.content.search',"
        " 'tui.screens.search', 'tui.widgets.search_results', 'tui.widgets.search_query'))))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
