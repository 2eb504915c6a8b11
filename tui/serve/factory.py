"""The session factory: one process that loads the app once and forks a session per client.

``dossier serve`` starts it (see :mod:`.forked`) with an environment built from scratch,
its private HOME, the sessions' limits, and one end of a Unix socket as its only
descriptor besides /dev/null and a pipe to the server's log. It never holds the host key,
a listening socket or a client connection: it is started with ``exec``, not forked from
the server.

Before it says it is ready, it does everything that does not depend on the terminal:
imports Textual and the app, parses the arguments, loads and indexes the dossier
(:func:`tui.cli.prepare_explorer`). Then, as gunicorn's ``preload_app`` and Android's
zygote do, it freezes the garbage collector (``gc.freeze``: objects made so far are never
scanned again, so a child's collections do not write to the pages it shares with the
factory) and waits. It starts no thread and no event loop before a fork.

For each request (a JSON object and the session's descriptors: the pty's terminal side
and a stderr pipe, or three pipes for a browser) it forks twice: the middle process forks
the session and exits at once, so the session is re-parented to the server, which has
made itself a child subreaper. The server is then the session's parent exactly as when it
starts the app itself: it watches, signals and reaps it, and the kernel kills the session
if the server dies. A factory that crashes or is retired takes no session with it.

The session, once re-parented: becomes a session leader with the pty as its controlling
terminal, moves its descriptors to 0, 1 and 2 and closes every other one, replaces its
whole environment with the one the server built for it, sets its limits, and runs the app.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import json
import os
import resource
import signal
import socket
import sys
import termios
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..served import PR_SET_NAME, SESSION_NAME, die_with_parent, end_with_server, prctl
from .child import limit_process

MAX_MESSAGE = 256 * 1024
"""Largest request or reply on the factory's socket (an environment is far smaller)."""
KIND_FDS = {"pty": (2, 3), "pipes": (3, 4)}
"""How many descriptors a request of each kind carries: without, and with, the room's
channel (presenter mode), which comes last."""
MAX_FDS = max(max(counts) for counts in KIND_FDS.values())
"""Most descriptors one request carries (more would be cut off by the kernel)."""
ADOPTION_WAIT = 5.0
"""Seconds a new session waits to be re-parented to the server before giving up."""
FACTORY_NAME = b"dossier-factory"
"""The name ``ps`` and ``top`` show for the factory (its sessions: ``SESSION_NAME``)."""


@dataclass(frozen=True)
class Request:
    """One session to start: its kind (``pty`` or ``pipes``), environment and limits."""

    id: int
    kind: str
    env: dict[str, str]
    cwd: str
    memory: int
    cpu: float

    @classmethod
    def parse(cls, data: bytes) -> Request:
        """A request from the server's bytes (ValueError if they are not one)."""
        raw: Any = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        env = raw.get("env")
        if not isinstance(env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()
        ):
            raise ValueError("bad environment")
        kind = raw.get("kind")
        if kind not in KIND_FDS:
            raise ValueError("bad kind")
        return cls(
            id=int(raw["id"]),
            kind=kind,
            env=env,
            cwd=str(raw["cwd"]),
            memory=int(raw.get("memory", 0)),
            cpu=float(raw.get("cpu", 0)),
        )

    def encode(self) -> bytes:
        return json.dumps(self.__dict__).encode()


def reply(sock: socket.socket, **fields: object) -> None:
    """Send one reply to the server (blocking: replies are small and the server reads them)."""
    sock.send(json.dumps(fields).encode())


def fds_allowed(kind: str) -> tuple[int, int]:
    """How many descriptors a request of ``kind`` carries: without, and with, the room's
    channel (presenter mode), which comes last."""
    return KIND_FDS.get(kind, (0, 0))


# The session's side ------------------------------------------------------------


def _await_adoption(server: int) -> None:
    """Wait until the server is this process's parent, then die with it (else exit now)."""
    deadline = time.monotonic() + ADOPTION_WAIT
    while os.getppid() != server:
        if time.monotonic() > deadline:
            os._exit(1)
        time.sleep(0.0005)
    # Only now: PR_SET_PDEATHSIG watches the parent at the time of the call.
    die_with_parent()
    if os.getppid() != server:
        os._exit(1)


def _take_descriptors(kind: str, fds: Sequence[int]) -> None:
    """Take ``fds`` (the pty as controlling terminal) as 0, 1 and 2, and the room's
    channel (if any) as :data:`ROOM_FD_NUMBER`; close every other."""
    targets: list[int] = list(fds)
    if kind == "pty":
        terminal = fds[0]
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)
        targets = [terminal, *fds]
    # Each lands on its number (0, 1, 2, 3); moved first, out of the way of the others.
    moved = [os.dup(fd) for fd in targets]
    for number, fd in enumerate(moved):
        os.dup2(fd, number)
    os.closerange(len(moved), resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def _become_session(
    request: Request, fds: Sequence[int], server: int, run: Any, started: int
) -> None:
    """In the forked session: set it up as the server would, run the app, never return.

    ``started`` is closed once this process leads its own session and process group: only
    then may the server learn its id (it signals the group, never the factory's).
    """
    code = 1
    try:
        os.setsid()
        os.close(started)
        _await_adoption(server)
        prctl(PR_SET_NAME, SESSION_NAME)
        _take_descriptors(request.kind, fds)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        limit_process(os.getpid(), memory=request.memory, cpu=request.cpu)
        os.environ.clear()
        os.environ.update(request.env)
        os.chdir(request.cwd)
        code = run()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


# The factory's side ------------------------------------------------------------

WARM_UP_SIZE = (100, 30)


def warm_up(make_app: Any) -> None:
    """Run the app once to its first screen, headless, and drop it.

    What a session would do on its first screen and is the same for all of them is then
    done here, once, in memory the sessions share: the modules imported on first use,
    the CSS parsed, the caches of text measures and styles filled. The run's own event
    loop is closed before the factory forks anything.
    """
    from ..screens import evidence, matrix, neighbourhood, timeline  # imported on first use

    del evidence, matrix, neighbourhood, timeline

    async def first_screen(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        pilot.app.exit()

    make_app().run(headless=True, size=WARM_UP_SIZE, auto_pilot=first_screen)


class Factory:
    """The factory's loop: read requests, fork sessions, reply with their process ids."""

    def __init__(self, sock: socket.socket, server: int, argv: Sequence[str]) -> None:
        self.sock = sock
        self.server = server
        self.argv = list(argv)

    def prepare(self) -> None:
        """Load everything a session needs that does not depend on its terminal."""
        from ..cli import prepare_explorer
        from ..watch import snapshot

        self.prepared = prepare_explorer(self.argv)
        if self.prepared.make_app is not None:
            warm_up(self.prepared.make_app)
        watched = self.prepared.watched
        self._watched = watched
        self._stamps = snapshot(*watched) if watched is not None else None
        gc.collect()
        gc.freeze()

    def stale(self) -> bool:
        """True once the dossier's files differ from what was loaded."""
        from ..watch import snapshot

        return self._watched is not None and snapshot(*self._watched) != self._stamps

    def serve(self) -> int:
        """Answer requests until the server closes the socket; the exit status."""
        if threading.active_count() != 1:
            reply(self.sock, error="the factory has threads; it cannot fork safely")
            return 1
        reply(self.sock, ready=True, pid=os.getpid())
        while True:
            try:
                data, fds, flags, _ = socket.recv_fds(self.sock, MAX_MESSAGE, MAX_FDS)
            except InterruptedError:
                continue
            if not data:
                return 0
            try:
                if flags & (socket.MSG_CTRUNC | socket.MSG_TRUNC):
                    # Cut short by the kernel: what arrived is not the whole request.
                    reply(self.sock, id=-1, error="request cut short")
                else:
                    self._answer(data, fds)
            finally:
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)

    def _answer(self, data: bytes, fds: list[int]) -> None:
        try:
            request = Request.parse(data)
        except (ValueError, KeyError, TypeError):
            reply(self.sock, id=-1, error="malformed request")
            return
        if len(fds) not in fds_allowed(request.kind):
            reply(self.sock, id=request.id, error="wrong descriptors")
            return
        if self.stale():
            # A changed dossier: this factory retires; the server starts a fresh one.
            reply(self.sock, id=request.id, stale=True)
            return
        try:
            pid = self._fork(request, fds)
        except OSError as error:
            reply(self.sock, id=request.id, error=error.strerror or str(error))
            return
        reply(self.sock, id=request.id, pid=pid)

    def _fork(self, request: Request, fds: Sequence[int]) -> int:
        """Fork the session through a middle process; the session's process id."""
        read_pid, write_pid = os.pipe()
        try:
            middle = os.fork()
            if middle == 0:
                self._middle(request, fds, read_pid, write_pid)
            os.close(write_pid)
            write_pid = -1
            _, status = os.waitpid(middle, 0)
            data = os.read(read_pid, 32)
        finally:
            os.close(read_pid)
            if write_pid >= 0:
                os.close(write_pid)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not data.isdigit():
            raise OSError("the session could not be forked")
        return int(data)

    def _middle(self, request: Request, fds: Sequence[int], read_pid: int, write_pid: int) -> None:
        """The middle process: fork the session, tell the factory its id once it has its
        own process group, exit."""
        try:
            os.close(read_pid)
            wait_read, wait_write = os.pipe()
            session = os.fork()
            if session == 0:
                os.close(write_pid)
                os.close(wait_read)
                self.sock.close()
                _become_session(request, fds, self.server, self.prepared.run, wait_write)
            os.close(wait_write)
            os.read(wait_read, 1)  # b"" once the session has closed its end
            os.write(write_pid, str(session).encode())
            os._exit(0)
        finally:
            os._exit(1)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tui.serve.factory --control-fd N --server-pid P -- APP-ARGS``."""
    parser = argparse.ArgumentParser(prog="dossier-session-factory")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("app", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    end_with_server()  # the factory too dies with the server
    prctl(PR_SET_NAME, FACTORY_NAME)
    sock = socket.socket(fileno=args.control_fd)
    app_argv = args.app[1:] if args.app[:1] == ["--"] else args.app
    factory = Factory(sock, args.server_pid, app_argv)
    try:
        factory.prepare()
    except SystemExit:
        reply(sock, error="the app's arguments were refused")
        return 2
    return factory.serve()


if __name__ == "__main__":
    sys.exit(main())
