"""``dossier search``: its output, exit codes, and the search index it keeps on disk."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main
from tui.content import searchstore
from tui.content.bundled import default_dossier
from tui.search_cli import search

from .conftest import FIXTURES

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<kind>[a-z]+) "
                  r"(?P<id>[a-z0-9-]+) (?P<field>[a-z]+): (?P<snippet>.*)$")  # fmt: skip


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(folder))
    return folder


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return search(list(argv), out), out.getvalue()


def stored(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"*{searchstore.SUFFIX}"))


def test_text_lines_are_path_line_col_kind_id_field_snippet(cache: Path) -> None:
    status, text = run("islands")
    assert status == 0
    lines = text.splitlines()
    assert len(lines) > 3
    for line in lines:
        match = LINE.match(line)
        assert match, line
        assert Path(match["path"]).exists()
        assert "islands" in match["snippet"].lower()
        assert len(match["snippet"]) <= 100
    first = LINE.match(lines[0])
    assert first and first["field"] in ("name", "title", "alias", "id")  # names come first


def test_fixture_hit_points_at_the_yaml(cache: Path) -> None:
    status, text = run("Northland", str(FIXTURES / "small"))
    assert status == 0
    match = LINE.match(text.splitlines()[0])
    assert match and (match["kind"], match["id"], match["field"]) == ("actor", "north", "name")
    yaml_line = (
        (FIXTURES / "small" / "dossier.yaml").read_text().splitlines()[int(match["line"]) - 1]
    )
    assert "north" in yaml_line


def test_json_shape(cache: Path) -> None:
    status, text = run("--format", "json", "Northland", str(FIXTURES / "small"))
    assert status == 0
    records = json.loads(text)
    assert records and set(records[0]) == {
        "path", "line", "col", "kind", "id", "name", "field", "where", "text", "spans"
    }  # fmt: skip
    first = records[0]
    assert (first["id"], first["name"]) == ("north", "Northland")
    start, end = first["spans"][0]
    assert first["text"][start:end] == "Northland"


def test_exit_1_when_nothing_matches(cache: Path) -> None:
    assert run("zzqqxx", str(FIXTURES / "small")) == (1, "")
    assert run("zzqqxx", str(FIXTURES / "small")) == (1, "")  # from the stored index too


def test_exit_2_on_an_invalid_dossier_with_its_diagnostics(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES / "small", copy)
    (copy / "dossier.yaml").write_text("actors: [unclosed\n", encoding="utf-8")
    assert run("north", str(copy))[0] == 2
    err = capsys.readouterr().err
    assert re.search(r"dossier\.yaml:\d+:\d+: error: ", err)
    assert not stored(cache)


def test_exit_2_on_a_missing_path_bad_arguments_or_an_empty_query(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("north", str(tmp_path / "nowhere"))[0] == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert run("*", str(FIXTURES / "small"))[0] == 2
    with pytest.raises(SystemExit) as exited:
        run("--format", "xml", "north")
    assert exited.value.code == 2


def test_no_traceback_as_a_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "search", "north", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "no such file or folder" in done.stderr


def test_main_dispatches_search(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Northland", str(FIXTURES / "small")]) == 0
    assert "actor north name: Northland" in capsys.readouterr().out


def test_hostile_text_is_shown_literally_without_escapes(cache: Path) -> None:
    for _ in range(2):  # built, then read back
        for query in ("click", "escapes", "override", "pwned"):
            status, text = run(query, str(FIXTURES / "hostile"))
            assert status == 0, query
            assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
            assert "\x9b" not in text
    assert "[@click=app.quit]" in run("click", str(FIXTURES / "hostile"))[1]


QUERIES = ("islands", "the", "sanct", '"peace treaty"', "Курил", "北方", "kind:actor japan",
           "stance:against", "zzz", "the of")  # fmt: skip


@pytest.mark.parametrize("folder", [default_dossier(), FIXTURES / "hostile"])
def test_the_stored_index_answers_as_the_dossier_does(cache: Path, folder: Path) -> None:
    fresh = [run("--no-cache", query, str(folder)) for query in QUERIES]
    run("x", str(folder))  # writes the index
    assert stored(cache)
    assert [run(query, str(folder)) for query in QUERIES] == fresh
    fresh_json = run("--no-cache", "--format", "json", "islands", str(folder))
    assert run("--format", "json", "islands", str(folder)) == fresh_json


def test_a_second_run_reads_the_index_not_the_model(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = str(FIXTURES / "small")
    first = run("north", small)
    assert len(stored(cache)) == 1
    for entry in cache.glob("*.store"):
        entry.unlink()

    def no_load(*args: object, **options: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("tui.search_cli.check_dossier", no_load)
    assert run("north", small) == first


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],  # a flipped bit
        lambda data: b"garbage",
        lambda data: b"",
    ],
)
def test_a_damaged_index_is_rebuilt(cache: Path, damage: object) -> None:
    small = str(FIXTURES / "small")
    first = run("north", small)
    (path,) = stored(cache)
    good = path.read_bytes()
    path.write_bytes(damage(good))  # type: ignore[operator]
    assert searchstore.read(path.stem) is None or not searchstore.read(path.stem).sound()  # type: ignore[union-attr]
    assert run("north", small) == first
    assert path.read_bytes() == good


def test_a_changed_byte_changes_the_key(cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES / "small", copy)
    assert run("Northland", str(copy))[0] == 0
    (before,) = stored(cache)
    yaml = copy / "dossier.yaml"
    yaml.write_text(yaml.read_text().replace("Northland", "Nordland"), encoding="utf-8")
    assert run("Northland", str(copy))[0] == 1
    assert run("Nordland", str(copy))[0] == 0
    assert before in stored(cache) and len(stored(cache)) == 2


def test_a_changed_source_text_file_is_noticed(cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(FIXTURES / "small", copy)
    run("north", str(copy))
    (path,) = stored(cache)
    assert searchstore.read(path.stem) is not None
    texts = [p for p in (copy / "sources").rglob("*") if p.is_file()]
    assert texts
    texts[0].write_text(texts[0].read_text() + "\nmore\n", encoding="utf-8")
    assert searchstore.read(path.stem) is None


def test_no_cache_writes_nothing(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run("--no-cache", "north", str(FIXTURES / "small"))[0] == 0
    assert not cache.exists() or not any(cache.iterdir())
    monkeypatch.setenv("DOSSIER_NO_CACHE", "1")
    assert run("north", str(FIXTURES / "small"))[0] == 0
    assert not cache.exists() or not any(cache.iterdir())
