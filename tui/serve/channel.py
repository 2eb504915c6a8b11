"""The SSH session of one connection: the app on its own pty, bytes piped both ways.

:class:`AppSession` accepts a pty and a shell (nothing else: exec and subsystems such as
sftp are refused), starts the app with :class:`~.session.PtyChild`, copies the client's
keys to the pty and the app's output to the client with flow control both ways, passes
on window changes, and ends the app when the client goes. The keys are made valid UTF-8
and let through at a bounded rate first (:mod:`.inputs`); an app that stops by itself
with an error is reported in one line to the client and in full in the server's log. The
connection it belongs to (:class:`~.ssh.Connection`) keeps the log line and the timers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

import asyncssh

from .child import (
    DEFAULT_SIZE,
    child_environment,
    clamp_size,
    describe_end,
    exit_status,
    flood_message,
    log_text,
    printable,
)
from .inputs import ControlStringFilter, InputGate, Utf8Repair
from .session import PtyChild

if TYPE_CHECKING:
    from .connection import Connection
    from .hub import Member

NO_PTY_MESSAGE = (
    "dossier: this server only shows the dossier explorer, which needs a terminal: "
    "connect with 'ssh -t' (and no command).\r\n"
)
RESET_TERMINAL = (
    # Leave the alternate screen, show the cursor, reset colours, and switch off mouse
    # reporting, bracketed paste, focus events and the kitty keyboard protocol: an app
    # ended by a signal could not do it itself.
    b"\x1b[?1049l\x1b[?25h\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l"
    b"\x1b[?1015l\x1b[?2004l\x1b[?1004l\x1b[<u"
)
INPUT_HIGH_WATER = 256 * 1024
"""Bytes of unread input after which the client's channel is paused."""
CLOSE_DELAY = 1.0
"""Seconds a client gets to close the connection itself once its session has ended."""


def _write(chan: asyncssh.SSHServerChannel[bytes] | None, data: bytes) -> None:
    if chan is not None and not chan.is_closing():
        with contextlib.suppress(OSError):
            chan.write(data)


class AppSession(asyncssh.SSHServerSession[bytes]):
    """The one session of a connection: the app on a pty, bytes piped both ways."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.state = connection.state
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._child: PtyChild | None = None
        self._starting: asyncio.Future[None] | None = None
        """The app's start from the session factory, while it is under way."""
        self._early = bytearray()
        """Keys that arrived while the app was starting (bounded by the input gate)."""
        self._size = DEFAULT_SIZE
        self._resized = False
        self._lost = False
        self._member: Member | None = None
        """Presenter mode: this session in the room."""
        self._farewell: str | None = None
        self._ending: asyncio.Future[int | None] | None = None
        self._hung_up = False
        self._repair = Utf8Repair()
        self._strings = ControlStringFilter()
        self._gate: InputGate[bytes] = InputGate.from_limits(
            self.state.limits, deliver=self._deliver, on_flood=self._flooded, cost=len
        )

    @property
    def app_running(self) -> bool:
        """True while the app is starting or running (until it has been reaped)."""
        if self._starting is not None and not self._starting.done():
            return True
        return self._child is not None and self._child.running

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self._chan = chan

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Mapping[int, int]
    ) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.connection.note("refused: exec")
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self.connection.note(f"refused: subsystem {printable(subsystem, 32)}")
        return False

    def session_started(self) -> None:
        chan = self._chan
        assert chan is not None
        if chan.get_terminal_type() is None:
            self.connection.note("refused: no pty")
            _write(chan, NO_PTY_MESSAGE.encode())
            chan.exit(1)
            return
        columns, rows, _, _ = chan.get_terminal_size()
        env = child_environment(
            term=chan.get_terminal_type(),
            colorterm=chan.get_environment().get("COLORTERM"),
            home=self.state.home,
            server_env=self.state.server_env,
            python_path=self.state.python_path,
        )
        self._size = clamp_size(columns, rows)
        self._starting = asyncio.ensure_future(self._start(env))

    async def _start(self, env: dict[str, str]) -> None:
        """Start the app: forked from the session factory, or spawned if it has none ready."""
        limits = self.state.limits
        hub, room = self.state.hub, None
        if hub is not None:  # presenter mode: the app joins the room
            connection = self.connection
            self._member, room = hub.open_channel(
                who=connection.who, may_present=connection.may_present
            )
        try:
            child = await PtyChild.open(
                self.state.factory,
                self.state.settings.app.argv(),
                env=env,
                cwd=self.state.home,
                size=self._size,
                on_output=self._output,
                on_exit=self._app_exited,
                on_input_drained=self._input_drained,
                memory=limits.session_memory,
                cpu=limits.session_cpu,
                room=room.fileno() if room is not None else None,
            )
        except OSError as error:
            self._leave_room()
            self._refuse_start(error)
            return
        finally:
            if room is not None:
                room.close()  # the app has its own copy
        if self._lost:  # the client left while it started
            child.mute()
            self._hung_up = True
            await self._terminate(child)
            return
        self._child = child
        if self._member is not None and self.state.hub is not None:
            self.state.hub.seat_process(self._member, child.pid)
        who = f"{self.connection.address}:{self.connection.port}"
        child.on_note = lambda note: self.state.write_log(f"{who} app {note}")
        self._started()

    def _refuse_start(self, error: OSError) -> None:
        self.connection.note(f"cannot start the app: {error.strerror or error}")
        chan = self._chan
        if chan is not None and not chan.is_closing():
            _write(chan, b"dossier: the explorer could not be started; sorry.\r\n")
            chan.exit(1)

    def _started(self) -> None:
        """The app runs: give it what arrived while it was starting (keys, a new size)."""
        child = self._child
        if child is None:
            return
        if self._early:
            early, self._early = bytes(self._early), bytearray()
            child.write(early)
        if self._resized:
            child.resize(*self._size)

    def _output(self, data: bytes) -> None:
        _write(self._chan, data)

    def _input_drained(self) -> None:
        if self._chan is not None and not self._chan.is_closing():
            self._chan.resume_reading()

    def _leave_room(self) -> None:
        if self._member is not None and self.state.hub is not None:
            self.state.hub.leave(self._member)
            self._member = None

    def _app_exited(self, returncode: int) -> None:
        self._leave_room()
        status = exit_status(returncode)
        chan = self._chan
        self._gate.close()
        farewell = self._farewell
        if farewell is not None:
            status = 1  # ended by the server (idle, stopping, a flood): said in the farewell
        elif not self._hung_up:
            # The app ended by itself: a clean quit, or an error told here in one line.
            self.connection.note(f"exit {status}")
            errors = self._child.error_output if self._child is not None else b""
            farewell = describe_end(returncode, errors)
            if farewell is not None:
                self._log_errors(errors)
        if farewell is not None:
            _write(chan, RESET_TERMINAL + f"\r\n{farewell}\r\n".encode())
        if chan is not None and not chan.is_closing():
            chan.exit(status)

    def _log_errors(self, errors: bytes) -> None:
        who = f"{self.connection.address}:{self.connection.port}"
        for line in log_text(errors) or ["(nothing on stderr)"]:
            self.state.write_log(f"{who} app stderr: {line}")

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self.connection.touch()
        if self._child is None and self._starting is None:
            return
        data = self._repair.feed(data)
        if data:
            self._gate.feed(data)

    def _deliver(self, data: bytes) -> None:
        data = self._strings.feed(data)
        if not data:
            return
        if self._child is None:
            self._early += data
            return
        self._child.write(data)
        if self._child.input_backlog > INPUT_HIGH_WATER and self._chan is not None:
            self._chan.pause_reading()

    def _flooded(self) -> None:
        message = flood_message(self.state.limits.input_queue)
        self.state.spawn_task(self.connection.end(message, event="input flood"))

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.connection.touch()
        if self._child is not None:
            self._child.resize(width, height)
        else:
            self._size = clamp_size(width, height)
            self._resized = True

    def eof_received(self) -> bool:
        # A terminal has no half-close; the app goes on until the client leaves or idles.
        return True

    def break_received(self, msec: int) -> bool:
        return False

    def pause_writing(self) -> None:
        if self._child is not None:
            self._child.pause_output()

    def resume_writing(self) -> None:
        if self._child is not None:
            self._child.resume_output()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._gate.close()
        if self.app_running:
            self.state.spawn_task(self.hang_up())
        # One session per connection: once it is over, so is the connection.
        asyncio.get_running_loop().call_later(CLOSE_DELAY, self.connection.close)

    async def hang_up(self) -> None:
        """The client is gone: end the app (if still running) and reap it."""
        if self._starting is not None:
            await asyncio.shield(self._starting)  # (it ends the app if the client is gone)
        child = self._child
        if child is not None and child.running:
            child.mute()
            self._hung_up = True
            self._farewell = None
            await self._terminate(child)

    async def _terminate(self, child: PtyChild) -> None:
        # One ending per app, however many reasons to end it arrive at once.
        if self._ending is None:
            self._ending = asyncio.ensure_future(child.terminate(self.state.limits.kill_grace))
        await asyncio.shield(self._ending)

    async def end(self, message: str) -> None:
        """End the app, then show ``message`` on a reset terminal and close the channel."""
        child = self._child
        if child is not None and child.running:
            self._farewell = message
            await self._terminate(child)
            return
        chan = self._chan
        if chan is not None and not chan.is_closing():
            _write(chan, f"\r\n{message}\r\n".encode())
            chan.exit(1)
