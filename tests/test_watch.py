"""--watch: edits reload in place; a broken edit keeps the last good content and shows why."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from tui.app import DossierApp
from tui.content import check_dossier, load_dossier
from tui.history import EXPLORER, Place
from tui.screens import ExplorerScreen
from tui.widgets import DetailPane, EntityList, ProblemsPanel

from .conftest import FIXTURES

AppFactory = Callable[..., DossierApp]


def watched_app(make_app: AppFactory, folder: Path) -> DossierApp:
    """An app on a copy of the small fixture in ``folder``, with --watch."""
    shutil.copytree(FIXTURES / "small", folder)
    return make_app(
        load_dossier(folder, use_cache=False),
        watch=folder,
        load=lambda p: check_dossier(p, use_cache=False),
    )


async def look_twice(app: DossierApp, pilot: Pilot[None]) -> None:
    """The app's next two looks at the files (as its timer would make them): the first
    sees the change and waits for quiet, the second reloads; then the screen settles."""
    watch = app.live_reload
    assert watch is not None
    assert watch.check() is None  # just changed: an editor may still be saving
    worker = watch.check()
    assert worker is not None, "a settled change must reload"
    await worker.wait()
    await pilot.pause()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_edit_invalid_edit_and_fix(tmp_path: Path, make_app: AppFactory) -> None:
    app = watched_app(make_app, tmp_path / "small")
    yaml_file = tmp_path / "small" / "dossier.yaml"
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("south")  # a history step after north
        await pilot.pause()
        assert app.history.current == Place(EXPLORER, "south")
        assert app.history.can_go_back

        assert app.live_reload is not None and app.live_reload.check() is None  # no change
        edit(yaml_file, "name: Southland", "name: Southland Republic")
        await look_twice(app, pilot)
        assert app.dossier.entities["south"].label == "Southland Republic"
        explorer = app.screen
        assert isinstance(explorer, ExplorerScreen)
        pane = explorer.query_one(DetailPane)
        assert pane.entity is not None and pane.entity.label == "Southland Republic"
        assert app.history.current == Place(EXPLORER, "south")
        assert app.history.can_go_back  # history kept
        actors = explorer.query_one("#actors", EntityList)
        assert actors.current is not None and actors.current.id == "south"

        good = yaml_file.read_text(encoding="utf-8")
        edit(yaml_file, "kind: state\n  - id: north-leader", "kind: stat\n  - id: north-leader")
        problems = explorer.query_one(ProblemsPanel)
        assert not problems.problems
        await look_twice(app, pilot)
        assert any(":" in p and "'kind' must be one of" in p for p in problems.problems)
        assert problems.problems[0].startswith(str(yaml_file.relative_to(Path.cwd()))
                                               if yaml_file.is_relative_to(Path.cwd())
                                               else str(yaml_file))  # fmt: skip
        assert app.dossier.entities["south"].label == "Southland Republic"  # last good kept
        assert pane.entity is not None and pane.entity.id == "south"

        yaml_file.write_text(good, encoding="utf-8")
        await look_twice(app, pilot)
        assert app.screen is explorer and not problems.problems
        assert app.history.current == Place(EXPLORER, "south")


async def test_removed_item_falls_back_without_crashing(
    tmp_path: Path, make_app: AppFactory
) -> None:
    app = watched_app(make_app, tmp_path / "small")
    yaml_file = tmp_path / "small" / "dossier.yaml"
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("talks")
        await pilot.pause()
        text = yaml_file.read_text(encoding="utf-8")
        start = text.index("events:")
        end = text.index("relations:")
        yaml_file.write_text(text[:start] + text[end:], encoding="utf-8")
        await look_twice(app, pilot)
        assert "talks" not in app.dossier.entities
        assert app.history.current_entity != "talks"
        assert app.is_running
