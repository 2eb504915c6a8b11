"""Presenter mode, the app's side: a real app on one end of a SOCK_SEQPACKET pair, the
test as the server (``dossier serve``'s hub) on the other."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from textual.pilot import Pilot

from tui import room
from tui.app import DossierApp
from tui.history import EXPLORER, Place
from tui.presence import BannerLine, BannerPart, RoomState, banner_line
from tui.room import SharedPlace
from tui.screens import ExplorerScreen, HelpScreen, ViewScreen
from tui.widgets import DetailPane, RoomBanner

from .on_screen import footer_keys, screen_text

AppFactory = Callable[..., DossierApp]
SPEAKER = "the speaker's terminal"


@contextlib.contextmanager
def in_room(make_app: AppFactory, *first: dict[str, Any]) -> Iterator[tuple[DossierApp, Server]]:
    """An app in a room, and the server's end; ``first`` are sent before it starts."""
    app_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server = Server(server_end)
    for message in first:
        server.send(message)
    try:
        yield make_app("small", room=app_end), server
    finally:
        server_end.close()
        app_end.close()


class Server:
    """The test's end of the channel."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setblocking(False)

    def send(self, message: dict[str, Any]) -> None:
        self.sock.send(json.dumps(message).encode())

    def send_raw(self, data: bytes) -> None:
        self.sock.send(data)

    def place(self, view: str, item: str | None, step: int | None = None, **more: Any) -> None:
        self.send({"type": "place", "place": {"view": view, "item": item, "step": step, **more}})

    def received(self) -> list[dict[str, Any]]:
        """Every message the app has sent since the last call (checked as the hub does)."""
        found: list[dict[str, Any]] = []
        while True:
            try:
                data = self.sock.recv(room.MAX_MESSAGE + 1)
            except BlockingIOError:
                return found
            found.append(room.decode(data))


def follower(who: str | None = SPEAKER, *, may_present: bool = False) -> list[dict[str, Any]]:
    return [
        {"type": "role", "role": "follower", "may_present": may_present},
        {"type": "presenter", "who": who},
    ]


PRESENTER = {"type": "role", "role": "presenter", "may_present": True}


async def until(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    """Let the app run until ``condition()`` holds (messages, not the clock)."""
    for _ in range(50):
        if condition():
            return
        await pilot.pause()
    assert condition()


def banner(app: DossierApp) -> str:
    return app.screen.query_one(RoomBanner).line.fit(200)


def current(app: DossierApp) -> Place | None:
    return app.navigation.current


def is_at(app: DossierApp, place: Place) -> bool:
    return current(app) == place


def explorer_of(app: DossierApp) -> ExplorerScreen:
    explorer = app.navigation.explorer
    assert explorer is not None
    return explorer


def places(messages: list[dict[str, Any]]) -> list[SharedPlace]:
    return [m["place"] for m in messages if m["type"] == "place"]


# -- following -------------------------------------------------------------------
async def test_follower_follows_an_item_a_view_and_tour_steps(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.presence and app.presence.state.role == "follower")
            assert {"type": "following", "on": True} in server.received()
            assert banner(app).startswith("Following the presenter · F to explore on your own")
            server.place("explorer", "border")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "border"))
            server.place("matrix", "border")
            await until(pilot, lambda: isinstance(app.screen, ViewScreen))
            assert isinstance(app.screen, ViewScreen) and app.screen.VIEW == "matrix"
            assert current(app) == Place("matrix", "border")
            assert "Following the presenter" in banner(app)  # the view has its banner
            server.place("tour", "no-deal", 0)
            await until(pilot, lambda: explorer_of(app).tour_stop == 0)
            assert isinstance(app.screen, ExplorerScreen)
            assert current(app) == Place(EXPLORER, "no-deal")
            server.place("tour", "border", 1)
            await until(pilot, lambda: explorer_of(app).tour_stop == 1)
            assert current(app) == Place(EXPLORER, "border")
            server.place("explorer", "south")  # the presenter left the tour
            await until(pilot, lambda: current(app) == Place(EXPLORER, "south"))
            assert explorer_of(app).tour_stop is None
            assert not explorer_of(app).has_class("-touring")
            assert app.presence is not None and app.presence.state.following
            assert server.received() == []  # a follower tells nothing of where it is


async def test_a_late_joiner_opens_on_the_presenters_place(make_app: AppFactory) -> None:
    place = {"view": "explorer", "item": "no-deal", "step": None, "scroll": 2}
    with in_room(make_app, *follower(), {"type": "place", "place": place}) as (app, _):
        async with app.run_test(size=(60, 12)) as pilot:
            await until(pilot, lambda: current(app) == Place(EXPLORER, "no-deal"))
            detail = explorer_of(app).query_one(DetailPane)
            assert detail.max_scroll_y >= 2, "the item needs more lines than the pane shows"
            assert round(detail.scroll_y) == 2
            assert app.presence is not None and app.presence.state.following
            # It lands there: the dossier's first item it started on is no step to go
            # back to (the places the presenter takes it to after that are).
            assert not app.history.can_go_back
            assert footer_keys(app).get("F") == "Explore"


async def test_a_navigation_key_breaks_away_and_shift_f_snaps_back(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.place("explorer", "south")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "south"))
            server.received()
            await pilot.press("down")  # the user's own move
            await pilot.pause()
            assert current(app) != Place(EXPLORER, "south")
            assert server.received() == [{"type": "following", "on": False}]
            assert banner(app).startswith("Exploring on your own · presenter is at Southland")
            server.place("explorer", "border")  # the presenter moves on: the banner says so
            await until(pilot, lambda: "The border line" in banner(app))
            assert current(app) != Place(EXPLORER, "border")
            assert banner(app).endswith("F to follow again")
            assert footer_keys(app).get("F") == "Follow"
            await pilot.press("F")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "border"))
            assert server.received() == [{"type": "following", "on": True}]
            assert banner(app).startswith("Following the presenter")
            await pilot.press("F")  # F again: off on its own, where it is
            await pilot.pause()
            assert server.received() == [{"type": "following", "on": False}]
            assert current(app) == Place(EXPLORER, "border")


async def test_a_place_waits_for_the_help_to_close(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.place("explorer", "south")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "south"))
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            server.place("matrix", "border")
            await until(pilot, lambda: app.presence and app.presence._after_modal)
            assert isinstance(app.screen, HelpScreen)  # not closed under the user's eyes
            assert current(app) == Place(EXPLORER, "south")
            await pilot.press("escape")
            await until(pilot, lambda: current(app) == Place("matrix", "border"))
            await until(pilot, lambda: isinstance(app.screen, ViewScreen))


async def test_back_and_forward_after_following(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            for item in ("south", "border", "no-deal"):
                server.place("explorer", item)
                await until(pilot, partial(is_at, app, Place(EXPLORER, item)))
            await pilot.press("backspace")
            await pilot.pause()
            assert current(app) == Place(EXPLORER, "border")
            assert app.presence is not None and not app.presence.state.following
            await pilot.press("backspace")
            await pilot.pause()
            assert current(app) == Place(EXPLORER, "south")
            await pilot.press("alt+right")
            await pilot.pause()
            assert current(app) == Place(EXPLORER, "border")


async def test_nobody_presenting_keeps_the_follower_where_it_is(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.place("explorer", "border")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "border"))
            server.send({"type": "presenter", "who": None})
            await until(pilot, lambda: banner(app).startswith("Nobody is presenting"))
            assert current(app) == Place(EXPLORER, "border")
            assert "P" not in footer_keys(app)  # this user may not present
            server.send({"type": "presenter", "who": "[b]Ada[/b]"})
            await until(pilot, lambda: "Ada" in banner(app))
            assert "[b]Ada[/b] is presenting" in screen_text(app)  # literally


# -- presenting --------------------------------------------------------------------
async def test_the_presenters_moves_are_sent_as_places(make_app: AppFactory) -> None:
    with in_room(make_app, PRESENTER) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: places(server.received()))
            await pilot.press("down")
            await until(pilot, lambda: app.presence and app.presence._send_later is None)
            assert places(server.received()) == [SharedPlace("explorer", "south", None, 0)]
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, ViewScreen))
            await pilot.pause()
            assert places(server.received()) == [SharedPlace("matrix", "south")]
            await pilot.press("escape", "p")
            await until(pilot, lambda: explorer_of(app).tour_stop == 0)
            await pilot.pause()
            assert places(server.received())[-1] == SharedPlace("tour", "no-deal", 0, 0)
            await pilot.press("space")
            await pilot.pause()
            assert places(server.received()) == [SharedPlace("tour", "border", 1, 0)]
            assert banner(app).startswith("Presenting · 0 connected · 0 following")


async def test_the_presenters_detail_scroll_is_sent(make_app: AppFactory) -> None:
    with in_room(make_app, PRESENTER) as (app, server):
        async with app.run_test(size=(60, 12)) as pilot:
            app.open_entity("no-deal")
            await until(pilot, lambda: places(server.received()))
            await pilot.press("4", "end")  # the detail pane scrolls to its end
            await pilot.pause()
            detail = explorer_of(app).query_one(DetailPane)
            assert detail.scroll_y > 0
            sent = places(server.received())
            assert sent[-1] == SharedPlace("explorer", "no-deal", None, round(detail.scroll_y))


async def test_a_full_channel_keeps_only_the_latest_place(make_app: AppFactory) -> None:
    with in_room(make_app, PRESENTER) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: places(server.received()))
            assert app.presence is not None
            link = app.presence.link
            filler = room.encode({"type": "following", "on": True})
            sent = 0
            with contextlib.suppress(BlockingIOError):  # the server does not read: fill it
                while sent < 100_000:
                    link.sock.send(filler)
                    sent += 1
            assert 0 < sent < 100_000
            for _ in range(3):
                await pilot.press("down")
                await pilot.pause()
            assert [room.decode(data)["type"] for data in link.waiting] == ["place"]
            assert current(app) == Place(EXPLORER, "analyst")
            # The server reads again: what was waiting goes, and only the latest place.
            while server.received():
                pass
            await until(pilot, lambda: not link.waiting)
            assert places(server.received()) == [SharedPlace("explorer", "analyst", None, 0)]


async def test_the_presenter_sees_the_room(make_app: AppFactory) -> None:
    with in_room(make_app, PRESENTER) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.send({"type": "room", "connected": 12, "following": 10})
            await until(pilot, lambda: "12 connected" in banner(app))
            assert "Presenting · 12 connected · 10 following · H to hand over" in screen_text(app)
            assert footer_keys(app).get("H") == "Hand over"
            server.send({"type": "room", "connected": 13, "following": 9})
            await until(pilot, lambda: "13 connected · 9 following" in banner(app))


async def test_hand_over_and_take_over(make_app: AppFactory) -> None:
    with in_room(make_app, PRESENTER) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: places(server.received()))
            await pilot.press("H")
            await pilot.pause()
            assert server.received() == [{"type": "hand_over"}]
            server.send({"type": "role", "role": "follower", "may_present": True})
            server.send({"type": "presenter", "who": None})
            await until(pilot, lambda: banner(app).startswith("Nobody is presenting"))
            assert "P to present" in banner(app)
            assert footer_keys(app).get("P") == "Present" and "H" not in footer_keys(app)
            assert server.received() == [{"type": "following", "on": True}]
            await pilot.press("down")  # nobody to follow: moving is still breaking away
            await pilot.pause()
            assert places(server.received()) == []  # a follower sends no places
            await pilot.press("P")
            await pilot.pause()
            assert server.received() == [{"type": "take_over"}]
            server.send(PRESENTER)
            await until(pilot, lambda: banner(app).startswith("Presenting"))
            assert "P" not in footer_keys(app)
            await until(pilot, lambda: places(server.received()))  # its place, at once


# -- a channel that misbehaves ---------------------------------------------------------
async def test_bad_messages_and_unknown_ids_are_ignored_and_logged(
    make_app: AppFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.place("explorer", "south")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "south"))
            server.send_raw(b"not json \x1b[2J")
            server.send_raw(b"x" * 5000)
            server.send({"type": "place", "place": {"view": "explorer", "item": "../etc"}})
            server.place("explorer", "nobody-here")
            server.place("matrix", "nobody-here")
            server.place("tour", "no-deal", 99)
            server.place("tour", None, None)
            server.send({"type": "hand_over"})
            server.send({"type": "room", "connected": -1, "following": 0})
            server.place("explorer", "border")  # the last, good one is applied
            await until(pilot, lambda: current(app) == Place(EXPLORER, "border"))
            await pilot.press("up")
            await pilot.pause()
            assert current(app) != Place(EXPLORER, "border")  # keys still work
            log = capfd.readouterr().err.splitlines()
            assert len(log) == 9, log
            assert all(line.startswith("dossier: room: ") and line.isprintable() for line in log)
            assert sum("no item 'nobody-here' in this dossier" in line for line in log) == 2
            assert any("no tour step 99" in line for line in log)


async def test_the_server_gone_leaves_the_app_on_its_own(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.place("explorer", "border")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "border"))
            server.sock.close()
            assert app.presence is not None
            await until(pilot, lambda: app.presence and not app.presence.link.is_open)
            await pilot.pause()
            assert not app.screen.query_one(RoomBanner).display
            assert "F" not in footer_keys(app)
            await pilot.press("F", "down")
            await pilot.pause()
            assert current(app) != Place(EXPLORER, "border")
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, ViewScreen))


# -- outside a room, and the banner's words ----------------------------------------------
async def test_no_room_no_presence(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(room.ROOM_FD, raising=False)
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ViewScreen))
        assert app.presence is None and app.navigation.on_move is None
        assert not app.screen.query(RoomBanner)
        assert not {"F", "H", "P"} & set(footer_keys(app))


async def test_the_channel_from_the_environment(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    monkeypatch.setenv(room.ROOM_FD, str(app_end.detach()))
    server = Server(server_end)
    for message in follower():
        server.send(message)
    app = make_app("small")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.presence and app.presence.state.role == "follower")
    finally:
        server_end.close()
        if app.presence is not None:
            app.presence.link.sock.close()


async def test_the_banner_at_80x24(make_app: AppFactory) -> None:
    with in_room(make_app, *follower()) as (app, server):
        async with app.run_test(size=(80, 24)) as pilot:
            server.place("explorer", "border")
            await until(pilot, lambda: current(app) == Place(EXPLORER, "border"))
            text = screen_text(app)
            assert "Following the presenter · F to explore on your own" in text
            await pilot.press("down")
            await pilot.pause()
            lines = screen_text(app).splitlines()
            line = next(line for line in lines if "Exploring on your own" in line)
            assert "presenter is at The border line · F to follow again" in line
            assert len(line.rstrip()) <= 80


@pytest.mark.parametrize(
    ("state", "width", "expected"),
    [
        (RoomState("follower"), 80, "Following the presenter · F to explore on your own"),
        (
            RoomState("follower", presenter_known=True, who="Ada"),
            80,
            "Following the presenter · F to explore on your own · Ada is presenting",
        ),
        (
            RoomState("follower", presenter_known=True, who="Ada"),
            60,
            "Following the presenter · F to explore on your own",
        ),
        (
            RoomState("follower", following=False),
            90,
            "Exploring on your own · presenter is at A very long name of an item"
            " · F to follow again",
        ),
        (
            RoomState("follower", following=False),
            70,
            "Exploring on your own · presenter is at A very lo… · F to follow again",
        ),
        (RoomState("follower", following=False), 60, "Exploring on your own · F to follow again"),
        (RoomState("follower", following=False), 30, "Exploring on your own · F to…"),
        (RoomState(None), 80, ""),
        (
            RoomState("presenter", connected=12, audience_following=10),
            50,
            "Presenting · 12 connected · 10 following",
        ),
    ],
)
def test_banner_words(state: RoomState, width: int, expected: str) -> None:
    assert banner_line(state, "A very long name of an item").fit(width) == expected


def test_a_long_name_is_shortened_before_the_key_goes() -> None:
    line = BannerLine(
        "alone",
        (
            BannerPart("Exploring on your own"),
            BannerPart("presenter is at " + "N" * 80, fixed=16),
            BannerPart("F to follow again"),
        ),
    )
    fitted = line.fit(76)
    assert len(fitted) == 76 and fitted.endswith("N… · F to follow again")


def test_the_room_keys_are_in_the_help() -> None:
    from tui.screens.help import KEYS

    assert {"F", "P", "H"} <= {keys for group, keys, _ in KEYS if group == "In a room"}
