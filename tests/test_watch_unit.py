"""The change watcher on its own: settles bursts, sees adds, edits and removals."""

from __future__ import annotations

from pathlib import Path

from tui.watch import ChangeWatcher


def test_a_change_is_reported_once_after_it_settles(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n")
    watcher = ChangeWatcher(tmp_path)
    assert not watcher.poll()
    (tmp_path / "a.yaml").write_text("x: 22\n")
    assert not watcher.poll()  # just changed: wait
    (tmp_path / "b.yaml").write_text("y: 1\n")
    assert not watcher.poll()  # still changing: the burst goes on
    assert watcher.poll()  # quiet for one interval: now
    assert not watcher.poll()  # and only once
    (tmp_path / "b.yaml").unlink()
    assert not watcher.poll()
    assert watcher.poll()


def test_extra_files_and_single_file_dossiers(tmp_path: Path) -> None:
    dossier = tmp_path / "d.yaml"
    dossier.write_text("x: 1\n")
    text = tmp_path / "src.txt"
    watcher = ChangeWatcher(dossier, [text])
    (tmp_path / "other.yaml").write_text("not part of it\n")
    assert not watcher.poll() and not watcher.poll()
    text.write_text("[1] now it exists\n")
    assert not watcher.poll()
    assert watcher.poll()
