"""``dossier serve``'s limits and clean-up: every limit ends with a message, never a hang,
and no way of leaving (clean, abrupt, half-open, idle) leaves a process or a pty behind.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.test_serve_ssh import SSH, OpenSSHTerminal, needs_openssh
from tests.test_serve_support import (
    TITLE,
    WAIT,
    ServeProcess,
    Session,
    async_wait_until,
    connect,
    servers,
    wait_until,
)

ABRUPT_DISCONNECTS = 200
ABRUPT_BATCH = 25
DRAWN_FIRST = 10
"""How many of the abrupt disconnects wait until the app has drawn its first screen."""


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


# Admission ------------------------------------------------------------------------------


async def test_max_sessions_refuses_with_a_message(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--max-sessions", "2", "--max-per-address", "5")
    first, second = await connect(server.port), await connect(server.port)
    with pytest.raises(asyncssh.DisconnectError, match="server is full"):
        await connect(server.port)
    second.close()
    await second.wait_closed()
    # A place is free again once a connection has gone.
    await async_wait_until(lambda: "user=tester" in server.log(), what="the log line")
    third = await connect(server.port)
    first.close()
    third.close()
    await server.expect_log("refused: the server is full")


async def test_sessions_per_address(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--max-sessions", "5", "--max-per-address", "1")
    async with await connect(server.port):
        with pytest.raises(asyncssh.DisconnectError, match="too many sessions from your address"):
            await connect(server.port)
        # Another address (the whole 127/8 is this machine) still gets in.
        async with await connect(server.port, local_addr=("127.0.0.2", 0)) as other:
            assert other.get_extra_info("peername")[0] == "127.0.0.1"


def test_a_flood_of_connections_is_dropped_unanswered(
    serve: Callable[..., ServeProcess],
) -> None:
    """Past twice --max-sessions (plus 16) connections at once, new ones are just closed."""
    server = serve("--max-sessions", "1")
    sockets = [
        socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) for _ in range(22)
    ]
    try:
        banners = []
        for each in sockets:
            each.settimeout(WAIT)
            banners.append(each.recv(100))
        assert all(banner.startswith(b"SSH-2.0-dossier") for banner in banners[:18])
        assert banners[18:] == [b""] * 4
    finally:
        for each in sockets:
            each.close()
    server.wait_for_log("dropped: too many connections")


def test_login_grace_time(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--login-grace", "1")
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as silent:
        silent.settimeout(WAIT)
        while chunk := silent.recv(4096):  # ends when the server closes: bounded by WAIT
            received += chunk
    assert received.startswith(b"SSH-2.0-dossier")
    assert b"no login within 1 seconds" in received
    server.wait_for_log("login timeout")


async def test_authentication_attempts_per_connection(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    allowed = asyncssh.generate_private_key("ssh-ed25519")
    strangers = [asyncssh.generate_private_key("ssh-ed25519") for _ in range(5)]
    authorized = tmp_path / "authorized_keys"
    authorized.write_bytes(allowed.export_public_key())
    server = serve("--authorized-keys", str(authorized), "--max-auth-tries", "3")
    with pytest.raises(asyncssh.DisconnectError, match="too many authentication failures"):
        await connect(server.port, client_keys=strangers)
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(server.port, client_keys=strangers[:1])
    async with await connect(server.port, client_keys=[allowed]) as conn:
        session = await Session.open(conn)
        await session.screen.expect(TITLE)
    await server.expect_log("auth failed")


async def test_idle_timeout_ends_the_session_with_a_message(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve("--idle-timeout", "2")
    async with await connect(server.port) as conn:
        session = await Session.open(conn)
        await session.screen.expect(TITLE)
        # Keys keep it alive past the timeout ...
        for _ in range(6):
            session.press(b"\x1b[B")
            await asyncio.sleep(0.5)
        assert not session.screen.closed
        # ... and then silence ends it, with a message on a reset terminal.
        mark = len(session.screen.data)
        await session.screen.expect("without input", since=mark)
        assert b"\x1b[?1049l" in session.screen.data[mark:]  # left the alternate screen
        assert await session.wait_closed() == 1
    await server.expect_log("idle timeout")
    await async_wait_until(lambda: not server.children(), what="the app to be reaped")


# Clean-up -------------------------------------------------------------------------------


@needs_openssh
async def test_half_open_connection_is_dropped_by_keepalive(
    serve: Callable[..., ServeProcess],
) -> None:
    """A client that stops answering (frozen, or its network gone) without closing TCP."""
    assert SSH is not None
    server = serve("--keepalive", "0.5", "--idle-timeout", "0")
    terminal = OpenSSHTerminal(server.port)
    try:
        await terminal.screen.expect(TITLE)
        assert len(server.children()) == 1
        terminal.process.send_signal(signal.SIGSTOP)
        await server.expect_log(r"user=\S+ \d+\.\ds disconnected")
        await async_wait_until(lambda: not server.children(), what="the app to be reaped")
    finally:
        terminal.process.send_signal(signal.SIGCONT)
        terminal.close()


async def _abrupt_client(port: int, wait_for_screen: bool) -> None:
    conn = await connect(port)
    try:
        session = await Session.open(conn)
        if wait_for_screen:
            await session.screen.expect(TITLE)
        else:
            await asyncio.sleep(random.uniform(0, 0.05))
    finally:
        conn.abort()  # no SSH goodbye: the TCP connection just goes


async def test_many_abrupt_disconnects_leave_no_process_or_pty(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve("--max-sessions", "64", "--max-per-address", "64")
    # One whole session first, so that the baseline includes whatever is opened once.
    await _abrupt_client(server.port, wait_for_screen=True)
    await async_wait_until(lambda: not server.children(), what="the first app to be reaped")
    await async_wait_until(lambda: "user=tester" in server.log(), what="the first log line")
    baseline = server.fds()
    assert not server.pty_fds()

    kinds = [True] * DRAWN_FIRST + [False] * (ABRUPT_DISCONNECTS - DRAWN_FIRST)
    random.Random(6).shuffle(kinds)
    for start in range(0, len(kinds), ABRUPT_BATCH):
        batch = kinds[start : start + ABRUPT_BATCH]
        results = await asyncio.gather(
            *(_abrupt_client(server.port, drawn) for drawn in batch), return_exceptions=True
        )
        assert not [r for r in results if isinstance(r, BaseException)], results

    await async_wait_until(lambda: not server.children(), what="every app to be reaped")
    await async_wait_until(
        lambda: server.log().count("user=tester") == ABRUPT_DISCONNECTS + 1,
        what="a log line per connection",
    )
    # Every one of them had its app running when the client vanished.
    assert server.log().count(" disconnected") == ABRUPT_DISCONNECTS + 1
    await async_wait_until(lambda: server.fds() == baseline, what=f"the descriptors {baseline}")
    assert not server.pty_fds()
    assert server.process.poll() is None  # type: ignore[union-attr]


async def test_a_crashing_app_touches_no_other_session(
    serve: Callable[..., ServeProcess],
) -> None:
    """Each session is its own process: killing one app ends only that session."""
    server = serve()
    async with await connect(server.port) as one, await connect(server.port) as two:
        sessions = [await Session.open(one), await Session.open(two)]
        for session in sessions:
            await session.screen.expect(TITLE)
        apps = server.children()
        assert len(apps) == 2
        os.kill(apps[0], signal.SIGKILL)
        await async_wait_until(
            lambda: any(s.screen.closed for s in sessions), what="a session to end"
        )
        crashed = next(s for s in sessions if s.screen.closed)
        survivor = next(s for s in sessions if s is not crashed)
        assert await crashed.wait_closed() == 128 + signal.SIGKILL
        mark = survivor.press(b"\x1b[B\x1b[B")
        await survivor.screen.expect("Russia's predecessor", since=mark)
        assert server.children() == apps[1:]


@needs_openssh
def test_openssh_client_killed_mid_session(serve: Callable[..., ServeProcess]) -> None:
    assert SSH is not None
    server = serve()
    ssh = subprocess.Popen(
        [
            SSH,
            "-tt",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-p",
            str(server.port),
            "127.0.0.1",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: len(server.children()) == 1, what="the app to start")
        ssh.kill()
        ssh.wait(WAIT)
        server.wait_for_log("disconnected")
        wait_until(lambda: not server.children(), what="the app to be reaped")
        assert not server.pty_fds()
    finally:
        if ssh.poll() is None:
            ssh.kill()
