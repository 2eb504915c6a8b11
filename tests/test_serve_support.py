"""The harness of the ``dossier serve`` tests, and the tests of a server's life cycle.

:class:`ServeProcess` runs ``python -m tui.serve`` in a subprocess on a free loopback
port, with its own host key, HOME and cache in a temporary folder; it can count the
server's child processes and open descriptors from /proc, and it always stops the
server. :class:`Screen` collects what a client receives and waits (bounded) for text.
The other ``test_serve_*`` modules import these.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

REPO = Path(__file__).resolve().parent.parent
WAIT = 20.0
"""Upper bound on any one wait in these tests, in seconds."""
TITLE = "breakthrough"
"""A word of the bundled dossier's title, shown at the top of the explorer."""
AFTER_TWO_DOWNS = "Russia's predecessor"
"""Detail text of the third actor, shown after pressing Down twice."""

_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_LISTENING = re.compile(r"listening on \S+ port (\d+)")


def plain(data: bytes) -> str:
    """Terminal output without its escape sequences."""
    return _ANSI.sub(b"", data).decode("utf-8", "replace")


def wait_until(condition: Callable[[], bool], timeout: float = WAIT, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g}s waiting for {what or condition}")
        time.sleep(0.05)


async def async_wait_until(
    condition: Callable[[], bool], timeout: float = WAIT, what: str = ""
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g}s waiting for {what or condition}")
        await asyncio.sleep(0.05)


def _name(pid: int) -> str:
    """The process's name (as ps shows it), "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class ServeProcess:
    """A ``dossier serve`` in a subprocess; :meth:`stop` is always called by its fixture."""

    def __init__(self, folder: Path, *args: str, host_key: Path | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "server.log"
        self.host_key = host_key or folder / "host_key"
        self.args = list(args)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.extra_env: dict[str, str] = {}

    @property
    def env(self) -> dict[str, str]:
        """Nothing of the user's: HOME, data and cache all in the test's folder."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.folder / "home"),
            "XDG_DATA_HOME": str(self.folder / "data"),
            "XDG_CACHE_HOME": str(self.folder / "cache"),
            "DOSSIER_CACHE_DIR": str(self.folder / "dossier-cache"),
            "LANG": "C.UTF-8",
            **self.extra_env,
        }

    def start(self, *, with_host_key: bool = True) -> ServeProcess:
        args = [sys.executable, "-m", "tui.serve", "--port", "0", *self.args]
        if with_host_key and "--web" not in self.args:
            args += ["--host-key", str(self.host_key)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO
            )
        wait_until(
            lambda: bool(_LISTENING.search(self.log())) or self.process_exited(),
            what="the server to listen",
        )
        match = _LISTENING.search(self.log())
        assert match, f"the server did not start:\n{self.log()}"
        self.port = int(match.group(1))
        return self

    def process_exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, pattern: str, timeout: float = WAIT) -> re.Match[str]:
        wait_until(
            lambda: re.search(pattern, self.log()) is not None,
            timeout,
            f"{pattern!r} in the server log:\n{self.log()}",
        )
        match = re.search(pattern, self.log())
        assert match is not None
        return match

    async def expect_log(self, pattern: str, timeout: float = WAIT) -> None:
        """:meth:`wait_for_log` for async tests (the event loop keeps running)."""
        await async_wait_until(
            lambda: re.search(pattern, self.log()) is not None,
            timeout,
            f"{pattern!r} in the server log:\n{self.log()}",
        )

    def children(self) -> list[int]:
        """The server's child processes but its session factory, zombies included."""
        factories = set(self.factories())
        return [pid for pid in self._all_children() if pid not in factories]

    def factories(self) -> list[int]:
        """The server's session factory (a list: none with --no-prefork, or two as one
        retires and the next starts)."""
        return [pid for pid in self._all_children() if _name(pid) == "dossier-factory"]

    def _all_children(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: fields follow the last ')'.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.pid:
                found.append(int(entry))
        return found

    def fds(self) -> list[str]:
        """Where each of the server's open descriptors points."""
        folder = Path(f"/proc/{self.pid}/fd")
        targets = []
        for fd in os.listdir(folder):
            try:
                targets.append(os.readlink(folder / fd))
            except OSError:
                continue
        return sorted(targets)

    def pty_fds(self) -> list[str]:
        return [target for target in self.fds() if "ptmx" in target or "/dev/pts" in target]

    def stop(self, timeout: float = WAIT) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit in time; its return code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
                return None
        return self.process.returncode


def servers(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    """The body of each module's ``serve`` fixture: a factory of servers, all stopped after.

    ``serve("--max-sessions", "2")`` starts a server and returns it once it listens.
    """
    started: list[ServeProcess] = []

    def start(*args: str, name: str = "server") -> ServeProcess:
        server = ServeProcess(tmp_path / f"{name}-{len(started)}", *args)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


async def connect(port: int, **options: object) -> asyncssh.SSHClientConnection:
    """An asyncssh client connection that reads nothing of the user's SSH setup."""
    options.setdefault("username", "tester")
    options.setdefault("client_keys", None)
    return await asyncio.wait_for(
        asyncssh.connect(
            "127.0.0.1",
            port,
            known_hosts=None,
            agent_path=None,
            config=[],
            **options,  # type: ignore[arg-type]
        ),
        WAIT,
    )


class Screen:
    """Everything a terminal session received, with bounded waits for text."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def feed(self, data: bytes) -> None:
        self.data += data

    def text(self, since: int = 0) -> str:
        return plain(bytes(self.data[since:]))

    async def expect(self, text: str, since: int = 0, timeout: float = WAIT) -> None:
        await async_wait_until(
            lambda: text in self.text(since) or (self.closed and text not in self.text(since)),
            timeout,
            f"{text!r} on the screen; got:\n{self.text(since)[-2000:]}",
        )
        assert text in self.text(since), f"the session ended first:\n{self.text(since)[-2000:]}"

    async def expect_bytes(self, pattern: bytes, since: int = 0, timeout: float = WAIT) -> None:
        regex = re.compile(pattern)
        await async_wait_until(
            lambda: regex.search(bytes(self.data[since:])) is not None,
            timeout,
            f"{pattern!r} in the output",
        )


class Session:
    """An interactive asyncssh session with a pty: keys in, screen out."""

    def __init__(self, process: asyncssh.SSHClientProcess[bytes]) -> None:
        self.process = process
        self.screen = Screen()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(
        cls,
        conn: asyncssh.SSHClientConnection,
        size: tuple[int, int] = (80, 24),
        *,
        expecting: str = "",
    ) -> Session:
        """A session on ``conn``, once its screen shows ``expecting`` (if any)."""
        process = await conn.create_process(
            term_type="xterm-256color", term_size=size, encoding=None
        )
        session = cls(process)
        if expecting:
            await session.screen.expect(expecting)
        return session

    async def _read(self) -> None:
        try:
            while data := await self.process.stdout.read(65536):
                self.screen.feed(data)
        except (asyncssh.Error, OSError):
            pass
        finally:
            self.screen.closed = True

    def press(self, keys: bytes) -> int:
        """Send ``keys``; the screen offset from which their effect can be looked for."""
        mark = len(self.screen.data)
        self.process.stdin.write(keys)
        return mark

    async def keep_sending(self, data: bytes, times: int, every: float) -> int:
        """Send ``data`` up to ``times`` times, ``every`` seconds apart, until the server
        closes the session; the screen offset from which the effect can be looked for."""
        mark = len(self.screen.data)
        for _ in range(times):
            if self.screen.closed:
                break
            try:
                self.process.stdin.write(data)
            except OSError:  # the server closed the channel in between
                break
            await asyncio.sleep(every)
        return mark

    async def wait_closed(self) -> int | None:
        """Wait for the session to end; its exit status."""
        await asyncio.wait_for(self.process.wait_closed(), WAIT)
        await asyncio.wait_for(self._reader, WAIT)
        return self.process.exit_status


async def explore_resize_and_quit(session: Session) -> None:
    """What a user does in a session: two items down, a bigger window, then q (exit 0)."""
    mark = session.press(b"\x1b[B\x1b[B")
    await session.screen.expect(AFTER_TWO_DOWNS, since=mark)
    mark = len(session.screen.data)
    session.process.change_terminal_size(120, 40)
    await session.screen.expect_bytes(rb"\x1b\[40;\d+H", since=mark)
    session.press(b"q")
    assert await session.wait_closed() == 0


class PtyTerminal:
    """A program under a pty of our own, as a person's terminal would run it: what it
    draws collects in :attr:`screen`, keys go in with :meth:`press`."""

    def __init__(self, argv: list[str], size: tuple[int, int], **options: Any) -> None:
        from tui.serve.session import set_window_size

        self.master, slave = os.openpty()
        set_window_size(slave, *size)
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, **options
        )
        os.close(slave)
        os.set_blocking(self.master, False)
        self.screen = Screen()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.master, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._loop.remove_reader(self.master)
            self.screen.closed = True
            return
        self.screen.feed(data)
        self.answer(data)

    def answer(self, data: bytes) -> None:
        """What a terminal says back to ``data`` (nothing, unless a subclass knows)."""

    def press(self, keys: bytes) -> int:
        mark = len(self.screen.data)
        os.write(self.master, keys)
        return mark

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(WAIT)
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_reader(self.master)
        os.close(self.master)


# Tests of the life cycle --------------------------------------------------------------


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


async def test_sigterm_tells_users_ends_their_apps_and_exits_zero(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve()
    conns = [await connect(server.port) for _ in range(2)]
    sessions = [await Session.open(conn) for conn in conns]
    for session in sessions:
        await session.screen.expect(TITLE)
    apps = server.children()
    assert len(apps) == 2
    server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    for session in sessions:
        await session.screen.expect("the server is stopping")
        assert await session.wait_closed() == 1
    assert server.process.wait(WAIT) == 0  # type: ignore[union-attr]
    assert not [pid for pid in apps if Path(f"/proc/{pid}").exists()]
    assert "server stopping" in server.log()
    for conn in conns:
        conn.close()


async def test_log_has_one_line_per_connection(serve: Callable[..., ServeProcess]) -> None:
    server = serve()
    async with await connect(server.port, username="alice") as conn:
        session = await Session.open(conn, expecting=TITLE)
        session.press(b"q")
        assert await session.wait_closed() == 0
    async with await connect(server.port, username="bob the " + "b" * 100) as conn:
        process = await conn.create_process(encoding=None)
        await asyncio.wait_for(process.wait_closed(), WAIT)
    await server.expect_log(r"user=bob\?the\?b{56} .*refused: no pty")
    lines = [line for line in server.log().splitlines() if " user=" in line]
    assert len(lines) == 2, server.log()
    assert re.search(r"127\.0\.0\.1:\d+ user=alice \d+\.\ds exit 0$", lines[0]), lines[0]
