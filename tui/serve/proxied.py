"""The SSH listener of ``--proxy-protocol``: a PROXY header first, then asyncssh takes over.

asyncssh reads no PROXY header, so behind a proxy the server accepts connections itself.
A peer outside every ``--trusted-proxy`` network is closed at once. A trusted one has a
few seconds to send its header, read exactly (the client's SSH banner after it stays in
the socket); then :func:`asyncssh.run_server` runs SSH on that socket with the server's
own options and a connection object that is told the client's address from the header,
so that the log and the per-address limits see the client rather than the proxy. Each
refusal is one log line (one per address every few seconds); the proxy's own health
checks (a LOCAL header, then nothing) are not logged at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any

import asyncssh

from .config import ProxyProtocol, ServeSettings
from .proxy import NothingSentError, ProxyHeaderError, closes_unheard, is_trusted
from .proxy import read_proxy_header as read_header

ConnectionFactory = Callable[[tuple[str, int]], asyncssh.SSHServer]
"""Makes the connection object (``ssh.Connection``) for a client at (address, port)."""
QuietLine = Callable[[str, str], None]
"""``QuietLog.line(key, text)``: a log line, at most one per key every few seconds."""

ACCEPT_RETRY_DELAY = 1.0
"""Seconds to wait after a failed accept (out of descriptors, say) before the next."""
BACKLOG = 100


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Non-blocking sockets listening on every address ``host`` resolves to, at ``port``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    try:
        for family, kind, protocol, _, address in dict.fromkeys(infos):
            listener = socket.socket(family, kind, protocol)
            sockets.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # As asyncio does: an IPv6 socket does not also take IPv4's port.
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(BACKLOG)
            listener.setblocking(False)
    except OSError:
        for listener in sockets:
            listener.close()
        raise
    return sockets


class ProxiedListener:
    """Accepts connections from trusted proxies, reads their header, hands them to asyncssh.

    Has what serve_ssh uses of asyncssh's own acceptor: :attr:`sockets`, :meth:`close`
    and :meth:`wait_closed`.
    """

    def __init__(
        self,
        sockets: list[socket.socket],
        proxy: ProxyProtocol,
        factory: ConnectionFactory,
        options: dict[str, object],
        log: QuietLine,
        max_pending: int,
    ) -> None:
        self.sockets = sockets
        self.proxy = proxy
        self._factory = factory
        self._options = options
        self._log = log
        self.max_pending = max_pending
        """Connections still sending their header; more are closed unanswered."""
        self._reading: set[asyncio.Task[Any]] = set()
        """The tasks of the connections still sending their header."""
        self._acceptors: list[asyncio.Task[None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @classmethod
    def start(
        cls,
        settings: ServeSettings,
        factory: ConnectionFactory,
        options: dict[str, object],
        log: QuietLine,
    ) -> ProxiedListener:
        """Listen on the settings' host and port (OSError if that cannot be done)."""
        assert settings.proxy is not None
        listener = cls(
            listening_sockets(settings.host, settings.port),
            settings.proxy,
            factory,
            options,
            log,
            # A proxy is trusted, not infallible: no more headers under way than logins.
            max_pending=settings.limits.max_startups.full,
        )
        loop = asyncio.get_running_loop()
        listener._acceptors = [
            loop.create_task(listener._accept(each)) for each in listener.sockets
        ]
        return listener

    @property
    def pending(self) -> int:
        """Connections still sending their header."""
        return len(self._reading)

    def close(self) -> None:
        """Stop accepting; connections still sending their header are closed."""
        if self._closed:
            return
        self._closed = True
        for task in [*self._acceptors, *self._reading]:
            task.cancel()
        for listener in self.sockets:
            listener.close()

    async def wait_closed(self) -> None:
        """Wait until every connection taken has been handed over or closed."""
        await asyncio.gather(*self._acceptors, *self._tasks, return_exceptions=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, peer = await loop.sock_accept(listener)
            except OSError as error:
                # Out of descriptors, say: those already in keep being served meanwhile.
                self._log("accept", f"dossier serve: cannot accept: {error.strerror or error}")
                await asyncio.sleep(ACCEPT_RETRY_DELAY)
                continue
            self._spawn(self._take(sock, str(peer[0]), int(peer[1])))

    def _refuse(
        self, sock: socket.socket, address: str, port: int, started: float, why: str
    ) -> None:
        sock.close()
        # The shape of every connection's log line: address:port user= duration outcome.
        line = f"{address}:{port} user=- {time.monotonic() - started:.1f}s refused: {why}"
        self._log(f"{address} refused", line)

    async def _take(self, sock: socket.socket, address: str, port: int) -> None:
        started = time.monotonic()
        if not is_trusted(address, self.proxy.trusted):
            self._refuse(sock, address, port, started, "not a trusted proxy (--trusted-proxy)")
            return
        if len(self._reading) >= self.max_pending:
            self._refuse(sock, address, port, started, "too many PROXY headers under way")
            return
        reading = asyncio.current_task()
        assert reading is not None
        self._reading.add(reading)
        try:
            header = await read_header(sock, self.proxy.header_timeout)
            if header.is_local and await closes_unheard(sock, self.proxy.header_timeout):
                sock.close()  # the proxy's health check: it only wanted to know we are up
                return
        except NothingSentError:
            sock.close()  # a bare port probe, as above
            return
        except ProxyHeaderError as error:
            self._refuse(sock, address, port, started, f"bad PROXY header: {error}")
            return
        except asyncio.CancelledError:
            sock.close()  # the server is stopping
            raise
        finally:
            self._reading.discard(reading)
        client = header.source or (address, port)
        with contextlib.suppress(asyncssh.Error, OSError):
            # Returns once the client has logged in; failing before that (a refusal, a
            # timeout, a client gone) is the connection object's to log, and it has.
            await asyncssh.run_server(
                sock, server_factory=lambda: self._factory(client), **self._options
            )
