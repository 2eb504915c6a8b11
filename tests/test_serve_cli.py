"""``dossier serve``'s parts without a network: options and start-up checks, the host key,
the app's environment, admission counting, and the pty child (spawn, resize, end, reap).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.test_serve_support import WAIT, ServeProcess, Session, connect, servers
from tui.cli import open_parser
from tui.content import default_dossier
from tui.serve import Admission, AppCommand, Limits, is_loopback
from tui.serve.child import child_environment, clamp_size, python_path_for, sanitise_term
from tui.serve.cli import UsageError, build_parser, check_access, main, settings_from
from tui.serve.hostkey import (
    HostKeyError,
    default_host_key_path,
    fingerprint,
    load_or_create_host_key,
)
from tui.serve.session import PtyChild

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = "dossier: {id: t, title: T, summary: S, as_of: 2020}\nactors:\n  - {id: a, kind: x}\n"


# Options and start-up checks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.6.7", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.0.2.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_open_bind_without_keys_refuses_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("dossier serve: error: refusing to listen on 0.0.0.0")
    assert "--authorized-keys" in error and "--allow-anonymous" in error
    assert "Traceback" not in error


def test_web_open_bind_needs_allow_anonymous(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--web", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "has no login" in capsys.readouterr().err


def test_allow_anonymous_warns(capsys: pytest.CaptureFixture[str]) -> None:
    check_access(build_parser().parse_args(["--host", "0.0.0.0", "--allow-anonymous"]))
    assert "warning: anyone who can reach 0.0.0.0 can connect" in capsys.readouterr().err


def test_keys_make_an_open_bind_acceptable(capsys: pytest.CaptureFixture[str]) -> None:
    check_access(build_parser().parse_args(["--host", "0.0.0.0", "--authorized-keys", "k"]))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["--web", "--authorized-keys", "keys"],
        ["--web", "--host-key", "key"],
        ["--public-url", "http://example.org"],
    ],
)
def test_options_of_the_other_mode_are_refused(argv: list[str]) -> None:
    with pytest.raises(UsageError):
        check_access(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "is not a port number"),
        (["--max-sessions", "0"], "must be at least 1"),
        (["--idle-timeout", "soon"], "is not a number of seconds"),
        (["--idle-timeout", "-1"], "0 or more"),
        (["--max-startups", "10"], "is not START:RATE:FULL"),
        (["--max-startups", "a:b:c"], "is not START:RATE:FULL"),
        (["--max-startups", "0:30:100"], "1 <= START <= FULL"),
        (["--max-startups", "20:30:10"], "1 <= START <= FULL"),
        (["--max-startups", "10:101:20"], "0 <= RATE <= 100"),
        (["--max-startups", "10:-1:20"], "0 <= RATE <= 100"),
        (["--per-source-max-startups", "0"], "must be at least 1"),
    ],
)
def test_bad_values_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error


def test_missing_dossier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nowhere")]) == 1
    assert "no such dossier" in capsys.readouterr().err


def test_invalid_dossier_is_reported_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    assert main([str(broken), "--port", "0"]) == 1
    error = capsys.readouterr().err
    assert f"{broken}:3:" in error
    assert "cannot serve" in error and "Traceback" not in error


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("ssh-ed25519 not-base64!\n", "is not an authorized_keys file")],
)
def test_bad_authorized_keys(
    tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "authorized_keys"
    if content is not None:
        keys.write_text(content)
    argv = ["--authorized-keys", str(keys), "--host-key", str(tmp_path / "k"), "--port", "0"]
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port), "--host-key", str(tmp_path / "key")]) == 1
    error = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1 port {port}" in error
    assert "Traceback" not in error


def test_app_command() -> None:
    command = AppCommand(Path("/d"), max_file_size=1024, no_cache=True, python="/py")
    assert command.argv() == ["/py", "-m", "tui", "/d", "--max-file-size", "1024", "--no-cache"]
    assert AppCommand(default_dossier()).argv()[:3] == [sys.executable, "-m", "tui"]


# Diff mode -------------------------------------------------------------------------------


def test_app_command_in_diff_mode() -> None:
    """Each value is joined to its option: a revision that looks like an option stays a
    value (and the explorer's git code refuses it as a revision)."""
    older = AppCommand(Path("/d"), diff=Path("/old"), python="/py")
    assert older.argv() == ["/py", "-m", "tui", "/d", "--diff=/old"]
    revision = AppCommand(Path("/d"), diff_git="--upload-pack=x", python="/py")
    assert revision.argv()[-1] == "--diff-git=--upload-pack=x"
    args = open_parser().parse_args(revision.argv()[3:])
    assert args.diff_git == "--upload-pack=x"


def diff_pair(tmp_path: Path) -> tuple[Path, Path]:
    """The small fixture (OLD) and a copy with a stance changed (NEW)."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "small", old)
    shutil.copytree(FIXTURES / "small", new)
    text = (new / "dossier.yaml").read_text(encoding="utf-8")
    assert text.count("stance: against") == 1
    (new / "dossier.yaml").write_text(text.replace("stance: against", "stance: mixed"))
    return old, new


def test_diff_mode_that_cannot_compare_is_refused_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = diff_pair(tmp_path)
    settings = settings_from(build_parser().parse_args([str(new), "--diff", str(old)]))
    assert settings.app.diff == old.resolve() and settings.app.diff_git is None
    (old / "dossier.yaml").write_text(BROKEN)
    assert main([str(new), "--diff", str(old), "--port", "0"]) == 1
    error = capsys.readouterr().err
    assert f"{old / 'dossier.yaml'}:3:" in error
    assert f"cannot serve {new} in diff mode" in error and "Traceback" not in error
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # (no repository above)
    assert main([str(new), "--diff-git", "HEAD", "--port", "0"]) == 1
    assert "--diff-git: " in capsys.readouterr().err
    assert main([str(tmp_path), "--diff", str(old), "--port", "0"]) == 2
    assert "diff mode compares one dossier" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(new), "--diff", str(old), "--diff-git", "HEAD"])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


async def test_a_served_session_in_diff_mode(
    tmp_path: Path, serve: Callable[..., ServeProcess]
) -> None:
    """Every session compares with OLD: the title counts the changes, c lists them."""
    old, new = diff_pair(tmp_path)
    server = serve(str(new), "--diff", str(old))
    async with await connect(server.port) as conn:
        session = await Session.open(conn, (100, 30), expecting="1 changed since")
        mark = session.press(b"c")
        await session.screen.expect("Changes since", since=mark)
        await session.screen.expect("against -> mixed", since=mark)
        session.press(b"q")
        await session.wait_closed()


# The host key ----------------------------------------------------------------------------
# The host key ----------------------------------------------------------------------------


def test_host_key_is_created_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "data" / "dossier" / "host_key"
    key, created = load_or_create_host_key(path)
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again, created_again = load_or_create_host_key(path)
    assert not created_again
    assert fingerprint(again) == fingerprint(key)
    assert key.algorithm == b"ssh-ed25519"


def test_host_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "host_key"
    load_or_create_host_key(path)
    path.chmod(0o644)
    with pytest.raises(HostKeyError, match=f"chmod 600 {path}"):
        load_or_create_host_key(path)


def test_host_key_that_is_not_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "host_key"
    path.write_text("hello\n")
    path.chmod(0o600)
    assert main(["--host-key", str(path), "--port", "0"]) == 1
    error = capsys.readouterr().err
    assert "is not a usable private key" in error and "Traceback" not in error


def test_default_host_key_lives_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_host_key_path() == tmp_path / "dossier" / "ssh_host_ed25519_key"


async def test_clients_see_the_same_host_key_after_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    fingerprints = []
    for _ in range(2):
        server = ServeProcess(folder).start(with_host_key=False)  # the default place
        try:
            async with await connect(server.port) as conn:
                key = conn.get_server_host_key()
                assert key is not None
                fingerprints.append(key.get_fingerprint())
        finally:
            assert server.stop() == 0
    key_file = folder / "data" / "dossier" / "ssh_host_ed25519_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0] == fingerprint(asyncssh.read_private_key(key_file))
    assert f"host key {fingerprints[0]}" in server.log()


# The app's environment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("xterm-256color", "xterm-256color"),
        ("screen.xterm-256color", "screen.xterm-256color"),
        ("tmux-256color", "tmux-256color"),
        ("xterm-kitty", "xterm-kitty"),
        ("vt100+", "vt100+"),
        (None, "xterm-256color"),
        ("", "xterm-256color"),
        ("xterm; rm -rf /", "xterm-256color"),
        ("../../etc/passwd", "xterm-256color"),
        ("x" * 65, "xterm-256color"),
        ("xterm\x1b]0;pwned\x07", "xterm-256color"),
        ("-xterm", "xterm-256color"),
    ],
)
def test_term_is_sanitised(term: str | None, expected: str) -> None:
    assert sanitise_term(term) == expected


def test_environment_is_built_from_scratch(tmp_path: Path) -> None:
    server_env = {
        "DOSSIER_CACHE_DIR": "/srv/cache",
        "DOSSIER_MAX_FILE_SIZE": "4M",
        "SSH_AUTH_SOCK": "/tmp/agent",
        "LD_PRELOAD": "/evil.so",
        "COLUMNS": "80",
        "LINES": "24",
        "PYTHONPATH": "/elsewhere",
    }
    env = child_environment(
        term="xterm-kitty",
        colorterm="truecolor",
        home=tmp_path,
        server_env=server_env,
        python_path=Path("/app"),
    )
    assert env == {
        "TERM": "xterm-kitty",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "DOSSIER_SERVED": str(os.getpid()),
        "PYTHONPATH": "/app",
        "DOSSIER_CACHE_DIR": "/srv/cache",
        "DOSSIER_MAX_FILE_SIZE": "4M",
    }
    odd = child_environment(term=None, colorterm="$(reboot)", home=tmp_path, server_env={})
    assert "COLORTERM" not in odd and odd["TERM"] == "xterm-256color"


def test_python_path_only_when_the_package_is_not_importable(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    expected = None if _importable_from(tmp_path) else root
    assert python_path_for(sys.executable, root, tmp_path) == expected
    assert python_path_for("/bin/false", root, tmp_path) == root


def _importable_from(folder: Path) -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", "import tui"], cwd=folder, env={}, capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.parametrize(
    ("size", "expected"),
    [((0, 0), (80, 24)), ((132, 50), (132, 50)), ((99999, 3), (1000, 3))],
)
def test_window_sizes_are_clamped(size: tuple[int, int], expected: tuple[int, int]) -> None:
    assert clamp_size(*size) == expected


# Admission --------------------------------------------------------------------------------


def test_admission_counts_in_total_and_per_address() -> None:
    admission = Admission(Limits(max_sessions=3, max_per_address=2))
    assert admission.admit("10.0.0.1") is None
    assert admission.admit("10.0.0.1") is None
    assert "from your address" in (admission.admit("10.0.0.1") or "")
    assert admission.admit("10.0.0.2") is None
    assert "server is full" in (admission.admit("10.0.0.3") or "")
    admission.release("10.0.0.1")
    assert admission.admit("10.0.0.3") is None
    assert admission.total == 3


# The pty child ----------------------------------------------------------------------------

_PROBE = """
import os, signal, sys, time
def size(*_):
    columns, rows = os.get_terminal_size(0)
    sys.stdout.write(f"size {columns}x{rows}\\n"); sys.stdout.flush()
signal.signal(signal.SIGWINCH, size)
signal.signal(signal.SIGHUP, signal.SIG_DFL)  # (as a served app does: see tui.served)
if "stubborn" in sys.argv:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
size()
print("env", sorted(os.environ), flush=True)
for line in sys.stdin:
    print("got", line.strip(), flush=True)
"""


class Probe:
    """A PtyChild running a small script, and what came out of it."""

    def __init__(self) -> None:
        self.output = bytearray()
        self.exits: list[int] = []

    @classmethod
    async def start(cls, *args: str) -> Probe:
        probe = cls()
        probe.child = await PtyChild.open(
            None,
            [sys.executable, "-c", _PROBE, *args],
            env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "LC_ALL": "C.UTF-8"},
            cwd=Path.cwd(),
            size=(100, 30),
            on_output=probe.output.extend,
            on_exit=probe.exits.append,
        )
        return probe

    async def expect(self, text: str) -> None:
        async def seen() -> None:
            while text.encode() not in self.output:
                await asyncio.sleep(0.02)

        try:
            await asyncio.wait_for(seen(), WAIT)
        except TimeoutError:
            pytest.fail(f"{text!r} not in the output: {bytes(self.output)!r}")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_pty_child_sizes_resizes_and_reads_input() -> None:
    before = _open_fds()
    probe = await Probe.start()
    await probe.expect("size 100x30")
    await probe.expect("env ['LC_ALL', 'PATH', 'TERM']")
    probe.child.resize(120, 40)
    await probe.expect("size 120x40")
    probe.child.write(b"hello\r")
    await probe.expect("got hello")
    probe.child.write(b"\x04")  # end of input: the script ends by itself
    assert await asyncio.wait_for(probe.child.wait(), WAIT) == 0
    assert probe.exits == [0]
    assert _open_fds() == before


async def test_pty_child_that_ignores_hangup_and_term_is_killed_and_reaped() -> None:
    before = _open_fds()
    probe = await Probe.start("stubborn")
    await probe.expect("env")
    returncode = await probe.child.terminate(grace=0.2)
    assert returncode == -signal.SIGKILL
    assert probe.exits == [-signal.SIGKILL]
    with pytest.raises(ChildProcessError):
        os.waitpid(probe.child.pid, os.WNOHANG)  # already reaped: no zombie left
    assert _open_fds() == before


async def test_pty_child_ends_on_hangup() -> None:
    probe = await Probe.start()
    await probe.expect("env")
    assert await probe.child.terminate(grace=5) == -signal.SIGHUP
    probe.child.resize(10, 10)  # after the end: nothing happens, nothing is raised
    probe.child.write(b"ignored")


def test_the_ssh_server_does_not_import_the_app() -> None:
    """No explorer logic in tui/serve: the server never even imports Textual."""
    code = (
        "import sys, tui.serve, tui.serve.cli, tui.serve.ssh, tui.serve.session; "
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_server_options_switch_off_everything_but_a_terminal(tmp_path: Path) -> None:
    """Agent forwarding cannot be seen refused from a client (OpenSSH asks without
    wanting a reply), so the option that refuses it is checked here, with the others."""
    from tui.serve.config import ServeSettings
    from tui.serve.ssh import server_options

    key, _ = load_or_create_host_key(tmp_path / "key")
    options = server_options(ServeSettings(app=AppCommand(default_dossier())), key)
    assert options["agent_forwarding"] is False
    assert options["x11_forwarding"] is False
    assert options["sftp_factory"] is None
    assert options["allow_scp"] is False
    assert options["password_auth"] is False and options["kbdint_auth"] is False
    assert "authorized_client_keys" not in options
