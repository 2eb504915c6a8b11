"""The timeline as a user meets it: Pilot at 80x24, asserting on state and on the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.synth import write_synthetic
from tui.app import DossierApp
from tui.content import EventStatus, load_dossier
from tui.glyphs import EVENT_GLYPH
from tui.screens import TimelineScreen
from tui.widgets.timeline_list import TimelineList

from .conftest import bundled_dossier
from .on_screen import footer_keys, lines_of, press, screen_text

AppFactory = Callable[..., DossierApp]


def timeline(app: DossierApp) -> TimelineList:
    return app.screen.query_one(TimelineList)


def current(app: DossierApp) -> str:
    event = timeline(app).current
    assert event is not None
    return event.id


def info(app: DossierApp) -> str:
    return "\n".join(lines_of(app.screen.query_one("#timeline-info")))


async def test_t_opens_the_timeline_on_the_origins_event(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")
        assert isinstance(app.screen, TimelineScreen)
        assert app.focused is timeline(app)
        assert current(app) == "talks"
        lines = lines_of(timeline(app))
        assert "Timeline: 1 event" in lines[0]
        assert "2020-04-02" in lines[1] and f"{EVENT_GLYPH[EventStatus.HELD]} held" in lines[1]
        assert "Border talks" in lines[1]
        assert "with: Northland, Southland" in lines[2]
        assert "on: The border line" in lines[3]
        assert "Open event" in footer_keys(app).values()


async def test_partial_dates_sort_before_the_full_dates_inside_them(make_app: AppFactory) -> None:
    app = make_app("dates.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")
        events = [event.id for event in timeline(app).events]
        assert events == ["before", "year", "month", "day", "later"]
        shown = screen_text(app)
        assert shown.index("2016-12-31") < shown.index("2017 ") < shown.index("2017-04 ")
        assert shown.index("2017-04 ") < shown.index("2017-04-20")
        assert "× cancelled" in shown and "○ scheduled" in shown and "· no status" in shown
        assert "with: —" in shown  # an event with no participants says so


async def test_cursor_moves_and_the_summary_follows(make_app: AppFactory) -> None:
    app = make_app("dates.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")  # from Aland: its first event is "day"
        assert current(app) == "day"
        assert "(no summary)" in info(app)
        await press(pilot, "home")
        assert current(app) == "before"
        assert "The start." in info(app)
        for keys, expected in [(("j", "down"), "month"), (("k",), "year"), (("G",), "later")]:
            await pilot.press(*keys)
            assert current(app) == expected
        await pilot.press("pageup")
        assert current(app) == "before"


async def test_o_shows_only_the_events_linked_to_the_origin(make_app: AppFactory) -> None:
    app = make_app(bundled_dossier())
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")  # from Russia
        widget = timeline(app)
        assert widget.shown_count == 8
        assert current(app) == "crimea-annexation"  # the first event linked to Russia
        assert footer_keys(app)["o"] == "Only linked"
        assert "6 linked to Russia" in lines_of(widget)[-1]
        await press(pilot, "o")
        assert widget.only_linked and widget.shown_count == 6
        assert current(app) == "crimea-annexation"  # the cursor stays on its event
        assert "Timeline: 6 of 8 events, linked to Russia" in lines_of(widget)[0]
        assert footer_keys(app)["o"] == "All events"
        shown = screen_text(app)
        assert "End of the Second World War" not in shown  # not linked to Russia
        await press(pilot, "o")
        assert not widget.only_linked and widget.shown_count == 8
        assert "Timeline: 8 events" in lines_of(widget)[0]


async def test_o_is_not_offered_without_linked_events(make_app: AppFactory) -> None:
    app = make_app("dates.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("b")
        await pilot.pause()
        await press(pilot, "t")
        assert "o" in footer_keys(app)  # Bland has events
    app = make_app(bundled_dossier())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("japan")  # every event is linked to Japan: nothing to hide
        await pilot.pause()
        await press(pilot, "t")
        assert len(timeline(app).linked) == 8
        assert "o" not in footer_keys(app)
        app.open_entity("valdai-club")  # no event names it or links to it
        await pilot.pause()
        await press(pilot, "t")
        assert "o" not in footer_keys(app)
        await press(pilot, "o")
        assert not timeline(app).only_linked
        assert current(app) == "end-of-ww2"  # nothing linked: the first event


async def test_hostile_content_is_shown_literally(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")
        assert current(app) == "hostile-event"
        shown = screen_text(app)
        assert "[u]Event[/u]" in shown
        assert "with: [b]Bold?[/b] [@click=app.quit]Quit![/]" in shown
        assert "on: [reverse]Issue[/reverse] with $variables and {braces}" in shown
        assert "1 linked to [b]Bold?[/b]" in lines_of(timeline(app))[-1]
        assert app.is_running


async def test_a_narrow_timeline_shows_the_status_glyph_alone(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(40, 12)) as pilot:
        await press(pilot, "t")
        lines = lines_of(timeline(app))
        assert "2024-02-29 ●" in lines[1] and "held" not in lines[1]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "● held" in lines_of(timeline(app))[1]


async def test_many_events_scroll(tmp_path: Path, make_app: AppFactory) -> None:
    write_synthetic(tmp_path / "big", 400)
    app = make_app(load_dossier(tmp_path / "big", use_cache=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")
        widget = timeline(app)
        assert widget.shown_count == 200
        dates = [event.date for event in widget.events]
        assert dates == sorted(dates)
        await press(pilot, "end")
        assert widget.cursor == 199 and widget.scroll_y > 0
        assert widget.events[-1].title[:20] in screen_text(app)
