"""QuickScrollBar draws exactly what Textual's scrollbar draws, and behaves the same."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.textual_internals import forget_drawn_rows
from tui.widgets.scrollbar import QuickScrollBar, QuickScrollbars


class Pane(QuickScrollbars, ScrollView, can_focus=True):
    """A scrolling widget of ``lines`` blank lines."""

    DEFAULT_CSS = "Pane { border: round red; height: 1fr; }"

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.virtual_size = Size(10, lines)

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width, self.rich_style)


class PaneApp(App[None]):
    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        yield Pane(self.lines)


def stock_lines(bar: QuickScrollBar, crop: Region) -> list[Strip]:
    """What Textual's own ScrollBar draws for ``bar`` as it is now."""
    saved = bar._rows
    bar._rows = lambda: None  # type: ignore[method-assign]
    try:
        forget_drawn_rows(bar)
        bar.refresh()
        return bar.render_lines(crop)
    finally:
        bar._rows = saved  # type: ignore[method-assign]


def cells(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    """Text and full style (colours and click meta) of every segment."""
    return [[(segment.text, segment.style) for segment in strip] for strip in strips]


@pytest.mark.parametrize("lines", [5, 30, 61, 200, 10_000])
@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
async def test_draws_what_textuals_scrollbar_draws(lines: int, theme: str) -> None:
    app = PaneApp(lines)
    app.theme = theme
    async with app.run_test(size=(40, 20)) as pilot:
        pane = app.query_one(Pane)
        bar = pane.vertical_scrollbar
        assert isinstance(bar, QuickScrollBar)
        for y in (0, 1, 7, lines // 3, lines // 2, lines):
            pane.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            full = Region(0, 0, *bar.size)
            assert cells(bar.render_lines(full)) == cells(stock_lines(bar, full))
            part = Region(0, 3, bar.size.width, 5)
            if bar.size.height >= part.bottom:
                assert cells(bar.render_lines(part)) == cells(stock_lines(bar, part))


async def test_no_color_draws_what_textuals_scrollbar_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = PaneApp(100)
    async with app.run_test(size=(40, 20)) as pilot:
        pane = app.query_one(Pane)
        pane.scroll_to(y=40, animate=False, immediate=True)
        await pilot.pause()
        bar = pane.vertical_scrollbar
        full = Region(0, 0, *bar.size)
        assert app.get_line_filters()
        assert cells(bar.render_lines(full)) == cells(stock_lines(bar, full))


async def test_clicking_the_track_and_dragging_the_thumb_scroll() -> None:
    app = PaneApp(200)
    async with app.run_test(size=(40, 20)) as pilot:
        pane = app.query_one(Pane)
        bar = pane.vertical_scrollbar
        x = bar.region.x
        await pilot.click(offset=(x, bar.region.bottom - 2))
        await pilot.pause()
        assert pane.scroll_y > 0
        pane.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        await pilot.mouse_down(offset=(x, bar.region.y))
        await pilot.hover(offset=(x, bar.region.y + 8))
        await pilot.mouse_up(offset=(x, bar.region.y + 8))
        await pilot.pause()
        assert pane.scroll_y > 0
