"""The room: what a served app and ``dossier serve`` say to each other in presenter mode.

Each served app has one channel to the server (a ``SOCK_SEQPACKET`` Unix socket: one
message per datagram, never split or merged), passed as the descriptor named by
``DOSSIER_ROOM_FD``. Messages are small JSON objects that carry ids and numbers only,
never text to show or bytes to draw: each side checks what arrives (:func:`decode`), and
an app checks the ids against its own dossier before it uses them.

The server to an app:

- ``{"type": "role", "role": "presenter" | "follower", "may_present": bool}``: what this
  session is; ``may_present`` when its user may take the role once it is free.
- ``{"type": "place", "place": PLACE}`` (followers): where the presenter is now. Sent
  on joining and on every change; a slow follower gets only the latest one.
- ``{"type": "presenter", "who": NAME | null}`` (followers): who presents (a label the
  server chose: "the speaker's terminal" or the comment of their key), or nobody.
- ``{"type": "room", "connected": N, "following": M}`` (the presenter): the audience.

An app to the server:

- ``{"type": "place", "place": PLACE}`` (the presenter; ignored from anyone else).
- ``{"type": "following", "on": bool}`` (a follower: following, or exploring alone).
- ``{"type": "hand_over"}`` (the presenter gives up the role) and
  ``{"type": "take_over"}`` (a user who may present takes the free role).

A PLACE is ``{"view": VIEW, "item": ID | null, "step": N | null, "scroll": N | null}``:
the view (``explorer``, ``matrix``, ``timeline``, ``evidence``, ``neighbourhood``,
``changes`` (diff mode's) or ``tour``), its item, the tour step (in the tour) and the
detail pane's first line shown (in the explorer). No Textual here: the server uses it
too.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

ROOM_FD = "DOSSIER_ROOM_FD"
"""The environment variable naming the app's channel descriptor."""
ROOM_FD_NUMBER = 3
"""The descriptor a forked session has its channel on (after stdin, stdout, stderr)."""
MAX_MESSAGE = 2048
"""Largest message either side sends or accepts, in bytes."""
VIEWS = ("explorer", "matrix", "timeline", "evidence", "neighbourhood", "changes", "tour")
ROLES = ("presenter", "follower")
MAX_NUMBER = 1_000_000
"""Largest step, scroll or count accepted."""
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
MAX_WHO = 64


class BadMessageError(ValueError):
    """Bytes that are not one well-formed message of the room protocol."""


@dataclass(frozen=True)
class SharedPlace:
    """Where the presenter is, as followers are told it (ids and numbers only)."""

    view: str
    item: str | None = None
    step: int | None = None
    scroll: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"view": self.view, "item": self.item, "step": self.step, "scroll": self.scroll}

    @classmethod
    def from_dict(cls, raw: object) -> SharedPlace:
        """A place from a decoded message (BadMessageError if it is not one)."""
        if not isinstance(raw, dict) or set(raw) - {"view", "item", "step", "scroll"}:
            raise BadMessageError("a place is an object of view, item, step and scroll")
        view = raw.get("view")
        if view not in VIEWS:
            raise BadMessageError(f"unknown view {str(view)[:32]!r}")
        item = raw.get("item")
        if item is not None and not (isinstance(item, str) and _ID.fullmatch(item)):
            raise BadMessageError("an item is an id")
        return cls(view, item, _number(raw.get("step")), _number(raw.get("scroll")))


def _number(value: object, *, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int or not 0 <= value <= MAX_NUMBER:
        raise BadMessageError("a number out of range")
    return value


def encode(message: dict[str, Any]) -> bytes:
    """One message as it goes on the channel."""
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE:
        raise BadMessageError("message too long")
    return data


def place_message(place: SharedPlace) -> bytes:
    return encode({"type": "place", "place": place.as_dict()})


def decode(data: bytes) -> dict[str, Any]:
    """A checked message: known type, known fields of the right types (BadMessageError if not).

    A place comes back as a :class:`SharedPlace` under ``"place"``.
    """
    if len(data) > MAX_MESSAGE:
        raise BadMessageError("message too long")
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        raise BadMessageError("not JSON") from None
    if not isinstance(raw, dict):
        raise BadMessageError("not an object")
    kind = raw.get("type")
    fields = set(raw) - {"type"}
    if kind == "place" and fields == {"place"}:
        return {"type": kind, "place": SharedPlace.from_dict(raw["place"])}
    if kind == "role" and fields == {"role", "may_present"}:
        if raw["role"] in ROLES and isinstance(raw["may_present"], bool):
            return raw
    elif kind == "presenter" and fields == {"who"}:
        who = raw["who"]
        if who is None or (isinstance(who, str) and len(who) <= MAX_WHO and who.isprintable()):
            return raw
    elif kind == "room" and fields == {"connected", "following"}:
        _number(raw["connected"], optional=False)
        _number(raw["following"], optional=False)
        return raw
    elif kind == "following" and fields == {"on"}:
        if isinstance(raw["on"], bool):
            return raw
    elif kind in ("hand_over", "take_over") and not fields:
        return raw
    raise BadMessageError(f"not a message of the room: {str(kind)[:32]!r}")


def channel_fd() -> int | None:
    """The app's channel descriptor when ``dossier serve`` gave it one."""
    value = os.environ.get(ROOM_FD, "")
    return int(value) if value.isdigit() else None
