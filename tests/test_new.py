"""``dossier new``: a valid starter dossier, never written over an existing folder."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tui.authoring import new
from tui.authoring.new import main
from tui.content import PartialDate, check_dossier, json_schema

TODAY = datetime.date(2024, 5, 17)
SCHEMA_LINE = "# yaml-language-server: $schema=dossier.schema.json\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err, today=TODAY)
    return status, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), folders as b'<dir>'."""
    return {
        str(p.relative_to(folder)): b"<dir>" if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def test_new_writes_a_valid_dossier_with_every_section(tmp_path: Path) -> None:
    status, _, err = run("port-talks", "--dir", str(tmp_path / "content"))
    assert (status, err) == (0, "")
    folder = tmp_path / "content" / "port-talks"
    result = check_dossier(folder, use_cache=False)
    assert result.diagnostics == ()  # no errors, and no notes either
    dossier = result.dossier
    assert dossier is not None
    assert dossier.info.id == "port-talks"
    assert dossier.info.title == "Port talks"
    assert dossier.info.as_of == PartialDate(2024, 5, 17)
    assert dossier.sources and dossier.actors and dossier.issues and dossier.assessments
    assert dossier.events and dossier.relations and dossier.tour
    assert dossier.issues[0].positions and dossier.assessments[0].arguments
    # Quote checking is demonstrated, so the source's text file is there.
    assert (folder / "sources" / "tessel-report.txt").is_file()
    # Only the new folder appeared: no staging folder was left beside it.
    assert [p.name for p in (tmp_path / "content").iterdir()] == ["port-talks"]


def test_new_prints_what_it_wrote_and_what_to_do_next(tmp_path: Path) -> None:
    status, out, _ = run("port-talks", "--dir", str(tmp_path))
    assert status == 0
    folder = tmp_path / "port-talks"
    for path in ("dossier.yaml", "issues.yaml", "dossier.schema.json"):
        assert f"  {path} " in out
    assert f"dossier validate {folder}" in out
    assert f"dossier {folder} " in out


def test_every_file_points_at_the_schema_and_the_schema_accepts_it(tmp_path: Path) -> None:
    assert run("port-talks", "--dir", str(tmp_path))[0] == 0
    folder = tmp_path / "port-talks"
    schema = json.loads((folder / "dossier.schema.json").read_text(encoding="utf-8"))
    assert schema == json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(folder.glob("*.yaml"))
    assert len(files) == 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith(SCHEMA_LINE), path.name
        assert "{{" not in text, path.name  # every placeholder was filled in
        # Dates as an editor sees them: strings.
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        assert [e.message for e in validator.iter_errors(data)] == [], path.name


def test_every_section_is_commented(tmp_path: Path) -> None:
    assert run("port-talks", "--dir", str(tmp_path))[0] == 0
    for path in sorted((tmp_path / "port-talks").glob("*.yaml")):
        comments = [line for line in path.read_text().splitlines() if line.lstrip()[:1] == "#"]
        assert len(comments) >= 4, path.name


def test_new_refuses_an_existing_folder_and_leaves_it_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "port-talks"
    (folder / "sources").mkdir(parents=True)
    (folder / "dossier.yaml").write_bytes(b"dossier: {id: mine}\n# my own work\n")
    (folder / "sources" / "notes.txt").write_bytes(b"[1] keep me\n")
    before = snapshot(tmp_path)
    status, out, err = run("port-talks", "--dir", str(tmp_path))
    assert status == 1
    assert out == ""
    assert f"{folder} already exists; nothing was changed" in err
    assert snapshot(tmp_path) == before


def test_new_refuses_an_existing_file_of_that_name(tmp_path: Path) -> None:
    (tmp_path / "port-talks").write_text("not a folder")
    status, _, err = run("port-talks", "--dir", str(tmp_path))
    assert status == 1 and "already exists" in err
    assert (tmp_path / "port-talks").read_text() == "not a folder"


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("Port Talks", "port-talks"),
        ("port_talks", "port-talks"),
        ("port--talks", "port-talks"),
        ("Café-Öffnung", "cafe-offnung"),
        ("../escape", "escape"),
        ("a/b", "a-b"),
        ("日本", None),
    ],
)
def test_a_bad_name_is_refused_with_a_suggestion(
    tmp_path: Path, name: str, hint: str | None
) -> None:
    status, out, err = run(name, "--dir", str(tmp_path / "content"))
    assert status == 2
    assert out == ""
    assert "is not a valid dossier name: use lowercase letters, digits and single hyphens" in err
    if hint is None:
        assert "hint" not in err
    else:
        assert f"hint: try '{hint}'" in err
    assert not (tmp_path / "content").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "the following arguments are required: name" in capsys.readouterr().err


def test_a_file_where_the_folder_should_be_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "content").write_text("a file")
    status, _, err = run("port-talks", "--dir", str(tmp_path / "content"))
    assert status == 1
    assert "is not a folder" in err


def test_a_failure_while_writing_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write_text = Path.write_text
    written: list[Path] = []

    def failing_write_text(self: Path, *args: object, **kwargs: object) -> int:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(self)
        return real_write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", failing_write_text)
    status, _, err = run("port-talks", "--dir", str(tmp_path))
    assert status == 1
    assert "cannot create" in err and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []  # neither the dossier nor the staging folder


def test_the_starter_is_read_from_the_package() -> None:
    contents = new.starter_contents("x", TODAY)
    assert "dossier.yaml" in contents and "sources/tessel-report.txt" in contents
    assert "  id: x\n" in contents["dossier.yaml"]
    assert "  as_of: 2024-05-17\n" in contents["dossier.yaml"]
