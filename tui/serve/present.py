"""``dossier serve --present``: the speaker's own explorer on the server's terminal.

The server starts the app as the speaker would (``python -m tui PATH``, on the terminal the
server runs in, with the speaker's environment: it is theirs, not a client's), with the
presenter's end of the room's channel. Its process stays in the server's process group,
the terminal's foreground, so that it gets the terminal's resizes. While it runs, the
server's log goes to a file (``log_path``), not to the terminal it draws on. When the
speaker quits it, the room keeps its places and the server serves on until stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..room import ROOM_FD
from ..served import PRESENTING, SERVED
from .config import ServeSettings
from .hub import Hub

SPEAKER = "the speaker's terminal"
"""How the room is told who presents when it is the server's own terminal."""


def log_path(home: Path) -> Path:
    """Where the server's log goes while the terminal shows the presenter's explorer."""
    return home / "serve.log"


def can_present_here() -> bool:
    """The server runs in a terminal (its stdin and stdout): the explorer can draw there."""
    return sys.stdin.isatty() and sys.stdout.isatty()


async def present_here(settings: ServeSettings, hub: Hub, say: Callable[[str], None]) -> int:
    """Run the speaker's explorer until they quit it (or the server stops); its status."""
    member, room = hub.open_channel(who=SPEAKER, may_present=True, present=True)
    env = {name: value for name, value in os.environ.items() if name != SERVED}
    env[ROOM_FD] = str(room.fileno())
    env[PRESENTING] = str(os.getpid())  # it ends with the server (see tui.served)
    try:
        process = await asyncio.create_subprocess_exec(
            *settings.app.argv(), env=env, pass_fds=(room.fileno(),)
        )
    except OSError as error:
        hub.leave(member)
        say(f"dossier serve: cannot start the presenter's explorer: {error.strerror or error}")
        return 1
    finally:
        room.close()
    try:
        return await process.wait()
    finally:
        if process.returncode is None:  # the server is stopping
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 5)
            if process.returncode is None:
                process.kill()
                await process.wait()
        hub.leave(member)
        say(
            "dossier serve: the presenter's explorer has closed; the room keeps its places "
            "and the server serves on (Ctrl+C stops it)."
        )
