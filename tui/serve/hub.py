"""The room's hub in the server: who presents, where they are, who follows (presenter mode).

Every session's app has a channel to the server (:mod:`tui.room` says what goes on it).
:class:`Hub` holds the room's state, not its history: the presenter's latest place, and
for each member whether it follows. A place from the presenter is checked, kept, and sent
on to every follower; a follower that reads slowly is sent only the latest place once it
can take more (its channel is never allowed to queue up steps). Followers only receive:
anything else they send is ignored, and a member that sends something that is not a
message of the room, or too much of anything, is cut off the room (its app goes on
alone). The presenter role is given by the server (the server's own terminal, or a key
in ``--presenter-keys``), never asked for by a client: a member that may present can
take the role only when nobody holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..room import MAX_MESSAGE, BadMessageError, SharedPlace, decode, encode, place_message

MESSAGES_PER_SECOND = 50
"""Most messages a member may send in a second (a person moves far slower)."""
FOLLOWER_NICE = 19
"""The niceness of a follower's app (the presenter's stays at 0)."""
PLACE_DELAY = 0.015
"""Seconds between a place arriving from the presenter and its going on to the followers.

The presenter's app sends its place once its own frame is written, but that frame still
has to cross its pty and the server to reach the projector; every follower redrawing at
that moment (on a small machine, 30 followers are 200 ms of CPU) would hold back its last
part (measured: bench/room.py). Places that come meanwhile go on as one: the latest."""
READS_PER_WAKEUP = 16
"""Messages read from one member before the event loop turns to others."""


def autogroup_nice(pid: int) -> int | None:
    """The nice value of ``pid``'s scheduling autogroup; None where there is none."""
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text()
    except OSError:
        return None
    # "/autogroup-123 nice 19"
    words = text.split()
    return int(words[-1]) if len(words) == 3 and words[1] == "nice" else None


def set_autogroup_nice(pid: int, nice: int) -> bool:
    """Set the nice value of the autogroup of session leader ``pid``: True if it changed,
    False if it was already that, the kernel has no autogroups, or it refused (raising
    needs CAP_SYS_NICE)."""
    if autogroup_nice(pid) in (None, nice):
        return False
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        return False
    return True


class Member:
    """One session in the room: its channel's server end, its role, and what to send."""

    def __init__(self, hub: Hub, sock: socket.socket, *, who: str, may_present: bool) -> None:
        self.hub = hub
        self.sock = sock
        self.who = who
        """How others are told who presents (chosen by the server, never by the client)."""
        self.may_present = may_present
        self.following = True
        self.pid: int | None = None
        """The app's process (once started): followers run at a lower priority."""
        self._latest: dict[str, bytes] = {}
        """What waits to be sent, one per kind: only the latest of each matters."""
        self._writing = False
        self._window = (0.0, 0)
        self.closed = False
        loop = asyncio.get_running_loop()
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._readable)

    @property
    def presenting(self) -> bool:
        return self.hub.presenter is self

    def send(self, kind: str, data: bytes) -> None:
        """Queue ``data`` as the latest of ``kind`` and send what the channel takes now."""
        if self.closed:
            return
        self._latest.pop(kind, None)
        self._latest[kind] = data
        self._flush()

    def _flush(self) -> None:
        while self._latest and not self.closed:
            kind, data = next(iter(self._latest.items()))
            try:
                self.sock.send(data)
            except BlockingIOError:
                if not self._writing:
                    asyncio.get_running_loop().add_writer(self.sock.fileno(), self._writable)
                    self._writing = True
                return
            except OSError:
                self.hub.leave(self)
                return
            del self._latest[kind]

    def _writable(self) -> None:
        asyncio.get_running_loop().remove_writer(self.sock.fileno())
        self._writing = False
        self._flush()

    def _readable(self) -> None:
        for _ in range(READS_PER_WAKEUP):
            if self.closed:
                return
            try:
                data = self.sock.recv(MAX_MESSAGE + 1)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.hub.leave(self)
                return
            if not self._within_rate():
                self.hub.drop(self, "too many messages")
                return
            try:
                message = decode(data)
            except BadMessageError as error:
                self.hub.drop(self, str(error))
                return
            self.hub.received(self, message)

    def _within_rate(self) -> bool:
        start, count = self._window
        now = time.monotonic()
        if now - start >= 1.0:
            start, count = now, 0
        self._window = (start, count + 1)
        return count < MESSAGES_PER_SECOND

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        loop = asyncio.get_running_loop()
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(self.sock.fileno())
            if self._writing:
                loop.remove_writer(self.sock.fileno())
        self.sock.close()


class Hub:
    """The room: its members, its presenter and the presenter's latest place."""

    def __init__(self, log: Callable[[str], None], *, place_delay: float = PLACE_DELAY) -> None:
        self.log = log
        self.members: list[Member] = []
        self.presenter: Member | None = None
        self.place: SharedPlace | None = None
        self.place_delay = place_delay
        self._passing_on: asyncio.TimerHandle | None = None
        """The presenter's latest place, due to be sent on to the followers."""

    def open_channel(
        self, *, who: str, may_present: bool, present: bool = False
    ) -> tuple[Member, socket.socket]:
        """A new member, and the app's end of its channel (to pass on, then close here)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        return self.join(ours, who=who, may_present=may_present, present=present), theirs

    def join(
        self, sock: socket.socket, *, who: str, may_present: bool, present: bool = False
    ) -> Member:
        """A new member on ``sock``; it presents if ``present`` (the server's own
        terminal) or if it may and nobody does; else it follows, from the current place."""
        member = Member(self, sock, who=who, may_present=may_present or present)
        self.members.append(member)
        if present or (may_present and self.presenter is None):
            self._give_role(member)
        else:
            self._tell_role(member)
            self._tell_presenter(member)
            if self.place is not None:
                member.send("place", place_message(self.place))
        self._count()
        return member

    def leave(self, member: Member) -> None:
        """``member``'s session ended (or its channel broke)."""
        if member not in self.members:
            return
        self.members.remove(member)
        member.close()
        if member is self.presenter:
            self.log(f"room: {member.who} stopped presenting (left)")
            self._free_role()
        self._count()

    def drop(self, member: Member, why: str) -> None:
        """Cut ``member`` off the room for misbehaving on its channel."""
        self.log(f"room: dropped a member from the room: {why}")
        self.leave(member)

    def received(self, member: Member, message: dict[str, object]) -> None:
        kind = message["type"]
        if kind == "place" and member.presenting:
            place = message["place"]
            assert isinstance(place, SharedPlace)
            if place != self.place:
                self.place = place
                if self._passing_on is None:
                    loop = asyncio.get_running_loop()
                    self._passing_on = loop.call_later(self.place_delay, self._pass_on)
        elif kind == "following" and not member.presenting:
            member.following = bool(message["on"])
            self._count()
        elif kind == "hand_over" and member.presenting:
            self.log(f"room: {member.who} handed over")
            self._free_role()
            self._tell_role(member)
            self._count()
        elif kind == "take_over" and member.may_present and self.presenter is None:
            self._give_role(member)
            self._count()
        # Anything else (a follower's place, a take-over while someone presents) is
        # a message of the room sent by the wrong member: ignored.

    def _pass_on(self) -> None:
        """Send the presenter's latest place to everyone else (every place that came
        meanwhile was only a step on the way there)."""
        self._passing_on = None
        if self.place is None:
            return
        data = place_message(self.place)
        for other in self.members:
            if other is not self.presenter:
                other.send("place", data)

    def _give_role(self, member: Member) -> None:
        self.presenter = member
        member.following = False
        self.log(f"room: {member.who} presents")
        self._tell_role(member)
        for other in self.members:
            if other is not member:
                self._tell_presenter(other)

    def _free_role(self) -> None:
        self.presenter = None
        for other in self.members:
            self._tell_presenter(other)

    def seat_process(self, member: Member, pid: int) -> None:
        """``member``'s app is process ``pid``: give it its role's priority."""
        member.pid = pid
        self._prioritise(member)

    def _prioritise(self, member: Member) -> None:
        """Followers yield the processor to the presenter (and the server): a key of the
        presenter's makes every follower redraw at once, which on a small machine would
        otherwise hold back the presenter's own screen (measured: bench/room.py).

        Two knobs, both only ever lowered (raising needs CAP_SYS_NICE): the nice value
        of the app's process group, and that of its session's *autogroup*. Where the
        kernel groups each session for scheduling (``kernel.sched_autogroup_enabled``,
        the default on most distributions), every app is a session of its own, and a
        nice value counts only against other processes of the same group: 30 followers
        at nice 19 would still get 30 shares of the processor to the presenter's one.
        A member that may present keeps its priority while it follows, so that taking
        over never leaves the new presenter at a follower's."""
        if member.pid is None:
            return
        nice = 0 if member.presenting or member.may_present else FOLLOWER_NICE
        try:
            os.setpriority(os.PRIO_PGRP, member.pid, nice)
        except OSError as error:  # (back to 0 needs CAP_SYS_NICE: it stays lower)
            self.log(f"room: cannot set a session's priority to {nice}: {error.strerror}")
        set_autogroup_nice(member.pid, nice)

    def _tell_role(self, member: Member) -> None:
        self._prioritise(member)
        role = "presenter" if member.presenting else "follower"
        member.send(
            "role", encode({"type": "role", "role": role, "may_present": member.may_present})
        )

    def _tell_presenter(self, member: Member) -> None:
        who = self.presenter.who if self.presenter is not None else None
        member.send("presenter", encode({"type": "presenter", "who": who}))

    def _count(self) -> None:
        if self.presenter is None:
            return
        audience = [m for m in self.members if m is not self.presenter]
        following = sum(1 for m in audience if m.following)
        self.presenter.send(
            "room", encode({"type": "room", "connected": len(audience), "following": following})
        )

    def close(self) -> None:
        if self._passing_on is not None:
            self._passing_on.cancel()
            self._passing_on = None
        for member in list(self.members):
            member.close()
        self.members.clear()
        self.presenter = None


@dataclass
class Seat:
    """One session's place in the room: the app's end of its channel, to pass on."""

    hub: Hub
    member: Member
    fd: int

    def started(self, pid: int) -> None:
        """The session's app is process ``pid`` (a follower's runs at a lower priority)."""
        self.hub.seat_process(self.member, pid)


@contextlib.contextmanager
def seat(
    hub: Hub | None, *, who: str = "someone", may_present: bool = False
) -> Iterator[Seat | None]:
    """A place in the room for one session while it lasts (None when the server has no
    room); it leaves after."""
    if hub is None:
        yield None
        return
    member, room = hub.open_channel(who=who, may_present=may_present)
    try:
        yield Seat(hub, member, room.fileno())
    finally:
        room.close()
        hub.leave(member)
