"""Write SVG screenshots of the real app into screenshots/ (run by `make screenshots`).

Each shot opens the bundled default dossier, presses the keys a user would, and
saves what the terminal shows. README.md embeds the results.

The room shots (presenter mode) give the app a channel as ``dossier serve`` does: one
end of a SOCK_SEQPACKET pair, the other end here, sending the messages the server's hub
(tui/serve/hub.py) sends, in its order: on joining, a follower is told its role, who
presents and the presenter's place; a presenter its role, then the room's count.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tui.app import DossierApp
from tui.content import load_dossier
from tui.content.bundled import default_dossier
from tui.diffmode import Baseline
from tui.room import SharedPlace, encode, place_message
from tui.served import SERVED

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Shot:
    name: str
    """File name without .svg."""
    size: tuple[int, int] = (80, 24)
    keys: tuple[str, ...] = ()
    open_id: str | None = None
    """Entity to open (as a followed link would) before the keys are pressed."""
    joined: tuple[bytes, ...] | None = None
    """In a room (presenter mode): what the server sends as the app joins (None: no room)."""
    then: tuple[bytes, ...] = ()
    """What the server sends after the keys (the presenter moving on)."""
    until: Callable[[DossierApp], bool] | None = None
    """What the shot waits for once the room's messages are sent."""
    older: tuple[tuple[str, str, str], ...] = ()
    """Diff mode (``dossier --diff OLD``): OLD is the bundled dossier with these edits,
    each ``(file, pattern, replacement)`` (the first match in a named file, every match
    in the files a glob names); the app shows what changed since."""


SPEAKER = "the speaker's terminal"
"""Who presents, as ``dossier serve --present`` labels its own terminal."""


def follower(place: SharedPlace) -> tuple[bytes, ...]:
    """What a follower is sent on joining a room whose presenter is at ``place``."""
    return (
        encode({"type": "role", "role": "follower", "may_present": False}),
        encode({"type": "presenter", "who": SPEAKER}),
        place_message(place),
    )


def presenter(connected: int, following: int) -> tuple[bytes, ...]:
    """What the presenter is sent on joining, then as the audience comes in."""
    return (
        encode({"type": "role", "role": "presenter", "may_present": True}),
        encode({"type": "room", "connected": connected, "following": following}),
    )


def banner_says(text: str, item: str | None = None) -> Callable[[DossierApp], bool]:
    """The room banner starts with ``text`` (and the app shows ``item``, if given)."""

    def ready(app: DossierApp) -> bool:
        presence = app.presence
        if presence is None or not presence.line.fit(200).startswith(text):
            return False
        return item is None or app.navigation.current_entity == item

    return ready


SHOTS = [
    Shot("main"),
    Shot("main-120x40", size=(120, 40)),
    Shot("actor", open_id="japan", keys=("4",)),
    Shot("issue", open_id="territorial-dispute", keys=("4",)),
    Shot("assessment", open_id="kistanov-no-breakthrough", keys=("4",), size=(100, 30)),
    Shot("filter", keys=("slash", "a", "b", "e")),
    Shot("help", keys=("question_mark",)),
    Shot("matrix", open_id="japan", keys=("m",), size=(100, 30)),
    Shot("timeline", open_id="abe", keys=("t",)),
    Shot("evidence", open_id="kistanov-no-breakthrough", keys=("e",), size=(100, 30)),
    Shot("neighbourhood", open_id="japan", keys=("n",), size=(100, 30)),
    Shot("tour", keys=("p", "space")),
    Shot("search", keys=("s", *"sanctions")),
    Shot(
        "diff",
        size=(100, 30),
        open_id="breakthrough",
        keys=("4",),
        older=(  # an earlier draft: Kistanov hedged, the G7 had another id, less confidence
            ("issues.yaml", r"(actor: kistanov\n\s+stance:) against", r"\1 mixed"),
            ("assessments.yaml", r"(breakthrough\n(?:.*\n){6}\s+confidence:) high", r"\1 moderate"),
            ("*.yaml", r"(?<![-\w])g7(?![-\w])", "group-of-seven"),
        ),
    ),
    Shot(
        "room-following",
        joined=follower(SharedPlace("explorer", "japan")),
        until=banner_says("Following the presenter", "japan"),
    ),
    Shot(
        "room-alone",
        joined=follower(SharedPlace("explorer", "japan")),
        keys=("down",),
        then=(place_message(SharedPlace("explorer", "abe")),),
        until=banner_says("Exploring on your own · presenter is at Shinzo Abe"),
    ),
    Shot(
        "room-presenter",
        joined=presenter(connected=12, following=10),
        open_id="japan",
        until=banner_says("Presenting · 12 connected · 10 following", "japan"),
    ),
]


async def take(shot: Shot) -> Path:
    if shot.joined is None:
        return await shoot(shot, None, None)
    app_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with app_end, server_end:
        for data in shot.joined:
            server_end.send(data)
        return await shoot(shot, app_end, server_end)


def older_version(edits: tuple[tuple[str, str, str], ...], folder: Path) -> Baseline:
    """The bundled dossier with ``edits`` made, in ``folder``: diff mode's OLD."""
    shutil.copytree(default_dossier(), folder)
    for pattern_of_files, pattern, replacement in edits:
        for path in sorted(folder.glob(pattern_of_files)):
            text = path.read_text(encoding="utf-8")
            once = "*" not in pattern_of_files  # one edit in a named file, every in a glob
            edited, count = re.subn(pattern, replacement, text, count=1 if once else 0)
            if count == 0 and once:
                raise RuntimeError(f"{path.name}: {pattern!r} matches nothing")
            path.write_text(edited, encoding="utf-8")
    return Baseline(load_dossier(folder, use_cache=False), "draft/")


async def shoot(shot: Shot, room: socket.socket | None, server: socket.socket | None) -> Path:
    baseline = None
    if shot.older:
        with tempfile.TemporaryDirectory() as temp:
            baseline = older_version(shot.older, Path(temp) / "draft")
    dossier = load_dossier(default_dossier(), use_cache=False)
    app = DossierApp(dossier, room=room, baseline=baseline)
    with served_if(room is not None):
        return await run_shot(shot, app, in_room=room is not None, server=server)


@contextmanager
def served_if(room: bool) -> Iterator[None]:
    """A room's shot is of a session of ``dossier serve`` (which marks its sessions so):
    its footer is a served one (no E Edit)."""
    if not room:
        yield
        return
    os.environ[SERVED] = str(os.getpid())
    try:
        yield
    finally:
        del os.environ[SERVED]


async def run_shot(
    shot: Shot, app: DossierApp, *, in_room: bool, server: socket.socket | None
) -> Path:
    """Run ``app`` through ``shot`` and save what it shows."""
    async with app.run_test(size=shot.size) as pilot:
        await pilot.pause()
        if in_room:
            await wait(pilot, app, shot.name, settled)
        if shot.open_id is not None:
            app.open_entity(shot.open_id)
            await pilot.pause()
        for key in shot.keys:
            await pilot.press(key)
        if server is not None:
            for data in shot.then:
                server.send(data)
        if shot.until is not None:
            await wait(pilot, app, shot.name, shot.until)
        await pilot.pause(0.2)
        path = HERE / f"{shot.name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


def settled(app: DossierApp) -> bool:
    """The app has its role, and a follower is at the presenter's place."""
    presence = app.presence
    if presence is None or presence.state.role is None:
        return False
    place = presence.state.place
    return place is None or app.navigation.current_entity == place.item


async def wait(
    pilot: Pilot[Any], app: DossierApp, name: str, ready: Callable[[DossierApp], bool]
) -> None:
    """Let the app handle the room's messages until ``ready(app)`` (or fail)."""
    for _ in range(100):
        if ready(app):
            return
        await pilot.pause(0.02)
    raise RuntimeError(f"{name}: the room never got there")


def main() -> int:
    for shot in SHOTS:
        # An event loop per shot: an app in a room leaves its channel's reader on the
        # loop when it exits, and the next shot's channel may get the same descriptor.
        path = asyncio.run(take(shot))
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
