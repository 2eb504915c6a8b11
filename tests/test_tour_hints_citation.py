"""Presentation mode (tour), link hints, and copying a citation."""

from __future__ import annotations

from collections.abc import Callable

from tui.app import DossierApp
from tui.content.citation import citation_text
from tui.history import EXPLORER, Place
from tui.screens import ExplorerScreen, ViewScreen
from tui.widgets import DetailPane, TourBanner
from tui.widgets.detail import hint_labels

from .conftest import fixture_dossier

AppFactory = Callable[..., DossierApp]


def banner_text(app: DossierApp) -> str:
    return str(app.screen.query_one(TourBanner).render())


async def test_tour_steps_and_leaves_where_it_started(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")  # south: where we are before the tour
        await pilot.press("p")
        await pilot.pause()
        explorer = app.screen
        assert isinstance(explorer, ExplorerScreen)
        assert explorer.tour_stop == 0
        assert app.history.current_entity == "no-deal"
        assert "1/2" in banner_text(app) and "Start with the verdict." in banner_text(app)
        assert explorer.has_class("-touring")
        await pilot.press("space")
        assert app.history.current_entity == "border"
        assert "2/2" in banner_text(app)
        await pilot.press("right")  # past the end: stays on the last stop
        assert explorer.tour_stop == 1
        await pilot.press("left")
        assert app.history.current_entity == "no-deal"
        await pilot.press("escape")
        await pilot.pause()
        assert explorer.tour_stop is None
        assert not explorer.has_class("-touring")
        assert app.history.current == Place(EXPLORER, "south")
        assert not app.history.can_go_back  # the tour left no steps behind


async def test_tour_from_a_view(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current_entity == "no-deal"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ViewScreen)  # back where the tour began


async def test_link_hints_follow_a_link_by_its_label(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.query_one(DetailPane)
        targets = [t for _, t in pane.links]
        await pilot.press("f")
        assert pane.hints == dict(zip(hint_labels(len(targets)), targets, strict=True))
        assert app.focused is pane
        label = next(k for k, v in pane.hints.items() if v == "border")
        await pilot.press(*label)
        await pilot.pause()
        assert app.history.current_entity == "border"
        assert pane.hints == {}


async def test_link_hints_cancel(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.query_one(DetailPane)
        await pilot.press("f", "escape")
        assert pane.hints == {}
        await pilot.press("f", "9")  # not a label character: hints end, nothing followed
        assert pane.hints == {}
        assert app.history.current_entity == "north"


def test_hint_labels_are_prefix_free() -> None:
    for count in (1, 5, 26, 27, 200):
        labels = hint_labels(count)
        assert len(labels) == len(set(labels)) == count
        assert not any(a != b and b.startswith(a) for a in labels for b in labels)


def test_citation_text() -> None:
    dossier = fixture_dossier("small")
    border = dossier.get("border")
    assert border is not None
    text = citation_text(dossier, border)
    assert text.splitlines()[0] == "The border line (Small test dossier, as of 2020-05)"
    assert '  A memo, ¶1: "the line should move"' in text
    assert "  A memo, ¶2" in text


async def test_copy_citation_key(make_app: AppFactory) -> None:
    app = make_app("small")
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        app.open_entity("border")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == citation_text(app.dossier, app.dossier.entities["border"])
        assert said and said[-1].startswith("Copied the citation of 'The border line'")
