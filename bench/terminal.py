"""The terminal benchmark: the real ``dossier`` command under a pseudo-terminal.

Each program runs as a child process on a fresh pseudo-terminal of 100x30 (the size is
set before the child starts; ``TERM=xterm-256color``, ``COLORTERM=truecolor``, and
``DOSSIER_CACHE_DIR`` pointing at a temporary folder), and everything it writes is read
back as a terminal would. Against a minimal Textual app measured in the same run
(:mod:`bench.minimal_app`: Header, an OptionList of as many items as the dossier has
actors, Footer), these are measured:

- first screen: from spawning the process to the last byte written before the output
  goes quiet for :data:`FIRST_SCREEN_SETTLE`, once the expected text (the dossier's
  title and its Actors list; the minimal app's title and first item) has appeared;
- keys: from writing a key to the last byte of the response, the screen counting as
  settled once nothing arrives for :data:`KEY_SETTLE` (that window is not part of the
  time; output within :data:`STRAGGLER_WINDOW` after it still counts, and is noted),
  and the bytes written in response. Cursor moves are down and up arrows in turn, so
  the cursor stays in view; the first key after launch does one-off work (the stock
  OptionList measures all its lines then), so it is timed apart ("first cursor move")
  and the up after it is not timed. Link follows: one untimed enter on the first actor
  opens it and focuses the detail pane; then, repeatedly, an untimed down highlights
  the pane's first link (no link is highlighted when an item opens), enter follows it
  (timed: "link follow") and backspace comes back (timed: "back").

Every program is launched once untimed first (which also fills the load cache, so
timed launches are warm), then :data:`SESSIONS` times, the two programs alternating;
each session measures the first screen and its share of the keys. Times are medians
and 95th percentiles (nearest rank) over all sessions. Every wait is bounded, a
program that crashes, hangs or ignores a key is reported, and every child is
reaped (killed if it will not quit).

The pseudo-terminal answers Textual's query for synchronized output (mode 2026) as
most current terminals do, so Textual brackets each frame it writes: the notes count
frames per key, and say which screen rows each kind of key repaints.

The synthetic dossier is measured in both profiles of :mod:`bench.synth` (light, the
original; heavy, issue 18's), each written, then checked with ``dossier validate`` (no
errors, no notes, every entity there) before anything is timed; the heavy profile is
measured again at :data:`LARGE_HEAVY_N` actors (50,000: about 200 MB of YAML, some
more than a minute to write, validate and cache; ``--quick`` skips it). Memory: the resident set
(``VmRSS`` in ``/proc/PID/status``) of each program, read once its first screen has
settled, where ``/proc`` exists. What the run is doing (writing, validating, warming up,
timing) goes to stderr as it happens, so the tables on stdout stay whole.

Bars (issue 4), at 100x30: first screen at most 1.3x the minimal app's for the default
dossier and 2x for a 10,000-actor synthetic one (light profile); cursor move and link
follow median at most 1.5x and p95 at most 2x the minimal app's cursor move (median
against median, p95 against p95); at most 4 KB (4,096 bytes) written per cursor move.
Issue 18, heavy profile (10,000 and 50,000 actors): first screen at most 1.2x the
minimal app's, and cursor move, link follow and the views held to the same bars as
above; for each synthetic dossier of 10,000 actors (1,000 with ``--quick``), RSS at
first screen at most 1.5x the default dossier's. The 50,000-actor dossier's RSS row is
shown for information, with no bar.

More key scenarios are a :class:`KeyTest` in :func:`dossier_tests` plus a
:class:`Check` in :func:`checks`; a check can compare with the baseline or with a
fixed limit.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import platform
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import textual

from bench.minimal_app import MARKER as MINIMAL_MARKER
from bench.minimal_app import item_label
from bench.synth import expected_counts, title_of, write_synthetic
from tui.content import default_dossier, load_dossier

COLUMNS, ROWS = 100, 30
SESSIONS = 5
QUICK_SESSIONS = 3
SYNTHETIC_N = 10_000
QUICK_SYNTHETIC_N = 1_000
LARGE_HEAVY_N = 50_000
"""Issue 18: the heavy profile is measured at this size too (not with ``--quick``)."""
CURSOR_CYCLES = 20
"""Down-up pairs per program: 40 cursor moves."""
FOLLOW_CYCLES = 20
"""Follow-back pairs: 20 link follows (and 20 backs)."""

FIRST_SCREEN_SETTLE = 0.15
"""Seconds without output after which the first screen counts as drawn."""
KEY_SETTLE = 0.1
"""Seconds without output after which the screen counts as settled after a key."""
STRAGGLER_WINDOW = 0.1
"""Further seconds watched after the output went quiet: output then is late. It still
counts (the screen had not settled after all) and is noted."""
KEY_TIMEOUT = 5.0
"""Seconds a key may take to produce its first byte before it counts as ignored."""
WAIT_LIMIT = 30.0
"""Upper bound on any single wait: a first screen, a key's response, an exit."""
QUIT_GRACE = 3.0
"""Seconds after ``q`` before ctrl+q is tried; as long again before the child is killed."""

DEFAULT_FIRST_SCREEN_BAR = 1.3
SYNTHETIC_FIRST_SCREEN_BAR = 2.0
HEAVY_FIRST_SCREEN_BAR = 1.2
"""Issue 18: the heavy profile's first screen at most this many times the minimal app's."""
RSS_BAR = 1.5
"""Issue 18: RSS at first screen on a synthetic dossier at most this many times the
default dossier's."""
MEDIAN_BAR = 1.5
P95_BAR = 2.0
CURSOR_BYTES_LIMIT = 4096

DOWN, UP, ENTER, BACKSPACE, QUIT, CTRL_Q = b"\x1b[B", b"\x1b[A", b"\r", b"\x7f", b"q", b"\x11"
SYNC_QUERY = b"\x1b[?2026$p"
"""Does the terminal support synchronized output (DECRQM for mode 2026)?"""
SYNC_REPLY = b"\x1b[?2026;2$y"
"""Yes, currently off: what kitty, WezTerm, iTerm2, foot or Windows Terminal answer."""
SYNC_START = b"\x1b[?2026h"
"""Begins a synchronized update: with the query answered, one per frame Textual writes."""

FIRST_SCREEN = "first screen"
FIRST_CURSOR_MOVE = "first cursor move"
"""The first key after launch, kept apart from the steady-state cursor moves."""
CURSOR_MOVE = "cursor move"
LINK_FOLLOW = "link follow"
BACK = "back"
OPEN_MATRIX = "open matrix"
OPEN_TIMELINE = "open timeline"
FIRST_OPEN_MATRIX = "first open matrix"
FIRST_OPEN_TIMELINE = "first open timeline"
VIEW_OPEN_LIMIT_MS = 150
"""Issue 5: opening the matrix or the timeline settles within this (median)."""
VIEW_CYCLES = 10

REPO_ROOT = Path(__file__).resolve().parent.parent
_ESCAPE = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
_MOVE_TO = re.compile(rb"\x1b\[(\d+);(\d+)H")
_DROPPED_ENV = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "DOSSIER_NO_CACHE", "TERM_PROGRAM")


class TerminalError(Exception):
    """A program could not be measured: it crashed, hung or ignored a key."""


def visible_text(output: bytes) -> str:
    """The text in terminal output, escape sequences removed."""
    return _ESCAPE.sub(b"", output).decode("utf-8", errors="replace")


def rows_moved_to(output: bytes) -> frozenset[int]:
    """The screen rows (1 = top) that ``output`` moves the cursor to, i.e. repaints."""
    return frozenset(int(match.group(1)) for match in _MOVE_TO.finditer(output))


def describe_rows(rows: frozenset[int]) -> str:
    """``1, 3-28 (27 rows)``: a set of rows as ranges."""
    if not rows:
        return "none"
    ordered = sorted(rows)
    spans: list[str] = []
    start = previous = ordered[0]
    for row in [*ordered[1:], -1]:
        if row != previous + 1:
            spans.append(str(start) if start == previous else f"{start}-{previous}")
            start = row
        previous = row
    return f"{', '.join(spans)} ({len(ordered)} row{'s' if len(ordered) != 1 else ''})"


def tail_text(output: bytes, limit: int = 600) -> str:
    """The end of a transcript as readable text, for error messages."""
    text = " ".join(visible_text(output[-20_000:]).split())
    return text[-limit:] or "(no text)"


@dataclass(frozen=True)
class Response:
    """What a key (or a launch) produced: seconds to the last byte, and the bytes.

    ``late_bytes`` counts output that came after the first quiet spell.
    """

    seconds: float
    output: bytes
    late_bytes: int


class Session:
    """One program running on its own pseudo-terminal of ``COLUMNS`` x ``ROWS``."""

    def __init__(self, argv: Sequence[str], env: dict[str, str]) -> None:
        self.argv = tuple(argv)
        self.transcript = bytearray()
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.fd = master
        self.started = time.perf_counter()
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                cwd=REPO_ROOT,
                start_new_session=True,
                close_fds=True,
            )
        except OSError:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.ended = False
        self.answered_sync = False
        self.last_arrival = self.started

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading -----------------------------------------------------------
    def _read(self, timeout: float) -> bytes | None:
        """Output that arrives within ``timeout`` seconds (b"" if none); None at its end."""
        if self.ended:
            return None
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError as error:
            if error.errno != errno.EIO:  # EIO: every copy of the other end is closed
                raise
            data = b""
        if not data:
            self.ended = True
            return None
        self.last_arrival = time.perf_counter()
        self.transcript += data
        if not self.answered_sync and SYNC_QUERY in self.transcript[-len(data) - 16 :]:
            os.write(self.fd, SYNC_REPLY)
            self.answered_sync = True
        return data

    def _settle(self, settle: float, deadline: float, what: str) -> bytes:
        """Read until nothing has arrived for ``settle`` seconds; the bytes read."""
        output = bytearray()
        while True:
            now = time.perf_counter()
            quiet_at = self.last_arrival + settle
            if now >= quiet_at:
                return bytes(output)
            if now >= deadline:
                raise self.failure(f"{what}: output did not settle within {WAIT_LIMIT:.0f} s")
            data = self._read(min(quiet_at, deadline) - now)
            if data is None:
                raise self.failure(f"{what}: the program exited")
            output += data

    def failure(self, message: str) -> TerminalError:
        """A :class:`TerminalError` naming the program and showing the end of its output."""
        code = self.process.poll()
        if code is None and self.ended:  # it closed the terminal: it is exiting
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(2.0)
        status = "running" if code is None else f"exit status {code}"
        return TerminalError(
            f"`{' '.join(Path(arg).name for arg in self.argv)}`: {message} ({status}); "
            f"last text on screen: {tail_text(bytes(self.transcript))}"
        )

    # -- measuring ---------------------------------------------------------
    def _quiet(self, settle: float, deadline: float, what: str) -> tuple[bytes, int]:
        """Read until nothing arrives for ``settle`` seconds, then watch a straggler window.

        Output in the :data:`STRAGGLER_WINDOW` after the quiet spell still belongs to the
        response (the screen had not settled after all): it is read, and its size
        returned as well. ``last_arrival`` is left at the last byte of all.
        """
        output = self._settle(settle, deadline, what)
        last = self.last_arrival
        self.last_arrival = time.perf_counter()
        late = self._settle(STRAGGLER_WINDOW, deadline, what)
        if not late:
            self.last_arrival = last
        return output + late, len(late)

    def first_screen(self, markers: Sequence[str]) -> Response:
        """From spawning to the last byte of the first screen, which must show ``markers``."""
        deadline = self.started + WAIT_LIMIT
        while not all(marker in visible_text(bytes(self.transcript)) for marker in markers):
            now = time.perf_counter()
            if now >= deadline:
                raise self.failure(f"first screen: {markers} not shown within {WAIT_LIMIT:.0f} s")
            if self._read(deadline - now) is None:
                raise self.failure(f"first screen: the program exited before showing {markers}")
        _, late = self._quiet(FIRST_SCREEN_SETTLE, deadline, "first screen")
        return Response(self.last_arrival - self.started, bytes(self.transcript), late)

    def press(self, key: bytes, name: str, shows: str | None = None) -> Response:
        """Send ``key`` and wait for the screen to settle (after showing ``shows``, if
        given); raises if nothing comes back."""
        sent = time.perf_counter()
        mark = len(self.transcript)
        try:
            os.write(self.fd, key)
        except OSError as error:
            raise self.failure(f"{name} ({key!r}): could not send the key: {error}") from None
        first = self._read(KEY_TIMEOUT)
        if first is None:
            raise self.failure(f"{name} ({key!r}): the program exited")
        if not first:
            raise self.failure(f"{name} ({key!r}): no output within {KEY_TIMEOUT:.0f} s")
        while shows is not None and shows not in visible_text(bytes(self.transcript[mark:])):
            if time.perf_counter() > sent + WAIT_LIMIT:
                raise self.failure(f"{name} ({key!r}): {shows!r} not shown")
            if self._read(0.05) is None:
                raise self.failure(f"{name} ({key!r}): the program exited")
        _, late = self._quiet(KEY_SETTLE, sent + WAIT_LIMIT, name)
        return Response(self.last_arrival - sent, bytes(self.transcript[mark:]), late)

    # -- ending ------------------------------------------------------------
    def quit(self) -> None:
        """Press q (then ctrl+q) and wait for the program to exit; raises if it will not."""
        for key in (QUIT, CTRL_Q):
            if self.process.poll() is not None:
                break
            try:
                os.write(self.fd, key)
            except OSError:
                break
            deadline = time.perf_counter() + QUIT_GRACE
            while time.perf_counter() < deadline and self._read(0.05) is not None:
                if self.process.poll() is not None:
                    break
        code = self._reap(QUIT_GRACE)
        if code is None:
            raise self.failure("did not exit on q or ctrl+q (killed)")
        if code != 0:
            raise self.failure(f"exited with status {code} after q")

    def _reap(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` for the exit status; kill the session after that (None)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)  # the child's own session, started above
            except ProcessLookupError:
                break
            try:
                self.process.wait(2.0)
                break
            except subprocess.TimeoutExpired:
                continue
        return None

    def close(self) -> None:
        """Make sure the child is gone and the terminal closed."""
        if self.process.poll() is None:
            self._reap(0.0)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


# -- what is measured ------------------------------------------------------
@dataclass(frozen=True)
class Press:
    """One key of a cycle: its bytes and the metric its response counts towards.

    With no metric the key is sent and its response awaited, but not counted. With
    ``shows``, the response lasts until that text is on screen (and then settles): for
    a key whose work goes on in the background, quietly, before its last frame.
    """

    key: bytes
    metric: str | None = None
    shows: str | None = None


@dataclass(frozen=True)
class KeyTest:
    """Keys run in every session: ``setup`` once, ``cycle`` repeatedly, ``teardown`` once.

    ``cycles`` is the total over all sessions; each session runs its share. A cycle
    should leave the program as it found it, so that every repeat measures the same.
    Setup and teardown keys may be timed too (under metrics of their own).
    """

    name: str
    description: str
    cycle: tuple[Press, ...]
    cycles: int
    setup: tuple[Press, ...] = ()
    teardown: tuple[Press, ...] = ()


@dataclass(frozen=True)
class Program:
    """A command to run and how to tell its first screen is up."""

    label: str
    argv: tuple[str, ...]
    markers: tuple[str, ...]
    tests: tuple[KeyTest, ...]


@dataclass(frozen=True)
class Check:
    """One row of the table: a statistic of a dossier metric against a bar.

    ``stat`` is "median" or "p95" (of times) or "bytes" (median bytes per key). With a
    ``baseline`` metric the value is compared with the same statistic of the minimal
    app's ``baseline`` and must be at most ``ratio_bar`` times it; with a ``limit`` it
    must be at most that (milliseconds or bytes). With neither, the row is for
    information only.
    """

    metric: str
    stat: str
    baseline: str | None = None
    ratio_bar: float | None = None
    limit: float | None = None


@dataclass(frozen=True)
class Scenario:
    """The dossier and its baseline, measured together."""

    name: str
    dossier: Program
    minimal: Program
    checks: tuple[Check, ...]
    setup: Callable[[dict[str, str]], None] | None = None
    """Run with the children's environment before anything is launched (e.g. to write
    and validate the synthetic dossier)."""
    synthetic: bool = False
    """Its memory is shown against the default dossier's."""
    rss_bar: bool = True
    """With ``synthetic``: held to :data:`RSS_BAR` (else that row is information)."""


@dataclass
class Measurements:
    """Every sample of one program in one scenario."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, list[int]] = field(default_factory=dict)
    frames: dict[str, list[int]] = field(default_factory=dict)
    rows: dict[str, Counter[frozenset[int]]] = field(default_factory=dict)
    late: Counter[str] = field(default_factory=Counter)
    rss: list[int] = field(default_factory=list)
    """Resident set at first screen, bytes, one per session where it could be read."""

    def add(self, metric: str, response: Response) -> None:
        self.seconds.setdefault(metric, []).append(response.seconds)
        self.sizes.setdefault(metric, []).append(len(response.output))
        self.frames.setdefault(metric, []).append(response.output.count(SYNC_START))
        self.rows.setdefault(metric, Counter())[rows_moved_to(response.output)] += 1
        if response.late_bytes:
            self.late[metric] += 1

    def value(self, metric: str, stat: str) -> float:
        """Milliseconds for "median" and "p95", bytes for "bytes" (median bytes per key)
        and "rss" (median resident set at first screen; NaN if never read)."""
        if stat == "rss":
            return statistics.median(self.rss) if self.rss else math.nan
        if stat == "bytes":
            return statistics.median(self.sizes[metric])
        times = self.seconds[metric]
        return 1000 * (statistics.median(times) if stat == "median" else p95(times))


def p95(values: Sequence[float]) -> float:
    """The 95th percentile by nearest rank (of 40 samples, the third largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def cursor_test() -> KeyTest:
    return KeyTest(
        "cursor",
        "down and up arrows in turn in the focused list (dossier: Actors; also the minimal "
        "app), after a first down-up pair timed apart, since the first key after launch "
        "does one-off work (the stock OptionList measures all its lines then)",
        (Press(DOWN, CURSOR_MOVE), Press(UP, CURSOR_MOVE)),
        CURSOR_CYCLES,
        setup=(Press(DOWN, FIRST_CURSOR_MOVE), Press(UP)),
    )


def dossier_tests() -> tuple[KeyTest, ...]:
    """The keys timed in dossier, in the order each session runs them."""
    follow = KeyTest(
        "follow",
        "enter on the first actor (untimed: opens it, focuses Detail), then in turn: down "
        "(untimed: highlights the first link), enter (follows it), backspace (back)",
        (Press(DOWN), Press(ENTER, LINK_FOLLOW), Press(BACKSPACE, BACK)),
        FOLLOW_CYCLES,
        setup=(Press(ENTER),),
    )
    views = KeyTest(
        "views",
        "m (opens the stance matrix), backspace (back, untimed), t (opens the timeline), "
        "backspace (back, untimed); escape is not used since a bare ESC waits for the "
        "terminal's escape-sequence timeout. The first pair of a session is timed apart "
        "(the app composes each view the first time; later it shows the one it kept)",
        (
            Press(b"m", OPEN_MATRIX),
            Press(BACKSPACE),
            Press(b"t", OPEN_TIMELINE),
            Press(BACKSPACE),
        ),
        VIEW_CYCLES,
        setup=(
            Press(b"m", FIRST_OPEN_MATRIX),
            Press(BACKSPACE),
            Press(b"t", FIRST_OPEN_TIMELINE),
            Press(BACKSPACE),
        ),
    )
    return (cursor_test(), follow, views)


def checks(first_screen_bar: float) -> tuple[Check, ...]:
    return (
        Check(FIRST_SCREEN, "median", FIRST_SCREEN, first_screen_bar),
        Check(FIRST_SCREEN, "rss", FIRST_SCREEN),
        Check(FIRST_CURSOR_MOVE, "median", FIRST_CURSOR_MOVE),
        Check(CURSOR_MOVE, "median", CURSOR_MOVE, MEDIAN_BAR),
        Check(CURSOR_MOVE, "p95", CURSOR_MOVE, P95_BAR),
        Check(LINK_FOLLOW, "median", CURSOR_MOVE, MEDIAN_BAR),
        Check(LINK_FOLLOW, "p95", CURSOR_MOVE, P95_BAR),
        Check(BACK, "median", CURSOR_MOVE),
        Check(BACK, "p95", CURSOR_MOVE),
        Check(CURSOR_MOVE, "bytes", CURSOR_MOVE, limit=CURSOR_BYTES_LIMIT),
        Check(LINK_FOLLOW, "bytes", CURSOR_MOVE),
        Check(BACK, "bytes", CURSOR_MOVE),
        Check(FIRST_OPEN_MATRIX, "median"),
        Check(FIRST_OPEN_TIMELINE, "median"),
        Check(OPEN_MATRIX, "median", limit=VIEW_OPEN_LIMIT_MS),
        Check(OPEN_TIMELINE, "median", limit=VIEW_OPEN_LIMIT_MS),
    )


def dossier_command() -> tuple[str, ...]:
    """The installed ``dossier`` script beside this Python, else ``python -m tui``."""
    script = Path(sys.executable).parent / "dossier"
    return (str(script),) if script.is_file() else (sys.executable, "-m", "tui")


def minimal_program(count: int) -> Program:
    return Program(
        "minimal",
        (sys.executable, "-m", "bench.minimal_app", str(count)),
        (MINIMAL_MARKER, item_label(1)),
        (cursor_test(),),
    )


def dossier_program(path: Path | None, title: str, actors: int) -> Program:
    argv = dossier_command() + ((str(path),) if path is not None else ())
    return Program("dossier", argv, (title, f"Actors ({actors})"), dossier_tests())


def default_scenario() -> Scenario:
    """``dossier`` with no arguments (the bundled default) against as many list items."""
    dossier = load_dossier(default_dossier(), use_cache=False)
    actors = len(dossier.actors)
    return Scenario(
        f"default ({actors} actors)",
        dossier_program(None, dossier.info.title, actors),
        minimal_program(actors),
        checks(DEFAULT_FIRST_SCREEN_BAR),
    )


def synthetic_scenario(folder: Path, n: int, profile: str, *, rss_bar: bool = True) -> Scenario:
    """``dossier PATH`` of a synthetic dossier of ``n`` actors in ``profile`` (written and
    validated by ``setup``, which says on stderr what it is doing). ``rss_bar``: whether
    its RSS row is held to :data:`RSS_BAR`."""

    def write(env: dict[str, str]) -> None:
        if not folder.is_dir():
            progress(f"writing the {profile} synthetic dossier of {n:,} actors")
            start = time.perf_counter()
            write_synthetic(folder, n, profile=profile)
            size = sum(path.stat().st_size for path in folder.glob("*.yaml"))
            progress(f"wrote {size / 1e6:,.1f} MB of YAML in {time.perf_counter() - start:.0f} s")
        progress(f"`dossier validate` of {n:,} actors ({profile}; also fills the load cache)")
        start = time.perf_counter()
        validate_synthetic(folder, n, env)
        progress(f"valid, and cached, in {time.perf_counter() - start:.0f} s")

    bar = HEAVY_FIRST_SCREEN_BAR if profile == "heavy" else SYNTHETIC_FIRST_SCREEN_BAR
    return Scenario(
        f"synthetic {profile} ({n:,} actors, warm cache)",
        dossier_program(folder, title_of(profile, n), n),
        minimal_program(n),
        checks(bar),
        setup=write,
        synthetic=True,
        rss_bar=rss_bar,
    )


def validate_synthetic(folder: Path, n: int, env: dict[str, str]) -> None:
    """``dossier validate FOLDER`` as the bench runs dossier (same environment, folder
    and size limit, so it also fills the load cache): no errors, no notes, and every
    actor, issue, assessment and event that was written; raises :class:`TerminalError`
    otherwise."""
    argv = (*dossier_command(), "validate", str(folder))
    timeout = max(600, n // 50)  # 50,000 heavy actors: about a minute on an idle machine
    done = subprocess.run(
        argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    expected = expected_counts(n)
    counts = ", ".join(
        f"{expected[kind]} {kind}" for kind in ("actors", "issues", "assessments", "events")
    )
    if (
        done.returncode != 0
        or f"({counts}, 1 source)" not in done.stdout
        or (" 0 errors, 0 notes " not in done.stdout)
    ):
        output = " ".join((done.stdout + done.stderr).split())[-600:]
        raise TerminalError(
            f"`dossier validate {folder.name}` (exit status {done.returncode}) did not report "
            f"a clean dossier of {counts}: {output}"
        )


def resident_bytes(pid: int) -> int | None:
    """The resident set of process ``pid`` (VmRSS), or None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024  # in kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def child_env(cache: Path) -> dict[str, str]:
    """This process's environment, minus what changes how Textual draws, plus a terminal."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TEXTUAL") and name not in _DROPPED_ENV
    }
    env.update(TERM="xterm-256color", COLORTERM="truecolor", DOSSIER_CACHE_DIR=str(cache))
    return env


# -- running ---------------------------------------------------------------
def shares(total: int, sessions: int) -> int:
    """Cycles per session so that ``sessions`` of them make at least ``total``."""
    return max(1, math.ceil(total / sessions))


def warm_up(program: Program, env: dict[str, str]) -> None:
    """One untimed launch to the first screen: fills the load cache and the OS caches."""
    with Session(program.argv, env) as session:
        session.first_screen(program.markers)
        session.quit()


def run_session(program: Program, env: dict[str, str], into: Measurements, sessions: int) -> None:
    """Launch ``program`` once: time its first screen and its share of every key test."""
    with Session(program.argv, env) as session:
        into.add(FIRST_SCREEN, session.first_screen(program.markers))
        rss = resident_bytes(session.process.pid)
        if rss is not None:
            into.rss.append(rss)
        for test in program.tests:
            presses = [
                *test.setup,
                *(press for _ in range(shares(test.cycles, sessions)) for press in test.cycle),
                *test.teardown,
            ]
            for press in presses:
                what = press.metric or f"{test.name} (untimed)"
                response = session.press(press.key, what, press.shows)
                if press.metric is not None:
                    into.add(press.metric, response)
        session.quit()


def cache_entries(cache: Path) -> set[tuple[Path, int, int]]:
    """Every file under ``cache`` with its size and time of change (whatever form the
    load cache's entries take: a new entry, or one rewritten, changes the set)."""
    entries: set[tuple[Path, int, int]] = set()
    for path in cache.rglob("*"):
        with contextlib.suppress(OSError):
            info = path.stat()
            if path.is_file():
                entries.add((path, info.st_size, info.st_mtime_ns))
    return entries


def progress(message: str) -> None:
    """A line on stderr saying what the run is doing (the tables are on stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(
    scenario: Scenario,
    env: dict[str, str],
    sessions: int,
    notes: list[str],
    report: Callable[[str], None] | None = None,
) -> dict[str, Measurements]:
    """Warm up both programs, then alternate their sessions; samples by program label.
    ``report`` (if given) is told what is being done, a line at a time."""
    say = report or (lambda message: None)
    cache = Path(env["DOSSIER_CACHE_DIR"])
    before = cache_entries(cache)  # before the setup, whose validation may fill the cache
    if scenario.setup is not None:
        scenario.setup(env)
    programs = [scenario.dossier, scenario.minimal]
    for program in programs:
        say(f"{scenario.name}: untimed launch of {program.label} (warms the caches)")
        warm_up(program, env)
    if not cache_entries(cache) - before:
        notes.append(
            f"{scenario.name}: the setup and untimed launch wrote nothing to DOSSIER_CACHE_DIR "
            f"({cache}): timed launches may have been cold"
        )
    results = {program.label: Measurements() for program in programs}
    say(f"{scenario.name}: timing {sessions} sessions of each program")
    for number in range(sessions):
        # Alternate which goes first, so that neither always runs after the other.
        for program in programs if number % 2 == 0 else programs[::-1]:
            run_session(program, env, results[program.label], sessions)
    return results


# -- reporting -------------------------------------------------------------
def format_value(value: float, stat: str) -> str:
    if stat == "rss":
        return "not read" if math.isnan(value) else f"{value / 1e6:,.0f} MB"
    return f"{value:,.0f} B" if stat == "bytes" else f"{value:,.1f} ms"


def check_row(scenario: str, check: Check, dossier: Measurements, minimal: Measurements) -> str:
    value = dossier.value(check.metric, check.stat)
    stat_label = {"bytes": "bytes per key", "rss": "RSS"}.get(check.stat, check.stat)
    label = f"{check.metric}, {stat_label}"
    base_text = ratio_text = ""
    verdicts: list[bool] = []
    bars: list[str] = []
    if check.baseline is not None:
        base = minimal.value(check.baseline, check.stat)
        base_text = format_value(base, check.stat)
        if check.baseline != check.metric:
            base_text += f" ({check.baseline})"
        ratio = value / base if base else math.inf
        ratio_text = f"{ratio:.2f}x"
        if check.ratio_bar is not None:
            bars.append(f"<= {check.ratio_bar}x")
            verdicts.append(ratio <= check.ratio_bar)
    if check.limit is not None:
        bars.append(f"<= {format_value(check.limit, check.stat)}")
        verdicts.append(value <= check.limit)
    verdict = ("PASS" if all(verdicts) else "FAIL") if verdicts else "info"
    return (
        f"| {scenario} | {label} | {format_value(value, check.stat)} | {base_text} "
        f"| {ratio_text} | {', '.join(bars) or '-'} | {verdict} |"
    )


def rss_row(scenario: str, rss: float, default_rss: float, *, bar: bool = True) -> str:
    """The issue 18 memory row: a synthetic dossier's RSS against the default dossier's,
    held to :data:`RSS_BAR` (or, without ``bar``, for information)."""
    if math.isnan(rss) or math.isnan(default_rss):
        return f"| {scenario} | first screen, RSS against the default dossier | | | | | info |"
    ratio = rss / default_rss
    limit, verdict = (
        (f"<= {RSS_BAR}x", "PASS" if ratio <= RSS_BAR else "FAIL") if bar else ("-", "info")
    )
    return (
        f"| {scenario} | first screen, RSS against the default dossier "
        f"| {format_value(rss, 'rss')} | {format_value(default_rss, 'rss')} (default dossier) "
        f"| {ratio:.2f}x | {limit} | {verdict} |"
    )


def repaint_notes(scenario: str, results: dict[str, Measurements]) -> list[str]:
    """Per kind of key: bytes, frames, the rows repainted (most common set), late output."""
    notes: list[str] = []
    for label, measurements in results.items():
        for metric, counter in measurements.rows.items():
            rows, count = counter.most_common(1)[0]
            sizes = measurements.sizes[metric]
            frames = statistics.median(measurements.frames[metric])
            unit = "launches" if metric == FIRST_SCREEN else "keys"
            notes.append(
                f"{scenario}, {label} {metric}: {len(sizes)} {unit}, {min(sizes):,}-"
                f"{max(sizes):,} B and {frames:g} frame{'' if frames == 1 else 's'} (median) "
                f"each; rows repainted (1 = top) by {count}/{len(sizes)}: {describe_rows(rows)}"
            )
            if measurements.late[metric]:
                settle = FIRST_SCREEN_SETTLE if metric == FIRST_SCREEN else KEY_SETTLE
                notes.append(
                    f"{scenario}, {label} {metric}: in {measurements.late[metric]} of "
                    f"{len(sizes)}, more output came after {settle * 1000:.0f} ms of quiet "
                    "(counted in time and bytes)"
                )
    return notes


def print_environment(sessions: int) -> None:
    python = f"{platform.python_version()} ({platform.python_implementation()})"
    print(f"Python {python} on {platform.machine()} {sys.platform}, {os.cpu_count()} CPUs")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Load average before the run: {load} (other work on the machine adds time)")
    print(
        f"Textual {textual.__version__}; pseudo-terminal {COLUMNS}x{ROWS}, TERM=xterm-256color, "
        "answering Textual's synchronized-output query (one bracketed update per frame)"
    )
    command = " ".join(dossier_command())
    print(f"dossier: `{command} [PATH]`; baseline: `python -m bench.minimal_app N`")
    print(
        f"{sessions} sessions per program after one untimed launch, alternating; first screen "
        f"= spawn to last byte before {FIRST_SCREEN_SETTLE * 1000:.0f} ms of quiet (median); "
        f"keys = write to last byte before {KEY_SETTLE * 1000:.0f} ms of quiet "
        "(median, p95 by nearest rank)."
    )
    for test in dossier_tests():
        counts: Counter[str] = Counter()
        for presses, repeats in (
            (test.setup, 1),
            (test.cycle, shares(test.cycles, sessions)),
            (test.teardown, 1),
        ):
            for press in presses:
                if press.metric is not None:
                    counts[press.metric] += repeats * sessions
        metrics = ", ".join(f"{metric} x{count}" for metric, count in counts.items())
        print(f"Keys, {test.name} ({metrics}): {test.description}.")
    print(
        f"Bars (issue 4): first screen <= {DEFAULT_FIRST_SCREEN_BAR}x (default) / "
        f"{SYNTHETIC_FIRST_SCREEN_BAR}x (10,000 actors) the baseline's; cursor move and link "
        f"follow median <= {MEDIAN_BAR}x and p95 <= {P95_BAR}x the baseline's cursor move "
        f"median and p95; <= {CURSOR_BYTES_LIMIT:,} B per cursor move. Issue 18: first screen "
        f"<= {HEAVY_FIRST_SCREEN_BAR}x the baseline's (heavy profile); RSS at first screen "
        f"<= {RSS_BAR}x the default dossier's (each synthetic dossier)."
    )
    print(
        f"Issue 18 at {LARGE_HEAVY_N:,} actors (heavy profile; not with --quick): the same "
        f"bars, first screen <= {HEAVY_FIRST_SCREEN_BAR}x the baseline's; its RSS row is "
        "information, with no bar. Progress goes to stderr."
    )


def run(*, quick: bool = False) -> None:
    """Print the environment, then the table (rows as each scenario is measured)."""
    sessions = QUICK_SESSIONS if quick else SESSIONS
    print_environment(sessions)
    print()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dossier-bench-terminal-") as temp:
        cache = Path(temp) / "cache"
        cache.mkdir()
        env = child_env(cache)
        n = QUICK_SYNTHETIC_N if quick else SYNTHETIC_N
        scenarios = [
            default_scenario(),
            *(
                synthetic_scenario(Path(temp) / f"synthetic-{profile}-{n}", n, profile)
                for profile in ("light", "heavy")
            ),
        ]
        if not quick:
            large = Path(temp) / f"synthetic-heavy-{LARGE_HEAVY_N}"
            scenarios.append(synthetic_scenario(large, LARGE_HEAVY_N, "heavy", rss_bar=False))
        default_rss = math.nan
        print("| scenario | metric | dossier | minimal app | ratio | bar | verdict |")
        print("|:---|:---|---:|---:|---:|:---|:---|")
        for scenario in scenarios:
            try:
                results = measure(scenario, env, sessions, notes, progress)
            except TerminalError as error:
                print(f"| {scenario.name} | not measured | | | | | FAIL |", flush=True)
                notes.append(f"{scenario.name}: {error}")
                continue
            dossier, minimal = results["dossier"], results["minimal"]
            for check in scenario.checks:
                print(check_row(scenario.name, check, dossier, minimal), flush=True)
            rss = dossier.value(FIRST_SCREEN, "rss")
            if not scenario.synthetic:
                default_rss = rss
            else:
                print(rss_row(scenario.name, rss, default_rss, bar=scenario.rss_bar), flush=True)
            notes.extend(repaint_notes(scenario.name, results))
    print()
    for note in notes:
        print(f"- {note}")
