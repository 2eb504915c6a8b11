"""A session's app before it runs and after it ends: its environment, HOME, limits, and
what its end means to the client. Shared by the SSH server (:mod:`.session`, on a pty)
and the web server (:mod:`.webapp`, on pipes).

:func:`child_environment` builds the app's environment from scratch: only a sanitised
TERM (and COLORTERM) come from the client; never COLUMNS/LINES, which would pin the
app's size and break resizing. :func:`limit_process` puts the hard limits on a session's
process (address space, CPU time, no core files). :func:`describe_end` is the one line a
client is told when its app ended by itself.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..room import ROOM_FD, ROOM_FD_NUMBER
from ..served import SERVED

DEFAULT_TERM = "xterm-256color"
DEFAULT_SIZE = (80, 24)
MAX_SIDE = 1000
"""Largest width or height accepted from a client, in cells."""
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"
SERVER_SETTINGS = ("DOSSIER_CACHE_DIR", "DOSSIER_NO_CACHE", "DOSSIER_MAX_FILE_SIZE")
"""The presenter's own settings (never the client's) that the app inherits."""
MAX_NOTES = 100
"""Most room notes of one app passed to the server's log."""
ROOM_NOTE = b"dossier: room:"
ERROR_TAIL = 16 * 1024
"""Most of an app's stderr kept for the server's log (its last bytes: a traceback's end)."""
CPU_KILL_MARGIN = 5
"""Seconds of CPU after the soft limit (SIGXCPU) before the kernel's SIGKILL."""

_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_COLORTERMS = frozenset({"truecolor", "24bit"})


def sanitise_term(term: str | None) -> str:
    """The client's TERM if it is a plausible terminal name, else xterm-256color."""
    if term and _TERM.fullmatch(term):
        return term
    return DEFAULT_TERM


def sanitise_colorterm(value: str | None) -> str | None:
    """COLORTERM if the client sent one of its two meaningful values."""
    value = (value or "").strip().lower()
    return value if value in _COLORTERMS else None


def clamp_size(columns: int, rows: int) -> tuple[int, int]:
    """A size the app can use: unknown (0) sides get the default, huge ones are cut."""
    default_columns, default_rows = DEFAULT_SIZE
    columns = min(columns, MAX_SIDE) if columns > 0 else default_columns
    rows = min(rows, MAX_SIDE) if rows > 0 else default_rows
    return columns, rows


def child_environment(
    *,
    term: str | None,
    colorterm: str | None,
    home: Path,
    server_env: Mapping[str, str],
    python_path: Path | None = None,
) -> dict[str, str]:
    """The app's whole environment; of the client's variables only TERM and COLORTERM."""
    env = {
        "TERM": sanitise_term(term),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PATH": SAFE_PATH,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        SERVED: str(os.getpid()),  # see tui.served
    }
    if (color := sanitise_colorterm(colorterm)) is not None:
        env["COLORTERM"] = color
    if python_path is not None:
        env["PYTHONPATH"] = str(python_path)
    for name in SERVER_SETTINGS:
        if server_env.get(name):
            env[name] = server_env[name]
    return env


def with_room(env: Mapping[str, str], room: int | None, *, forked: bool = False) -> dict[str, str]:
    """``env`` plus where the app finds its room channel (presenter mode), if it has one:
    the same descriptor number when spawned, :data:`~tui.room.ROOM_FD_NUMBER` when forked."""
    env = dict(env)
    if room is not None:
        env[ROOM_FD] = str(ROOM_FD_NUMBER if forked else room)
    return env


def prepare_home(home: Path) -> Path:
    """The sessions' HOME and working folder: a private folder of the server's."""
    (home / "cache").mkdir(parents=True, exist_ok=True, mode=0o700)
    home.chmod(0o700)
    return home


def python_path_for(python: str, package_root: Path, cwd: Path) -> Path | None:
    """``package_root`` if the app's package cannot be imported without it, else None.

    Installed (or installed editable), ``tui`` imports from anywhere and PYTHONPATH stays
    unset; run from a source checkout, the app needs to be told where it lives.
    """
    probe = subprocess.run(
        [python, "-c", "import tui"],
        cwd=cwd,
        env={"PATH": SAFE_PATH, "LC_ALL": "C.UTF-8"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    return None if probe.returncode == 0 else package_root


def limit_process(pid: int, *, memory: int, cpu: float) -> None:
    """Hard limits on process ``pid``: address space, CPU seconds (0: none), no core file.

    Set from outside (``prlimit``) right after the start, before the process has seen any
    of the client's input; children it might start inherit them.
    """
    resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
    if memory > 0:
        resource.prlimit(pid, resource.RLIMIT_AS, (memory, memory))
    if cpu > 0:
        seconds = max(1, round(cpu))
        resource.prlimit(pid, resource.RLIMIT_CPU, (seconds, seconds + CPU_KILL_MARGIN))


def describe_end(returncode: int, errors: bytes) -> str | None:
    """What to tell a client whose app ended by itself with ``returncode`` (None: nothing)."""
    if returncode == 0:
        return None
    if returncode == -signal.SIGXCPU:
        return "dossier: this session used all the processor time it is allowed."
    if b"MemoryError" in errors:
        return "dossier: this session used all the memory it is allowed."
    return "dossier: the explorer stopped because of an error; the server has logged it."


def exit_status(returncode: int) -> int:
    """A process's return code as a shell shows it (128 + N when killed by signal N)."""
    return 128 - returncode if returncode < 0 else returncode


def printable(text: str | None, limit: int = 64, empty: str = "-") -> str:
    """Text from a client (a user name, a header), safe for a log line: no controls, no
    spaces, at most ``limit`` characters; ``empty`` when there is none."""
    cleaned = "".join(ch if ch.isprintable() and not ch.isspace() else "?" for ch in text or "")
    return cleaned[:limit] or empty


class AppProcess:
    """What a session's app is on either server (:class:`~.session.PtyChild` for SSH,
    :class:`~.webapp.WebApp` for browsers): a process, and the end of its stderr."""

    def __init__(self, process: Any) -> None:
        self.process = process
        self._error_tail = bytearray()
        self._line = bytearray()
        self._notes = 0
        self.on_note: Callable[[str], None] | None = None
        """Told each note the app writes about the room (a line starting ``dossier:
        room:``, e.g. an unknown id it ignored), as it comes; at most :data:`MAX_NOTES`."""

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    @property
    def error_output(self) -> bytes:
        """The last :data:`ERROR_TAIL` bytes the app wrote to stderr (for the log)."""
        return bytes(self._error_tail)

    def keep_errors(self, data: bytes) -> None:
        self._error_tail += data
        del self._error_tail[:-ERROR_TAIL]
        if self.on_note is None or self._notes >= MAX_NOTES:
            return
        self._line += data
        *lines, rest = self._line.split(b"\n")
        self._line = bytearray(rest[-ERROR_TAIL:])
        for line in lines:
            if line.startswith(ROOM_NOTE) and self._notes < MAX_NOTES:
                self._notes += 1
                self.on_note(" ".join(log_text(bytes(line))))


def log_text(data: bytes) -> list[str]:
    """An app's stderr as log lines: decoded, controls shown as '?', blank lines dropped."""
    text = data.decode("utf-8", "replace")
    lines = ("".join(ch if ch.isprintable() else "?" for ch in line) for line in text.split("\n"))
    return [line for line in lines if line.strip()]


def flood_message(queue: int) -> str:
    """What a client that sends input faster than it is let through is told."""
    return (
        f"dossier: disconnected: more input than this server accepts "
        f"(over {queue // 1024} KiB waiting)."
    )
