"""Diff mode (``dossier --diff OLD [PATH]``): the lists mark what changed since OLD, the
detail pane says how, the Changes view (c) lists every change, and a reload compares
again. Pairs of dossiers are made from the small fixture by editing its YAML."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui import cli
from tui.app import DossierApp
from tui.content import Dossier, Index, check_dossier, load_dossier
from tui.content.diffing import FieldChange, ItemChange, Status, compare
from tui.diffmode import Baseline, change_text, statuses, summary
from tui.room import SharedPlace
from tui.screens import ExplorerScreen, ViewScreen
from tui.screens.changes import ChangesScreen, changes_lines
from tui.widgets import DetailPane, EntityList
from tui.widgets.detail_lines import detail_lines

from .conftest import FIXTURES
from .on_screen import footer_keys, lines_of, press, screen_text
from .test_diff import commit, git, needs_git
from .test_presence import PRESENTER, Server, follower, places, until
from .test_watch import edit, look_twice

AppFactory = Callable[..., DossierApp]

EDITS = [
    # a stance changed, an actor renamed (and every link to it), an actor added
    ("stance: against", "stance: mixed"),
    ("id: analyst", "id: the-analyst"),
    ("by: analyst", "by: the-analyst"),
    (
        "  - id: south\n",
        "  - id: east\n    name: Eastland\n    kind: state\n  - id: south\n",
    ),
]


def pair(tmp_path: Path, edits: list[tuple[str, str]] = EDITS) -> tuple[Path, Path]:
    """OLD (the small fixture) and NEW (it with ``edits`` made), as folders."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "small", old)
    shutil.copytree(FIXTURES / "small", new)
    for before, after in edits:
        edit(new / "dossier.yaml", before, after)
    return old, new


def loaded(path: Path) -> Dossier:
    return load_dossier(path, use_cache=False)


def diff_app(make_app: AppFactory, old: Path, new: Path, **options: object) -> DossierApp:
    return make_app(loaded(new), baseline=Baseline(loaded(old), "old/"), **options)


def row_of(pane: EntityList, label: str) -> str:
    """The list's row that shows ``label`` (scrolling is not needed: the fixture is small)."""
    rows = [line for line in lines_of(pane) if label in line]
    assert len(rows) == 1, rows
    return rows[0]


# -- the data: what each item says -----------------------------------------------------
def test_the_detail_lines_say_how_an_item_changed(tmp_path: Path) -> None:
    old, new = pair(tmp_path)
    after = loaded(new)
    diff = compare(loaded(old), after)
    assert statuses(diff) == {"east": "added", "the-analyst": "renamed", "border": "changed"}
    assert statuses(None) is None
    assert summary(diff) == "1 added, 1 changed, 1 renamed"
    index = Index(after)

    def shown(entity_id: str, with_diff: bool = True) -> list[str]:
        entity = after.get(entity_id)
        lines = detail_lines(after, index, entity, diff if with_diff else None)
        return [line.text.plain for line in lines]

    border = shown("border")
    at = border.index("Since the older version: changed")
    assert border[at + 1] == "~ Southland on The border line: against -> mixed"
    assert border[:2] == ["The border line", "Issue · open"]  # the title first
    assert "» renamed: was analyst" in shown("the-analyst")
    assert "+ new: not in the older version" in shown("east")
    assert not any(line.startswith("Since the older version") for line in shown("north"))
    assert "Since the older version: changed" not in shown("border", with_diff=False)


def test_changes_lines_group_items_and_link_those_still_here(tmp_path: Path) -> None:
    old, new = pair(tmp_path, [*EDITS, ("  - id: talks\n", "  - id: talks-gone\n")])
    diff = compare(loaded(old), loaded(new))
    lines = changes_lines(diff)
    text = [line.text.plain for line in lines]
    assert text[0] == "Actors (2)"
    assert "+ → Eastland  (new)" in text
    assert "» → Bea Analyst  (was analyst)" in text
    assert "    Southland on The border line: against -> mixed" in text
    links = {line.text.plain: line.target for line in lines if line.target}
    assert links["+ → Eastland  (new)"] == "east"
    # An event renamed with other content kept: the old id is listed as renamed, the
    # removed one would be a plain line (not a link: it is not in this version).
    assert any(line.startswith("» → Border talks") for line in text)
    same = changes_lines(compare(loaded(old), loaded(old)))
    assert [line.text.plain for line in same] == [
        "No changes: this version says what the older one said."
    ]


def test_a_removed_item_is_listed_but_not_a_link(tmp_path: Path) -> None:
    old, new = pair(tmp_path, [])
    text = (new / "dossier.yaml").read_text(encoding="utf-8")
    (new / "dossier.yaml").write_text(text[: text.index("events:")], encoding="utf-8")
    lines = changes_lines(compare(loaded(old), loaded(new)))
    removed = {line.text.plain: line.target for line in lines if line.text.plain.startswith("−")}
    assert removed["− Border talks  (removed)"] is None  # an event gone
    assert removed["− Ada North leads Northland  (removed)"] is None  # a relation gone


def test_change_text_is_one_clean_line_per_change() -> None:
    """Whatever a change's text holds (the loader already drops control characters:
    this is the screen's own guard), it reaches the screen as one line, nothing that
    drives a terminal."""
    hostile = "Eve\x1b[31m \x9bred\x07\nsecond\u202eline"
    change = ItemChange(
        "issue",
        "border",
        Status.CHANGED,
        "The border line",
        changes=(FieldChange("summary", hostile),),
    )
    renamed = ItemChange("actor", "eve", Status.RENAMED, "Eve", old_id=hostile)
    for line in [*change_text(change), *change_text(renamed)]:
        assert not any(c in line for c in "\n\x1b\x9b\x07\u202e"), repr(line)
    assert change_text(change) == ["Eve[31m red secondline"]


# -- the app --------------------------------------------------------------------------
async def test_the_lists_mark_changed_items_and_the_detail_says_how(
    tmp_path: Path, make_app: AppFactory
) -> None:
    old, new = pair(tmp_path)
    app = diff_app(make_app, old, new)
    said: list[str] = []
    app.notify = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        actors = app.screen.query_one("#actors", EntityList)
        issues = app.screen.query_one("#issues", EntityList)
        assert row_of(actors, "Eastland").lstrip("│").startswith("+ ")
        assert row_of(actors, "Bea Analyst").lstrip("│").startswith("» ")
        assert row_of(actors, "Northland").lstrip("│").startswith("  ")
        assert row_of(issues, "The border line").lstrip("│").startswith("~ ")
        assert str(actors.border_title) == "Actors (5, 2 changed)"
        assert str(issues.border_title) == "Issues (1, 1 changed)"
        assert "1 added, 1 changed, 1 renamed since old/" in app.sub_title
        app.open_entity("border")
        await pilot.pause()
        detail = app.screen.query_one(DetailPane)
        shown = [line.text.plain for line in detail.lines]
        assert "~ Southland on The border line: against -> mixed" in shown
        assert "c" in footer_keys(app)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["View: Changes"] == "List everything that changed since old/"
    assert said[0].startswith("Compared with old/: 1 added, 1 changed, 1 renamed. Marked")


async def test_changes_view_lists_every_change_and_enter_opens_the_item(
    tmp_path: Path, make_app: AppFactory
) -> None:
    old, new = pair(tmp_path)
    app = diff_app(make_app, old, new)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "c")
        assert isinstance(app.screen, ChangesScreen)
        pane = app.screen.pane
        assert str(pane.border_title) == "Changes since old/: 1 added, 1 changed, 1 renamed"
        assert pane.highlighted is not None
        assert pane.lines[pane.highlighted].target == "east"  # the first item still here
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.navigation.current_entity == "the-analyst"
        await press(pilot, "backspace")
        assert isinstance(app.screen, ChangesScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ExplorerScreen)


async def test_out_of_diff_mode_there_are_no_marks_and_no_changes_key(
    make_app: AppFactory,
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        actors = app.screen.query_one("#actors", EntityList)
        assert row_of(actors, "Northland").lstrip("│").startswith("  Northland")  # no column
        assert str(actors.border_title) == "Actors (4)"
        assert "c" not in footer_keys(app)
        await press(pilot, "c")
        assert isinstance(app.screen, ExplorerScreen)  # c does nothing
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "View: Changes" not in titles
        assert "View: Stance matrix" in titles
        # Opened anyway (from history, say), the view says how to start diff mode.
        app.navigation.open_view("changes")
        await pilot.pause()
        assert isinstance(app.screen, ChangesScreen)
        assert "dossier --diff OLD" in " ".join(screen_text(app).split())


async def test_a_reload_compares_again(tmp_path: Path, make_app: AppFactory) -> None:
    old, new = pair(tmp_path, [("stance: against", "stance: mixed")])
    app = diff_app(make_app, old, new, watch=new, load=lambda p: check_dossier(p, use_cache=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        issues = app.screen.query_one("#issues", EntityList)
        assert row_of(issues, "The border line").lstrip("│").startswith("~ ")
        edit(new / "dossier.yaml", "stance: mixed", "stance: against")  # back as it was
        await look_twice(app, pilot)
        assert row_of(issues, "The border line").lstrip("│").startswith("  ")
        assert str(issues.border_title) == "Issues (1)"
        assert "no changes since old/" in app.sub_title
        edit(new / "dossier.yaml", "name: Northland", "name: Northland Republic")
        await look_twice(app, pilot)
        actors = app.screen.query_one("#actors", EntityList)
        assert row_of(actors, "Northland Republic").lstrip("│").startswith("~ ")
        app.open_entity("north")
        await pilot.pause()
        shown = [line.text.plain for line in app.screen.query_one(DetailPane).lines]
        assert '~ name: "Northland" -> "Northland Republic"' in shown or any(
            line.startswith("~ name:") for line in shown
        )


# -- in a room ---------------------------------------------------------------------------
@contextlib.contextmanager
def room_end() -> Iterator[tuple[socket.socket, Server]]:
    """A room's channel: the app's end, and the server's (as tests/test_presence.py)."""
    app_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        yield app_end, Server(server_end)
    finally:
        server_end.close()
        app_end.close()


async def test_a_presenter_in_diff_mode_takes_the_room_to_the_changes(
    tmp_path: Path, make_app: AppFactory
) -> None:
    old, new = pair(tmp_path)
    with room_end() as (channel, server):
        server.send(PRESENTER)
        app = diff_app(make_app, old, new, room=channel)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: places(server.received()))
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, ChangesScreen))
            await pilot.pause()
            assert places(server.received()) == [SharedPlace("changes", "north")]


async def test_a_follower_in_diff_mode_follows_to_the_changes(
    tmp_path: Path, make_app: AppFactory
) -> None:
    old, new = pair(tmp_path)
    with room_end() as (channel, server):
        for message in follower():
            server.send(message)
        app = diff_app(make_app, old, new, room=channel)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.presence and app.presence.state.role == "follower")
            server.place("changes", "north")
            await until(pilot, lambda: isinstance(app.screen, ChangesScreen))
            assert "Changes since old/" in screen_text(app)


async def test_a_follower_out_of_diff_mode_stays_where_it_is(
    make_app: AppFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    with room_end() as (channel, server):
        for message in follower():
            server.send(message)
        app = make_app("small", room=channel)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.presence and app.presence.state.role == "follower")
            server.place("changes", "north")
            server.place("matrix", "north")  # (what comes next is still followed)
            await until(pilot, lambda: isinstance(app.screen, ViewScreen))
            # The matrix was the first place followed (it took the start's place, as a
            # late joiner's first does): the changes never were one.
            assert not app.navigation.history.can_go_back
    assert "this session is not in diff mode" in capfd.readouterr().err


# -- the command line -------------------------------------------------------------------
def test_diff_option_builds_an_app_with_the_baseline(tmp_path: Path) -> None:
    old, new = pair(tmp_path)
    prepared = cli.prepare_explorer([str(new), "--diff", str(old), "--no-cache"])
    assert prepared.make_app is not None
    app = prepared.make_app()
    assert isinstance(app, DossierApp)
    baseline = app.navigation.baseline
    assert baseline is not None and baseline.name == str(old)
    assert app.navigation.loaded is not None and app.navigation.loaded.diff is not None
    assert summary(app.navigation.loaded.diff) == "1 added, 1 changed, 1 renamed"


def test_diff_with_a_broken_old_says_why_and_opens_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = pair(tmp_path)
    edit(old / "dossier.yaml", "by: analyst", "by: nobody")
    prepared = cli.prepare_explorer([str(new), "--diff", str(old), "--no-cache"])
    assert prepared.make_app is None
    assert prepared.run() == 1
    err = capsys.readouterr().err
    assert "dossier.yaml:" in err and "nobody" in err
    assert f"dossier: cannot compare with {old}: 1 error" in err


def test_diff_with_a_folder_of_dossiers_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = pair(tmp_path)
    prepared = cli.prepare_explorer([str(tmp_path), "--diff", str(old)])
    assert prepared.make_app is None
    assert prepared.run() == 2
    assert "--diff compares one dossier" in capsys.readouterr().err


@pytest.fixture
def committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small fixture committed to a git repository as ``small/``, then edited in the
    working tree (:data:`EDITS`); the temporary files' folder is ``tmp_path/tmp``."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    top = tmp_path / "repo"
    shutil.copytree(FIXTURES / "small", top / "small")
    git(top, "init", "-q")
    commit(top)
    for before, after in EDITS:
        edit(top / "small" / "dossier.yaml", before, after)
    return top / "small"


@needs_git
def test_diff_git_compares_with_the_dossier_at_a_revision(committed: Path) -> None:
    prepared = cli.prepare_explorer([str(committed), "--diff-git", "HEAD"])
    assert prepared.make_app is not None
    app = prepared.make_app()
    assert isinstance(app, DossierApp)
    baseline = app.navigation.baseline
    assert baseline is not None and baseline.name == "HEAD"
    assert app.navigation.loaded is not None and app.navigation.loaded.diff is not None
    assert summary(app.navigation.loaded.diff) == "1 added, 1 changed, 1 renamed"
    # The revision's copy was loaded whole and removed: nothing of it is left behind.
    assert not list((committed.parent.parent / "tmp").iterdir())


@needs_git
def test_diff_git_says_why_it_cannot_compare(
    committed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loose = Path(shutil.copytree(FIXTURES / "small", committed.parent.parent / "loose"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(loose.parent))  # (no repository above)
    for argv, status, said in (
        ([str(committed), "--diff-git", "no-such-rev"], 2, "'no-such-rev' is not a revision"),
        ([str(committed), "--diff-git=--upload-pack=x"], 2, "is not a revision"),
        ([str(loose), "--diff-git", "HEAD"], 2, "--diff-git: "),
        ([str(committed.parent), "--diff-git", "HEAD"], 2, "--diff-git compares one dossier"),
    ):
        prepared = cli.prepare_explorer(argv)
        assert prepared.make_app is None, argv
        assert prepared.run() == status, argv
        assert said in capsys.readouterr().err, argv
    with pytest.raises(SystemExit):  # one older version at a time
        cli.prepare_explorer([str(committed), "--diff-git", "HEAD", "--diff", str(committed)])
    # A broken version committed: its errors point into the revision, not a copy.
    edit(committed / "dossier.yaml", "by: the-analyst", "by: nobody")
    commit(committed.parent)
    edit(committed / "dossier.yaml", "by: nobody", "by: the-analyst")
    prepared = cli.prepare_explorer([str(committed), "--diff-git", "HEAD"])
    assert prepared.make_app is None and prepared.run() == 1
    err = capsys.readouterr().err
    assert re.search(r"^HEAD:small/dossier\.yaml:\d+:\d+: error: .*nobody", err, re.M), err
    assert "dossier: cannot compare with HEAD:small: 1 error" in err


def test_the_diff_module_is_not_imported_out_of_diff_mode(tmp_path: Path) -> None:
    """Plain ``dossier`` pays nothing for diff mode (start-up time)."""
    import subprocess

    code = (
        "import sys; from tui import cli;"
        "p = cli.prepare_explorer(['--no-cache']); p.make_app();"
        "print('tui.content.diffing' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
