"""Hostile files around a dossier: named pipes, symbolic links and crafted file names.

A named pipe (FIFO) blocks whoever opens or reads it until a writer appears, so every
test that could meet one runs under :func:`deadline` (or in a subprocess with a
timeout): a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from tui.authoring import export, new
from tui.cli import open_explorer, validate
from tui.content import check_dossier, load_dossier

from .conftest import FIXTURES

SMALL = str(FIXTURES / "small")
VALID = "dossier: {id: t, title: T, summary: S, as_of: 2020}\n"
NOT_REGULAR = "is not a regular file (it is a named pipe)"


class Blocked(BaseException):
    """Raised in whatever blocks too long (a BaseException: no ``except OSError`` or
    ``except Exception`` in the code under test can swallow it)."""


@contextlib.contextmanager
def deadline(seconds: float = 10) -> Iterator[None]:
    """Raise :class:`Blocked` in whatever blocks (opening a FIFO) for more than ``seconds``,
    and again every second after, until the block is left."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Blocked(f"still blocked after {seconds} s (a FIFO was opened?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", folder)
    return folder


def fifo_instead_of(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def run_validate(*argv: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    with deadline():
        status = validate([*argv, "--no-cache"], out)
    return status, out.getvalue().splitlines()


def run_export(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with deadline():
        status = export.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


# -- 7: a FIFO (or any file that is not a regular file) is refused, never read ---------
TEXT_FILE_FIFO = f"text_file 'sources/memo.txt' of 'memo' {NOT_REGULAR}"


def test_validate_reports_a_fifo_text_file_instead_of_hanging(small: Path) -> None:
    fifo_instead_of(small / "sources" / "memo.txt")
    result = subprocess.run(
        [sys.executable, "-m", "tui", "validate", str(small)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 1, result.stderr
    assert f"{small / 'dossier.yaml'}:11:16: error: {TEXT_FILE_FIFO}" in result.stdout
    assert "Traceback" not in result.stderr


def test_export_reports_a_fifo_text_file_instead_of_hanging(small: Path) -> None:
    fifo_instead_of(small / "sources" / "memo.txt")
    status, out, err = run_export(str(small), "--no-cache")
    assert status == 1 and out == ""
    assert TEXT_FILE_FIFO in err


def test_a_text_file_replaced_by_a_fifo_after_caching_is_not_hashed(
    small: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    load_dossier(small, cache_dir=cache_dir)  # the entry records memo.txt's hash
    fifo_instead_of(small / "sources" / "memo.txt")
    with deadline():
        result = check_dossier(small, cache_dir=cache_dir)
    assert result.dossier is None
    assert [d.message for d in result.errors] == [TEXT_FILE_FIFO]


def test_a_fifo_among_the_yaml_files_is_reported_not_skipped(small: Path) -> None:
    fifo_instead_of(small / "more.yaml")
    status, lines = run_validate(str(small))
    assert status == 1
    assert f"{small / 'more.yaml'}: error: the file {NOT_REGULAR}" in lines


def test_a_fifo_given_as_the_dossier_file_is_reported(tmp_path: Path) -> None:
    fifo = fifo_instead_of(tmp_path / "d.yaml")
    status, lines = run_validate(str(fifo))
    assert status == 1
    assert lines[0] == f"{fifo}: error: the file {NOT_REGULAR}"


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.content.safefile import FileRefusedError, read_regular_file

    regular = tmp_path / "regular.txt"
    regular.write_text("x")
    fifo = fifo_instead_of(tmp_path / "fifo.txt")
    real_lstat = os.lstat

    def lstat_before_the_swap(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if Path(str(path)) == fifo:  # the check sees a regular file; the open, a FIFO
            return real_lstat(regular)
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat_before_the_swap)
    with deadline(), pytest.raises(FileRefusedError) as refused:
        read_regular_file(fifo, 1000)
    assert refused.value.reason == NOT_REGULAR


def test_a_file_growing_past_the_limit_while_read_is_refused(tmp_path: Path) -> None:
    from tui.content.safefile import FileRefusedError, read_regular_file

    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 101)
    assert read_regular_file(path, 101) == b"x" * 101
    with pytest.raises(FileRefusedError) as refused:
        read_regular_file(path, 100)
    assert refused.value.reason == "is 101 bytes, over the limit of 100 bytes"


# -- 9: export --force replaces only a regular file ------------------------------------
def test_export_force_refuses_to_replace_a_fifo(tmp_path: Path) -> None:
    fifo = fifo_instead_of(tmp_path / "brief.md")
    for force in ([], ["--force"]):
        status, out, err = run_export(SMALL, "-o", str(fifo), *force)
        assert status == 1 and out == ""
        assert f"{fifo} is not a regular file (it is a named pipe); it is never replaced" in err
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_export_force_refuses_to_replace_a_symlink(tmp_path: Path, dangling: bool) -> None:
    real = tmp_path / "real.md"
    if not dangling:
        real.write_bytes(b"my notes\n")
    link = tmp_path / "brief.md"
    link.symlink_to(real)
    for force in ([], ["--force"]):
        status, out, err = run_export(SMALL, "-o", str(link), *force)
        assert status == 1 and out == ""
        assert f"{link} is a symbolic link; it is never replaced" in err
        assert link.is_symlink() and os.readlink(link) == str(real)
    assert dangling or real.read_bytes() == b"my notes\n"
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == (["brief.md"] if dangling else ["brief.md", "real.md"])


def test_export_force_still_replaces_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    target.write_bytes(b"old\n")
    status, _, err = run_export(SMALL, "-o", str(target), "--force")
    assert (status, err) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("# Small test dossier")


def test_export_help_says_what_force_replaces(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        export.main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "only a regular file" in help_text
    assert "never a symbolic link" in help_text


# -- 10a: a crafted file name is printed escaped, on one line --------------------------
FAKE = "fake.yaml:1:1: error: fake"
CRAFTED = {
    f"b\n{FAKE}.yaml": r"b\nfake.yaml:1:1: error: fake.yaml",
    "c\x1b[2J\x07.yaml": r"c\x1b[2J\x07.yaml",
    "d\u202eevil\u2028.yaml": r"d\u202eevil\u2028.yaml",
    "e\x9b\t.yaml": r"e\x9b\t.yaml",
}


def assert_one_line_each(text: str, folder: Path) -> None:
    """No control character but the line ends, and no line a file name made up."""
    assert not any(c in text for c in "\x1b\x07\x9b\t\r\u202e\u2028"), repr(text)
    for line in text.splitlines():
        assert not line.startswith(FAKE), repr(line)


def test_crafted_file_names_are_escaped_in_diagnostics(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(VALID)
    for name in CRAFTED:
        (folder / name).write_text("nonsense: 1\n")
    out = io.StringIO()
    assert validate([str(folder), "--no-cache"], out) == 1
    text = out.getvalue()
    assert_one_line_each(text, folder)
    for escaped in CRAFTED.values():
        line = f"\"{folder}/{escaped}\":1:1: error: unknown section 'nonsense'"
        assert line in text.splitlines()


def test_a_crafted_folder_name_is_escaped_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / f"ok\x1b]0;x\x07\n{FAKE}"
    shown = str(folder).replace("\x1b", r"\x1b").replace("\x07", r"\x07").replace("\n", r"\n")
    folder.mkdir()
    (folder / "dossier.yaml").write_text(VALID)
    out = io.StringIO()
    assert validate([str(folder), "--no-cache"], out) == 0
    assert out.getvalue().splitlines() == [
        f'"{shown}": ok: T (0 actors, 0 issues, 0 assessments, 0 events, 0 sources)',
        "valid: 0 errors, 0 notes in 1 file",
    ]
    status, stdout, err = run_export(str(folder), "-o", str(folder / "brief\n.md"))
    assert (status, err) == (0, "")
    assert stdout.startswith(f'wrote "{shown}/brief\\n.md" (markdown, ')
    assert_one_line_each(stdout, folder)
    (folder / "dossier.yaml").write_text(VALID + "actors: 1\n")
    assert open_explorer([str(folder), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert_one_line_each(err, folder)
    assert f'dossier: cannot open "{shown}": 1 error' in err
    out = io.StringIO()
    assert new.main(["x", "--dir", str(folder)], out=out, err=io.StringIO()) == 0
    assert out.getvalue().startswith(f'Created the starter dossier "{shown}/x/"\n')
    assert_one_line_each(out.getvalue(), folder)


# -- 10b: a YAML file that is a symbolic link out of the dossier is not read -----------
def test_a_yaml_symlink_out_of_the_dossier_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("secret-section: 1\n")
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(VALID)
    (folder / "more.yaml").symlink_to(secret)
    status, lines = run_validate(str(folder))
    assert status == 1
    assert lines[0] == (
        f"{folder / 'more.yaml'}: error: the file is a symbolic link to outside the dossier folder"
    )
    assert lines[1] == "  hint: only files inside the dossier folder are read: copy it in"
    assert "secret" not in "\n".join(lines)


def test_a_yaml_symlink_inside_the_dossier_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "info.txt").write_text(VALID)
    (folder / "dossier.yaml").symlink_to(folder / "parts" / "info.txt")
    assert load_dossier(folder, use_cache=False).info.id == "t"


def test_content_quoted_in_a_message_stays_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(VALID + f'"x\\n{FAKE}\\u2028": 1\n')
    status, lines = run_validate(str(path))
    assert status == 1
    assert f"{path}:2:1: error: unknown section 'x\\nfake.yaml:1:1: error: fake\\u2028'" in lines
    assert not any(line.startswith(FAKE) for line in lines)


def test_a_text_file_link_in_a_loop_is_an_error_not_a_crash(small: Path) -> None:
    loop = small / "sources" / "memo.txt"
    loop.unlink()
    loop.symlink_to(loop)
    status, lines = run_validate(str(small))
    assert status == 1
    assert (
        f"{small / 'dossier.yaml'}:11:16: error: text_file 'sources/memo.txt' of 'memo' "
        "is not a regular file (it is a symbolic link)"
    ) in lines
