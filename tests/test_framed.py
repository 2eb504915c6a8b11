"""Panes that frame their own rows draw exactly what Textual's styles pipeline draws."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.app import DossierApp
from tui.textual_internals import (
    FramedStylesCache,
    forget_drawn_rows,
    stock_render_lines,
    styles_cache_of,
)
from tui.widgets import DetailPane, EntityList
from tui.widgets.inline_bar import InlineScrollbar
from tui.widgets.stance_grid import StanceGrid
from tui.widgets.timeline_list import TimelineList

from .conftest import bundled_dossier, fixture_dossier


def cells(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(segment.text, segment.style) for segment in strip] for strip in strips]


def check_panes(app: DossierApp) -> None:
    """Every framed pane, drawn whole and in part, equals Textual's own drawing."""
    check([app.screen.query_one(DetailPane), *app.screen.query(EntityList)])


def check(panes: list[Widget]) -> None:
    """Each of ``panes``, drawn whole and in part, equals Textual's own drawing."""
    for pane in panes:
        framed = styles_cache_of(pane)
        assert isinstance(framed, FramedStylesCache)
        width, height = pane.region.size
        for crop in (Region(0, 0, width, height), Region(2, 1, width - 3, height - 2)):
            framed.clear()
            ours = pane.render_lines(crop)
            assert framed.framing, "the framed path was not taken"
            stock = stock_render_lines(pane, crop)
            assert cells(ours) == cells(stock), f"{pane!r} {crop}"


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
async def test_framed_rows_match_textuals_drawing(theme: str) -> None:
    app = DossierApp(fixture_dossier("small"))
    app.theme = theme
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        check_panes(app)
        # cursor, linked marks, another pane focused, a link highlighted, scrolled
        for key in ("down", "tab", "down", "4", "down", "down", "pagedown", "1", "end"):
            await pilot.press(key)
            await pilot.pause()
            check_panes(app)


async def test_framed_rows_match_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = DossierApp(fixture_dossier("small"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "4", "down")
        await pilot.pause()
        assert app.get_line_filters()
        check_panes(app)


@pytest.mark.parametrize(
    ("view", "pane_type", "size", "keys"),
    [
        ("t", TimelineList, (100, 16), ("down", "pagedown", "tab", "end", "tab", "home")),
        # narrow: the matrix scrolls sideways too
        ("m", StanceGrid, (44, 20), ("down", "right", "end", "G", "pageup", "ctrl+pageup")),
    ],
)
async def test_a_views_pane_matches_textuals_drawing(
    make_app: Callable[..., DossierApp],
    view: str,
    pane_type: type[Widget],
    size: tuple[int, int],
    keys: tuple[str, ...],
) -> None:
    app = make_app(bundled_dossier())
    async with app.run_test(size=size) as pilot:
        await pilot.press(view)
        await pilot.pause()
        pane = app.screen.query_one(pane_type)
        assert isinstance(pane, InlineScrollbar) and pane.bar() is not None, (
            "the bar's column is part of the check"
        )
        for key in keys:
            check([pane])
            await pilot.press(key)
            await pilot.pause()
        check([pane])
        if isinstance(pane, StanceGrid):
            assert pane.show_horizontal_scrollbar and pane.scroll_x > 0


async def test_a_pane_with_an_effect_is_left_to_textual() -> None:
    app = DossierApp(fixture_dossier("small"))
    async with app.run_test(size=(80, 24)) as pilot:
        detail = app.screen.query_one(DetailPane)
        detail.styles.tint = "red 20%"
        await pilot.pause()
        framed = styles_cache_of(detail)
        assert isinstance(framed, FramedStylesCache)
        framed.clear()
        framed.forget_frame()
        whole = Region(0, 0, *detail.region.size)
        ours = detail.render_lines(whole)
        assert not framed.framing
        assert cells(ours) == cells(stock_render_lines(detail, whole))


async def test_a_row_drawn_again_is_the_same_line() -> None:
    """Going back to an item reuses the framed lines (Textual's caches on them then
    answer), and a theme change draws them afresh, matching Textual's drawing."""
    app = DossierApp(fixture_dossier("small"))
    async with app.run_test(size=(100, 30)) as pilot:
        detail = app.screen.query_one(DetailPane)
        whole = Region(0, 0, *detail.region.size)

        async def lines_after(*keys: str) -> list[Strip]:
            await pilot.press(*keys)
            await pilot.pause()
            forget_drawn_rows(detail)
            return detail.render_lines(whole)

        first = await lines_after("down")
        other = await lines_after("down")
        again = await lines_after("up")
        assert cells(other) != cells(first)
        gutter = detail.styles.gutter
        content = range(gutter.top, len(first) - gutter.bottom)
        assert all(again[y] is first[y] for y in content)
        app.theme = "textual-light"
        light = await lines_after("down", "up")
        assert not any(light[y] is first[y] for y in content)
        check_panes(app)
