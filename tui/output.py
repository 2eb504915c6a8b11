"""Fewer bytes to the terminal: a compacting pass over each frame Textual writes.

Textual writes every run of text as ``ESC[<full style>m text ESC[0m``: a reset after
each run and the whole style again before the next, even when only the foreground
changes, and a cursor move before every piece of a line. Over a slow SSH link those
bytes are what a user feels first. :func:`compact` rewrites one frame so that the
terminal ends up showing exactly the same cells in exactly the same colours:

- a style is sent only when text is about to be drawn in it, and then only as the
  change from the terminal's current style (a new foreground alone, say); a reset
  followed by the same style costs nothing;
- a cursor move to where the cursor already is (after plain text whose width is
  certain) is dropped, and so is a newline that is immediately followed by a move
  (unless it could scroll the screen);
- anything else (erasing, modes, queries, titles) passes through unchanged, after the
  pending style has been sent, so erasing fills with the right background.

Each call starts and ends with the terminal in its default style, as Textual's own
output does, so calls need no shared state. Anything the pass does not understand (an
unknown SGR parameter, say) is passed through with a full reset before the next style.

:class:`CompactDriver` applies :func:`compact` to everything the Linux driver writes.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from typing import Any, NamedTuple

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from .content.lru import SGR_STYLES, memoized
from .served import server_pid
from .textual_internals import draw_on

__all__ = ["CompactDriver", "compact", "driver_for"]

_TOKENS = re.compile(
    r"\x1b\[([0-9;]*)m([^\x00-\x1f\x7f]*)\x1b\[0?m"  # 1, 2: a run: SGR, text, reset
    r"|\x1b\[([0-9;]*)m"  # 3: SGR parameters
    r"|\x1b\[([0-9]*);([0-9]*)H"  # 4, 5: cursor position (row; column)
    r"|(\n)(?=\x1b\[[0-9]*;[0-9]*H)"  # 6: a newline right before a cursor move
    r"|(\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # 7: OSC ... (BEL or ST)
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # other CSI
    r"|\x1b[^\[\]]?"  # other escapes
    r"|[\x00-\x1f\x7f])"  # other control characters
)
"""The pieces of a frame. Textual writes each run of text as its style, the text and a
reset: one match for all three (most of a frame) keeps the pass quick."""

_ATTRIBUTES = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 21, 51, 52, 53})
_ATTRIBUTES_OFF: dict[int, frozenset[int]] = {
    22: frozenset({1, 2}),
    23: frozenset({3}),
    24: frozenset({4, 21}),
    25: frozenset({5, 6}),
    27: frozenset({7}),
    28: frozenset({8}),
    29: frozenset({9}),
    54: frozenset({51, 52}),
    55: frozenset({53}),
}


class _Style(NamedTuple):
    """What an SGR state means: attributes on, foreground and background parameters.

    A named tuple: styles are cache keys on every run of text, and tuples hash in C.
    """

    attributes: frozenset[int] = frozenset()
    foreground: str | None = None  # e.g. "31", "38;5;9", "38;2;1;2;3"; None: default
    background: str | None = None

    def codes(self) -> str:
        """The SGR parameters that set this style, starting from the default style."""
        codes = [str(attribute) for attribute in sorted(self.attributes)]
        if self.foreground is not None:
            codes.append(self.foreground)
        if self.background is not None:
            codes.append(self.background)
        return ";".join(codes)


_DEFAULT = _Style()


@memoized(SGR_STYLES)
def _apply(style: _Style | None, parameters: str) -> _Style | None:
    """``style`` after an SGR with ``parameters``; None when a parameter is not
    understood, or when the style before is not known (None) and the SGR does not
    begin with a reset."""
    if style is None:
        if parameters.split(";", 1)[0] not in ("", "0"):
            return None
        style = _DEFAULT
    attributes = set(style.attributes)
    foreground, background = style.foreground, style.background
    values = parameters.split(";")
    index = 0
    while index < len(values):
        value = values[index]
        if not value.isdigit():
            if value:
                return None
            code = 0
        else:
            code = int(value)
        index += 1
        if code == 0:
            attributes.clear()
            foreground = background = None
        elif code in _ATTRIBUTES:
            attributes.add(code)
        elif code in _ATTRIBUTES_OFF:
            attributes -= _ATTRIBUTES_OFF[code]
        elif 30 <= code <= 37 or 90 <= code <= 97:
            foreground = str(code)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            background = str(code)
        elif code == 39:
            foreground = None
        elif code == 49:
            background = None
        elif code in (38, 48):
            kind = values[index] if index < len(values) else ""
            size = {"5": 2, "2": 4}.get(kind)
            if size is None or index + size > len(values):
                return None
            extended = ";".join((str(code), *values[index : index + size]))
            if not all(part.isdigit() for part in values[index : index + size]):
                return None
            index += size
            if code == 38:
                foreground = extended
            else:
                background = extended
        else:
            return None
    return _Style(frozenset(attributes), foreground, background)


@memoized(SGR_STYLES)
def _change(current: _Style | None, wanted: _Style) -> str:
    """The shortest SGR sequence that takes the terminal from ``current`` to ``wanted``.

    Either a reset and the whole style, or the difference: attributes switched off by
    their own codes (22 for bold and dim, 27 for reverse video ...), attributes
    switched on, and only the colours that change.
    """
    if current == wanted:
        return ""
    full = f"\x1b[0;{wanted.codes()}m" if wanted != _DEFAULT else "\x1b[0m"
    if current is None:
        return full
    codes: list[str] = []
    attributes = set(current.attributes)
    for off, removes in _ATTRIBUTES_OFF.items():
        if removes & attributes and not removes & attributes <= wanted.attributes:
            codes.append(str(off))
            attributes -= removes
    codes += [str(attribute) for attribute in sorted(wanted.attributes - attributes)]
    if wanted.foreground != current.foreground:
        codes.append(wanted.foreground or "39")
    if wanted.background != current.background:
        codes.append(wanted.background or "49")
    delta = f"\x1b[{';'.join(codes)}m"
    return delta if len(delta) < len(full) else full


_SHOW_ON_BLANK = frozenset({4, 7, 9, 21, 53})
"""Attributes that change how a space looks: underlines, reverse video, strike, overline."""


@memoized(SGR_STYLES)
def _blank_style(current: _Style, wanted: _Style) -> _Style:
    """A style that draws spaces exactly as ``wanted`` does, with the fewest changes."""
    if (current.attributes | wanted.attributes) & _SHOW_ON_BLANK:
        return wanted
    return _Style(current.attributes, current.foreground, wanted.background)


_CERTAIN_WIDTH = re.compile("[ -~\u00a0-\u00ac\u00ae-\u02ff\u2500-\u259f]*").fullmatch


def _certain_width(text: str) -> bool:
    """True if every terminal draws ``text`` one cell per character.

    Printable ASCII, Latin letters and signs (not the soft hyphen or C1 controls), box
    drawing and block elements: characters whose width no terminal disputes (East Asian
    "ambiguous width" settings aside, under which Textual's borders are out of line too).
    """
    return (text.isascii() and text.isprintable()) or _CERTAIN_WIDTH(text) is not None


def compact(frame: str, width: int, height: int) -> str:
    """``frame`` with the same effect on the screen, in fewer bytes (see the module doc).

    ``width`` and ``height`` are the terminal's size: text that reaches past the last
    column wraps (after it the cursor's position counts as unknown), and a newline on
    the bottom row scrolls (so it is never dropped there).
    """
    out: list[str] = []
    append = out.append
    current: _Style | None = _DEFAULT  # the terminal's style; None: not known
    wanted: _Style | None = _DEFAULT  # the style text must be drawn in; None: as is
    row = column = -1  # where the cursor is; -1: not known
    position = 0

    def settle(blank: bool = False) -> None:
        """Send the wanted style if the terminal is not in it yet.

        For ``blank`` text (spaces only) only the background and the attributes that
        show on a blank cell have to match.
        """
        nonlocal current
        if wanted is None or current == wanted:
            return
        target = wanted
        if blank and current is not None:
            target = _blank_style(current, wanted)
            if current == target:
                return
        append(_change(current, target))
        current = target

    def draw(text: str) -> None:
        """Draw plain ``text`` (no control characters) in the wanted style."""
        nonlocal row, column
        settle(not text.strip(" "))
        append(text)
        if column >= 0 and column + len(text) <= width and _certain_width(text):
            column += len(text)
        elif column >= 0 and column + 2 * len(text) <= width:
            column = -1  # still on the same row: no character is wider than two cells
        else:
            row = column = -1  # it may have wrapped

    def style(parameters: str) -> None:
        """Take in an SGR with ``parameters``."""
        nonlocal wanted, current
        after = _apply(wanted, parameters)
        if after is None:  # not understood: pass it on as it is
            settle()
            append(f"\x1b[{parameters}m")
            current = wanted = None
        else:
            wanted = after

    for match in _TOKENS.finditer(frame):
        start = match.start()
        if start > position:  # text
            draw(frame[position:start])
        position = match.end()
        run, text, parameters, move_row, move_column, newline, other = match.groups()
        if run is not None:  # the common case, inline: style(run), draw(text), style("0")
            after = _apply(wanted, run)
            if after is None:
                style(run)
            else:
                wanted = after
            if text:
                if wanted is not None and current != wanted:
                    settle(not text.strip(" "))
                append(text)
                size = len(text)
                if column >= 0 and column + size <= width and _certain_width(text):
                    column += size
                elif column >= 0 and column + 2 * size <= width:
                    column = -1
                else:
                    row = column = -1
            wanted = _DEFAULT
        elif parameters is not None:
            style(parameters)
        elif move_row is not None:
            target = (int(move_row or 1), int(move_column or 1))
            if column < 0 or target != (row, column):
                append(match.group())
                row, column = target
        elif newline is not None:
            # Dropped when it cannot scroll: the cursor is on a known row, not the
            # bottom one (the move that follows puts the cursor where it belongs).
            if not 0 < row < height:
                settle()
                append("\n")
                row = column = -1
        else:
            settle()
            append(other)
            row = column = -1
    if position < len(frame):
        settle()
        append(frame[position:])
    settle()
    return "".join(out)


class CompactDriver(LinuxDriver):
    """Textual's Linux driver, writing each frame through :func:`compact`.

    ``DOSSIER_PLAIN_OUTPUT=1`` in the environment turns the pass off (for comparing
    output, or a terminal that misbehaves with it).

    Served (``DOSSIER_SERVED``, set by ``dossier serve`` for its sessions), the screen is
    written to stdout, the pty, instead of Textual's stderr: stderr is then a pipe to the
    server, so a traceback is logged there and never reaches the client's terminal.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if server_pid() is not None and sys.__stdout__ is not None:
            draw_on(self, sys.__stdout__)

    def write(self, data: str) -> None:
        """Write ``data`` compacted (see :func:`compact`)."""
        # The terminal's size as Textual's driver works it out (80x25 where unknown).
        width, height = shutil.get_terminal_size()
        super().write(compact(data, width or 80, height or 25))


def driver_for(default: type[Driver]) -> type[Driver]:
    """The driver an app runs on: :class:`CompactDriver` where Textual would use its
    Linux driver (unless ``DOSSIER_PLAIN_OUTPUT`` is set), else Textual's choice."""
    if default is LinuxDriver and not os.environ.get("DOSSIER_PLAIN_OUTPUT"):
        return CompactDriver
    return default
