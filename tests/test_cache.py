"""The load cache: hits on unchanged content, misses on any change, never breaks a load."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.content import cache as cache_module
from tui.content import check_dossier, load_dossier

from .conftest import FIXTURES


@pytest.fixture
def dossier_copy(tmp_path: Path) -> Path:
    target = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", target)
    return target


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.store"))


def test_second_load_comes_from_the_cache(dossier_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    first = load_dossier(dossier_copy, cache_dir=cache_dir)
    assert len(entries(cache_dir)) == 1
    second = load_dossier(dossier_copy, cache_dir=cache_dir)
    assert second == first
    assert second is not first  # it was read back, not kept in memory


def test_a_cache_hit_does_not_parse(
    dossier_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "c"
    load_dossier(dossier_copy, cache_dir=cache_dir)

    def refuse(*args: object) -> None:
        raise AssertionError("parsed although the cache should have answered")

    monkeypatch.setattr("tui.content.loader._assemble", refuse)
    assert load_dossier(dossier_copy, cache_dir=cache_dir).info.id == "small"


def test_any_change_to_a_yaml_file_invalidates(dossier_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    load_dossier(dossier_copy, cache_dir=cache_dir)
    path = dossier_copy / "dossier.yaml"
    path.write_text(path.read_text().replace("Small test dossier", "Changed title"))
    assert load_dossier(dossier_copy, cache_dir=cache_dir).info.title == "Changed title"


def test_a_change_to_the_source_text_invalidates(dossier_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    assert check_dossier(dossier_copy, cache_dir=cache_dir).ok
    text = dossier_copy / "sources" / "memo.txt"
    text.write_text(text.read_text().replace("should move", "must move"))
    result = check_dossier(dossier_copy, cache_dir=cache_dir)
    assert not result.ok
    assert "quote not found in paragraph 1" in result.errors[0].message


def test_adding_a_file_invalidates(dossier_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    load_dossier(dossier_copy, cache_dir=cache_dir)
    (dossier_copy / "more.yaml").write_text("actors:\n  - {id: west, name: W, kind: state}\n")
    assert load_dossier(dossier_copy, cache_dir=cache_dir).get("west") is not None


def test_a_corrupt_entry_is_ignored(dossier_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    load_dossier(dossier_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    entry.write_bytes(b"not a store at all")
    assert load_dossier(dossier_copy, cache_dir=cache_dir).info.id == "small"


def test_an_unwritable_cache_only_costs_speed(dossier_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    assert load_dossier(dossier_copy, cache_dir=blocker / "c").info.id == "small"


def test_no_cache_environment_switch(
    dossier_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_NO_CACHE", "1")
    cache_dir = tmp_path / "c"
    load_dossier(dossier_copy, cache_dir=cache_dir)
    assert not cache_dir.exists()


def test_old_entries_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 3)
    cache_dir = tmp_path / "c"
    for n in range(5):
        path = tmp_path / f"d{n}.yaml"
        path.write_text(f"dossier: {{id: d{n}, title: T, summary: S, as_of: 2020}}\n")
        load_dossier(path, cache_dir=cache_dir)
    assert len(entries(cache_dir)) == 3


def test_a_cache_hit_does_not_import_the_yaml_machinery(dossier_copy: Path, tmp_path: Path) -> None:
    """Showing an unchanged dossier imports neither PyYAML nor the checks (startup time)."""
    cache_dir = tmp_path / "c"
    code = (
        "import sys; from pathlib import Path; import tui.app, tui.cli;"
        "from tui.content import load_dossier;"
        f"load_dossier(Path({str(dossier_copy)!r}), cache_dir=Path({str(cache_dir)!r}));"
        "loaded = [m for m in ('yaml', 'tui.content.assemble', 'tui.content.fields',"
        " 'tui.content.reader', 'tui.content.crosscheck', 'tui.content.schema')"
        " if m in sys.modules];"
        "print(','.join(loaded))"
    )

    def modules_loaded() -> str:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert "yaml" in modules_loaded()  # a miss parses (and fills the cache)
    assert modules_loaded() == ""
