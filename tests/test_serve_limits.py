"""``dossier serve``'s limits and clean-up: every limit ends with a message, never a hang,
and no way of leaving (clean, abrupt, half-open, idle) leaves a process or a pty behind.
Also the policy for connections still logging in (OpenSSH's MaxStartups), without a server.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.test_serve_ssh import (
    SSH,
    OpenSSHTerminal,
    needs_openssh,
    silent_connections,
    ssh_options,
)
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
from tui.serve import Limits
from tui.serve.cli import build_parser, settings_from
from tui.serve.config import MaxStartups
from tui.serve.limits import QuietLog, Startups

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


async def _why_closed_after_login(port: int, key: asyncssh.SSHKey) -> str:
    """Log in with ``key``; the reason the server gave for closing the connection then.

    (Told after the success reply, the reason reaches asyncssh's connection_lost, not the
    connect call; OpenSSH prints it either way.)
    """
    reasons: list[Exception | None] = []

    class Client(asyncssh.SSHClient):
        def connection_lost(self, exc: Exception | None) -> None:
            reasons.append(exc)

    conn = await connect(port, client_keys=[key], client_factory=Client)
    await asyncio.wait_for(conn.wait_closed(), WAIT)
    assert isinstance(reasons[0], asyncssh.DisconnectError), reasons
    return reasons[0].reason


def _key_holder(tmp_path: Path) -> tuple[asyncssh.SSHKey, Path]:
    """A key, and an authorized_keys file that lets it in."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    authorized = tmp_path / "authorized_keys"
    authorized.write_bytes(key.export_public_key())
    return key, authorized


async def test_connections_not_logged_in_take_no_session_slot(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    """A slot of --max-sessions is taken once a key is accepted, not at TCP connect."""
    holder, authorized = _key_holder(tmp_path)
    server = serve("--authorized-keys", str(authorized), "--max-sessions", "2")
    sources = [f"127.0.0.{n}" for n in (1, 2, 3) for _ in range(2)]
    with silent_connections(server.port, sources) as first:
        assert all(first)  # every one of them is logging in
        async with (
            await connect(server.port, client_keys=[holder]) as one,
            await connect(server.port, client_keys=[holder], local_addr=("127.0.0.4", 0)) as two,
        ):
            sessions = [await Session.open(one), await Session.open(two)]
            for session in sessions:
                await session.screen.expect(TITLE)
            # Both slots are taken now: the next key holder is told so, once logged in.
            reason = await _why_closed_after_login(server.port, holder)
            assert reason.startswith("dossier: the server is full (2 at once)")
    await server.expect_log("refused: the server is full")


@needs_openssh
async def test_openssh_key_holder_is_told_the_server_is_full(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    assert SSH is not None
    holder, authorized = _key_holder(tmp_path)
    identity = tmp_path / "id_ed25519"
    holder.write_private_key(identity)
    identity.chmod(0o600)
    server = serve("--authorized-keys", str(authorized), "--max-sessions", "1")
    async with await connect(server.port, client_keys=[holder]):
        ssh = await asyncio.create_subprocess_exec(
            SSH,
            *ssh_options(server.port),
            "-i",
            str(identity),
            "-o",
            "IdentitiesOnly=yes",
            "-T",
            "127.0.0.1",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(ssh.communicate(), WAIT)
    assert ssh.returncode == 255
    assert "dossier: the server is full (1 at once)" in stderr.decode()


async def test_a_session_slot_is_free_only_once_its_app_is_reaped(
    serve: Callable[..., ServeProcess],
) -> None:
    """An app that does not end on SIGHUP (here: stopped) keeps its slot until it is killed."""
    server = serve("--max-sessions", "1")
    conn = await connect(server.port)
    _session = await Session.open(conn, expecting=TITLE)  # kept open to the end
    [app] = server.children()
    os.kill(app, signal.SIGSTOP)
    conn.abort()
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        try:
            other = await connect(server.port)
            break
        except asyncssh.DisconnectError as error:
            assert "server is full" in str(error)
        assert asyncio.get_running_loop().time() < deadline, "the slot never came free"
        await asyncio.sleep(0.1)  # a poll, as in async_wait_until
    # The slot came free only once the old app had been reaped (not even a zombie left).
    assert app not in server.children()
    other.close()
    await other.wait_closed()


# Logins under way (OpenSSH's MaxStartups), without a server -----------------------------


def _never() -> float:
    raise AssertionError("no random draw below the start of --max-startups")


def test_logins_under_way_per_address() -> None:
    startups = Startups(Limits(per_source_max_startups=2), draw=_never)
    assert startups.admit("10.0.0.1") is None
    assert startups.admit("10.0.0.1") is None
    assert "under way from this address" in (startups.admit("10.0.0.1") or "")
    assert startups.admit("10.0.0.2") is None
    startups.release("10.0.0.1")
    assert startups.admit("10.0.0.1") is None
    assert startups.total == 3


@pytest.mark.parametrize(
    ("under_way", "chance"),
    [(0, 0.0), (9, 0.0), (10, 0.3), (15, 0.65), (19, 0.93), (20, 1.0), (25, 1.0)],
)
def test_drop_chance_rises_from_rate_at_start_to_all_at_full(under_way: int, chance: float) -> None:
    limits = Limits(per_source_max_startups=100, max_startups=MaxStartups(10, 30, 20))
    startups = Startups(limits, draw=lambda: 0.999)
    for _ in range(under_way):
        startups.admit("10.0.0.1")
    assert startups.total == min(under_way, 20)
    assert startups.drop_chance() == pytest.approx(chance)


@pytest.mark.parametrize(("draw", "dropped"), [(0.0, True), (0.2999, True), (0.3, False)])
def test_a_connection_past_start_is_dropped_when_the_draw_is_below_the_chance(
    draw: float, dropped: bool
) -> None:
    limits = Limits(max_startups=MaxStartups(2, 30, 12))
    startups = Startups(limits, draw=lambda: draw)
    assert startups.admit("10.0.0.1") is None
    assert startups.admit("10.0.0.2") is None
    refusal = startups.admit("10.0.0.3")
    assert (refusal is not None) is dropped
    if dropped:
        assert refusal == "too many logins under way"


def test_seeded_draws_drop_about_the_chance() -> None:
    limits = Limits(max_startups=MaxStartups(2, 30, 12))
    startups = Startups(limits, draw=random.Random(13).random)
    address = 0
    while startups.total < 7:
        address += 1
        startups.admit(f"10.0.0.{address}")
    assert startups.drop_chance() == pytest.approx(0.65)
    drops = 0
    for _ in range(1000):
        if startups.admit("10.0.1.1") is None:
            startups.release("10.0.1.1")
        else:
            drops += 1
    assert 600 < drops < 700


def test_one_address_at_its_cap_raises_nobody_elses_drop_chance() -> None:
    """The defaults: one address's logins under way stop below where dropping starts."""
    startups = Startups(Limits(), draw=lambda: 0.0)  # any drop chance at all would drop
    refused = [startups.admit("10.0.0.1") for _ in range(40)]
    assert refused.count(None) == Limits().per_source_max_startups
    assert startups.drop_chance() == 0.0
    assert startups.admit("10.0.0.2") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20:30:100", MaxStartups(20, 30, 100)),
        ("5:0:5", MaxStartups(5, 0, 5)),
        ("1:100:9", MaxStartups(1, 100, 9)),
    ],
)
def test_max_startups_option(value: str, expected: MaxStartups) -> None:
    args = build_parser().parse_args(["--max-startups", value, "--per-source-max-startups", "3"])
    limits = settings_from(args).limits
    assert limits.max_startups == expected
    assert limits.per_source_max_startups == 3


def test_max_startups_are_checked_in_the_dataclass_too() -> None:
    with pytest.raises(ValueError, match="START <= FULL"):
        MaxStartups(30, 10, 20)


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
    # Each batch is that many logins at once from one address: none may be dropped.
    server = serve(
        "--max-sessions",
        "64",
        "--max-per-address",
        "64",
        "--per-source-max-startups",
        "64",
        "--max-startups",
        "64:30:100",
    )
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


async def test_quiet_log_writes_one_line_per_key_and_sums_up_the_rest() -> None:
    lines: list[str] = []
    quiet = QuietLog(lines.append, window=0.05)
    for n in range(50):
        quiet.line("10.0.0.1 dropped", f"10.0.0.1:{n} dropped")
    quiet.line("10.0.0.2 dropped", "10.0.0.2:1 dropped")
    assert lines == ["10.0.0.1:0 dropped", "10.0.0.2:1 dropped"]
    await asyncio.sleep(0.15)
    assert lines[2:] == ["10.0.0.1 dropped: 49 more like it in 0.05s, not logged one by one"]
    quiet.line("10.0.0.1 dropped", "10.0.0.1:99 dropped")  # a new window: written again
    assert lines[-1] == "10.0.0.1:99 dropped"


async def test_quiet_log_tracks_a_bounded_number_of_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QuietLog, "MAX_KEYS", 3)
    lines: list[str] = []
    quiet = QuietLog(lines.append, window=0.05)
    for n in range(100):
        quiet.line(f"addr{n}", f"line {n}")
    assert lines == ["line 0", "line 1", "line 2", "line 3"]  # the 4th opens the shared key
    await asyncio.sleep(0.15)
    assert lines[-1] == "others: 96 more like it in 0.05s, not logged one by one"
