"""What a ``dossier serve`` run was asked to do: the app to run, where, and within what limits.

Plain frozen dataclasses, filled in by :mod:`tui.serve.cli` and read by the SSH and web
servers; nothing here imports asyncssh or textual-serve.
"""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SSH_PORT = 2222
DEFAULT_WEB_PORT = 8000
DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class MaxStartups:
    """OpenSSH's ``MaxStartups start:rate:full``, for connections that have not logged in.

    Beyond ``start`` of them at once (from all addresses), a new connection is closed
    unanswered with probability ``rate`` percent, rising linearly to 100% at ``full``.
    The defaults, with ``Limits.per_source_max_startups`` at 32: a room behind one NAT
    address can log in all at once and never be dropped, and it stays below ``start``, so
    one address alone (a room, or an attacker) cannot raise the chance that anyone else's
    connection is dropped; it takes a second address as busy to start dropping, and four,
    each holding its connections until the login grace ends, to drop everything. No more
    than 128 key exchanges are ever under way.
    """

    start: int = 64
    rate: int = 30
    full: int = 128

    def __post_init__(self) -> None:
        if not 1 <= self.start <= self.full:
            raise ValueError("need 1 <= START <= FULL")
        if not 0 <= self.rate <= 100:
            raise ValueError("need 0 <= RATE <= 100")


@dataclass(frozen=True)
class Limits:
    """How much one server gives away; every limit ends with a message, never a hang."""

    max_sessions: int = 64
    """Sessions at once, over all clients (over SSH, taken at login rather than at connect)."""
    max_per_address: int = 32
    """Sessions at once from one client address: a fair share, half of ``max_sessions``. A
    room behind one NAT address (a venue's Wi-Fi) is one address: 30 people get in, and
    still cannot take every slot from the rest of the audience."""
    per_source_max_startups: int = 32
    """Connections from one address that have not logged in yet; more are closed unanswered
    (OpenSSH's PerSourceMaxStartups). Half of ``max_startups.start``: one address alone
    never reaches the point where anyone else's connections may be dropped."""
    max_startups: MaxStartups = field(default_factory=MaxStartups)
    """Connections from all addresses that have not logged in yet: early random drop."""
    login_grace: float = 30.0
    """Seconds a connection may take to authenticate."""
    max_auth_tries: int = 6
    """Failed authentication attempts before a connection is dropped."""
    idle_timeout: float = 900.0
    """Seconds without a key press before a session ends (0: never)."""
    keepalive: float = 30.0
    """Seconds between keepalive probes; three unanswered ones end a half-open connection."""
    kill_grace: float = 2.0
    """Seconds an app gets after SIGHUP, then after SIGTERM, before SIGKILL."""
    input_rate: int = 2048
    """Bytes of input per second a session passes on to its app, sustained."""
    input_burst: int = 16384
    """Bytes of input a session may send at once before the rate applies."""
    input_queue: int = 65536
    """Bytes of input held back by the rate; a client that sends more is disconnected."""
    session_memory: int = 1 << 30
    """Address space of one session's app, in bytes (0: unlimited)."""
    session_cpu: float = 600.0
    """Processor seconds one session's app may use in all (0: unlimited)."""


@dataclass(frozen=True)
class AppCommand:
    """The command each session runs: ``python -m tui PATH`` with the load options (and
    diff mode's, if given)."""

    path: Path
    """The dossier (absolute), passed to every session's app."""
    max_file_size: int | None = None
    no_cache: bool = False
    python: str = field(default_factory=lambda: sys.executable)
    diff: Path | None = None
    """Diff mode's older copy of the dossier (absolute): ``--diff OLD``."""
    diff_git: str | None = None
    """Diff mode's git revision: ``--diff-git REV``."""

    def argv(self) -> list[str]:
        """The child's argument vector (no shell is ever involved; a value is joined to
        its option with ``=``, so none can be read as an option of its own)."""
        argv = [self.python, "-m", "tui", str(self.path)]
        if self.max_file_size is not None:
            argv += ["--max-file-size", str(self.max_file_size)]
        if self.no_cache:
            argv.append("--no-cache")
        if self.diff is not None:
            argv.append(f"--diff={self.diff}")
        if self.diff_git is not None:
            argv.append(f"--diff-git={self.diff_git}")
        return argv


@dataclass(frozen=True)
class ProxyProtocol:
    """``--proxy-protocol``: every connection comes through a proxy that sends a PROXY header.

    The header (v1 or v2) gives the client's real address, which the log and the
    per-address limits then use; only peers in ``trusted`` may send one.
    """

    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    """The proxies' networks (--trusted-proxy); a connection from anywhere else is closed."""
    header_timeout: float = 5.0
    """Seconds a proxy has to send the whole header before its connection is closed."""


@dataclass(frozen=True)
class ServeSettings:
    """Everything one server needs; SSH-only fields are ignored by the web server."""

    app: AppCommand
    host: str = DEFAULT_HOST
    port: int = DEFAULT_SSH_PORT
    limits: Limits = field(default_factory=Limits)
    host_key: Path | None = None
    """The SSH host key file (created on first use); None: the one in the user's data dir."""
    authorized_keys: Path | None = None
    """Only these public keys may log in; None: anyone may (anonymous mode)."""
    home: Path | None = None
    """The server-owned folder given to sessions as HOME; None: one in the user's cache dir."""
    public_url: str | None = None
    """The web server's address as browsers see it (for its websocket URL)."""
    proxy: ProxyProtocol | None = None
    """SSH behind proxies that send PROXY headers; None: clients connect directly."""
    prefork: bool = True
    """Fork sessions from a factory that has loaded the app (False: --no-prefork)."""
    present: bool = False
    """Presenter mode, presented from the server's own terminal (--present)."""
    presenter_keys: Path | None = None
    """Presenter mode: SSH users with these keys may present (--presenter-keys)."""

    @property
    def room(self) -> bool:
        """Presenter mode: sessions follow whoever presents."""
        return self.present or self.presenter_keys is not None


def is_loopback(host: str) -> bool:
    """True when binding ``host`` keeps the server reachable from this machine only."""
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # A name other than localhost may resolve anywhere: treat it as public.
        return False
