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

READ_LIMIT = 65536


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
