"""Which editor to start on a dossier file, and how to tell it the line.

No Textual here: :mod:`tui.edit` suspends the app and runs what :func:`editor_argv`
builds. The author's ``$VISUAL`` (then ``$EDITOR``) is split as a shell would split it
(quotes kept together) but never given to a shell, so nothing in it, or in a file's
name, is interpreted. Editors disagree on how to be told a line: the common families
are known by the name of their program; an editor we do not know gets the file alone.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

FALLBACKS = ("editor", "sensible-editor", "nano", "vi")
"""Tried in order when neither ``$VISUAL`` nor ``$EDITOR`` is set (``editor`` is
Debian's choice of the system's editor)."""

_PLUS_LINE = frozenset(
    {"vi", "vim", "nvim", "gvim", "mvim", "view", "nvi", "elvis", "vis", "ex", "joe", "jed"}
    | {"mg", "ne", "pico", "gedit", "jove", "zile"}
)
"""Editors taking ``+LINE FILE``."""
_PLUS_LINE_COLON_COL = frozenset({"emacs", "emacsclient", "micro", "kak", "kakoune"})
"""Editors taking ``+LINE:COL FILE``."""
_PLUS_LINE_COMMA_COL = frozenset({"nano", "rnano"})
"""Editors taking ``+LINE,COL FILE``."""
_GOTO = frozenset({"code", "code-insiders", "codium", "vscodium", "cursor", "windsurf"})
"""VS Code and its forks: ``--goto FILE:LINE:COL``, and ``--wait`` so that it returns
only when the file's tab is closed."""
_FILE_LINE_COL = frozenset({"hx", "helix", "subl", "sublime_text", "zed", "zeditor"})
"""Editors taking ``FILE:LINE:COL``."""
_KNOWN = (
    _PLUS_LINE | _PLUS_LINE_COLON_COL | _PLUS_LINE_COMMA_COL | _GOTO | _FILE_LINE_COL | {"kate"}
)
_WAIT_FLAGS = {"subl": "--wait", "sublime_text": "--wait", "zed": "--wait", "zeditor": "--wait"}
"""Graphical editors that return at once unless told to wait for the file."""


class EditorError(ValueError):
    """No editor could be found, or its command could not be understood."""


def editor_command(
    env: Mapping[str, str], which: Callable[[str], str | None] = shutil.which
) -> list[str]:
    """The author's editor as an argument list: ``$VISUAL``, then ``$EDITOR``, then the
    first of :data:`FALLBACKS` on ``PATH``."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if not value:
            continue
        try:
            words = shlex.split(value)
        except ValueError as error:
            raise EditorError(f"${name} cannot be split into words ({error}): {value!r}") from None
        if words:
            return words
    for fallback in FALLBACKS:
        found = which(fallback)
        if found:
            return [found]
    raise EditorError("no editor found: set $VISUAL or $EDITOR (for example EDITOR=nano)")


def editor_family(
    program: str,
    which: Callable[[str], str | None] = shutil.which,
    resolve: Callable[[str], str] = os.path.realpath,
) -> str:
    """The name an editor's program goes by, for choosing how to give it a line.

    A name we do not know is looked up on ``PATH`` and followed through links to the
    program it names (Debian's ``editor`` is a link to nano or vim); ``.exe`` and
    version suffixes (``vim.basic``, ``nvim-0.10``) are dropped.
    """
    name = _known_name(Path(program).name)
    if name is None:
        located = program if os.sep in program else which(program)
        name = _known_name(Path(resolve(located)).name) if located else None
    return name or Path(program).name.lower()


def _known_name(name: str) -> str | None:
    name = name.lower().removesuffix(".exe")
    if name in _KNOWN:
        return name
    for separator in (".", "-"):
        head = name.split(separator, 1)[0]
        if head in _KNOWN:
            return head
    return None


def editor_argv(command: list[str], path: Path, line: int, col: int = 0) -> list[str]:
    """``command`` (from :func:`editor_command`) opening ``path`` at ``line`` (1-based;
    0 or less: the top) and, where the editor takes one, ``col``.

    ``path`` is made absolute, so that a file named like an option (``-c``, ``+cmd``)
    is never read as one.
    """
    if not command:
        raise EditorError("the editor command is empty")
    file = str(path.absolute())
    family = editor_family(command[0])
    line = max(line, 1)
    col = max(col, 1)
    if family in _GOTO:
        wait = [] if "--wait" in command or "-w" in command else ["--wait"]
        return [*command, *wait, "--goto", f"{file}:{line}:{col}"]
    if family in _FILE_LINE_COL:
        flag = _WAIT_FLAGS.get(family)
        wait = [flag] if flag and flag not in command and "-w" not in command else []
        return [*command, *wait, f"{file}:{line}:{col}"]
    if family in _PLUS_LINE_COLON_COL:
        return [*command, f"+{line}:{col}", file]
    if family in _PLUS_LINE_COMMA_COL:
        return [*command, f"+{line},{col}", file]
    if family in _PLUS_LINE:
        return [*command, f"+{line}", file]
    if family == "kate":
        return [*command, "--block", "--line", str(line), "--column", str(col), file]
    return [*command, file]
