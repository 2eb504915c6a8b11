"""``dossier schema --write [DIR]``: a dossier set up for editors, every other byte kept."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.authoring.schema_write import (
    MODELINE,
    SCHEMA_FILE,
    apply,
    names_schema,
    plan,
    schema_named,
    with_modeline,
)
from tui.cli import main, schema
from tui.content import check_dossier
from tui.content.bundled import default_dossier

from .conftest import FIXTURES

LINE = MODELINE.encode()
BROKEN = b"""\
actors:
  - {id: zed, name: Zed, kind: stat}
  - {id: yan, name: Yan, kind: state, part_of: nobody}
"""
"""Two errors, at lines 2 and 3: the set-up must move them one line down, nothing else."""


def printed_schema() -> bytes:
    out = io.StringIO()
    assert schema([], out) == 0
    return out.getvalue().encode()


def write(target: Path | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
    argv = [sys.executable, "-m", "tui", "schema", "--write"]
    result = subprocess.run(
        argv + ([str(target)] if target is not None else []),
        capture_output=True, text=True, cwd=cwd, timeout=60,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as where they point), to show nothing changed."""
    return {
        str(path.relative_to(folder)): (
            os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        )
        for path in sorted(folder.rglob("*"))
        if path.is_symlink() or path.is_file()
    }


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    """The small fixture plus files written every way the loader accepts."""
    folder = tmp_path / "mine"
    shutil.copytree(FIXTURES / "small", folder)
    (folder / "broken.yaml").write_bytes(BROKEN)
    (folder / "crlf.yml").write_bytes(b"\xef\xbb\xbfevents: []\r\n# the end\r\n")
    (folder / "directive.yaml").write_bytes(b"%YAML 1.1\n---\nrelations: []\n")
    (folder / "elsewhere.yaml").write_bytes(
        b"# yaml-language-server: $schema=../shared/other.json\ntour: []\n"
    )
    (folder / "dotted.yaml").write_bytes(
        b"tour: []\n# yaml-language-server: $schema=./dossier.schema.json\n"
    )
    (folder / "nameless.yaml").write_bytes(b"# yaml-language-server: $format.date=true\ntour: []\n")
    (folder / ".hidden.yaml").write_bytes(b"not: [the dossier's\n")
    (folder / "notes.txt").write_bytes(b"not YAML\n")
    return folder


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"actors: []\n", LINE + b"\nactors: []\n"),
        (b"actors: []\r\n# c\r\n", LINE + b"\r\nactors: []\r\n# c\r\n"),
        (b"actors: []\r# c\r", LINE + b"\ractors: []\r# c\r"),
        (b"\xef\xbb\xbfa: 1\r\nb: 2\n", b"\xef\xbb\xbf" + LINE + b"\r\na: 1\r\nb: 2\n"),
        (b"actors: []", LINE + b"\nactors: []"),
        (b"", LINE + b"\n"),
        (b"%YAML 1.1\n---\na: 1\n", LINE + b"\n%YAML 1.1\n---\na: 1\n"),
    ],
    ids=["lf", "crlf", "cr", "bom-crlf", "no-newline", "empty", "directive"],
)
def test_the_line_goes_first_with_the_files_own_line_ending(before: bytes, after: bytes) -> None:
    assert with_modeline(before) == after


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("actors: []\n", None),
        ("# yaml-language-server: $schema=x.json\n", "x.json"),
        ("a: 1\n  #yaml-language-server : $format.date=true $schema=y.json\r\n", "y.json"),
        ("# yaml-language-server: $format.date=true\n", ""),
        ("#yaml-language-server: $schema=1.json\n#yaml-language-server: $schema=2.json", "1.json"),
        ("# a yaml-language-server: $schema=x.json comment\n", None),
    ],
)  # fmt: skip
def test_the_schema_a_file_names(text: str, named: str | None) -> None:
    assert schema_named(text) == named


def test_which_names_are_our_schema(tmp_path: Path) -> None:
    ours = tmp_path / SCHEMA_FILE
    yaml_file = tmp_path / "a.yaml"
    assert names_schema(SCHEMA_FILE, yaml_file, ours)
    assert names_schema("./" + SCHEMA_FILE, yaml_file, ours)
    assert names_schema(f"../{tmp_path.name}/{SCHEMA_FILE}", yaml_file, ours)
    assert names_schema(ours.as_uri(), yaml_file, ours)
    assert not names_schema("other.json", yaml_file, ours)
    assert not names_schema(f"https://example.org/{SCHEMA_FILE}", yaml_file, ours)


def diagnostics_of(folder: Path, shifted: set[str]) -> list[dict[str, object]]:
    """The folder's diagnostics, lines of the files in ``shifted`` as they were before."""
    found = [d.as_dict() for d in check_dossier(folder, use_cache=False).diagnostics]
    for item in found:
        if Path(str(item["path"])).name in shifted and isinstance(item["line"], int):
            item["line"] -= 1
    return found


def test_write_sets_up_every_file_and_keeps_every_other_byte(dossier: Path) -> None:
    before = snapshot(dossier)
    loaded_before = diagnostics_of(dossier, set())
    assert len([d for d in loaded_before if d["severity"] == "error"]) == 2

    status, out, err = write(dossier)

    assert status == 0, err
    shown = str(dossier)
    assert out.splitlines() == [
        f"{shown}/{SCHEMA_FILE}: written",
        f"{shown}/broken.yaml: added the schema line",
        f"{shown}/crlf.yml: added the schema line",
        f"{shown}/directive.yaml: added the schema line",
        f"{shown}/dossier.yaml: added the schema line",
        f"{shown}/dotted.yaml: already set up",
        f"{shown}/elsewhere.yaml: left as it is: its yaml-language-server line names "
        "../shared/other.json",
        f"{shown}/nameless.yaml: left as it is: its yaml-language-server line names no "
        "$schema (add $schema=dossier.schema.json to it)",
        "set up: 5 of 7 files name dossier.schema.json; editors with the YAML language "
        "server (VS Code, Neovim, ...) complete and check them as you type",
    ]
    after = snapshot(dossier)
    assert after.pop(SCHEMA_FILE) == printed_schema()
    added = {"broken.yaml", "crlf.yml", "directive.yaml", "dossier.yaml"}
    assert after.keys() == before.keys()
    for name, data in before.items():
        expected = with_modeline(data) if name in added else data
        assert after[name] == expected, name
    assert after["crlf.yml"].startswith(b"\xef\xbb\xbf" + LINE + b"\r\nevents:")
    # The loader reads every file as before, one line lower.
    assert diagnostics_of(dossier, added) == loaded_before


def test_a_second_run_changes_nothing(dossier: Path) -> None:
    assert write(dossier)[0] == 0
    before = snapshot(dossier)
    times = {path: path.stat().st_mtime_ns for path in dossier.iterdir()}
    status, out, _ = write(dossier)
    assert status == 0
    assert out.splitlines()[0].endswith(f"{SCHEMA_FILE}: up to date")
    assert out.splitlines()[-1] == "5 of 7 files name dossier.schema.json; nothing was changed"
    assert snapshot(dossier) == before
    assert {path: path.stat().st_mtime_ns for path in dossier.iterdir()} == times


def test_dir_defaults_to_the_current_folder_and_all_set_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(b"dossier: {id: p, title: P, summary: S, as_of: 2020}\n")
    status, out, _ = write(cwd=folder)
    assert status == 0
    assert out.splitlines()[:2] == [f"{SCHEMA_FILE}: written", "a.yaml: added the schema line"]
    assert write(cwd=folder)[1].splitlines()[-1] == (
        "already set up: 1 of 1 files name dossier.schema.json; nothing was changed"
    )


def test_a_dossier_from_dossier_new_is_set_up_already(tmp_path: Path) -> None:
    assert main(["new", "fresh", "--dir", str(tmp_path)]) == 0
    folder = tmp_path / "fresh"
    before = snapshot(folder)
    status, out, _ = write(folder)
    assert status == 0
    assert "already set up: 8 of 8 files" in out.splitlines()[-1]
    assert snapshot(folder) == before


def test_a_one_file_dossier_gets_the_schema_beside_it(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"actors: []\n")
    (tmp_path / "b.yaml").write_bytes(b"actors: []\n")
    status, out, _ = write(tmp_path / "a.yaml")
    assert status == 0
    assert f"{tmp_path}/a.yaml: added the schema line" in out
    assert (tmp_path / SCHEMA_FILE).read_bytes() == printed_schema()
    assert (tmp_path / "a.yaml").read_bytes() == LINE + b"\nactors: []\n"
    assert (tmp_path / "b.yaml").read_bytes() == b"actors: []\n"


def test_an_older_dossier_schema_is_updated(dossier: Path) -> None:
    older = json.loads(printed_schema())
    del older["$defs"]
    (dossier / SCHEMA_FILE).write_text(json.dumps(older))
    os.chmod(dossier / SCHEMA_FILE, 0o640)
    status, out, _ = write(dossier)
    assert status == 0
    assert f"{SCHEMA_FILE}: updated (it was an older dossier schema)" in out
    assert (dossier / SCHEMA_FILE).read_bytes() == printed_schema()
    assert (dossier / SCHEMA_FILE).stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "content",
    [
        b'{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "mine"}',
        b'{"title": "dossier file"}',
        b"not json",
        b"[]",
    ],
    ids=["another-schema", "no-draft", "not-json", "a-list"],
)
def test_a_schema_file_of_someone_else_is_refused_with_nothing_changed(
    dossier: Path, content: bytes
) -> None:
    (dossier / SCHEMA_FILE).write_bytes(content)
    before = snapshot(dossier)
    status, out, err = write(dossier)
    assert status == 1
    assert out == ""
    assert err.splitlines() == [
        f"dossier schema --write: {dossier}/{SCHEMA_FILE} exists and is not a dossier "
        "schema; nothing was changed",
        "  hint: move it away, or point the files at it yourself",
    ]
    assert snapshot(dossier) == before


def test_a_schema_path_that_is_a_link_or_a_folder_is_refused(dossier: Path) -> None:
    (dossier / SCHEMA_FILE).symlink_to(dossier / "dossier.yaml")
    before = snapshot(dossier)
    status, _, err = write(dossier)
    assert status == 1
    assert "is not a regular file (it is a symbolic link); nothing was changed" in err
    assert snapshot(dossier) == before
    (dossier / SCHEMA_FILE).unlink()
    (dossier / SCHEMA_FILE).mkdir()
    before = snapshot(dossier)
    status, _, err = write(dossier)
    assert status == 1
    assert "(it is a folder)" in err
    assert snapshot(dossier) == before


def test_files_the_loader_would_not_read_as_they_are_are_left_and_said(dossier: Path) -> None:
    outside = dossier.parent / "outside.yaml"
    outside.write_bytes(b"actors: []\n")
    (dossier / "linked.yaml").symlink_to(outside)
    (dossier / "latin1.yaml").write_bytes(b"# caf\xe9\nactors: []\n")
    status, out, _ = write(dossier)
    assert status == 0
    assert f"{dossier}/linked.yaml: left as it is: the file is not a regular file" in out
    assert f"{dossier}/latin1.yaml: left as it is: not UTF-8 text" in out
    assert outside.read_bytes() == b"actors: []\n"
    assert (dossier / "linked.yaml").is_symlink()
    assert (dossier / "latin1.yaml").read_bytes() == b"# caf\xe9\nactors: []\n"


def test_a_files_permissions_are_kept(dossier: Path) -> None:
    os.chmod(dossier / "dossier.yaml", 0o600)
    assert write(dossier)[0] == 0
    assert (dossier / "dossier.yaml").stat().st_mode & 0o777 == 0o600
    assert not [p for p in dossier.iterdir() if p.name.startswith(".") and p.name != ".hidden.yaml"]


def test_a_file_changed_meanwhile_is_not_overwritten(dossier: Path) -> None:
    setup = plan(dossier)
    (dossier / "broken.yaml").write_bytes(b"actors: []\n# edited meanwhile\n")
    done = {path.name: (what, state) for path, what, state in apply(setup)}
    assert done["broken.yaml"] == (
        "not written: it changed meanwhile (run the command again)",
        "failed",
    )
    assert (dossier / "broken.yaml").read_bytes() == b"actors: []\n# edited meanwhile\n"
    assert done["dossier.yaml"][1] == "written"


def test_the_bundled_dossier_is_refused() -> None:
    before = snapshot(default_dossier())
    status, out, err = write(default_dossier())
    assert status == 1 and out == ""
    assert err == (
        "dossier schema --write: the bundled dossier is not yours to change: "
        "start your own with `dossier new NAME`\n"
    )
    assert snapshot(default_dossier()) == before


def test_what_is_not_one_dossier_is_refused(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.yaml").write_bytes(b"actors: []\n")
    status, _, err = write(tmp_path)
    assert status == 1
    assert err.endswith("holds several dossiers; name one: one, two\n")
    assert write(tmp_path / "missing")[2].endswith("missing: no such file or folder\n")
    (tmp_path / "empty").mkdir()
    assert write(tmp_path / "empty")[2].endswith("holds no dossier (no .yaml or .yml files)\n")
    assert not list(tmp_path.rglob(SCHEMA_FILE))


def test_without_write_the_schema_is_printed_and_help_names_write() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "schema"], capture_output=True, timeout=60
    )
    assert result.stdout == printed_schema()
    help_text = subprocess.run(
        [sys.executable, "-m", "tui", "schema", "--help"], capture_output=True, text=True,
        timeout=60,
    ).stdout  # fmt: skip
    assert "--write [DIR]" in help_text
    assert "yaml-language-server" in help_text
