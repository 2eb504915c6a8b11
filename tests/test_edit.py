"""Edit from the explorer (``E``, issue 19 item 1): the editor's command line, a fake
editor run by the app (which then reloads in place), and the refusals."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Input

from tui import edit as edit_module
from tui.app import DossierApp
from tui.authoring.editor import (
    EditorError,
    editor_argv,
    editor_command,
    editor_family,
)
from tui.content import check_dossier, default_dossier, load_dossier
from tui.history import EXPLORER, Place
from tui.screens import ExplorerScreen
from tui.served import SERVED
from tui.watch import ChangeWatcher
from tui.widgets import EntityList, FilterBar, ProblemsPanel

from .conftest import FIXTURES

AppFactory = Callable[..., DossierApp]
FILE = Path("/work/d/actors.yaml")

# -- the command line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("vim", ["vim", "+12", str(FILE)]),
        ("/usr/bin/nvim", ["/usr/bin/nvim", "+12", str(FILE)]),
        ("vi", ["vi", "+12", str(FILE)]),
        ("vim.basic", ["vim.basic", "+12", str(FILE)]),
        ("nano", ["nano", "+12,5", str(FILE)]),
        ("emacs -nw", ["emacs", "-nw", "+12:5", str(FILE)]),
        ("emacsclient -t", ["emacsclient", "-t", "+12:5", str(FILE)]),
        ("micro", ["micro", "+12:5", str(FILE)]),
        ("kak", ["kak", "+12:5", str(FILE)]),
        ("code", ["code", "--wait", "--goto", f"{FILE}:12:5"]),
        ("code --wait", ["code", "--wait", "--goto", f"{FILE}:12:5"]),
        ("codium -w", ["codium", "-w", "--goto", f"{FILE}:12:5"]),
        ("hx", ["hx", f"{FILE}:12:5"]),
        ("helix", ["helix", f"{FILE}:12:5"]),
        ("subl", ["subl", "--wait", f"{FILE}:12:5"]),
        ("kate", ["kate", "--block", "--line", "12", "--column", "5", str(FILE)]),
        ("'/opt/My Editor/bin/vim' -u NONE", ["/opt/My Editor/bin/vim", "-u", "NONE", "+12"]),
        ("notepad-of-our-own", ["notepad-of-our-own", str(FILE)]),
    ],
)
def test_each_editor_is_told_the_line_its_own_way(command: str, expected: list[str]) -> None:
    argv = editor_argv(editor_command({"VISUAL": command}), FILE, 12, 5)
    if expected[-1] == "+12":  # (the quoted path: the file follows)
        expected = [*expected, str(FILE)]
    assert argv == expected


def test_the_file_is_absolute_so_a_name_like_an_option_stays_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = editor_argv(["vim"], Path("-c"), 0, 0)
    assert argv == ["vim", "+1", str(tmp_path / "-c")]


def test_visual_then_editor_then_a_fallback() -> None:
    def which(name: str) -> str | None:
        return {"nano": "/bin/nano", "vi": "/bin/vi"}.get(name)

    assert editor_command({"VISUAL": "hx", "EDITOR": "vim"}, which) == ["hx"]
    assert editor_command({"VISUAL": "  ", "EDITOR": "vim -p"}, which) == ["vim", "-p"]
    assert editor_command({}, which) == ["/bin/nano"]
    assert editor_command({}, lambda name: "/usr/bin/editor" if name == "editor" else None) == [
        "/usr/bin/editor"
    ]
    with pytest.raises(EditorError, match=r"set \$VISUAL or \$EDITOR"):
        editor_command({}, lambda name: None)
    with pytest.raises(EditorError, match=r"\$EDITOR cannot be split"):
        editor_command({"EDITOR": "vim 'unclosed"}, which)


def test_a_link_such_as_debians_editor_is_told_the_line_as_what_it_links_to(
    tmp_path: Path,
) -> None:
    (tmp_path / "nano").write_text("")
    (tmp_path / "editor").symlink_to(tmp_path / "nano")
    assert editor_family(str(tmp_path / "editor")) == "nano"
    assert editor_family("editor", which=lambda name: str(tmp_path / name)) == "nano"
    assert editor_argv([str(tmp_path / "editor")], FILE, 3, 1)[1] == "+3,1"


def test_the_editor_is_never_run_through_a_shell(tmp_path: Path) -> None:
    argv = editor_argv(editor_command({"EDITOR": "vim; touch pwned"}), FILE, 1, 1)
    assert argv[:2] == ["vim;", "touch"]  # words, each one argument: no shell to read ';'


# -- the app ---------------------------------------------------------------------------

FAKE_EDITOR = """\
import json, sys
from pathlib import Path
Path({record!r}).write_text(json.dumps(sys.argv[1:]))
path = Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
edit = json.loads(Path({edit!r}).read_text())
path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
sys.exit(edit[2])
"""


class FakeEditor:
    """A program named ``vim`` that records its arguments and edits the file it is given
    (replacing ``old`` with ``new``), then exits with ``status``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.record = folder / "argv.json"
        self.edit_file = folder / "edit.json"
        self.program = folder / "vim"
        self.program.write_text(
            f"#!{sys.executable}\n"
            + FAKE_EDITOR.format(record=str(self.record), edit=str(self.edit_file))
        )
        self.program.chmod(0o755)
        self.will_edit("", "")

    def will_edit(self, old: str, new: str, status: int = 0) -> None:
        self.edit_file.write_text(json.dumps([old, new, status]))

    @property
    def argv(self) -> list[str] | None:
        if not self.record.exists():
            return None
        argv: list[str] = json.loads(self.record.read_text())
        return argv


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeEditor:
    """The fake editor as $VISUAL, and a headless driver that, like a terminal's, can be
    suspended (Textual's headless driver says it cannot, which is the browser's case)."""
    fake = FakeEditor(tmp_path / "bin")
    monkeypatch.setenv("VISUAL", str(fake.program))
    monkeypatch.delenv(SERVED, raising=False)
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))
    return fake


def editable_app(make_app: AppFactory, folder: Path, **options: object) -> DossierApp:
    shutil.copytree(FIXTURES / "small", folder)
    return make_app(
        load_dossier(folder, use_cache=False),
        load=lambda p: check_dossier(p, use_cache=False),
        **options,
    )


async def edit_and_settle(app: DossierApp, pilot: object) -> None:
    await pilot.press("E")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_e_opens_the_item_at_its_line_and_reloads_in_place(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor
) -> None:
    folder = tmp_path / "small"
    app = editable_app(make_app, folder)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("south")
        await pilot.pause()
        south = app.dossier.entities["south"].loc
        editor.will_edit("name: Southland", "name: Southland Republic")
        await edit_and_settle(app, pilot)

        assert editor.argv == [f"+{south.line}", str((folder / "dossier.yaml").absolute())]
        assert app.dossier.entities["south"].label == "Southland Republic"
        assert app.history.current == Place(EXPLORER, "south")
        explorer = app.screen
        assert isinstance(explorer, ExplorerScreen)
        actors = explorer.query_one("#actors", EntityList)
        assert actors.current is not None and actors.current.id == "south"

        # An edit that breaks the dossier: the last good version stays, with the errors.
        editor.will_edit("kind: state\n  - id: north-leader", "kind: stat\n  - id: north-leader")
        await edit_and_settle(app, pilot)
        problems = explorer.query_one(ProblemsPanel)
        assert any("'kind' must be one of" in p for p in problems.problems)
        assert app.dossier.entities["south"].label == "Southland Republic"
        editor.will_edit("kind: stat\n", "kind: state\n")
        await edit_and_settle(app, pilot)
        assert not problems.problems
        assert app.history.current == Place(EXPLORER, "south")


async def test_an_editor_that_fails_still_reloads_and_says_so(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor
) -> None:
    app = editable_app(make_app, tmp_path / "small")
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        editor.will_edit("name: Southland", "name: Southlands", status=3)
        await edit_and_settle(app, pilot)
        assert "The editor exited with status 3." in said
        assert app.dossier.entities["south"].label == "Southlands"


async def test_with_watch_an_edit_is_reloaded_once(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor
) -> None:
    folder = tmp_path / "small"
    app = editable_app(make_app, folder, watch=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.live_reload is not None
        app.live_reload.check()
        editor.will_edit("name: Southland", "name: Southland Republic")
        await edit_and_settle(app, pilot)
        assert app.dossier.entities["south"].label == "Southland Republic"
        assert app.live_reload.check() is None
        assert app.live_reload.check() is None  # the watcher took the edit as seen


def test_a_settled_watcher_does_not_report_what_it_was_told(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "small", tmp_path / "small")
    watcher = ChangeWatcher(tmp_path / "small")
    (tmp_path / "small" / "dossier.yaml").write_text("changed")
    watcher.settle()
    assert not watcher.poll() and not watcher.poll()


async def test_refused_in_a_served_session(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SERVED, str(os.getpid()))
    app = editable_app(make_app, tmp_path / "small")
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        # Not offered in the footer, where it could only be refused ...
        assert "Edit" not in footer_offers(app)
        # ... but a viewer who presses E anyway is told why.
        await edit_and_settle(app, pilot)
    assert said == [edit_module.SERVED]
    assert editor.argv is None  # never started


async def test_refused_where_the_terminal_cannot_be_handed_over(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: False))
    app = editable_app(make_app, tmp_path / "small")
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        await edit_and_settle(app, pilot)
    assert said == [edit_module.NO_TERMINAL]
    assert editor.argv is None


async def test_refused_on_the_bundled_dossier(make_app: AppFactory, editor: FakeEditor) -> None:
    bundled = check_dossier(default_dossier())
    assert bundled.dossier is not None
    app = make_app(bundled.dossier, index=bundled.index)
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        await edit_and_settle(app, pilot)
    assert said == [edit_module.BUNDLED]
    assert "dossier new" in said[0]
    assert editor.argv is None


async def test_an_editor_that_cannot_start_is_an_error_not_a_crash(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", str(tmp_path / "no-such-editor\x1b[2J"))
    app = editable_app(make_app, tmp_path / "small")
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        await edit_and_settle(app, pilot)
        assert app.is_running
    assert len(said) == 1 and said[0].startswith("Could not start")
    assert "\x1b" not in said[0]


def footer_offers(app: DossierApp) -> dict[str, str]:
    """What the footer shows now: each shown binding's description and key."""
    return {
        active.binding.description: key
        for key, active in app.screen.active_bindings.items()
        if active.binding.show and active.enabled
    }


async def test_the_key_is_in_the_footer_and_the_help(
    tmp_path: Path, make_app: AppFactory, editor: FakeEditor
) -> None:
    from tui.screens.help import KEYS

    assert any(keys == "E" and "$EDITOR" in meaning for _, keys, meaning in KEYS)
    app = editable_app(make_app, tmp_path / "small")
    async with app.run_test(size=(80, 24)) as pilot:
        assert footer_offers(app)["Edit"] == "E"
        # While a filter is typed, E is a letter of it: the footer does not offer it.
        await pilot.press("slash", "E")
        assert app.screen.query_one(FilterBar).query_one(Input).value == "E"
        assert "Edit" not in footer_offers(app)
    assert editor.argv is None
