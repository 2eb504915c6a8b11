"""The explorer as a user meets it: Pilot at 80x24, asserting on state and on the screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from tui.app import DossierApp
from tui.screens import HelpScreen
from tui.widgets import Breadcrumb, DetailPane, EntityList, FilterBar

from .conftest import bundled_dossier

AppFactory = Callable[..., DossierApp]


def current(app: DossierApp) -> str | None:
    return app.history.current_entity


def pane(app: DossierApp, pane_id: str) -> EntityList:
    return app.screen.query_one(f"#{pane_id}", EntityList)


def detail(app: DossierApp) -> DetailPane:
    return app.screen.query_one(DetailPane)


def detail_text(app: DossierApp) -> str:
    return "\n".join(line.text.plain for line in detail(app).lines)


async def test_opens_on_the_first_actor_with_four_panes(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [str(p.border_title) for p in app.screen.query(EntityList)]
        assert titles == ["Actors (4)", "Issues (1)", "Assessment (1)"]
        assert app.title == "Small test dossier"
        assert app.sub_title == "as of 2020-05"
        assert current(app) == "north"
        assert detail(app).entity is not None and detail(app).entity.id == "north"
        assert app.focused is pane(app, "actors")
        for widget in [*app.screen.query(EntityList), detail(app)]:
            assert widget.region.width >= 20 and widget.region.height >= 5, widget


async def test_cursor_browsing_updates_detail_without_new_history(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        assert current(app) == "south"
        assert "Southland" in detail_text(app)
        await pilot.press("j", "j")
        assert current(app) == "analyst"
        await pilot.press("k")
        assert current(app) == "north-leader"
        assert not app.history.can_go_back  # browsing replaces, it does not pile up


async def test_home_end_and_pages(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("end", "home", "G", "g", "pagedown", "pageup"):
            await pilot.press(key)
            last = key in ("end", "G", "pagedown")  # the list is shorter than a page
            assert current(app) == ("analyst" if last else "north"), key


async def test_open_follow_back_forward(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert app.focused is detail(app)
        links = [target for _, target in detail(app).links]
        assert links[0] == "north-leader"  # members come first for a state
        assert "border" in links
        assert detail(app).highlighted is None  # nothing highlighted until the user moves
        await pilot.press("down")  # the first link
        await pilot.press("enter")
        assert current(app) == "north-leader"
        assert str(app.screen.query_one(Breadcrumb).render()).endswith("Northland › Ada North")
        await pilot.press("backspace")
        assert current(app) == "north"
        await pilot.press("alt+right")
        assert current(app) == "north-leader"
        await pilot.press("alt+left")
        assert current(app) == "north"
        # A new step after going back drops the forward trail.
        detail(app).focus()
        detail(app).highlighted = next(n for n, t in detail(app).links if t == "border")
        await pilot.press("enter")
        assert current(app) == "border"
        assert not app.history.can_go_forward
        await pilot.press("backspace")
        assert current(app) == "north"
        assert not app.history.can_go_back


async def test_a_highlighted_link_is_prepared_before_it_is_followed(
    make_app: AppFactory,
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # open the first actor
        pane = detail(app)
        target = pane.links[0][1]
        assert target == "north-leader" and not pane.is_prepared(target)
        await pilot.press("down")  # highlight its first link
        assert pane.highlighted == pane.links[0][0]
        await pilot.pause()  # the app's delay before preparing is zero in tests
        assert pane.is_prepared(target)  # built and wrapped while the user looked
        shown = detail_text(app)
        await pilot.press("enter")
        assert pane.entity is not None and pane.entity.id == target
        assert detail_text(app) != shown and "Ada North" in detail_text(app)


async def test_the_items_beside_the_cursor_are_prepared(make_app: AppFactory) -> None:
    """Browsing a list finds the next item's detail wrapped already (built while the
    user reads the current one)."""
    app = make_app(bundled_dossier())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down")
        await pilot.pause()  # the app's delay before preparing is zero in tests
        actors, pane_ = pane(app, "actors"), detail(app)
        neighbours = actors.neighbours()
        assert neighbours == [actors.entities[2].id, actors.entities[0].id]
        assert all(pane_.is_prepared(entity_id) for entity_id in neighbours)
        await pilot.press("down")  # shows the prepared item
        assert pane_.entity is not None and pane_.entity.id == neighbours[0]


async def test_following_a_link_selects_it_in_its_list(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("no-deal")
        await pilot.pause()
        assessments = pane(app, "assessments")
        assert assessments.current is not None and assessments.current.id == "no-deal"
        app.open_entity("talks")  # an event: no list of its own, shown in detail
        await pilot.pause()
        assert "Border talks" in detail_text(app)
        assert "2020-04-02" in detail_text(app)


async def test_linked_items_are_marked_in_the_other_panes(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("border")
        await pilot.pause()
        linked = pane(app, "actors").linked
        assert linked is not None
        assert {"north", "south"} <= linked
        assert "analyst" not in linked  # the analyst wrote about it, not linked directly
        assert "no-deal" in (pane(app, "assessments").linked or set())


async def test_tab_and_number_keys_move_between_panes(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")
        assert app.focused is pane(app, "issues")
        await pilot.press("tab")
        assert app.focused is pane(app, "assessments")
        await pilot.press("tab")
        assert app.focused is detail(app)
        await pilot.press("shift+tab")
        assert app.focused is pane(app, "assessments")
        for key, expected in [("1", "actors"), ("2", "issues"), ("3", "assessments")]:
            await pilot.press(key)
            assert app.focused is pane(app, expected)
        await pilot.press("4")
        assert app.focused is detail(app)


async def test_keys_arriving_together_go_where_the_first_one_sent_focus(
    make_app: AppFactory,
) -> None:
    """Over SSH several keys often arrive in one read: "4" then "pagedown" must page
    the detail pane (the pane "4" focuses), not the list that had focus before."""
    app = make_app(bundled_dossier())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")  # an actor with a long detail
        await pilot.pause()
        actors = pane(app, "actors")
        for key, character in (("4", "4"), ("pagedown", None)):  # one burst, no pause
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.focused is detail(app)
        assert detail(app).scroll_y > 0
        for key, character in (("1", "1"), ("up", None)):
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.focused is actors
        assert actors.cursor == len(actors.entities) - 2
        await pilot.press("4")
        burst = [("1", "1"), ("slash", "/"), ("j", "j"), ("a", "a"), ("p", "p")]
        for key, character in burst:  # "j" is also down, "p" also starts the tour
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert app.screen.query_one(Input).value == "jap"
        assert actors.filter_text == "jap"  # typed into the filter, not taken as keys
        await pilot.press("backspace")
        assert actors.filter_text == "ja"
        assert 0 < actors.visible_count < len(actors.entities)
        await pilot.press("2", "tab", "shift+tab")  # a digit is typed, tab still moves
        assert app.screen.query_one(Input).value == "ja2"
        assert app.focused is not actors
        await pilot.press("backspace")
        for key, character in (("f", "f"), ("escape", None)):  # "f" is a letter here
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert actors.filter_text == ""  # (escape threw the filter away)
        assert not detail(app).hints
        for key, character in (("tab", None), ("slash", "/"), ("w", "w")):
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert pane(app, "issues").filter_text == "w"
        await pilot.press("escape")
        await pilot.press("2")
        first_link = detail(app).links[0][1]
        for key, character in (("f", "f"), ("a", "a")):  # hints, then the first label
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert not detail(app).hints  # the label was typed: the link was followed
        assert app.history.current_entity == first_link


async def test_filter_as_you_type(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        bar = app.screen.query_one(FilterBar)
        assert bar.has_class("-active")
        await pilot.press(*"land")
        actors = pane(app, "actors")
        assert actors.visible_count == 2
        assert str(actors.border_title) == "Actors (2/4)"
        await pilot.press("escape")
        assert actors.visible_count == 4
        assert not bar.has_class("-active")
        assert app.focused is actors
        # By alias, in another script, kept after enter.
        await pilot.press("slash", *"север", "enter")
        assert actors.visible_count == 1
        assert actors.current is not None and actors.current.id == "north"
        await pilot.press("escape")  # on the list: clears the filter
        assert actors.visible_count == 4


async def test_filter_that_hides_everything(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"zzz")
        assert pane(app, "actors").visible_count == 0
        assert pane(app, "actors").current is None
        await pilot.press("enter", "down", "enter")  # nothing to move to or open
        assert current(app) == "north"


async def test_palette_jumps_to_an_entity_by_alias(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Norden")
        await app.workers.wait_for_complete()  # the palette's search
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "north"
        assert not isinstance(app.screen, CommandPalette)
        await pilot.press("ctrl+p", *"no deal")
        await app.workers.wait_for_complete()  # the palette's search
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "no-deal"
        assert app.history.can_go_back


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_lists_keys_and_searches(make_app: AppFactory, key: str) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys")
        everything = keys.option_count  # type: ignore[attr-defined]
        await pilot.press(*"back")
        assert 0 < keys.option_count < everything  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit_keys(make_app: AppFactory, key: str) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await pilot.pause()
    assert app.return_code == 0


async def test_unknown_id_is_a_notice_not_a_crash(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("nowhere")
        await pilot.pause()
        assert current(app) == "north"


async def test_resizing_down_to_40x12_and_back(make_app: AppFactory) -> None:
    app = make_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        regions = {w.id: w.region for w in (*app.screen.query(EntityList), detail(app))}
        for size in [(40, 12), (41, 13), (120, 40), (20, 6), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("down", "enter", "backspace")
            await pilot.pause()
            assert tuple(app.screen.size) == size
            shown = detail(app).entity
            assert shown is not None and shown.id == current(app)  # keys still work
            assert app.screen.query_one(Breadcrumb).region.width == size[0]
        # back at the first size, the panes are where they were
        assert {w.id: w.region for w in (*app.screen.query(EntityList), detail(app))} == regions


async def test_mouse_click_selects(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        actors = pane(app, "actors")
        await pilot.click(actors, offset=(3, 2))  # border + 1 row down: the 2nd actor
        assert current(app) == "south"


async def test_a_folder_of_dossiers_opens_a_picker(tmp_path, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tui.content import check_dossier
    from tui.content.bundled import dossiers_in
    from tui.screens import ExplorerScreen, PickerScreen

    from .conftest import FIXTURES

    shutil.copytree(FIXTURES / "small", tmp_path / "a-small")
    (tmp_path / "b-broken").mkdir()
    (tmp_path / "b-broken" / "d.yaml").write_text("dossier: {id: x}\n")
    choices = dossiers_in(tmp_path)
    assert list(choices) == ["a-small", "b-broken"]
    app = make_app(None, choices=choices, folder=tmp_path, load=lambda p: check_dossier(p))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)  # the broken one stays on the picker
        problems = str(app.screen.query_one("#picker-problems").render())
        assert "missing 'title'" in problems
        await pilot.press("up", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert current(app) == "north"


async def test_help_descriptions_that_wrap_keep_a_hanging_indent(make_app: AppFactory) -> None:
    """At 80 columns some descriptions wrap: the rest goes on under the description, not
    under the keys or at the start of the line."""
    from textual.widgets import OptionList

    from tui.screens.help import KEY_COLUMN

    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        keys = app.screen.query_one("#help-keys", OptionList)
        rows = [keys.render_line(y).text for y in range(keys.size.height)]
        described = [n for n, row in enumerate(rows) if "follow the link in" in row]
        assert described, rows
        start = rows[described[0]].index("open the item")
        wrapped = rows[described[0] + 1]
        assert wrapped.strip().startswith("Detail"), rows
        assert wrapped.index("Detail") == start >= KEY_COLUMN, rows
