"""One app process on its own pseudo-terminal.

:class:`PtyChild` starts the app in a new session (its own process group) with a fresh
pty as stdin, stdout and stderr, reads and writes the pty master without blocking from
the event loop, resizes it, and ends it (SIGHUP, then SIGTERM, then SIGKILL), always
reaping the process and closing the master. The app's stderr is a pipe to the server, not
the pty: a traceback is kept for the server's log and never reaches the client (the app
draws on stdout when ``DOSSIER_SERVED`` is set). Nothing here knows about SSH: the SSH and
test code pass callbacks in.
Its environment and limits come from :mod:`.child`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import termios
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .adopted import AdoptedProcess
from .child import AppProcess, clamp_size, limit_process, with_room
from .forked import SessionFactory

READ_SIZE = 65536
DRAIN_LIMIT = 1 << 20
"""Most output read from the pty once the app has exited (its last screenful or so)."""
POLL_INTERVAL = 0.1
"""Seconds between looks at the process where pidfd is unavailable."""


def set_window_size(fd: int, columns: int, rows: int) -> None:
    """Set the size of the terminal behind ``fd`` (either side of a pty)."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


class PtyChild(AppProcess):
    """A running app on its own pty; output and exit are reported through callbacks.

    ``on_output(data)`` gets what the app writes; ``on_exit(returncode)`` is called once,
    after the process is reaped, its last output passed on and the pty closed.
    ``on_input_drained()`` is called when input that had to wait has all been written.
    """

    process: subprocess.Popen[bytes] | AdoptedProcess

    def __init__(
        self,
        process: subprocess.Popen[bytes] | AdoptedProcess,
        master: int,
        *,
        errors: int | None = None,
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int], None],
        on_input_drained: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(process)
        self._master: int | None = master
        self._on_output = on_output
        self._on_exit = on_exit
        self._on_input_drained = on_input_drained
        self._loop = asyncio.get_running_loop()
        self._pending = bytearray()
        self._reading = False
        self._eof = False
        self._exited = asyncio.Event()
        self.returncode: int | None = None
        self._pidfd: int | None = None
        self._poll_handle: asyncio.TimerHandle | None = None
        self._errors_fd = errors
        if errors is not None:
            self._loop.add_reader(errors, self._read_errors)
        self._watch_exit()
        self.resume_output()

    @classmethod
    async def open(
        cls,
        factory: SessionFactory | None,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        size: tuple[int, int],
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int], None],
        on_input_drained: Callable[[], None] | None = None,
        memory: int = 0,
        cpu: float = 0,
        room: int | None = None,
    ) -> PtyChild:
        """The app on a new pty of ``size`` (columns, rows); OSError if it cannot start.

        Forked from ``factory`` if it has one ready, else started from ``argv``; either
        way with the limits ``memory`` and ``cpu`` (see :func:`limit_process`), and with
        ``room`` (its end of the room's channel, presenter mode) passed on.
        """
        master, slave = os.openpty()
        errors_read, errors_write = os.pipe()
        try:
            set_window_size(slave, *size)
            pid = None
            if factory is not None:
                fds = [slave, errors_write, *([] if room is None else [room])]
                pid = await factory.fork("pty", with_room(env, room, forked=True), fds)
            process = (
                AdoptedProcess(pid)
                if pid is not None
                else _spawn(argv, slave, errors_write, with_room(env, room), cwd, memory, cpu, room)
            )
        except BaseException:
            os.close(master)
            os.close(errors_read)
            raise
        finally:
            os.close(slave)
            os.close(errors_write)
        os.set_blocking(master, False)
        os.set_blocking(errors_read, False)
        return cls(
            process,
            master,
            errors=errors_read,
            on_output=on_output,
            on_exit=on_exit,
            on_input_drained=on_input_drained,
        )

    @property
    def running(self) -> bool:
        """True until the process has been reaped."""
        return self.returncode is None

    @property
    def input_backlog(self) -> int:
        """Bytes of input waiting for the app to read them."""
        return len(self._pending)

    def mute(self) -> None:
        """Drop the app's output from now on (nobody is there to read it)."""
        self._on_output = _ignore_output

    # Output -----------------------------------------------------------------

    def pause_output(self) -> None:
        """Stop reading the app's output (the client is slow); the app blocks on its writes."""
        if self._reading and self._master is not None:
            self._loop.remove_reader(self._master)
        self._reading = False

    def resume_output(self) -> None:
        if not self._reading and not self._eof and self._master is not None:
            self._loop.add_reader(self._master, self._read)
            self._reading = True

    def _read(self) -> None:
        if self._master is None or (data := _read_some(self._master)) is None:
            return
        if not data:
            self.pause_output()
            self._eof = True
            return
        self._on_output(data)

    def _read_errors(self) -> None:
        if self._errors_fd is None or (data := _read_some(self._errors_fd)) is None:
            return
        if not data:
            self._loop.remove_reader(self._errors_fd)
            os.close(self._errors_fd)
            self._errors_fd = None
            return
        self.keep_errors(data)

    def _drain(self) -> None:
        """Pass on what the app wrote just before it exited."""
        total = 0
        while self._master is not None and total < DRAIN_LIMIT:
            try:
                data = os.read(self._master, READ_SIZE)
            except OSError:
                return
            if not data:
                return
            total += len(data)
            self._on_output(data)

    # Input and size ---------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Send the client's keys to the app; what does not fit waits (see input_backlog)."""
        if self._master is None or not data:
            return
        if self._pending:
            self._pending += data
            return
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return  # the app is gone; its exit is reported separately
        if written < len(data):
            self._pending += data[written:]
            self._loop.add_writer(self._master, self._write_pending)

    def _write_pending(self) -> None:
        if self._master is None:
            return
        try:
            written = os.write(self._master, self._pending)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            self._loop.remove_writer(self._master)
            if self._on_input_drained is not None:
                self._on_input_drained()

    def resize(self, columns: int, rows: int) -> None:
        """Give the pty a new size and tell the app's process group (SIGWINCH)."""
        if self._master is None:
            return
        set_window_size(self._master, *clamp_size(columns, rows))
        self.signal(signal.SIGWINCH)

    # Ending -----------------------------------------------------------------

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the app's whole process group, if it has not been reaped."""
        # Once reaped, the group id could belong to someone else: never signal then.
        if self.returncode is None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)

    async def terminate(self, grace: float) -> int | None:
        """End the app: SIGHUP, SIGTERM after ``grace`` s, SIGKILL after as long again.

        Returns its return code once reaped (None only if even SIGKILL did not end it
        within a few seconds; it is then reaped whenever it does end).
        """
        for signum, wait in (
            (signal.SIGHUP, grace),
            (signal.SIGTERM, grace),
            (signal.SIGKILL, max(grace, 5.0)),
        ):
            if self._exited.is_set():
                break
            self.signal(signum)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exited.wait(), wait)
        return self.returncode

    async def wait(self) -> int:
        """Wait until the app has exited and been reaped."""
        await self._exited.wait()
        assert self.returncode is not None
        return self.returncode

    def _watch_exit(self) -> None:
        try:
            self._pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            self._pidfd = None
            self._poll_handle = self._loop.call_later(POLL_INTERVAL, self._poll)
            return
        self._loop.add_reader(self._pidfd, self._reap)

    def _poll(self) -> None:
        self._poll_handle = None
        # waitid with WNOWAIT: learn that it exited without reaping it yet.
        try:
            exited = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            exited = True
        if not exited:
            self._poll_handle = self._loop.call_later(POLL_INTERVAL, self._poll)
            return
        self._reap()

    def _reap(self) -> None:
        if self.returncode is not None:
            return
        # The app has exited but is not reaped: its group id is still taken, so anything
        # it left behind in its group can be killed safely.
        self.signal(signal.SIGKILL)
        self._drain()
        for _ in range(DRAIN_LIMIT // READ_SIZE):
            if self._errors_fd is None:
                break
            self._read_errors()
        self.returncode = self.process.wait()
        self._close()
        self._exited.set()
        self._on_exit(self.returncode)

    def _close(self) -> None:
        self.pause_output()
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        if self._poll_handle is not None:
            self._poll_handle.cancel()
            self._poll_handle = None
        if self._master is not None:
            self._loop.remove_writer(self._master)
            os.close(self._master)
            self._master = None
        if self._errors_fd is not None:
            self._loop.remove_reader(self._errors_fd)
            os.close(self._errors_fd)
            self._errors_fd = None
        self._pending.clear()


def _spawn(
    argv: Sequence[str],
    terminal: int,
    errors: int,
    env: Mapping[str, str],
    cwd: Path,
    memory: int,
    cpu: float,
    room: int | None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` on the pty's ``terminal`` side, limited (OSError if it cannot be)."""
    # A new session: its own process group, which signals reach as a whole; no
    # descriptor of the server (sockets, other sessions' ptys) is inherited.
    process = subprocess.Popen(
        list(argv),
        stdin=terminal,
        stdout=terminal,
        stderr=errors,
        env=dict(env),
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
        pass_fds=() if room is None else (room,),
    )
    try:
        limit_process(process.pid, memory=memory, cpu=cpu)
    except OSError:
        # Not limited means not served: never run a session without its limits.
        process.kill()
        process.wait()
        raise
    return process


def _read_some(fd: int) -> bytes | None:
    """What ``fd`` has now: b"" at its end, None when nothing is ready yet."""
    try:
        return os.read(fd, READ_SIZE)
    except BlockingIOError:
        return None
    except OSError:
        # EIO: every copy of a pty's other side is closed, the app is (nearly) gone.
        return b""


def _ignore_output(data: bytes) -> None:
    del data
