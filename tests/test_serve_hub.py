"""The room's hub (presenter mode, issue 16), on real socket pairs: roles, places, counts,
and what a member that misbehaves on its channel gets (cut off, never trusted)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tui.room import SharedPlace, decode, encode, place_message
from tui.serve.hub import (
    FOLLOWER_NICE,
    MESSAGES_PER_SECOND,
    PLACE_DELAY,
    Hub,
    Member,
    autogroup_nice,
)


class App:
    """The app's end of one member's channel: what it was told, and what it says."""

    def __init__(self, hub: Hub, *, who: str = "someone", may: bool = False, present: bool = False):
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.setblocking(False)
        self.member: Member = hub.join(theirs, who=who, may_present=may, present=present)

    def told(self) -> list[dict[str, object]]:
        """Every message waiting for this app, decoded."""
        messages = []
        while True:
            try:
                messages.append(decode(self.sock.recv(4096)))
            except BlockingIOError:
                return messages

    def last(self, kind: str) -> dict[str, object] | None:
        found = [m for m in self.told() if m["type"] == kind]
        return found[-1] if found else None

    def say(self, message: dict[str, object]) -> None:
        self.sock.send(encode(message))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    logged: list[str] = []
    hub = Hub(logged.append)
    hub.logged = logged  # type: ignore[attr-defined]
    yield hub
    hub.close()


async def settle() -> None:
    """Until the hub has passed on what it was told (places go on after PLACE_DELAY)."""
    for _ in range(5):
        await asyncio.sleep(0)
    await asyncio.sleep(PLACE_DELAY * 2)
    for _ in range(5):
        await asyncio.sleep(0)


PUTIN = SharedPlace("explorer", "putin", None, 0)
MATRIX = SharedPlace("matrix", "islands")


async def test_followers_get_the_presenters_places_and_late_joiners_the_latest(hub: Hub) -> None:
    speaker = App(hub, who="the speaker's terminal", present=True)
    early = App(hub)
    assert early.told() == [
        {"type": "role", "role": "follower", "may_present": False},
        {"type": "presenter", "who": "the speaker's terminal"},
    ]
    speaker.say({"type": "place", "place": PUTIN.as_dict()})
    await settle()
    assert early.last("place") == {"type": "place", "place": PUTIN}
    speaker.say({"type": "place", "place": MATRIX.as_dict()})
    await settle()
    late = App(hub)
    assert late.last("place") == {"type": "place", "place": MATRIX}
    assert early.last("place") == {"type": "place", "place": MATRIX}
    assert speaker.last("room") == {"type": "room", "connected": 2, "following": 2}


async def test_a_followers_messages_move_nobody(hub: Hub) -> None:
    speaker = App(hub, present=True)
    follower, other = App(hub), App(hub)
    speaker.say({"type": "place", "place": PUTIN.as_dict()})
    await settle()
    other.told()
    follower.say({"type": "place", "place": MATRIX.as_dict()})
    follower.say({"type": "take_over"})
    follower.say({"type": "hand_over"})
    await settle()
    assert other.last("place") is None
    assert hub.place == PUTIN and hub.presenter is speaker.member


async def test_places_go_on_after_a_moment_and_steps_meanwhile_as_one(hub: Hub) -> None:
    """The presenter's frame gets a head start on the followers' redraws, and places that
    come meanwhile (a key held down) go on as the latest one alone."""
    speaker = App(hub, present=True)
    follower = App(hub)
    follower.told()
    for place in (PUTIN, MATRIX, PUTIN, MATRIX):
        speaker.say({"type": "place", "place": place.as_dict()})
    for _ in range(5):
        await asyncio.sleep(0)
    assert hub.place == MATRIX
    assert follower.told() == []  # not yet
    await settle()
    assert follower.told() == [{"type": "place", "place": MATRIX}]


async def test_a_slow_follower_gets_the_latest_place_not_every_step() -> None:
    hub = Hub(lambda line: None, place_delay=0)  # every step is passed on
    speaker = App(hub, present=True)
    slow = App(hub)
    slow.told()
    steps = [SharedPlace("explorer", f"item-{n}") for n in range(3000)]
    for place in steps:  # far more than the socket holds
        hub.received(speaker.member, {"type": "place", "place": place})
        await asyncio.sleep(0)
    received = []
    for _ in range(200):
        received += [m["place"] for m in slow.told() if m["type"] == "place"]
        if received and received[-1] == steps[-1]:
            break
        await asyncio.sleep(0.01)
    assert received[-1] == steps[-1]
    assert len(received) < len(steps)  # steps it could not take in time were skipped
    hub.close()


async def test_misbehaving_members_are_cut_off_and_the_room_goes_on(hub: Hub) -> None:
    speaker = App(hub, present=True)
    garbled, unknown, chatty = App(hub), App(hub), App(hub)
    garbled.sock.send(b"\xff not json")
    unknown.sock.send(json.dumps({"type": "place", "place": {"view": "shell"}}).encode())
    for _ in range(MESSAGES_PER_SECOND + 5):
        chatty.say({"type": "following", "on": True})
    await settle()
    assert hub.members == [speaker.member]
    assert sum("dropped a member" in line for line in hub.logged) == 3  # type: ignore[attr-defined]
    garbled.sock.setblocking(True)
    while garbled.sock.recv(4096):  # what it was told before, then the end: closed
        pass
    speaker.say({"type": "place", "place": PUTIN.as_dict()})
    await settle()
    assert hub.place == PUTIN


async def test_following_counts_reach_the_presenter(hub: Hub) -> None:
    speaker = App(hub, present=True)
    follower, wanderer = App(hub), App(hub)
    wanderer.say({"type": "following", "on": False})
    await settle()
    assert speaker.last("room") == {"type": "room", "connected": 2, "following": 1}
    follower.close()
    await settle()
    assert speaker.last("room") == {"type": "room", "connected": 1, "following": 0}


async def test_one_presenter_at_a_time_hand_over_and_leaving(hub: Hub) -> None:
    alice = App(hub, who="alice@laptop", may=True)
    assert alice.last("role") == {"type": "role", "role": "presenter", "may_present": True}
    bob = App(hub, who="bob@laptop", may=True)
    assert bob.told()[:2] == [
        {"type": "role", "role": "follower", "may_present": True},
        {"type": "presenter", "who": "alice@laptop"},
    ]
    bob.say({"type": "take_over"})  # not while alice presents
    await settle()
    assert hub.presenter is alice.member
    alice.say({"type": "hand_over"})
    await settle()
    assert hub.presenter is None and bob.last("presenter") == {"type": "presenter", "who": None}
    bob.say({"type": "take_over"})
    await settle()
    assert hub.presenter is bob.member
    assert alice.last("presenter") == {"type": "presenter", "who": "bob@laptop"}
    audience = App(hub)
    audience.told()
    bob.close()  # the presenter leaves: the audience is told, and keeps its place
    await settle()
    assert hub.presenter is None
    assert audience.told() == [{"type": "presenter", "who": None}]
    assert any("bob@laptop stopped presenting" in line for line in hub.logged)  # type: ignore[attr-defined]


def test_place_messages_round_trip() -> None:
    assert decode(place_message(PUTIN)) == {"type": "place", "place": PUTIN}


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


async def test_only_followers_that_cannot_present_yield_the_processor(hub: Hub) -> None:
    """A follower's app runs at a lower priority (its process group and, where the kernel
    has them, its session's autogroup); one that may present keeps its own, so taking
    over (which cannot raise a priority without CAP_SYS_NICE) finds it at the normal one."""
    sessions = [subprocess.Popen(["sleep", "30"], start_new_session=True) for _ in range(2)]
    try:
        speaker = App(hub, who="speaker", present=True)
        audience, deputy = App(hub), App(hub, who="deputy", may=True)
        hub.seat_process(audience.member, sessions[0].pid)
        hub.seat_process(deputy.member, sessions[1].pid)
        assert [_nice(s.pid) for s in sessions] == [FOLLOWER_NICE, 0]
        if autogroup_nice(sessions[0].pid) is not None:
            assert [autogroup_nice(s.pid) for s in sessions] == [FOLLOWER_NICE, 0]
        speaker.close()
        await settle()
        deputy.say({"type": "take_over"})
        await settle()
        assert hub.presenter is deputy.member
        assert _nice(sessions[1].pid) == 0
    finally:
        for each in sessions:
            each.kill()
            each.wait()
