"""The explorer over a dossier read from the cache's store: it decodes what it shows and
nothing more, and every way of finding an item still reaches all of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.command import CommandPalette

from bench.synth import write_synthetic
from tui.app import DossierApp
from tui.content import LoadResult, check_dossier
from tui.content.lazy import EntityMap, Stored, catalog_of
from tui.screens import ExplorerScreen
from tui.widgets import EntityList

from .on_screen import press, screen_text

AppFactory = Callable[..., DossierApp]
ACTORS = 400


@pytest.fixture(scope="module")
def stored_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic dossier of :data:`ACTORS` actors and a cache holding its store."""
    folder = tmp_path_factory.mktemp("stored")
    write_synthetic(folder / "d", ACTORS)
    assert check_dossier(folder / "d", cache_dir=folder / "cache").ok
    return folder / "d", folder / "cache"


def stored(stored_copy: tuple[Path, Path]) -> LoadResult:
    result = check_dossier(stored_copy[0], cache_dir=stored_copy[1])
    assert result.dossier is not None and isinstance(result.dossier.entities, EntityMap)
    return result


def decoded(result: LoadResult) -> Stored:
    assert result.dossier is not None and isinstance(result.dossier.entities, EntityMap)
    return result.dossier.entities._stored


async def test_the_first_screen_decodes_only_what_it_shows(
    stored_copy: tuple[Path, Path], make_app: AppFactory
) -> None:
    result = stored(stored_copy)
    app = make_app(result.dossier, index=result.index)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Actors (400)" in screen_text(app)
        # The first actor, what its detail names, the items beside the cursor: a few
        # dozen of the dossier's 1,300 items, not all of them.
        assert 0 < len(decoded(result)._records) < 60
        await press(pilot, "end")
        assert app.history.current_entity == catalog_of(result.dossier.actors)[-1].id  # type: ignore[union-attr]


async def test_filter_and_palette_find_an_item_never_shown(
    stored_copy: tuple[Path, Path], make_app: AppFactory
) -> None:
    result = stored(stored_copy)
    assert result.dossier is not None
    last = catalog_of(result.dossier.actors)[-1]
    app = make_app(result.dossier, index=result.index)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        never_shown = decoded(result).number_of[last.id]
        assert never_shown not in decoded(result)._records
        await press(pilot, "slash", *last.id)
        actors = app.screen.query_one("#actors", EntityList)
        assert actors.visible_count == 1
        assert actors.current is not None and actors.current.id == last.id
        await press(pilot, "enter")
        assert app.history.current_entity == last.id
        await press(pilot, "home")  # (somewhere else, then the palette back to it)
        app.screen.query_one("#actors", EntityList).focus()
        await press(pilot, "slash", "ctrl+u", "enter", "home")
        assert app.history.current_entity != last.id
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*last.label)
        await app.workers.wait_for_complete()  # the palette's search
        await press(pilot, "enter")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current_entity == last.id
        assert last.label in screen_text(app)


@pytest.mark.parametrize("key", ["m", "t", "e", "n"])
async def test_every_view_opens_over_a_stored_dossier(
    key: str, stored_copy: tuple[Path, Path], make_app: AppFactory
) -> None:
    result = stored(stored_copy)
    app = make_app(result.dossier, index=result.index)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        explorer = app.screen
        await press(pilot, key)
        assert app.screen is not explorer
        await press(pilot, "enter")  # opens what is under the view's cursor
        await press(pilot, "backspace", "backspace")
        assert app.screen is explorer


async def test_search_reads_the_index_it_wrote_beside_the_entry(
    stored_copy: tuple[Path, Path], make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first search over a dossier builds its index and leaves it beside the cache
    entry (as ``dossier search`` does); any later session reads it instead."""
    from tui.content import searchstore
    from tui.content.search import SearchIndex
    from tui.widgets.search_results import SearchResults

    result = stored(stored_copy)
    assert result.index is not None and result.index.cache_entry is not None
    written = result.index.cache_entry.with_suffix(searchstore.SUFFIX)
    assert written.parent == stored_copy[1]
    written.unlink(missing_ok=True)
    word = catalog_of(result.dossier.actors)[-1].label.split()[0]  # type: ignore[union-attr]
    for session in ("builds", "reads"):
        app = make_app(result.dossier, index=result.index)
        async with app.run_test(size=(100, 30)) as pilot:
            await press(pilot, "s")
            await app.workers.wait_for_complete()
            await press(pilot, *word)
            assert app.screen.query_one(SearchResults).hits, session
        assert written.exists(), session
        result = stored(stored_copy)

        def refuse(*args: object) -> None:
            raise AssertionError("built again although it was stored")

        monkeypatch.setattr(SearchIndex, "of", refuse)
