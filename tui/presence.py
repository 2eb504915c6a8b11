"""Presenter mode, the app's end of the room's channel (no Textual in here).

:class:`RoomLink` attaches the channel ``dossier serve`` gave the app (see :mod:`tui.room`)
to the running event loop: it reads without blocking, checks every message with
:func:`tui.room.decode` (a bad one is logged to stderr, which goes to the server's log,
and dropped) and hands the good ones on; it sends without blocking, keeping only the
latest message of each kind while the channel is full (state, not events). When the
server goes, the link says so once and the app goes on alone.
:class:`RoomState` is what the app knows of the room. The App side (keys, banner,
following) is :mod:`tui.presenting`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import room
from .room import MAX_MESSAGE, BadMessageError, SharedPlace

READS_PER_WAKEUP = 32
"""Most datagrams read in one go, so a flood cannot hold the keys up."""
MAX_LOG_LINES = 100
"""Lines logged for a link's lifetime (then one more saying the rest go unlogged)."""


def open_channel() -> socket.socket | None:
    """The channel named by ``DOSSIER_ROOM_FD``, if the server gave this app one."""
    fd = room.channel_fd()
    if fd is None:
        return None
    try:
        return socket.socket(fileno=fd)
    except OSError as error:
        log_line(f"room: no channel on descriptor {fd}: {error.strerror}")
        return None


def log_line(text: str) -> None:
    """One printable line on stderr (the server's log when served).

    The process's own stderr: while the app runs, Textual captures ``sys.stderr``
    (and drops what is printed there unless it runs headless)."""
    line = "".join(c if c.isprintable() else "?" for c in text)[:300]
    stream = sys.__stderr__
    if stream is not None:
        stream.write(f"dossier: {line}\n")
        stream.flush()


class RoomLink:
    """The app's end of its channel: checked messages in, the latest state out."""

    def __init__(
        self,
        sock: socket.socket,
        received: Callable[[list[dict[str, Any]]], None],
        closed: Callable[[], None],
        *,
        log: Callable[[str], None] = log_line,
    ) -> None:
        self.sock = sock
        self._received = received
        """Called with each batch of checked messages read in one wakeup, in order."""
        self._closed = closed
        self._log = log
        self._logged = 0
        self._pending: dict[str, bytes] = {}
        """What waits for room on the channel: the latest message of each kind."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writing = False
        self.is_open = True

    def start(self) -> None:
        """Watch the channel from the running event loop."""
        self._loop = asyncio.get_running_loop()
        self.sock.setblocking(False)
        self._loop.add_reader(self.sock.fileno(), self._readable)

    def log(self, text: str) -> None:
        """Log ``text`` (printable, one line), up to :data:`MAX_LOG_LINES` times."""
        self._logged += 1
        if self._logged <= MAX_LOG_LINES:
            self._log(f"room: {text}")
        elif self._logged == MAX_LOG_LINES + 1:
            self._log("room: too many problems on the channel; no more are logged")

    # -- in ---------------------------------------------------------------------
    def _readable(self) -> None:
        batch: list[dict[str, Any]] = []
        for _ in range(READS_PER_WAKEUP):
            try:
                data = self.sock.recv(MAX_MESSAGE + 1)
            except BlockingIOError:
                break
            except OSError as error:
                self.log(f"channel broken: {error.strerror}")
                data = b""
            if not data:  # the server is gone (or closed our end of the room)
                if batch:
                    self._received(batch)
                self.close()
                return
            try:
                batch.append(room.decode(data))
            except BadMessageError as error:
                self.log(f"ignored a message: {error}")
        if batch:
            self._received(batch)

    # -- out --------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        """Send ``message`` now, or as soon as the channel has room; a later message
        of the same type replaces one still waiting."""
        if not self.is_open:
            return
        kind = str(message["type"])
        self._pending.pop(kind, None)
        self._pending[kind] = room.encode(message)
        self._flush()

    def send_place(self, place: SharedPlace) -> None:
        self.send({"type": "place", "place": place.as_dict()})

    @property
    def waiting(self) -> list[bytes]:
        """The messages waiting for room on the channel (oldest kind first)."""
        return list(self._pending.values())

    def _flush(self) -> None:
        while self._pending and self.is_open:
            kind, data = next(iter(self._pending.items()))
            try:
                self.sock.send(data)
            except BlockingIOError:
                if not self._writing and self._loop is not None:
                    self._loop.add_writer(self.sock.fileno(), self._writable)
                    self._writing = True
                return
            except OSError as error:
                self.log(f"cannot send: {error.strerror}")
                self.close()
                return
            del self._pending[kind]

    def _writable(self) -> None:
        if self._loop is not None:
            self._loop.remove_writer(self.sock.fileno())
        self._writing = False
        self._flush()

    def close(self, *, quietly: bool = False) -> None:
        """Stop using the channel (the server is gone): the app goes on alone. Quietly:
        the app is ending, and nobody is told."""
        if not self.is_open:
            return
        self.is_open = False
        self._pending.clear()
        if self._loop is not None:
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(self.sock.fileno())
                if self._writing:
                    self._loop.remove_writer(self.sock.fileno())
        self.sock.close()
        if not quietly:
            self._closed()


@dataclass
class RoomState:
    """What this app knows of the room (all of it from the server's messages)."""

    role: str | None = None
    """``presenter``, ``follower``, or None before the server said (or once it is gone)."""
    may_present: bool = False
    following: bool = True
    """A follower on the presenter's track (False: exploring on its own)."""
    presenter_known: bool = False
    """Whether the server has said who presents (``who``, None: nobody)."""
    who: str | None = None
    place: SharedPlace | None = None
    """The presenter's latest place (checked against this app's dossier)."""
    connected: int = 0
    audience_following: int = 0

    @property
    def nobody_presents(self) -> bool:
        return self.presenter_known and self.who is None

    @property
    def may_take_over(self) -> bool:
        return self.role == "follower" and self.may_present and self.nobody_presents


SEPARATOR = " · "


@dataclass(frozen=True)
class BannerPart:
    """A piece of the room banner's line."""

    text: str
    optional: bool = False
    """Left out first when the line does not fit."""
    fixed: int | None = None
    """A part ending in a name (from the dossier): the name may be shortened, its first
    ``fixed`` characters are kept (None: not shortened)."""


MIN_NAME = 6
"""Fewest characters of a shortened name (else the part is left out)."""


@dataclass(frozen=True)
class BannerLine:
    """What the room banner says: its tone (a CSS class) and its parts."""

    tone: str
    """``following``, ``alone``, ``presenting``, ``nobody``, or ``off`` (no banner)."""
    parts: tuple[BannerPart, ...] = ()

    def fit(self, width: int) -> str:
        """The line in at most ``width`` cells: optional parts go, then a name is
        shortened (or its part left out), then the end is cut."""
        parts = list(self.parts)
        if _length(parts) > width:
            parts = [part for part in parts if not part.optional]
        for index, part in enumerate(parts):
            over = _length(parts) - width
            if over > 0 and part.fixed is not None:
                keep = len(part.text) - over - 1
                if keep >= part.fixed + MIN_NAME:
                    parts[index] = BannerPart(part.text[:keep] + "…")
                else:
                    parts[index] = BannerPart("")
        text = SEPARATOR.join(part.text for part in parts if part.text)
        return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def _length(parts: list[BannerPart]) -> int:
    return len(SEPARATOR.join(part.text for part in parts if part.text))


def banner_line(state: RoomState, presenter_at: str | None) -> BannerLine:
    """The banner for ``state``; ``presenter_at`` names the presenter's place."""
    if state.role == "presenter":
        room_count = f"{state.connected} connected · {state.audience_following} following"
        return BannerLine(
            "presenting",
            (BannerPart("Presenting"), BannerPart(room_count), BannerPart("H to hand over", True)),
        )
    if state.role != "follower":
        return BannerLine("off")
    take_over = (BannerPart("P to present", True),) if state.may_take_over else ()
    if state.nobody_presents:
        first = "Nobody is presenting" if state.following else "Exploring on your own"
        return BannerLine(
            "nobody", (BannerPart(first), BannerPart("you keep your place"), *take_over)
        )
    who = (BannerPart(f"{state.who} is presenting", optional=True),) if state.who else ()
    if state.following:
        return BannerLine(
            "following",
            (BannerPart("Following the presenter"), BannerPart("F to explore on your own"), *who),
        )
    at = (BannerPart(f"presenter is at {presenter_at}", fixed=16),) if presenter_at else ()
    return BannerLine(
        "alone", (BannerPart("Exploring on your own"), *at, BannerPart("F to follow again"))
    )
