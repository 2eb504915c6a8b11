"""Presenter mode, the App's side: follow the presenter, or present, live.

An app that ``dossier serve`` started with a channel (``DOSSIER_ROOM_FD``, see
:mod:`tui.room`) has a :class:`Presence` (``app.presence``; None outside a room, where
nothing here runs). A follower applies the presenter's places as steps of its own
history, until a navigation key of its user takes it off the track (F puts it back); a
presenter sends its place after every change, at most one every ``delays.room_place``
(the latest). :class:`PresenterModeApp` is the App's part: the keys and the hook-up.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from .history import EXPLORER
from .navigation import Navigation
from .presence import BannerLine, RoomLink, RoomState, banner_line, open_channel
from .room import SharedPlace
from .screens import VIEWS
from .widgets import DetailPane, RoomBanner


class Presence:
    """This app in the room: the link, what it knows of the room, and its banners."""

    def __init__(self, app: PresenterModeApp, sock: socket.socket) -> None:
        self._app = app
        self.state = RoomState()
        self.link = RoomLink(sock, self._received, self._link_closed)
        self.line = BannerLine("off")
        """What every banner says."""
        self.banners: set[RoomBanner] = set()
        self._sent: SharedPlace | None = None
        self._sent_at = -1e9
        self._send_later: asyncio.Handle | None = None
        self._watching: DetailPane | None = None
        self._after_modal = False
        """A place to go to once the help or the palette is closed."""

    @property
    def navigation(self) -> Navigation:
        return self._app.navigation

    def start(self) -> None:
        """Listen to the room (the app is running)."""
        self.link.start()
        self.navigation.on_move = self._moved
        self._app.screen_change_signal.subscribe(self._app, self._screen_changed)
        self._when_ready(self._watch_detail)

    def _when_ready(self, call: Callable[[], None]) -> None:
        """``call()`` once the explorer is up (it is pushed, not yet mounted, at first)."""
        explorer = self.navigation.explorer
        if explorer is not None and explorer.is_mounted:
            call()
        elif self.navigation.loaded is not None and self.link.is_open:
            self._app.call_after_refresh(self._when_ready, call)

    def _watch_detail(self) -> None:
        explorer = self.navigation.explorer
        if explorer is not None and self._watching is None:
            self._watching = explorer.query_one(DetailPane)
            self._app.watch(self._watching, "scroll_y", self._scrolled, init=False)

    # -- what the server says ----------------------------------------------------
    def _received(self, batch: list[dict[str, Any]]) -> None:
        # From the loop's reader: handled in turn with the app's other messages.
        self._app.call_later(self._handle, batch)

    def _handle(self, batch: list[dict[str, Any]]) -> None:
        state, moved = self.state, False
        for message in batch:
            kind = message["type"]
            if kind == "role":
                self._set_role(message["role"], message["may_present"])
                moved = state.role == "follower"
            elif kind == "place" and state.role != "presenter":
                place: SharedPlace = message["place"]
                why = self.navigation.check_shared(place)
                if why is not None:
                    self.link.log(f"ignored a place: {why}")
                    continue
                state.place, moved = place, True
            elif kind == "presenter":
                state.presenter_known, state.who = True, message["who"]
            elif kind == "room":
                state.connected = message["connected"]
                state.audience_following = message["following"]
            else:
                self.link.log(f"ignored a message for the server: {kind}")
        if moved and state.role == "follower" and state.following:
            self._go_to_presenter()
        self._update()

    def _set_role(self, role: str, may_present: bool) -> None:
        state = self.state
        state.may_present = may_present
        if role == state.role:
            return
        state.role = role
        if role == "follower":
            self._set_following(True)
        else:  # presenting: what was followed is no longer anyone's place
            state.place, self._sent = None, None
            self._send_soon()

    def _set_following(self, on: bool) -> None:
        self.state.following = on
        self.link.send({"type": "following", "on": on})

    def _go_to_presenter(self) -> None:
        place = self.state.place
        if place is None:
            return
        if isinstance(self._app.screen, ModalScreen):
            self._after_modal = True  # not closing what the user reads: once it closes
        elif not self.navigation.apply_shared(place):
            self._when_ready(self._go_to_presenter)

    def _screen_changed(self, screen: Screen[Any]) -> None:
        if self._after_modal and not isinstance(screen, ModalScreen):
            self._after_modal = False
            if self.state.role == "follower" and self.state.following:
                self._go_to_presenter()

    def _link_closed(self) -> None:
        self._app.call_later(self._closed)

    def _closed(self) -> None:
        """The server is gone: the app goes on alone, where it is."""
        self.state = RoomState()
        self.navigation.on_move = None
        self._update()
        self._app.notify("The room has closed: you are on your own.", timeout=5)

    # -- what the user does ------------------------------------------------------
    def _moved(self, by_user: bool) -> None:
        state = self.state
        if self._watching is None:  # a dossier picked after the start: its explorer is new
            self._when_ready(self._watch_detail)
        if state.role == "presenter":
            self._send_soon()
        elif by_user and state.role == "follower" and state.following:
            self._set_following(False)
            self._update()

    def _scrolled(self) -> None:
        if self.state.role == "presenter":
            self._send_soon()

    def toggle_following(self) -> None:
        """F: back on the presenter's track (at its place now), or off it."""
        on = not self.state.following
        self._set_following(on)
        if on:
            self._go_to_presenter()
        self._update()

    def hand_over(self) -> None:
        self.link.send({"type": "hand_over"})

    def take_over(self) -> None:
        self.link.send({"type": "take_over"})

    # -- what goes out -----------------------------------------------------------
    def _send_soon(self) -> None:
        """Send the place after this change (and any made with it), and at most one
        every ``delays.room_place`` seconds: the latest."""
        if self._send_later is not None or not self.link.is_open:
            return
        loop = asyncio.get_running_loop()
        wait = self._sent_at + self.navigation.delays.room_place - loop.time()
        # After the presenter's own frame: the followers' redraws it sets off then do
        # not compete with it (measured: bench/room.py).
        after_frame = partial(self._app.call_after_refresh, self._send_place)
        self._send_later = loop.call_later(max(wait, 0), after_frame)

    def _send_place(self) -> None:
        self._send_later = None
        place = self.navigation.shared_place()
        if self.state.role != "presenter" or place is None or place == self._sent:
            return
        self._sent = place
        self._sent_at = asyncio.get_running_loop().time()
        self.link.send_place(place)

    # -- what shows --------------------------------------------------------------
    def place_label(self, place: SharedPlace | None) -> str | None:
        """The presenter's place in this app's words (names from its own dossier)."""
        loaded = self.navigation.loaded
        if place is None or loaded is None:
            return None
        item = loaded.dossier.get(place.item) if place.item else None
        label = item.label if item is not None else None
        if place.view in (EXPLORER, "tour") or place.view not in VIEWS:
            return label
        view = VIEWS[place.view].name
        return f"{label} ({view})" if label else f"the {view}"

    def _update(self) -> None:
        line = banner_line(self.state, self.place_label(self.state.place))
        if line != self.line:
            self.line = line
            for banner in self.banners:
                banner.show_line(line)
        self._app.refresh_bindings()


class PresenterModeApp(App[None]):
    """The App's part in presenter mode: its keys and starting the presence."""

    BINDINGS = [
        # One key, two names: the footer says what F does now.
        Binding("F,shift+f", "room('explore')", "Explore", id="room-explore"),
        Binding("F,shift+f", "room('follow')", "Follow", id="room-follow"),
        Binding("H,shift+h", "room('hand_over')", "Hand over", id="room-hand-over"),
        Binding("P,shift+p", "room('take_over')", "Present", id="room-take-over"),
    ]

    navigation: Navigation

    def __init__(self, room: socket.socket | None = None) -> None:
        super().__init__()
        channel = room if room is not None else open_channel()
        self.presence = Presence(self, channel) if channel is not None else None
        """This app in a room (presenter mode), or None: not served in one."""

    def on_mount(self) -> None:
        # After the App's own on_mount (Textual calls each class's), once the
        # explorer is pushed.
        if self.presence is not None:
            self.presence.start()

    def on_unmount(self) -> None:
        # Ending: leave the room (its descriptor and the loop's watch on it) unannounced.
        if self.presence is not None:
            self.presence.link.close(quietly=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "room":
            return True
        presence = self.presence
        if presence is None or not presence.link.is_open:
            return False
        state, (what,) = presence.state, parameters
        if what in ("follow", "explore"):
            return state.role == "follower" and state.following == (what == "explore")
        if what == "hand_over":
            return state.role == "presenter"
        return state.may_take_over

    def action_room(self, what: str) -> None:
        """F (explore, or follow again), H (hand over) or P (take over)."""
        if self.presence is not None:
            act = {"hand_over": self.presence.hand_over, "take_over": self.presence.take_over}
            act.get(what, self.presence.toggle_following)()
