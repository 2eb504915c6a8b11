"""A session forked by the factory, seen from the server that adopted it (see :mod:`.forked`).

The session is the server's child (re-parented to it, a child subreaper), so the server
reaps it exactly as one it started itself. :class:`AdoptedProcess` stands where a
:class:`subprocess.Popen` stands for an SSH session's app (:class:`~.session.PtyChild`
watches it); :class:`PipedProcess` stands where an :class:`asyncio.subprocess.Process`
stands for a browser's app (:class:`~.webapp.WebApp`): its pipes as asyncio streams and
an awaitable exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

READ_LIMIT = 65536
PR_SET_CHILD_SUBREAPER = 36
"""prctl(2): orphaned descendants are re-parented to this process, not to init."""


def become_subreaper() -> bool:
    """Make this process the parent of its orphaned descendants (Linux); False if not."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


def reap_orphans() -> int:
    """Reap this process's zombie children that are not session leaders; how many.

    As a child subreaper the server inherits whatever a session leaves behind when it
    exits (anything it forked). Every process the server starts itself leads its own
    session (its sessions, the factory), and those are reaped by their owners; the
    others are such orphans, and nobody else will reap them.
    """
    reaped = 0
    for child in _children():
        fields = _stat_fields(child)
        if fields is None or fields[0] != "Z" or int(fields[3]) == child:
            continue
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(child, os.WNOHANG)[0] == child:
                reaped += 1
    return reaped


def _children() -> list[int]:
    """This process's children (every thread's), from /proc."""
    pids: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/self/task/{task}/children").read_text()
                pids += [int(pid) for pid in text.split()]
    return pids


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: state, ppid, pgrp, session, ..."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


class AdoptedProcess:
    """A session forked by the factory and re-parented to the server: reaped here."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The return code if the process has exited (reaping it), else None."""
        if self.returncode is None:
            self._reap(os.WNOHANG)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Reap the process (blocking: call it once the process is known to have exited)."""
        del timeout
        if self.returncode is None:
            self._reap(0)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def _reap(self, options: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, options)
        except ChildProcessError:
            # Not (or no longer) ours to reap: count it as killed.
            self.returncode = -signal.SIGKILL
            return
        if pid == self.pid:
            self.returncode = os.waitstatus_to_exitcode(status)


class PipedProcess:
    """An adopted process on three pipes, with asyncio streams and an awaitable exit."""

    def __init__(
        self,
        pid: int,
        stdin: asyncio.StreamWriter,
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
    ) -> None:
        self._process = AdoptedProcess(pid)
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self._exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._poller: asyncio.Task[None] | None = None
        self._watch()

    @property
    def returncode(self) -> int | None:
        return self._process.returncode

    @classmethod
    async def connect(cls, pid: int, stdin: int, stdout: int, stderr: int) -> PipedProcess:
        """The process ``pid`` whose stdin we write to ``stdin`` and read from the others.

        The descriptors are owned by the streams from here on.
        """
        loop = asyncio.get_running_loop()
        readers = [await _read_pipe(fd) for fd in (stdout, stderr)]
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(stdin, "wb", buffering=0)
        )
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
        return cls(pid, writer, readers[0], readers[1])

    def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            pidfd = os.pidfd_open(self.pid)
        except OSError:
            self._poller = loop.create_task(self._poll_exit())
            return

        def exited() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            self._finish()

        loop.add_reader(pidfd, exited)

    async def _poll_exit(self) -> None:
        while self._process.poll() is None:
            await asyncio.sleep(0.1)
        self._finish()

    def _finish(self) -> None:
        if not self._exited.done():
            self._exited.set_result(self._process.wait())

    async def wait(self) -> int:
        """The return code once the process has exited and been reaped."""
        return await asyncio.shield(self._exited)


async def _read_pipe(fd: int) -> asyncio.StreamReader:
    """An asyncio stream reading the pipe ``fd`` (which it then owns)."""
    reader = asyncio.StreamReader(limit=READ_LIMIT)
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0)
    )
    return reader
