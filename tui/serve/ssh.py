"""The SSH server: asyncssh speaks the protocol, each session runs the app on its own pty.

One :class:`~.connection.Connection` per client connection (login, its session slot,
timers, the log line) and at most one :class:`~.channel.AppSession` on it (the pty, the
app process, the bytes in between). :func:`serve_ssh` runs the server until SIGTERM or
SIGINT, then tells every connected user, ends their apps and returns. With
``--proxy-protocol``, :mod:`.proxied` accepts the connections, reads their PROXY header
and hands each to asyncssh with the client's address.
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

from .channel import CLOSE_DELAY
from .child import prepare_home, python_path_for
from .config import Limits, ServeSettings
from .connection import Connection
from .forked import SessionFactory, start_factory
from .hostkey import default_host_key_path, fingerprint, load_or_create_host_key
from .hub import Hub
from .limits import Admission, QuietLog, Startups
from .present import present_here
from .presenters import accepted_keys, read_presenter_keys
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
        self.hub = Hub(self.write_log) if settings.room else None
        """Presenter mode: the room every session joins."""
        self.presenter_keys = (
            read_presenter_keys(settings.presenter_keys) if settings.presenter_keys else []
        )
        self.factory: SessionFactory | None = None
        """Where sessions are forked from (None: each starts as a program, --no-prefork)."""

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
    if settings.presenter_keys is not None:
        presenters = read_presenter_keys(settings.presenter_keys)
        options["authorized_client_keys"] = accepted_keys(presenters, settings.authorized_keys)
        options["kbdint_auth"] = settings.authorized_keys is None
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
        connection = functools.partial(Connection, state)
        acceptor = ProxiedListener.start(settings, connection, options, state.quiet.line)
    else:
        acceptor = await asyncssh.create_server(
            lambda: Connection(state), settings.host, settings.port, reuse_address=True, **options
        )
    if settings.prefork:
        # Once the port is ours, and before anyone is told to connect.
        state.factory = await start_factory(
            settings, state.home, state.python_path, state.write_log
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
    presenting = None
    if settings.present and state.hub is not None:
        presenting = loop.create_task(present_here(settings, state.hub, _to_terminal))
    try:
        await stop.wait()
        if presenting is not None:
            presenting.cancel()
            await asyncio.gather(presenting, return_exceptions=True)
        print("dossier serve: stopping", file=log, flush=True)
        acceptor.close()
        await state.stop()
        await acceptor.wait_closed()
    finally:
        if state.factory is not None:
            await state.factory.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    print("dossier serve: stopped", file=log, flush=True)
    return 0


def _to_terminal(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _reachable(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "<this machine's name>"
    return host
