"""One browser session's app: ``python -m tui PATH`` under Textual's web driver.

textual-serve's own ``AppService`` starts the app through a shell with the server's whole
environment, asks it to quit once when the browser leaves, and neither waits for it nor
kills it. :class:`WebApp` speaks the same packet protocol on the app's stdin and stdout
(``D`` data, ``M`` meta, each a type byte, a 4-byte big-endian length and the payload),
and starts and ends the app the way the SSH server does:

- no shell; an environment built from scratch (:func:`~.session.child_environment`) in the
  server's private HOME; its own session and process group; the limits of
  :func:`~.session.limit_process`;
- stdout is always read, so an app never blocks on a pipe nobody reads; once the browser
  is gone its output is dropped;
- :meth:`WebApp.stop` asks it to quit, then sends SIGTERM to its process group, then
  SIGKILL, and returns only once the process has been reaped;
- stderr is kept (its last bytes) for the server's log, never shown to the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .adopted import PipedProcess
from .child import AppProcess, limit_process, with_room
from .forked import SessionFactory

PRELUDE = b"__GANGLION__\n"
"""The first line a Textual app under the web driver writes."""
PRELUDE_LINES = 10
"""Lines read looking for the prelude before the app is taken to have failed to start."""
MAX_PACKET = 16 * 1024 * 1024
"""Largest packet accepted from the app (a screen update is far smaller)."""
QUIT_GRACE = 2.0
"""Seconds an app gets to quit when asked, before SIGTERM."""
READ_SIZE = 65536


def web_environment(base: Mapping[str, str], width: int, height: int) -> dict[str, str]:
    """``base`` (a session's clean environment) plus what Textual's web driver reads."""
    env = dict(base)
    env.update(
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        TERM_PROGRAM="textual",
        TERM_PROGRAM_VERSION=version("textual-serve"),
        COLUMNS=str(width),
        ROWS=str(height),
    )
    return env


def factory_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The session factory's environment when it forks browsers' apps.

    Textual reads its driver, frame rate and colours when it is imported, which the
    factory does once for all sessions: these must be set then, as for every session.
    Only the size differs from one browser to the next (and is read later).
    """
    env = web_environment(base, 80, 24)
    del env["COLUMNS"], env["ROWS"]
    return env


def packet(kind: bytes, payload: bytes) -> bytes:
    """One packet of the protocol: type byte, big-endian length, payload."""
    return kind + len(payload).to_bytes(4, "big") + payload


class WebApp(AppProcess):
    """A running app for one browser; output goes to ``write_bytes`` until :meth:`mute`.

    ``on_exit_request()`` is called when the app says it is exiting (the user quit);
    ``write_str`` carries the few meta messages a browser acts on (opening a URL).
    """

    process: asyncio.subprocess.Process | PipedProcess

    def __init__(
        self,
        process: asyncio.subprocess.Process | PipedProcess,
        *,
        write_bytes: Callable[[bytes], Awaitable[object]],
        write_str: Callable[[str], Awaitable[object]],
        on_exit_request: Callable[[], Awaitable[object]],
    ) -> None:
        super().__init__(process)
        self._write_bytes = write_bytes
        self._write_str = write_str
        self._on_exit_request = on_exit_request
        self._muted = False
        self.exited_by_itself = False
        """Set when the app ended before the server asked it to (quit, crash, a limit)."""
        self.started = asyncio.Event()
        """Set once the app has written its prelude (it runs under the web driver)."""
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._read_output()),
            loop.create_task(self._read_errors()),
        ]

    @classmethod
    async def open(
        cls,
        factory: SessionFactory | None,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        memory: int,
        cpu: float,
        write_bytes: Callable[[bytes], Awaitable[object]],
        write_str: Callable[[str], Awaitable[object]],
        on_exit_request: Callable[[], Awaitable[object]],
        room: int | None = None,
    ) -> WebApp:
        """The app, forked from ``factory`` if it has one ready, else started from ``argv``
        (OSError if it cannot be started or limited); ``room``: its room channel's end."""
        process = await _fork(factory, env, room) if factory is not None else None
        return cls(
            process or await _spawn(argv, with_room(env, room), cwd, memory, cpu, room),
            write_bytes=write_bytes,
            write_str=write_str,
            on_exit_request=on_exit_request,
        )

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    @property
    def input_backlog(self) -> int:
        """Bytes written to the app's stdin that it has not read yet."""
        stdin = self.process.stdin
        if stdin is None or stdin.is_closing():
            return 0
        return stdin.transport.get_write_buffer_size()

    def mute(self) -> None:
        """Drop the app's output from now on (the browser is gone)."""
        self._muted = True

    # Input ------------------------------------------------------------------

    def send_bytes(self, data: bytes) -> None:
        """Keys for the app (no waiting: the caller bounds the rate and the backlog)."""
        self._send(packet(b"D", data))

    def send_meta(self, meta: Mapping[str, object]) -> None:
        self._send(packet(b"M", json.dumps(meta).encode()))

    def resize(self, width: int, height: int) -> None:
        self.send_meta({"type": "resize", "width": width, "height": height})

    def _send(self, data: bytes) -> None:
        stdin = self.process.stdin
        if stdin is None or stdin.is_closing() or not self.running:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            stdin.write(data)

    # Output -----------------------------------------------------------------

    async def _read_output(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            for _ in range(PRELUDE_LINES):
                line = await stdout.readline()
                if not line or line == PRELUDE:
                    break
            else:
                line = b""
            if line != PRELUDE:
                await self._discard(stdout)
                return
            self.started.set()
            while True:
                header = await stdout.readexactly(5)
                size = int.from_bytes(header[1:], "big")
                if size > MAX_PACKET:
                    # Not the protocol: stop listening, and let the app be ended.
                    self.signal(signal.SIGKILL)
                    await self._discard(stdout)
                    return
                payload = await stdout.readexactly(size)
                await self._packet(header[:1], payload)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            await self._discard(stdout)
        except ConnectionError:
            pass

    async def _discard(self, stdout: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError):
            while await stdout.read(READ_SIZE):
                pass

    async def _packet(self, kind: bytes, payload: bytes) -> None:
        if self._muted:
            return
        try:
            if kind == b"D":
                await self._write_bytes(payload)
            elif kind == b"M":
                await self._meta(payload)
        except (ConnectionError, RuntimeError):
            self.mute()  # the browser went away mid-write

    async def _meta(self, payload: bytes) -> None:
        try:
            meta = json.loads(payload)
        except ValueError:
            return
        if not isinstance(meta, dict):
            return
        kind = meta.get("type")
        if kind == "exit":
            await self._on_exit_request()
        elif kind == "open_url" and isinstance(meta.get("url"), str):
            await self._write_str(
                json.dumps(["open_url", {"url": meta["url"], "new_tab": bool(meta.get("new_tab"))}])
            )

    async def _read_errors(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        with contextlib.suppress(ConnectionError):
            while data := await stderr.read(READ_SIZE):
                self.keep_errors(data)

    # Ending -----------------------------------------------------------------

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the app's process group while it has not been reaped."""
        if self.running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)

    async def wait(self) -> int:
        """Wait until the app has exited and its output has been read to the end."""
        returncode = await self.process.wait()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return returncode

    async def stop(self, grace: float) -> int:
        """End the app: quit, then SIGTERM, then SIGKILL; return once it is reaped.

        ``grace`` is how long each step waits. Whatever happens, the process is reaped
        before this returns (SIGKILL cannot be ignored).
        """
        if self.running:
            self.send_meta({"type": "quit"})
        for signum, wait in (
            (None, max(grace, QUIT_GRACE)),
            (signal.SIGTERM, grace),
            (signal.SIGKILL, None),
        ):
            if signum is not None:
                self.signal(signum)
            if wait is None:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.process.wait()), wait)
            if not self.running:
                break
        returncode = await self.process.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.process.stdin is not None:
            self.process.stdin.close()
        return returncode


async def _spawn(
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    memory: int,
    cpu: float,
    room: int | None,
) -> asyncio.subprocess.Process:
    """Start ``argv`` on three pipes, in its own session, limited."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
        start_new_session=True,
        limit=READ_SIZE,
        pass_fds=() if room is None else (room,),
    )
    try:
        limit_process(process.pid, memory=memory, cpu=cpu)
    except OSError:
        process.kill()
        await process.wait()
        raise
    return process


async def _fork(
    factory: SessionFactory, env: Mapping[str, str], room: int | None
) -> PipedProcess | None:
    """The app forked by ``factory`` on three pipes; None if it has none ready."""
    pipes = [os.pipe() for _ in range(3)]
    theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]
    ours = [pipes[0][1], pipes[1][0], pipes[2][0]]
    try:
        fds = [*theirs, *([] if room is None else [room])]
        pid = await factory.fork("pipes", with_room(env, room, forked=True), fds)
    except BaseException:
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    if pid is None:
        for fd in ours:
            os.close(fd)
        return None
    return await PipedProcess.connect(pid, *ours)


def quiet_closed_loop(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    """An unraisable-exception hook that drops one harmless message at exit.

    An app killed together with the server (Ctrl+C reaches its whole process group)
    leaves a subprocess transport that is collected after the loop closed; asyncio then
    reports 'Event loop is closed' with a traceback that means nothing to the user.
    """

    def quiet(unraisable: Any) -> object:
        error = unraisable.exc_value
        if isinstance(error, RuntimeError) and str(error) == "Event loop is closed":
            return None
        return hook(unraisable)

    return quiet
