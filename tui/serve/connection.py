"""One client connection of the SSH server: login, its session slot, timers, its log line.

:class:`Connection` is asyncssh's server object for one connection, with at most one
:class:`~.channel.AppSession` on it (the pty, the app process, the bytes in between).
Everything but an interactive shell on a pty is refused: exec, subsystems (sftp), port
forwarding, agent and X11 forwarding.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import asyncssh

from .channel import AppSession
from .child import printable
from .limits import IdleTimer
from .presenters import presenter_label

if TYPE_CHECKING:
    from .ssh import ServerState


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
        self._kbdint = False
        self.may_present = False
        """Logged in with a key of --presenter-keys: may present."""
        self.who = "someone"
        """How the room is told who presents, if this user does (its key's label)."""

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
        settings = self.state.settings
        if settings.authorized_keys is not None or settings.presenter_keys is not None:
            # asyncssh checks the key against --authorized-keys before validate_public_key
            # below is asked; the slot is taken in auth_completed, once a key is accepted.
            return True
        # Anonymous mode: logged in now, so the slot is taken now, and a refusal reaches
        # the client before asyncssh reports success (OpenSSH prints the reason).
        return not self._take_slot()

    def auth_completed(self) -> None:
        self._authenticated = True
        if not self._kbdint and self._conn is not None:
            # Only a login signed with a presenter's key (never one that merely asked).
            label = presenter_label(
                self._conn.get_key_option("environment", {}), self.state.presenter_keys
            )
            if label is not None:
                self.may_present, self.who = True, label
                self.note("presenter key")
        self._logged_in_or_gone()
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None
        # With keys, told after the success reply: OpenSSH prints the reason all the same.
        if self._admitted or self._take_slot():
            self._idle = IdleTimer(self.state.limits.idle_timeout, self._idle_expired)

    def public_key_auth_supported(self) -> bool:
        settings = self.state.settings
        return settings.authorized_keys is not None or settings.presenter_keys is not None

    def kbdint_auth_supported(self) -> bool:
        """Anonymous presenter mode: everyone without a presenter key logs in this way."""
        settings = self.state.settings
        return settings.authorized_keys is None and settings.presenter_keys is not None

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str) -> bool:
        self._kbdint = True
        return self.kbdint_auth_supported()  # no questions: logged in

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """Called only for keys not accepted: each call is a failed attempt (in anonymous
        presenter mode, a key that is not a presenter's, which is no failure: the user
        logs in without one next)."""
        del username, key
        if self.kbdint_auth_supported():
            return False
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
