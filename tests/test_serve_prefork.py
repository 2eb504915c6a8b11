"""Pre-forked sessions and a room's limits (issue 15, items 1, 2 and 4).

A pre-forked session must be indistinguishable from one started as a program of its own
(``--no-prefork``): the same environment built from scratch, the same limits, its own
session on its own pty, reaped by the server. The factory holds nothing of the server's
(no host key in its descriptors or its memory), is restarted when it crashes or when the
dossier changes, and takes no running session with it. With the default limits, a room
of 30 behind one address gets in.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_ssh_private_key,
)

from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    REPO,
    TITLE,
    ServeProcess,
    Session,
    alive,
    async_wait_until,
    connect,
    explore_resize_and_quit,
    servers,
)
from tui.serve import Limits
from tui.serve.limits import Admission

ROOM = 30
MODES = pytest.mark.parametrize("mode", [(), ("--no-prefork",)], ids=["prefork", "spawned"])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (state, ppid, pgrp, session, tty...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _environ(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in entries if b"=" in entry)


def _limit(pid: int, name: str) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith(name):
            return line[len(name) :].split()[0]
    raise AssertionError(f"no {name!r} in /proc/{pid}/limits")


def _fds(pid: int) -> set[str]:
    folder = Path(f"/proc/{pid}/fd")
    return {os.readlink(folder / fd) for fd in os.listdir(folder)}


def _forked(pid: int) -> bool:
    """True for a session forked by the factory (it still has the factory's command line)."""
    return b"tui.serve.factory" in Path(f"/proc/{pid}/cmdline").read_bytes()


@MODES
async def test_a_session_is_set_up_alike_either_way(
    serve: Callable[..., ServeProcess], mode: tuple[str, ...]
) -> None:
    """Own session on its pty, parent the server, environment from scratch, limits, cwd."""
    server = serve("--session-memory", "900M", "--session-cpu", "300", *mode)
    assert bool(server.factories()) == (not mode)
    async with await connect(server.port) as conn:
        session = await Session.open(conn, (90, 26), expecting=TITLE)
        (app,) = server.children()
        assert _forked(app) == (not mode)
        assert Path(f"/proc/{app}/comm").read_text().strip() == "dossier-session"
        fields = _stat(app)
        assert int(fields[1]) == server.pid  # the server is its parent, and reaps it
        assert int(fields[2]) == app and int(fields[3]) == app  # leads its group and session
        if not mode:  # (a spawned app opens its pty before its setsid: it has none)
            assert int(fields[4]) != 0  # has a controlling terminal: the pty
        env = _environ(app)
        assert set(env) <= {
            "TERM", "LANG", "LC_ALL", "PATH", "HOME", "XDG_CACHE_HOME", "DOSSIER_SERVED",
            "PYTHONPATH", "DOSSIER_CACHE_DIR", "COLORTERM",
        }  # fmt: skip
        assert env["DOSSIER_SERVED"] == str(server.pid)
        assert "COLUMNS" not in env and "LINES" not in env
        assert os.readlink(f"/proc/{app}/cwd") == env["HOME"]
        assert _limit(app, "Max address space") == str(900 * 1024 * 1024)
        assert _limit(app, "Max cpu time") == "300"
        assert _limit(app, "Max core file size") == "0"
        # Beyond its pty and stderr pipe, its own descriptors only (its event loop's): none
        # of the server's (sockets, other ptys, the log) or the factory's.
        standard = {os.readlink(f"/proc/{app}/fd/{fd}") for fd in (0, 1, 2)}
        theirs = set(server.fds()).union(*(_fds(pid) for pid in server.factories()))
        own = {fd for fd in _fds(app) - standard if not fd.startswith("anon_inode:")}
        assert own and not own & theirs
        await explore_resize_and_quit(session)
    await async_wait_until(lambda: not alive(app), what="the app to be reaped")
    assert server.children() == []


async def test_the_factory_holds_no_key_and_nothing_of_the_servers(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "server", "--session-memory", "900M", "--session-cpu", "300")
    server.extra_env = {"SERVER_SECRET": "hunter2"}
    try:
        server.start()
        _check_factory(server)
    finally:
        server.stop()


def _check_factory(server: ServeProcess) -> None:
    (factory,) = server.factories()
    # Isolated as a session is: environment from scratch, private HOME, the same limits.
    env = _environ(factory)
    assert "SERVER_SECRET" not in env and env["DOSSIER_SERVED"] == str(server.pid)
    assert os.readlink(f"/proc/{factory}/cwd") == env["HOME"]
    assert _limit(factory, "Max address space") == str(900 * 1024 * 1024)
    assert _limit(factory, "Max cpu time") == "300"
    assert int(_stat(factory)[3]) == factory  # its own session
    targets = _fds(factory)
    # /dev/null, its stderr pipe to the server's log, its socket to the server: nothing else.
    assert sorted(t.split(":")[0] for t in targets) == ["/dev/null", "pipe", "socket"]
    assert not [t for t in targets if "host_key" in t]
    key = load_ssh_private_key(server.host_key.read_bytes(), None)
    secret = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    # The search works: the server itself does hold the key.
    assert _memory_holds(server.pid, secret)
    assert not _memory_holds(factory, secret)
    assert not _memory_holds(factory, server.host_key.read_bytes()[40:80])


def _memory_holds(pid: int, needle: bytes) -> bool:
    """True if ``needle`` is anywhere in the readable, private memory of process ``pid``."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            if "r" not in parts[1] or (len(parts) > 5 and parts[5].startswith("[v")):
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    return True
            except OSError:
                continue
    return False


async def test_a_crashed_factory_is_replaced_and_takes_no_session_with_it(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve()
    (factory,) = server.factories()
    async with await connect(server.port) as conn:
        first = await Session.open(conn, expecting=TITLE)
        os.kill(factory, signal.SIGKILL)
        await server.expect_log("session factory: ended; starting a fresh one")
        await async_wait_until(
            lambda: server.factories() not in ([], [factory]), what="a fresh factory"
        )
        assert not alive(factory)  # (and reaped: not even a zombie)
        async with await connect(server.port) as again:
            second = await Session.open(again, expecting=TITLE)
            assert all(_forked(pid) for pid in server.children())
            second.press(b"q")
            await second.wait_closed()
        # The first session never noticed.
        mark = first.press(b"\x1b[B\x1b[B")
        await first.screen.expect(AFTER_TWO_DOWNS, since=mark)
        first.press(b"q")
        assert await first.wait_closed() == 0


async def test_a_changed_dossier_starts_a_fresh_factory(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    folder = tmp_path / "dossier"
    shutil.copytree(REPO / "content" / "russia-japan", folder)
    server = serve(str(folder))
    (factory,) = server.factories()
    async with await connect(server.port) as conn:
        before = await Session.open(conn, expecting=TITLE)
        main = folder / "dossier.yaml"
        main.write_text(main.read_text().replace("a breakthrough?", "a thaw, revised?"))
        async with await connect(server.port) as again:
            await Session.open(again, expecting="a thaw, revised?")
        await server.expect_log("the dossier changed; starting a fresh factory")
        await async_wait_until(
            lambda: bool(server.factories()) and factory not in server.factories(),
            what="the fresh factory",
        )
        async with await connect(server.port) as third:
            after = await Session.open(third, expecting="a thaw, revised?")
            assert sum(_forked(pid) for pid in server.children()) >= 2
            after.press(b"q")
            await after.wait_closed()
        # The session from before the change keeps its dossier.
        mark = before.press(b"\x1b[B\x1b[B")
        await before.screen.expect(AFTER_TWO_DOWNS, since=mark)


async def test_sigterm_ends_pre_forked_sessions_and_the_factory(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve()
    (factory,) = server.factories()
    async with await connect(server.port) as conn:
        session = await Session.open(conn, expecting=TITLE)
        (app,) = server.children()
        assert server.process is not None
        process = server.process
        process.send_signal(signal.SIGTERM)
        await session.screen.expect("the server is stopping")
        assert await asyncio.wait_for(asyncio.to_thread(process.wait), 20) == 0
    assert not alive(app) and not alive(factory)


async def test_a_room_behind_one_address_gets_in_with_the_default_limits(
    serve: Callable[..., ServeProcess],
) -> None:
    """30 people behind one NAT address, all logging in at once."""
    server = serve()

    async def one() -> Session:
        conn = await connect(server.port)
        return await Session.open(conn, expecting=TITLE)

    sessions = await asyncio.gather(*(one() for _ in range(ROOM)))
    assert len(server.children()) == ROOM
    assert not re.search("refused|dropped", server.log())
    for session in sessions:
        session.press(b"q")
    await asyncio.gather(*(session.wait_closed() for session in sessions))
    await async_wait_until(lambda: not server.children(), what="every app to be reaped")


def test_one_address_still_cannot_take_every_slot() -> None:
    defaults = Limits()
    admission = Admission(defaults)
    taken = [admission.admit("203.0.113.7") for _ in range(defaults.max_sessions)]
    assert taken.count(None) == defaults.max_per_address >= ROOM
    assert defaults.max_per_address < defaults.max_sessions
    assert admission.admit("198.51.100.1") is None  # the rest of the audience gets in


ORPHAN_SCRIPT = """
import os, time
from tui.serve.adopted import become_subreaper, reap_orphans
assert become_subreaper()
leader = os.fork()
if leader == 0:  # like a session: its own session, then it exits at once
    os.setsid()
    os._exit(0)
middle = os.fork()
if middle == 0:  # like a session that forks a child and exits: the child is orphaned
    os.setpgid(0, 0)
    if os.fork() == 0:
        time.sleep(0.2)
        os._exit(0)
    os._exit(0)
os.waitpid(middle, 0)
time.sleep(0.6)  # the orphan has exited, and is our zombie now
states = {p: open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0]
          for p in open("/proc/self/task/%d/children" % os.getpid()).read().split()}
print(sorted(states.values()), reap_orphans(), leader in map(int, states))
print(open("/proc/self/task/%d/children" % os.getpid()).read().split() == [str(leader)])
"""


def test_orphans_a_session_leaves_are_reaped_and_sessions_are_left_to_their_owners() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ORPHAN_SCRIPT], capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 0, result.stderr
    # Two zombies: the session leader (left to its owner) and the orphan (reaped).
    assert result.stdout.split("\n")[:2] == ["['Z', 'Z'] 1 True", "True"]


async def test_pre_forked_sessions_read_items_from_the_cache_entry(tmp_path: Path) -> None:
    """A factory that opens the dossier from its cache entry (written by the server's
    first run), and its sessions read the items they show from that same file, after
    everything a fork does to descriptors: none falls back to loading the YAML, which
    would remove the entry and write it again."""
    from tui.content import load_dossier
    from tui.content.bundled import default_dossier

    last = load_dossier(default_dossier(), use_cache=False).actors[-1]
    server = ServeProcess(tmp_path / "server")  # (started twice: the same cache and HOME)
    cache = server.folder / "dossier-cache"

    def entries() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.glob("*.store")}

    try:
        server.start()
        async with await connect(server.port) as conn:  # (the factory has loaded by now)
            session = await Session.open(conn, expecting=TITLE)
            session.press(b"q")
            await session.wait_closed()
        server.stop()
        written = entries()
        server.start()  # a new factory: its dossier from the cache this time
        async with await connect(server.port) as conn:
            session = await Session.open(conn, expecting=TITLE)
            mark = session.press(b"\x1b[F")  # End: the last actor, beyond the warm-up's
            await session.screen.expect(last.name, mark)
            session.press(b"q")
            assert await session.wait_closed() == 0
        assert entries() == written
    finally:
        server.stop()
