"""The ``dossier validate`` and ``dossier schema`` commands, as a user runs them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tui.cli import main, schema, validate
from tui.content.bundled import bundled_dossiers

from .conftest import FIXTURES

BROKEN = """\
dossier: {id: t, title: T, summary: S, as_of: 2020}
actors:
  - {id: a, name: A, kind: stat}
  - {id: bb, name: B, kind: other}
  - {id: c, name: C, kind: other, part_of: b}
"""


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A dossier file with two errors, each with a hint."""
    path = tmp_path / "bad.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, timeout=60
    )


def test_validate_valid_dossier_exits_0() -> None:
    out = io.StringIO()
    assert validate([str(FIXTURES / "small")], out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(
        "ok: Small test dossier (4 actors, 1 issue, 1 assessment, 1 event, 1 source)"
    )
    assert lines[-1] == "valid: 0 errors, 0 notes in 1 file"


def test_validate_reports_every_problem_compiler_style(broken: Path) -> None:
    result = run("validate", str(broken))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{broken}:3:28: error: 'kind' must be one of state, person")
    assert lines[1] == "  hint: did you mean 'state'?"
    assert lines[2] == f"{broken}:5:44: error: 'part_of' names 'b', which does not exist"
    assert lines[3] == "  hint: did you mean 'bb'?"
    assert lines[-1] == "invalid: 2 errors, 0 notes in 1 file"
    assert "Traceback" not in result.stderr


def test_validate_json(broken: Path) -> None:
    result = run("validate", "--format", "json", str(broken))
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert [(p["line"], p["col"], p["severity"]) for p in problems] == [
        (3, 28, "error"),
        (5, 44, "error"),
    ]
    assert problems[1]["hint"] == "did you mean 'bb'?"


def test_validate_several_paths_at_once(broken: Path) -> None:
    out = io.StringIO()
    assert validate([str(FIXTURES / "small"), str(broken)], out) == 1
    assert out.getvalue().splitlines()[-1] == "invalid: 2 errors, 0 notes in 2 files"


def test_validate_without_path_checks_the_bundled_default() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("valid: 0 errors")


@pytest.mark.parametrize("name", sorted(bundled_dossiers()))
def test_every_bundled_dossier_is_valid(name: str) -> None:
    out = io.StringIO()
    assert validate([str(bundled_dossiers()[name])], out) == 0, out.getvalue()


def test_usage_errors_exit_2() -> None:
    assert run("validate", "--format", "xml").returncode == 2
    assert run("validate", "--max-file-size", "lots").returncode == 2
    assert run("--no-such-option").returncode == 2


def test_missing_path_is_a_clear_error() -> None:
    result = run("validate", "/no/such/dossier")
    assert result.returncode == 1
    assert result.stdout.startswith("/no/such/dossier: error: no such file or folder")


def test_open_invalid_dossier_prints_errors_not_a_traceback(broken: Path) -> None:
    result = run(str(broken))
    assert result.returncode == 1
    assert "error: 'kind' must be one of" in result.stderr
    assert "cannot open" in result.stderr
    assert "Traceback" not in result.stderr


def test_max_file_size_option(broken: Path) -> None:
    result = run("validate", "--max-file-size", "100", str(broken))
    assert result.returncode == 1
    assert "over the limit of 100 bytes" in result.stdout
    assert "--max-file-size" in result.stdout


def test_escape_sequences_in_messages_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text('dossier: {id: t, title: T, summary: S, as_of: 2020}\n"\\e]0;pwned\\a": 1\n')
    result = run("validate", str(path))
    assert result.returncode == 1
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


class Yaml12Loader(yaml.SafeLoader):
    """Reads scalars the way the YAML language server (YAML 1.2) does: 'Yes' is text."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_schema_is_valid_json_schema_and_accepts_the_bundled_files() -> None:
    out = io.StringIO()
    assert schema([], out) == 0
    document = json.loads(out.getvalue())
    jsonschema.Draft202012Validator.check_schema(document)
    validator = jsonschema.Draft202012Validator(document)
    files = [p for d in bundled_dossiers().values() for p in sorted(d.glob("*.y*ml"))]
    files.append(FIXTURES / "small" / "dossier.yaml")
    assert files
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)
        # Dates and numbers as an editor sees them: dates become strings.
        data = json.loads(json.dumps(data, default=str))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], f"{path}: {errors[:3]}"


def test_schema_rejects_unknown_fields() -> None:
    out = io.StringIO()
    schema([], out)
    validator = jsonschema.Draft202012Validator(json.loads(out.getvalue()))
    bad = {"actors": [{"id": "a", "name": "A", "kind": "state", "nmae": "x"}]}
    assert list(validator.iter_errors(bad))
    good = {"actors": [{"id": "a", "name": "A", "kind": "state", "x-note": "kept"}]}
    assert not list(validator.iter_errors(good))


def test_main_returns_status_for_python_m() -> None:
    assert main(["validate", str(FIXTURES / "small")]) == 0


def test_committed_schema_file_is_current() -> None:
    """docs/dossier.schema.json (used by the example's editor hint) matches the code."""
    out = io.StringIO()
    schema([], out)
    committed = (Path(__file__).parent.parent / "docs" / "dossier.schema.json").read_text()
    assert committed == out.getvalue(), "regenerate: dossier schema > docs/dossier.schema.json"
