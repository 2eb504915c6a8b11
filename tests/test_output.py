"""The compacting output pass: the same screen for fewer bytes.

The reference is a real terminal emulator (pyte): a frame and its compacted form must
leave every cell with the same character, colours and attributes, and the cursor in
the same place, whatever came before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyte.screens import Char

from tui.output import compact

COLUMNS, ROWS = 24, 6

_COLOURS = ("31", "97", "38;5;208", "38;2;10;20;30", "38;2;200;200;200")
_BACKGROUNDS = ("44", "107", "48;5;17", "48;2;30;30;30", "48;2;0;0;0")
_ATTRIBUTES = ("1", "2", "3", "4", "7", "9", "21", "53")


@st.composite
def styles(draw: st.DrawFn) -> str:
    """SGR parameters as Textual writes them: attributes, then colours, none repeated."""
    codes = sorted(draw(st.sets(st.sampled_from(_ATTRIBUTES), max_size=3)), key=int)
    if draw(st.booleans()):
        codes.append(draw(st.sampled_from(_COLOURS)))
    if draw(st.booleans()):
        codes.append(draw(st.sampled_from(_BACKGROUNDS)))
    return ";".join(codes)


_TEXT = st.text(alphabet=st.sampled_from("ab Z│─•語"), min_size=1, max_size=8)


@st.composite
def pieces(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["styled", "styled", "styled", "move", "plain", "other"]))
    if kind == "styled":  # Textual's shape: ESC[style m text ESC[0m
        return f"\x1b[{draw(styles())}m{draw(_TEXT)}\x1b[0m"
    if kind == "move":
        row = draw(st.integers(1, ROWS))
        column = draw(st.integers(1, COLUMNS))
        return ("\n" if draw(st.booleans()) else "") + f"\x1b[{row};{column}H"
    if kind == "plain":
        return draw(_TEXT)
    return draw(
        st.sampled_from(
            [
                "\x1b[K",  # erase to the end of the line: uses the current background
                "\x1b[?2026h",
                "\x1b[?2026l",
                f"\x1b[{draw(styles())}m",  # a style left on
                "\x1b[58;5;3m",  # an SGR the pass does not follow
                "\x1b[38;5m",  # a malformed one
                "\r",
                "\n",
            ]
        )
    )


def looks(cell: Char) -> Char:
    """What shows of ``cell``: on a blank, only the background and what draws on it."""
    if cell.data == " " and not (cell.underscore or cell.strikethrough or cell.reverse):
        return cell._replace(fg="default", bold=False, italics=False, blink=False)
    return cell


def screen_after(*writes: str) -> tuple[object, ...]:
    """How every cell looks, the cursor and its style after feeding ``writes``."""
    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.Stream(screen)
    for data in writes:
        stream.feed(data)
    cells = tuple(tuple(looks(screen.buffer[y][x]) for x in range(COLUMNS)) for y in range(ROWS))
    return cells, (screen.cursor.x, screen.cursor.y), screen.cursor.attrs


@settings(max_examples=400, deadline=None)
@given(before=st.lists(pieces(), max_size=6), frame=st.lists(pieces(), min_size=1, max_size=30))
def test_a_compacted_frame_leaves_the_same_screen(before: list[str], frame: list[str]) -> None:
    earlier = "".join(before) + "\x1b[0m"  # frames start in the default style
    data = "".join(frame)
    assert screen_after(earlier, compact(data, COLUMNS, ROWS)) == screen_after(earlier, data)


def test_a_reset_followed_by_the_same_style_costs_nothing() -> None:
    style = "\x1b[38;2;224;224;224;48;2;30;30;30m"
    frame = f"\x1b[2;3H{style}Japan\x1b[0m{style} and Russia\x1b[0m"
    assert compact(frame, COLUMNS, ROWS) == f"\x1b[2;3H{style}Japan and Russia\x1b[0m"


def test_only_the_changed_colour_is_sent() -> None:
    frame = (
        "\x1b[38;2;1;1;1;48;2;30;30;30mab\x1b[0m"
        "\x1b[38;2;2;2;2;48;2;30;30;30mcd\x1b[0m"
        "\x1b[1;38;2;2;2;2;48;2;30;30;30mef\x1b[0m"
    )
    assert compact(frame, COLUMNS, ROWS) == (
        "\x1b[38;2;1;1;1;48;2;30;30;30mab\x1b[38;2;2;2;2mcd\x1b[1mef\x1b[0m"
    )


def test_spaces_keep_the_foreground_they_find() -> None:
    frame = "\x1b[38;2;1;1;1;48;2;9;9;9mab\x1b[0m\x1b[48;2;9;9;9m   \x1b[0m"
    assert compact(frame, COLUMNS, ROWS) == "\x1b[38;2;1;1;1;48;2;9;9;9mab   \x1b[0m"


def test_a_move_to_where_the_cursor_is_is_dropped() -> None:
    assert compact("\x1b[3;1Habc\x1b[3;4Hd\n\x1b[4;1He", COLUMNS, ROWS) == "\x1b[3;1Habcd\x1b[4;1He"


def test_a_move_after_text_of_uncertain_width_is_kept() -> None:
    assert compact("\x1b[3;1H語\x1b[3;3Hd", COLUMNS, ROWS) == "\x1b[3;1H語\x1b[3;3Hd"


@pytest.mark.parametrize(
    "frame",
    [
        "\x1b[58;5;3mab\x1b[0m",  # an SGR parameter the pass does not know
        "\x1b[38;5mab\x1b[0m",  # a malformed colour
        "\x1b]0;title\x07\x1b[1mx\x1b[0m",  # an OSC
    ],
)
def test_what_is_not_understood_is_passed_on(frame: str) -> None:
    out = compact(frame, COLUMNS, ROWS)
    for part in ("\x1b[58;5;3m", "\x1b[38;5m", "\x1b]0;title\x07"):
        assert (part in out) == (part in frame)
    assert screen_after(out) == screen_after(frame)


def test_a_frame_leaves_the_terminal_in_the_style_it_asked_for() -> None:
    assert compact("\x1b[1;31mab\x1b[0m", COLUMNS, ROWS).endswith("ab\x1b[0m")
    assert compact("\x1b[1;31mab\x1b[0m\x1b[31m", COLUMNS, ROWS).endswith("ab\x1b[22m")
    assert compact("\x1b[1;31mab", COLUMNS, ROWS) == "\x1b[1;31mab"


# -- the real app on a pseudo-terminal -----------------------------------------
def _settle(fd: int, stream: pyte.ByteStream, quiet: float = 0.4, limit: float = 20.0) -> None:
    """Feed the terminal's output to ``stream`` until it has been quiet for ``quiet`` s."""
    deadline = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - last < quiet:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                return
            if not data:
                return
            stream.feed(data)
            last = time.monotonic()


def _resize(fd: int, pid: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    os.kill(pid, signal.SIGWINCH)


def _looks(screen: pyte.Screen) -> list[list[Char]]:
    return [
        [looks(screen.buffer[y][x]) for x in range(screen.columns)] for y in range(screen.lines)
    ]


def test_what_the_app_draws_step_by_step_is_what_a_full_redraw_draws(tmp_path: Path) -> None:
    """Browse with partial repaints, then force a full redraw: not one cell may differ.

    This checks the compacting pass and every "repaint only what changed" shortcut of
    the widgets together, through a real terminal emulator.
    """
    columns, rows = 100, 30
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "DOSSIER_NO_CACHE": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tui"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    try:
        _settle(master, stream, quiet=1.0, limit=30.0)
        assert "Actors (23)" in "\n".join(screen.display)
        keys = [
            b"\x1b[B", b"\x1b[B", b"\x1b[B", b"\x1b[A",  # browse actors
            b"\r", b"\x1b[B", b"\x1b[B", b"\r",  # open, highlight a link, follow it
            b"\x7f", b"\x1b[6~", b"\x1b[B",  # back, page down in the detail pane
            b"2", b"\x1b[B", b"\x1b[B", b"j",  # issues
            b"3", b"\x1b[B", b"\x1b[A", b"1", b"G", b"g",  # assessments, actors ends
        ]  # fmt: skip
        for key in keys:
            os.write(master, key)
            _settle(master, stream, quiet=0.25)
        stepwise = _looks(screen)
        _resize(master, process.pid, columns - 20, rows - 4)
        _settle(master, stream)
        _resize(master, process.pid, columns, rows)
        _settle(master, stream, quiet=1.0)
        redrawn = _looks(screen)
        different = [
            (y, x) for y in range(rows) for x in range(columns) if stepwise[y][x] != redrawn[y][x]
        ]
        assert not different, "\n".join(screen.display)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        os.close(master)


def test_an_attribute_is_switched_off_by_its_own_code() -> None:
    # A scrollbar cell (reverse video) and then a border of another colour, same background.
    frame = "\x1b[7;38;2;0;48;84;48;2;30;30;30m \x1b[0m\x1b[38;2;0;83;170;48;2;30;30;30m│\x1b[0m"
    assert compact(frame, COLUMNS, ROWS) == (
        "\x1b[7;38;2;0;48;84;48;2;30;30;30m \x1b[27;38;2;0;83;170m│\x1b[0m"
    )
