"""InlineScrollbar draws what Textual's scrollbar draws, where it draws it, and the
mouse works on it as on Textual's (wheel, click on the track, drag of the thumb)."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tui.app import DossierApp
from tui.content import load_dossier
from tui.content.bundled import default_dossier
from tui.textual_internals import repaint_regions, screen_strips
from tui.widgets import DetailPane, EntityList
from tui.widgets.framed import FramedRows
from tui.widgets.inline_bar import InlineScrollbar, row_runs


def bundled_app() -> DossierApp:
    """The explorer on the bundled dossier (its lists are longer than 80x24 shows)."""
    return DossierApp(load_dossier(default_dossier(), use_cache=False))


PANE_CSS = """
    border: round $primary;
    padding: 0 1;
    height: 1fr;
    width: 1fr;
    scrollbar-size-vertical: 1;
"""


def numbered_row(y: int, scroll_y: float, width: int, widget: Widget) -> Strip:
    text = f"row {round(scroll_y) + y}"[:width]
    return Strip([Segment(text.ljust(width), widget.rich_style)], width)


class StockPane(ScrollView):
    """Textual's own scrollbar (a widget beside the content)."""

    DEFAULT_CSS = "StockPane {" + PANE_CSS + "}"

    def __init__(self, lines: int, always: bool) -> None:
        super().__init__()
        self.styles.overflow_y = "scroll" if always else "auto"
        self.virtual_size = Size(10, lines)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        return numbered_row(y, self.scroll_y, width, self)


class InlinePane(InlineScrollbar, FramedRows, ScrollView):
    """The same pane with the bar drawn inline."""

    DEFAULT_CSS = "InlinePane {" + PANE_CSS + " overflow-y: hidden; }"

    BAR_ALWAYS = True

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.virtual_size = Size(10, lines)

    def render_row(self, y: int) -> Strip:
        return numbered_row(y, self.scroll_y, self.viewport.width, self)


class AutoInlinePane(InlinePane):
    """The bar only while there is more to see (as ``overflow-y: auto``)."""

    BAR_ALWAYS = False


class PairApp(App[None]):
    def __init__(self, lines: int, always: bool = True) -> None:
        super().__init__()
        self.lines = lines
        self.always = always

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield StockPane(self.lines, self.always)
            yield (InlinePane if self.always else AutoInlinePane)(self.lines)


def screen_cells(app: App[None], region: Region) -> list[list[tuple[str, object]]]:
    """Each cell of ``region`` on screen: its character and style (click actions aside)."""
    strips = screen_strips(app.screen)
    rows = []
    for strip in strips[region.y : region.bottom]:
        row = []
        for segment in strip.crop(region.x, region.right):
            style = segment.style.clear_meta_and_links() if segment.style else None
            row.extend((char, style) for char in segment.text)
        rows.append(row)
    return rows


async def same_look(app: PairApp) -> None:
    stock, inline = app.query_one(StockPane), app.query_one(InlinePane)
    assert stock.size == inline.size
    assert screen_cells(app, stock.region) == screen_cells(app, inline.region)


@pytest.mark.parametrize("lines", [5, 17, 30, 61, 200, 10_000])
@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
@pytest.mark.parametrize("always", [True, False])
async def test_draws_what_textuals_scrollbar_draws(lines: int, theme: str, always: bool) -> None:
    app = PairApp(lines, always)
    app.theme = theme
    async with app.run_test(size=(50, 20)) as pilot:
        for y in (0, 1, 7, lines // 3, lines // 2, lines):
            for pane in (app.query_one(StockPane), app.query_one(InlinePane)):
                pane.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            await same_look(app)


async def test_no_color_draws_what_textuals_scrollbar_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = PairApp(100)
    async with app.run_test(size=(50, 20)) as pilot:
        for pane in (app.query_one(StockPane), app.query_one(InlinePane)):
            pane.scroll_to(y=40, animate=False, immediate=True)
        await pilot.pause()
        assert app.get_line_filters()
        await same_look(app)


def bar_x(pane: Widget) -> int:
    """Screen column of a pane's bar (inside the right border and padding)."""
    return pane.region.right - 3


async def test_hover_and_drag_colours_are_textuals() -> None:
    app = PairApp(200)
    async with app.run_test(size=(50, 20)) as pilot:
        stock, inline = app.query_one(StockPane), app.query_one(InlinePane)
        looks = []
        for pane in (stock, inline):
            x = bar_x(pane) if pane is inline else stock.vertical_scrollbar.region.x
            await pilot.hover(offset=(x, pane.region.y + 8))
            await pilot.pause()
            hover = screen_cells(app, pane.region)
            await pilot.mouse_down(offset=(x, pane.region.y + 2))
            await pilot.pause()
            grabbed = screen_cells(app, pane.region)
            await pilot.mouse_up(offset=(x, pane.region.y + 2))
            await pilot.hover(offset=(0, 0))
            await pilot.pause()
            looks.append((hover, grabbed))
        assert looks[0][0] == looks[1][0]
        assert looks[0][1] == looks[1][1]
        assert looks[1][0] != looks[1][1]  # (the states do look different)
        assert inline._bar_state == ""


async def test_wheel_track_click_and_thumb_drag_scroll() -> None:
    app = PairApp(200)
    async with app.run_test(size=(50, 20)) as pilot:
        pane = app.query_one(InlinePane)
        x, top = bar_x(pane), pane.region.y + 1
        height = pane.scrollable_content_area.height
        assert pane.allow_vertical_scroll
        # the wheel
        pane.post_message(events.MouseScrollDown(pane, 0, 0, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert pane.scroll_y > 0
        pane.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        # a click below the thumb pages down, above it pages up
        await pilot.click(offset=(x, top + height - 2))
        await pilot.pause()
        assert pane.scroll_y == height
        await pilot.click(offset=(x, top))
        await pilot.pause()
        assert pane.scroll_y == 0
        # dragging the thumb down 4 rows scrolls by 4 rows of the bar's scale
        await pilot.mouse_down(offset=(x, top))
        await pilot.hover(offset=(x, top + 4))
        await pilot.mouse_up(offset=(x, top + 4))
        await pilot.pause()
        assert pane.scroll_y == pytest.approx(4 * 200 / height, abs=1)
        assert pane._bar_grab is None and app.mouse_captured is None


async def test_short_content_has_no_bar_unless_always() -> None:
    app = PairApp(5, always=False)
    async with app.run_test(size=(50, 20)):
        pane = app.query_one(InlinePane)
        assert pane.bar() is None
        assert pane.viewport.width == pane.scrollable_content_area.width
        assert not pane.allow_vertical_scroll


async def test_only_changed_bar_cells_are_repainted() -> None:
    app = PairApp(200)
    async with app.run_test(size=(50, 20)) as pilot:
        pane = app.query_one(InlinePane)
        await pilot.pause()
        regions = repaint_regions(pane)
        regions.clear()
        pane.set_reactive(Widget.virtual_size, Size(10, 400))
        pane.refresh_bar()
        assert regions, "the thumb shrank: its cells must repaint"
        assert all(region.width == 1 for region in regions)
        app.query_one(StockPane).virtual_size = Size(10, 400)
        await pilot.pause()
        await same_look(app)


def test_row_runs() -> None:
    assert row_runs([]) == []
    assert row_runs([1, 2, 3, 7, 9, 10]) == [(1, 4), (7, 8), (9, 11)]


# -- in the explorer ---------------------------------------------------------


async def test_lists_bar_comes_and_goes_with_the_filter() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        actors = app.screen.query_one("#actors", EntityList)
        area = actors.scrollable_content_area
        assert actors.bar() is not None
        assert actors.viewport.width == area.width - 1
        await pilot.press("1", "slash", *"zzzz-no-such-thing", "enter")
        await pilot.pause()
        assert actors.bar() is None
        assert actors.viewport.width == area.width


async def test_click_on_a_lists_bar_does_not_pick_an_item() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        actors = app.screen.query_one("#actors", EntityList)
        await pilot.pause()
        before = actors.cursor
        x = actors.content_region.right - 1
        await pilot.click(offset=(x, actors.content_region.bottom - 1))
        await pilot.pause()
        assert actors.cursor == before
        assert actors.scroll_y > 0


async def test_detail_pane_bar_is_always_there() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        detail = app.screen.query_one(DetailPane)
        await pilot.pause()
        assert detail.bar() is not None
        assert detail.viewport.width == detail.scrollable_content_area.width - 1


async def test_a_drag_ends_when_the_mouse_is_let_go_elsewhere() -> None:
    app = PairApp(200)
    async with app.run_test(size=(50, 20)) as pilot:
        pane = app.query_one(InlinePane)
        await pilot.mouse_down(offset=(bar_x(pane), pane.region.y + 1))
        await pilot.pause()
        assert pane._bar_grab is not None and pane._bar_state == "grab"
        app.capture_mouse(None)  # e.g. another widget takes the mouse
        await pilot.pause()
        assert pane._bar_grab is None and pane._bar_state == ""
