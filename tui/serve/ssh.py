"""The SSH server: asyncssh speaks the protocol, each session runs the app on its own pty.

One :class:`Connection` per client connection (login, the session slot it takes once
logged in, timers, the log line) and at most one :class:`~.channel.AppSession` on it (the
pty, the app process, the bytes in between). Everything but an interactive shell on a pty
is refused: exec, subsystems (sftp), port forwarding, agent and X11 forwarding.
:func:`serve_ssh` runs the server until SIGTERM or SIGINT, then tells every connected user,
ends their apps and returns. With ``--proxy-protocol``, :mod:`.proxied` accepts the
connections, reads their PROXY header and hands each to asyncssh with the client's address.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import sys
import time
from collections.abc import Coroutine, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import asyncssh

from .channel import CLOSE_DELAY, AppSession, printable
from .child import prepare_home, python_path_for
from .config import Limits, ServeSettings
from .hostkey import default_host_key_path, fingerprint, load_or_create_host_key
from .limits import Admission, IdleTimer, QuietLog, Startups
from .proxied import ProxiedListener

SERVER_VERSION = "dossier"
STOPPING_MESSAGE = "dossier: the server is stopping. Goodbye."


class ServerState:
    """What every connection of one server shares."""

    def __init__(self, settings: ServeSettings, home: Path, log: TextIO) -> None:
        self.settings = settings
        self.limits: Limits = settings.limits
        self.home = home
        self.log = log
        self.startups = Startups(settings.limits)
        """Connections still logging in (--max-startups, --per-source-max-startups)."""
        self.admission = Admission(settings.limits)
        """Session slots, taken at login (--max-sessions, --max-per-address)."""
        self.quiet = QuietLog(self.write_log)
        """Log lines of dropped connections, at most one per address every few seconds."""
        self.connections: set[Connection] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.stopping = False
        self.server_env: Mapping[str, str] = dict(os.environ)
        self.python_path = python_path_for(
            settings.app.python, Path(__file__).resolve().parent.parent.parent, home
        )

    def spawn_task(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` as a task, referenced until it is done."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def write_log(self, line: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        print(f"{stamp} {line}", file=self.log, flush=True)

    async def stop(self) -> None:
        """Tell every user the server is stopping, end their apps, close connections."""
        self.stopping = True
        await asyncio.gather(
            *(
                connection.end(STOPPING_MESSAGE, event="server stopping")
                for connection in list(self.connections)
            ),
            return_exceptions=True,
        )
        # Clients leave once their session has closed; the others are cut.
        deadline = time.monotonic() + CLOSE_DELAY
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for connection in list(self.connections):
            connection.close()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=self.limits.kill_grace * 3 + 10)


class Connection(asyncssh.SSHServer):
    """One client connection: login, its session slot, idle time, and its log line.

    From TCP connect until it has logged in (or closed) a connection counts as a login
    under way (:class:`~.limits.Startups`); once logged in it takes a session slot
    (:class:`~.limits.Admission`), which it gives back only once its app has been reaped.
    """

    def __init__(self, state: ServerState, client: tuple[str, int] | None = None) -> None:
        self.state = state
        self._client = client
        """The client's address and port as a PROXY header gave them; None: the peer's."""
        self.address = "?"
        self.port = 0
        self.user = "-"
        self.events: list[str] = []
        self.started = time.monotonic()
        self.session: AppSession | None = None
        self._conn: asyncssh.SSHServerConnection | None = None
        self._logging_in = False
        self._admitted = False
        self._authenticated = False
        self._failures = 0
        self._login_timer: asyncio.TimerHandle | None = None
        self._idle: IdleTimer | None = None
        self._closed = False

    # Connection life ----------------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        peer = self._client or conn.get_extra_info("peername") or ("?", 0)
        self.address, self.port = str(peer[0]), int(peer[1])
        state = self.state
        state.connections.add(self)
        drop = state.startups.admit(self.address)
        if drop is not None:
            # Not even worth a key exchange to explain (as OpenSSH's MaxStartups drops).
            self.note(f"dropped: {drop}")
            conn.abort()
            return
        self._logging_in = True
        self._login_timer = asyncio.get_running_loop().call_later(
            state.limits.login_grace, self._login_expired
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if self._closed:
            return
        self._closed = True
        self._cancel_timers()
        self._logged_in_or_gone()
        if self.session is not None and self.session.app_running:
            self.note("disconnected")
        self.state.spawn_task(self._finish())

    async def _finish(self) -> None:
        try:
            if self.session is not None:
                await self.session.hang_up()
        finally:
            # Only now is the app gone (reaped): its slot may go to someone else.
            if self._admitted:
                self._admitted = False
                self.state.admission.release(self.address)
        self.state.connections.discard(self)
        duration = time.monotonic() - self.started
        outcome = ", ".join(self.events) or "no session"
        line = f"{self.address}:{self.port} user={printable(self.user)} {duration:.1f}s {outcome}"
        if outcome.startswith("dropped: "):
            self.state.quiet.line(f"{self.address} dropped", line)  # a flood: not of lines
        else:
            self.state.write_log(line)

    def note(self, event: str) -> None:
        """Add to what the log line will say about this connection."""
        if event not in self.events:
            self.events.append(event)

    def refuse(self, message: str, *, event: str, code: int = asyncssh.DISC_BY_APPLICATION) -> None:
        """Drop the connection, telling the client why (OpenSSH prints the reason)."""
        self.note(event)
        if self._conn is not None:
            self._conn.disconnect(code, f"dossier: {message}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def touch(self) -> None:
        """The client did something: the idle clock restarts."""
        if self._idle is not None:
            self._idle.touch()

    def _logged_in_or_gone(self) -> None:
        """The connection no longer counts as a login under way."""
        if self._logging_in:
            self._logging_in = False
            self.state.startups.release(self.address)

    def _take_slot(self) -> bool:
        """Take a session slot, or drop the connection telling the client why not."""
        state = self.state
        refusal = (
            "the server is stopping" if state.stopping else state.admission.admit(self.address)
        )
        if refusal is None:
            self._admitted = True
            return True
        self.refuse(
            refusal,
            event="refused: " + refusal.split(" (")[0],
            code=asyncssh.DISC_TOO_MANY_CONNECTIONS,
        )
        return False

    def _cancel_timers(self) -> None:
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _login_expired(self) -> None:
        self._login_timer = None
        if not self._authenticated:
            grace = self.state.limits.login_grace
            self.refuse(f"no login within {grace:g} seconds", event="login timeout")

    def _idle_expired(self) -> None:
        self._idle = None
        timeout = self.state.limits.idle_timeout
        minutes = f"{timeout / 60:g} minutes" if timeout >= 60 else f"{timeout:g} seconds"
        message = f"dossier: disconnected after {minutes} without input."
        self.state.spawn_task(self.end(message, event="idle timeout"))

    async def end(self, message: str, *, event: str) -> None:
        """End the session with a last line to the user, then the connection."""
        self.note(event)
        if self.session is not None:
            await self.session.end(message)
        elif self._conn is not None:
            self.refuse(message.removeprefix("dossier: "), event=event)

    # Authentication -------------------------------------------------------------

    def begin_auth(self, username: str) -> bool:
        self.user = username
        if self.state.settings.authorized_keys is not None:
            # asyncssh checks the key against --authorized-keys before validate_public_key
            # below is asked; the slot is taken in auth_completed, once a key is accepted.
            return True
        # Anonymous mode: logged in now, so the slot is taken now, and a refusal reaches
        # the client before asyncssh reports success (OpenSSH prints the reason).
        return not self._take_slot()

    def auth_completed(self) -> None:
        self._authenticated = True
        self._logged_in_or_gone()
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None
        # With keys, told after the success reply: OpenSSH prints the reason all the same.
        if self._admitted or self._take_slot():
            self._idle = IdleTimer(self.state.limits.idle_timeout, self._idle_expired)

    def public_key_auth_supported(self) -> bool:
        return self.state.settings.authorized_keys is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Called only for keys not in --authorized-keys: each call is a failed attempt."""
        del username, key
        self._failures += 1
        if self._failures >= self.state.limits.max_auth_tries:
            # Now, before asyncssh answers this attempt: a client told "try another key"
            # could be sending it as the connection closes, and miss the reason.
            self.refuse(
                "too many authentication failures",
                event="auth failed",
                code=asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
            )
        else:
            self.note("key refused")
        return False

    # Channels ------------------------------------------------------------------

    def session_requested(self) -> AppSession | bool:
        if self.session is not None:
            self.note("refused: second session")
            return False
        self.session = AppSession(self)
        return self.session

    def _prohibited(self, event: str, what: str) -> asyncssh.ChannelOpenError:
        self.note(event)
        return asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, f"dossier: {what} is not allowed here"
        )

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        raise self._prohibited("refused: port forwarding", "port forwarding")

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.note("refused: remote forwarding")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        raise self._prohibited("refused: socket forwarding", "socket forwarding")

    def unix_server_requested(self, listen_path: str) -> bool:
        self.note("refused: socket forwarding")
        return False

    def tun_requested(self, unit: int | None) -> bool:
        raise self._prohibited("refused: tunnel", "tunnelling")

    def tap_requested(self, unit: int | None) -> bool:
        raise self._prohibited("refused: tunnel", "tunnelling")


def server_options(settings: ServeSettings, host_key: asyncssh.SSHKey) -> dict[str, object]:
    """The asyncssh server options: everything that is not a terminal session is off."""
    limits = settings.limits
    options: dict[str, object] = {
        "server_host_keys": [host_key],
        "server_version": SERVER_VERSION,
        "encoding": None,
        "allow_pty": True,
        "line_editor": False,
        "agent_forwarding": False,
        "x11_forwarding": False,
        "sftp_factory": None,
        "allow_scp": False,
        "rdns_lookup": False,
        "password_auth": False,
        "kbdint_auth": False,
        # A backstop: the Connection's own timer ends slow logins first, with a message.
        "login_timeout": limits.login_grace + 5,
        "keepalive_interval": limits.keepalive,
        "keepalive_count_max": 3,
    }
    if settings.authorized_keys is not None:
        options["authorized_client_keys"] = str(settings.authorized_keys)
    return options


async def serve_ssh(settings: ServeSettings, home: Path, log: TextIO = sys.stderr) -> int:
    """Serve until SIGTERM or SIGINT; 0 once every session has ended."""
    key_path = settings.host_key or default_host_key_path()
    host_key, created = load_or_create_host_key(key_path)
    # asyncssh logs each connection at INFO; our own log line replaces that.
    logging.getLogger("asyncssh").setLevel(logging.CRITICAL)
    state = ServerState(settings, prepare_home(home), log)
    options = server_options(settings, host_key)
    acceptor: asyncssh.SSHAcceptor | ProxiedListener
    if settings.proxy is not None:  # --proxy-protocol: PROXY headers read before asyncssh
        factory = functools.partial(Connection, state)
        acceptor = ProxiedListener.start(settings, factory, options, state.quiet.line)
    else:
        acceptor = await asyncssh.create_server(
            lambda: Connection(state), settings.host, settings.port, reuse_address=True, **options
        )
    # (SSHAcceptor.get_port() is newer than asyncssh 2.14; the sockets are in every version.)
    port = int(acceptor.sockets[0].getsockname()[1])
    if created:
        print(f"dossier serve: created a new host key in {key_path}", file=log)
    access = (
        f"keys in {settings.authorized_keys}" if settings.authorized_keys else "anyone (no login)"
    )
    print(
        f"dossier serve: listening on {settings.host} port {port} "
        f"({'SSH after a PROXY header' if settings.proxy else 'SSH'}); "
        f"host key {fingerprint(host_key)}; access: {access}",
        file=log,
    )
    print(
        f"dossier serve: users type: ssh -p {port} {_reachable(settings.host)}",
        file=log,
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
        print("dossier serve: stopping", file=log, flush=True)
        acceptor.close()
        await state.stop()
        await acceptor.wait_closed()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    print("dossier serve: stopped", file=log, flush=True)
    return 0


def _reachable(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "<this machine's name>"
    return host
