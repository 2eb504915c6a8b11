"""--watch: edits reload in place; a broken edit keeps the last good content and shows why."""

from __future__ import annotations

import shutil
from pathlib import Path

from tui.app import DossierApp
from tui.content import check_dossier, load_dossier
from tui.history import EXPLORER, Place
from tui.screens import ExplorerScreen
from tui.widgets import DetailPane, EntityList, ProblemsPanel

from .conftest import FIXTURES


async def wait_for(pilot, condition, rounds: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Let the app poll the files until ``condition()`` holds (bounded)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("the app did not react to the edit in time")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def test_edit_invalid_edit_and_fix(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", folder)
    yaml_file = folder / "dossier.yaml"
    app = DossierApp(
        load_dossier(folder, use_cache=False),
        watch=folder,
        load=lambda p: check_dossier(p, use_cache=False),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("south")  # a history step after north
        await pilot.pause()
        assert app.history.current == Place(EXPLORER, "south")
        assert app.history.can_go_back

        edit(yaml_file, "name: Southland", "name: Southland Republic")
        await wait_for(pilot, lambda: app.dossier.entities["south"].label == "Southland Republic")
        await pilot.pause()
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
        await wait_for(pilot, lambda: bool(problems.problems))
        assert any(":" in p and "'kind' must be one of" in p for p in problems.problems)
        assert problems.problems[0].startswith(str(yaml_file.relative_to(Path.cwd()))
                                               if yaml_file.is_relative_to(Path.cwd())
                                               else str(yaml_file))  # fmt: skip
        assert app.dossier.entities["south"].label == "Southland Republic"  # last good kept
        assert pane.entity is not None and pane.entity.id == "south"

        yaml_file.write_text(good, encoding="utf-8")
        await wait_for(pilot, lambda: not app.screen.query_one(ProblemsPanel).problems, rounds=80)
        assert app.history.current == Place(EXPLORER, "south")


async def test_removed_item_falls_back_without_crashing(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", folder)
    yaml_file = folder / "dossier.yaml"
    app = DossierApp(
        load_dossier(folder, use_cache=False),
        watch=folder,
        load=lambda p: check_dossier(p, use_cache=False),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_entity("talks")
        await pilot.pause()
        text = yaml_file.read_text(encoding="utf-8")
        start = text.index("events:")
        end = text.index("relations:")
        yaml_file.write_text(text[:start] + text[end:], encoding="utf-8")
        await wait_for(pilot, lambda: "talks" not in app.dossier.entities)
        await pilot.pause()
        assert app.history.current_entity != "talks"
        assert app.is_running
