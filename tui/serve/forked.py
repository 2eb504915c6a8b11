"""The server's side of pre-forked sessions: start the factory, ask it for sessions.

:class:`SessionFactory` starts :mod:`.factory` as a separate program (``exec``: it
inherits nothing of the server but one end of a Unix socket), waits until it has loaded
the dossier, then passes each new session's descriptors to it and gets back the process
id of a session that is already the server's own child (the server is a child subreaper,
see :func:`become_subreaper`). A factory that crashes is started again (waiting longer
each time it crashes before it is ready); a factory that says the dossier changed is
retired and a fresh one started; while none is ready, :meth:`SessionFactory.fork` returns
None and the caller starts the app itself, as ``--no-prefork`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .adopted import become_subreaper, reap_orphans
from .child import child_environment, limit_process, log_text
from .config import AppCommand, Limits, ServeSettings
from .factory import MAX_MESSAGE, Request

ORPHAN_SWEEP = 5.0
"""Seconds between looks for orphans to reap (see :func:`reap_orphans`)."""
READY_WAIT = 60.0
"""Seconds a factory may take to load the dossier before it is taken to have failed."""
FORK_WAIT = 10.0
"""Seconds a session waits for the factory's answer before the server starts it itself."""
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
"""Seconds between restarts of a factory that keeps failing (doubling up to this)."""


class SessionFactory:
    """The factory process, from the server: start, fork sessions, restart, stop.

    One task (:meth:`_supervise`) keeps a factory running: it starts one, waits until it
    is ready or fails, and once it ends (crashed, retired as stale, or unanswering) starts
    the next; one that failed before it was ready is retried after a growing pause.
    """

    def __init__(
        self,
        app: AppCommand,
        *,
        env: Mapping[str, str],
        cwd: Path,
        limits: Limits,
        log: Callable[[str], None],
    ) -> None:
        self.app = app
        self.env = dict(env)
        self.cwd = cwd
        self.limits = limits
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._ready = asyncio.Event()
        self._gone = asyncio.Event()
        self._tried = asyncio.Event()
        self._replies: dict[int, asyncio.Future[dict[str, object]]] = {}
        self._next_id = 0
        self._supervisor: asyncio.Task[None] | None = None
        self._closed = False
        self.starts = 0
        """How many factories have been started (the first one included)."""

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def pid(self) -> int | None:
        """The running factory's process id."""
        return self._process.pid if self._process is not None else None

    async def start(self) -> bool:
        """Start keeping a factory; wait until the first is ready or failed; True if ready."""
        if self._supervisor is None:
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())
        await self._tried.wait()
        return self.ready

    async def _sweep(self) -> None:
        while not self._closed:
            await asyncio.sleep(ORPHAN_SWEEP)
            if reaped := reap_orphans():
                self.log(f"session factory: reaped {reaped} process(es) a session left behind")

    async def _supervise(self) -> None:
        sweeper = asyncio.get_running_loop().create_task(self._sweep())
        try:
            await self._keep_one()
        finally:
            sweeper.cancel()

    async def _keep_one(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._closed:
            was_ready = False
            process = self._launch()
            if process is not None:
                await self._until_ready_or_gone()
                was_ready = self.ready
                self._tried.set()
                if was_ready:
                    backoff = FIRST_BACKOFF
                    await self._gone.wait()
                elif not self._gone.is_set():
                    self._lost("not ready in time; sessions start the slow way meanwhile")
                await self._retire(process)
            self._tried.set()
            if self._closed:
                return
            if was_ready:
                self.log("session factory: ended; starting a fresh one")
                continue
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _until_ready_or_gone(self) -> None:
        waits = [
            asyncio.ensure_future(self._ready.wait()),
            asyncio.ensure_future(self._gone.wait()),
        ]
        try:
            await asyncio.wait(waits, timeout=READY_WAIT, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    def _launch(self) -> subprocess.Popen[bytes] | None:
        """Start one factory process, wired to this server; None if it cannot start."""
        self._ready.clear()
        self._gone.clear()
        server_side, factory_side = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        argv = [
            self.app.python,
            "-m",
            "tui.serve.factory",
            "--control-fd",
            str(factory_side.fileno()),
            "--server-pid",
            str(os.getpid()),
            "--",
            *self.app.argv()[3:],
        ]
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                pass_fds=(factory_side.fileno(),),
            )
        except OSError as error:
            server_side.close()
            self.log(f"session factory: cannot start: {error.strerror or error}")
            return None
        finally:
            factory_side.close()
        try:
            # A session's limits: the factory runs nothing of a client's, but it is as
            # bounded (past its CPU time it is replaced, like a crashed one).
            limit = self.limits
            limit_process(process.pid, memory=limit.session_memory, cpu=limit.session_cpu)
        except OSError:
            process.kill()
            process.wait()
            server_side.close()
            self.log("session factory: cannot be limited; sessions start the slow way")
            return None
        self.starts += 1
        self._process = process
        self._sock = server_side
        server_side.setblocking(False)
        loop = asyncio.get_running_loop()
        loop.add_reader(server_side.fileno(), self._readable)
        assert process.stderr is not None
        os.set_blocking(process.stderr.fileno(), False)
        loop.add_reader(process.stderr.fileno(), self._read_errors, process)
        return process

    def _read_errors(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        try:
            data = os.read(process.stderr.fileno(), 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(process.stderr.fileno())
            process.stderr.close()
            return
        for line in log_text(data):
            self.log(f"session factory stderr: {line}")

    def _readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            data = sock.recv(MAX_MESSAGE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self._lost("garbled reply; restarting it")
            return
        if message.get("ready"):
            self._ready.set()
            return
        if "error" in message and "id" not in message:
            self.log(f"session factory: {message['error']}")
            return
        future = self._replies.pop(int(message.get("id", -1)), None)
        if future is not None and not future.done():
            future.set_result(message)

    def _lost(self, why: str | None = None) -> None:
        """This factory is done with: no more requests, pending ones fail, it is retired."""
        if why is not None:
            self.log(f"session factory: {why}")
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()
        self._sock = None
        self._ready.clear()
        for future in self._replies.values():
            if not future.done():
                future.set_result({"error": "the session factory ended"})
        self._replies.clear()
        self._gone.set()

    async def _retire(self, process: subprocess.Popen[bytes]) -> None:
        """Let an old factory exit (its socket is closed); kill it if it does not; reap it."""
        if self._sock is not None and self._process is process:
            self._lost()
        for _ in range(40):
            if process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await asyncio.get_running_loop().run_in_executor(None, process.wait)
        if self._process is process:
            self._process = None
        if process.returncode not in (0, None):
            self.log(f"session factory: exited with status {process.returncode}")

    async def fork(self, kind: str, env: Mapping[str, str], fds: Sequence[int]) -> int | None:
        """A new session's process id, on ``fds``; None: start the app without the factory.

        The caller keeps (and closes) ``fds``; the message carries copies of them.
        """
        if not self.ready and self._process is not None and not self._gone.is_set():
            # A factory is loading: worth waiting a little for.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), FORK_WAIT)
        sock = self._sock
        if not self.ready or sock is None:
            return None
        self._next_id += 1
        request = Request(
            id=self._next_id,
            kind=kind,
            env=dict(env),
            cwd=str(self.cwd),
            memory=self.limits.session_memory,
            cpu=self.limits.session_cpu,
        )
        future: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()
        self._replies[request.id] = future
        try:
            await self._send(sock, request.encode(), fds)
            answer = await asyncio.wait_for(future, FORK_WAIT)
        except (OSError, TimeoutError):
            self._replies.pop(request.id, None)
            if self._sock is sock:
                self._lost("no answer; restarting it")
            return None
        if answer.get("stale"):
            if self._sock is sock:
                self._lost("the dossier changed; starting a fresh factory")
            return None
        pid = answer.get("pid")
        if not isinstance(pid, int):
            self.log(f"session factory: {answer.get('error', 'no session')}")
            return None
        return pid

    async def _send(self, sock: socket.socket, data: bytes, fds: Sequence[int]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                socket.send_fds(sock, [data], list(fds))
                return
            except BlockingIOError:
                writable: asyncio.Future[None] = loop.create_future()
                loop.add_writer(sock.fileno(), writable.set_result, None)
                try:
                    await asyncio.wait_for(writable, FORK_WAIT)
                finally:
                    loop.remove_writer(sock.fileno())

    async def close(self) -> None:
        """Stop the factory (sessions it forked are the server's and go on)."""
        self._closed = True
        process = self._process
        if self._sock is not None:
            self._lost()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if process is not None:
            await self._retire(process)


async def start_factory(
    settings: ServeSettings,
    home: Path,
    python_path: Path | None,
    log: Callable[[str], None],
    environment: Callable[[dict[str, str]], dict[str, str]] = dict,
) -> SessionFactory | None:
    """The server's session factory, ready (or None when this system cannot have one).

    Its environment is a session's, built from scratch (:func:`child_environment`), passed
    through ``environment`` (the web server adds what Textual's web driver reads).
    """
    if not become_subreaper():
        log("dossier serve: no session factory here (needs Linux); each session starts alone")
        return None
    env = environment(
        child_environment(
            term=None, colorterm=None, home=home, server_env=os.environ, python_path=python_path
        )
    )
    factory = SessionFactory(settings.app, env=env, cwd=home, limits=settings.limits, log=log)
    if await factory.start():
        log(f"dossier serve: session factory ready (pid {factory.pid})")
    else:
        log("dossier serve: the session factory is not ready; sessions start alone meanwhile")
    return factory
