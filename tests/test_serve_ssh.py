"""``dossier serve`` over SSH, as users meet it: a real OpenSSH client and asyncssh's.

Each test starts a server subprocess on a free loopback port (see test_serve_support) and
drives it: the explorer shows up, keys navigate, a resize re-lays it out, ``q`` ends the
session; everything that is not a terminal session (exec, sftp, forwarding, X11, no pty)
is refused; connections that never log in cannot keep anyone else out.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import socket
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path

import asyncssh
import pytest

from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    TITLE,
    WAIT,
    PtyTerminal,
    ServeProcess,
    Session,
    async_wait_until,
    connect,
    explore_resize_and_quit,
    servers,
    wait_until,
)
from tui.serve import Limits
from tui.serve.session import set_window_size

SSH = shutil.which("ssh")
needs_openssh = pytest.mark.skipif(SSH is None, reason="no OpenSSH client (ssh) installed")
DOWN = b"\x1b[B"
PER_SOURCE_MAX_STARTUPS = Limits().per_source_max_startups


def ssh_options(port: int, log_level: str = "ERROR") -> list[str]:
    return [
        "-F",
        "/dev/null",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        f"LogLevel={log_level}",
        "-p",
        str(port),
    ]


def run_ssh(port: int, *args: str, timeout: float = WAIT) -> subprocess.CompletedProcess[str]:
    """A non-interactive OpenSSH client run (its stdin is empty)."""
    assert SSH is not None
    return subprocess.run(
        [SSH, *ssh_options(port), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class OpenSSHTerminal(PtyTerminal):
    """``ssh -tt`` under a pty of our own, as a person's terminal would run it."""

    def __init__(
        self, port: int, size: tuple[int, int] = (80, 24), options: Sequence[str] = ()
    ) -> None:
        """``options``: more of ssh's, which win over the usual ones (ssh keeps the first)."""
        assert SSH is not None
        super().__init__([SSH, "-tt", *options, *ssh_options(port), "127.0.0.1"], size)

    def resize(self, columns: int, rows: int) -> int:
        """What a terminal window does: new size on the pty, SIGWINCH to the client."""
        mark = len(self.screen.data)
        set_window_size(self.master, columns, rows)
        self.process.send_signal(signal.SIGWINCH)
        return mark

    async def wait(self) -> int:
        await async_wait_until(lambda: self.process.poll() is not None, what="ssh to exit")
        return self.process.returncode


@contextlib.contextmanager
def silent_connections(port: int, sources: Sequence[str]) -> Iterator[list[bytes]]:
    """A TCP connection from each of ``sources`` (loopback addresses) that never speaks SSH.

    Yields what the server first sent on each, once it has sent something on every one:
    its banner, or ``b""`` when it closed the connection unanswered. Closed on exit.
    """
    sockets: list[socket.socket] = []
    try:
        for source in sources:
            sockets.append(
                socket.create_connection(
                    ("127.0.0.1", port), timeout=WAIT, source_address=(source, 0)
                )
            )
        yield [each.recv(100) for each in sockets]
    finally:
        for each in sockets:
            each.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


@pytest.fixture
def server(serve: Callable[..., ServeProcess]) -> ServeProcess:
    return serve()


@pytest.fixture
async def openssh(server: ServeProcess) -> AsyncIterator[Callable[..., OpenSSHTerminal]]:
    terminals: list[OpenSSHTerminal] = []

    def start(size: tuple[int, int] = (80, 24)) -> OpenSSHTerminal:
        terminals.append(OpenSSHTerminal(server.port, size))
        return terminals[-1]

    yield start
    for terminal in terminals:
        terminal.close()


# A real OpenSSH client ----------------------------------------------------------------


@needs_openssh
async def test_openssh_user_explores_resizes_and_quits(
    server: ServeProcess, openssh: Callable[..., OpenSSHTerminal]
) -> None:
    terminal = openssh((80, 24))
    await terminal.screen.expect(TITLE)
    await terminal.screen.expect("Quit")  # the footer: the whole screen was drawn
    mark = terminal.press(DOWN + DOWN)
    await terminal.screen.expect(AFTER_TWO_DOWNS, since=mark)
    # Bigger window: the app draws down to the new last row (30), the footer there.
    assert not re.search(rb"\x1b\[30;\d+H", bytes(terminal.screen.data))
    mark = terminal.resize(100, 30)
    await terminal.screen.expect_bytes(rb"\x1b\[30;\d+H", since=mark)
    await terminal.screen.expect("Quit", since=mark)
    terminal.press(b"q")
    assert await terminal.wait() == 0
    await server.expect_log(r"user=\S+ \d+\.\ds exit 0")
    assert not server.children()


@needs_openssh
def test_openssh_without_a_terminal_gets_one_line_and_status_1(server: ServeProcess) -> None:
    result = run_ssh(server.port, "-T", "127.0.0.1")
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1
    assert "needs a terminal" in result.stdout
    assert "ssh -t" in result.stdout


@needs_openssh
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["127.0.0.1", "cat /etc/passwd"], "exec request failed"),
        (["-s", "127.0.0.1", "sftp"], "subsystem request failed"),
        (
            ["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", "127.0.0.1"],
            "remote port forwarding failed",
        ),
    ],
    ids=["exec", "sftp", "remote-forwarding"],
)
def test_openssh_refusals(server: ServeProcess, args: list[str], message: str) -> None:
    result = run_ssh(server.port, *args)
    assert result.returncode == 255
    assert message in result.stderr
    assert "root:" not in result.stdout
    assert not server.children()


@needs_openssh
def test_openssh_local_forwarding_is_refused(server: ServeProcess, tmp_path: Path) -> None:
    """``ssh -L``: the tunnel's connections are refused by the server, nothing is reached."""
    assert SSH is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    ssh_log = tmp_path / "ssh.log"
    forward = f"127.0.0.1:{local_port}:127.0.0.1:{server.port}"
    with ssh_log.open("wb") as log:
        ssh = subprocess.Popen(
            [SSH, *ssh_options(server.port, "INFO"), "-N", "-L", forward, "127.0.0.1"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    received: list[bytes] = []

    def tunnel_answered() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", local_port), timeout=WAIT) as client:
                client.settimeout(WAIT)
                received.append(client.recv(100))
        except ConnectionRefusedError:
            return False  # ssh is not listening yet
        return True

    try:
        wait_until(tunnel_answered, what="ssh -L to listen")
        assert received == [b""]  # closed at once: no SSH banner came through the tunnel
        wait_until(lambda: "open failed" in ssh_log.read_text(), what="ssh to report")
    finally:
        ssh.kill()
        ssh.wait(WAIT)
    assert "administratively prohibited" in ssh_log.read_text()
    server.wait_for_log("refused: port forwarding")


# asyncssh's client ----------------------------------------------------------------------


async def test_asyncssh_session_navigates_resizes_and_quits(server: ServeProcess) -> None:
    async with await connect(server.port) as conn:
        session = await Session.open(conn, expecting=TITLE)
        await explore_resize_and_quit(session)
    assert not server.children()


async def test_no_pty_is_refused_with_one_line(server: ServeProcess) -> None:
    async with await connect(server.port) as conn:
        process = await conn.create_process()
        output = await asyncio.wait_for(process.stdout.read(), WAIT)
        await asyncio.wait_for(process.wait_closed(), WAIT)
    assert process.exit_status == 1
    assert output.count("\n") == 1 and "needs a terminal" in output


async def test_exec_and_subsystems_are_refused(server: ServeProcess) -> None:
    async with await connect(server.port) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_process("id", term_type="xterm")
    async with await connect(server.port) as conn:
        with pytest.raises((asyncssh.ChannelOpenError, asyncssh.SFTPError)):
            await conn.start_sftp_client()
    await server.expect_log("refused: exec")
    await server.expect_log("refused: subsystem sftp")


async def test_forwarding_is_refused(server: ServeProcess) -> None:
    async with await connect(server.port) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_connection("127.0.0.1", server.port)
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 9)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.open_unix_connection("/run/anything.sock")


async def test_x11_forwarding_is_refused(server: ServeProcess, tmp_path: Path) -> None:
    xauthority = tmp_path / "Xauthority"
    xauthority.write_bytes(b"")
    async with await connect(server.port) as conn:
        with pytest.raises(asyncssh.ChannelOpenError, match="X11 forwarding request failed"):
            await conn.create_process(
                term_type="xterm",
                x11_forwarding=True,
                x11_display="127.0.0.1:0",
                x11_auth_path=str(xauthority),
            )


async def test_one_session_per_connection(server: ServeProcess) -> None:
    async with await connect(server.port) as conn:
        session = await Session.open(conn)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_process(term_type="xterm")
        await session.screen.expect(TITLE)
    await server.expect_log("refused: second session")


# Connections that never log in ---------------------------------------------------------


async def test_silent_connections_from_one_address_keep_nobody_else_out(
    serve: Callable[..., ServeProcess],
) -> None:
    """Past its --per-source-max-startups, an address's new connections are closed at once;
    what it holds stays below the total at which anyone else's might be dropped."""
    server = serve("--max-sessions", "8")
    with silent_connections(server.port, ["127.0.0.1"] * 40) as first:
        async with await connect(server.port, local_addr=("127.0.0.2", 0)) as conn:
            await Session.open(conn, expecting=TITLE)
        assert all(
            banner.startswith(b"SSH-2.0-dossier") for banner in first[:PER_SOURCE_MAX_STARTUPS]
        )
        assert first[PER_SOURCE_MAX_STARTUPS:] == [b""] * (40 - PER_SOURCE_MAX_STARTUPS)
    await server.expect_log(
        r"127\.0\.0\.1:\d+ user=- \d+\.\ds dropped: too many logins under way from"
    )
    # Many dropped connections, one log line: a flood of connections is not one of lines.
    await asyncio.sleep(0.5)
    assert server.log().count("dropped:") == 1, server.log()


def test_logins_under_way_are_limited_per_address_and_in_total(
    serve: Callable[..., ServeProcess],
) -> None:
    """``--max-startups 4:100:4``: a fifth connection still logging in is closed unanswered,
    whatever its address; ``--per-source-max-startups 2``: so is a third from one address."""
    server = serve("--max-startups", "4:100:4", "--per-source-max-startups", "2")
    sources = ["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with silent_connections(server.port, sources) as first:
        answered = [bool(banner) for banner in first]
    assert answered == [True, True, False, True, True, False]
    server.wait_for_log(r"127\.0\.0\.1:\d+ user=- \d+\.\ds dropped: too many logins under way from")
    server.wait_for_log(r"127\.0\.0\.4:\d+ user=- \d+\.\ds dropped: too many logins under way\n")
