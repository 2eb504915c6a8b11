"""Text helpers shared by the loader, its messages and the app (no YAML in here).

Kept apart from :mod:`.fields` so that showing a dossier from the cache never
imports the YAML machinery.
"""

from __future__ import annotations

import os
import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 controls except tab and newline, DEL, C1 controls, and bidi overrides/isolates."""
_SHORT = 60
_LINE_BREAKS = str.maketrans({"\t": "\\t", "\n": "\\n", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_PATH_UNSAFE_CHARS = (
    "\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff"
)
"""What a printed path must not carry raw: C0 and C1 controls, DEL, line and paragraph
separators, direction marks, overrides and isolates, invisible characters, and the lone
surrogates that stand for bytes of a file name that are not UTF-8."""
_PATH_UNSAFE = re.compile(f"[{_PATH_UNSAFE_CHARS}]")
_PATH_ESCAPED = re.compile(f'[{_PATH_UNSAFE_CHARS}\\\\"]')
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\", '"': '\\"'}


def clean_text(text: str) -> str:
    """Remove characters that could drive a terminal (controls, bidi overrides)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def shorten(text: str) -> str:
    """Content quoted in a message: cleaned, line breaks shown as ``\\n``, cut if long."""
    text = clean_text(text).translate(_LINE_BREAKS)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_path(path: str | os.PathLike[str]) -> str:
    """``path`` as printed: unchanged if plain; else in double quotes with its controls,
    line breaks and direction characters escaped as in Python (``"a\\nb.yaml"``), so it
    is one line, drives no terminal and cannot pass for something else (git quotes
    unusual paths the same way)."""
    text = os.fspath(path)
    if not _PATH_UNSAFE.search(text):
        return text
    return '"' + _PATH_ESCAPED.sub(_escape, text) + '"'


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A 'did you mean ...?' hint for ``word`` among ``choices``, or ''."""
    import difflib  # (only ever needed for a problem's hint)

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def one_line(text: str) -> str:
    """``text`` for a single line of a line-API widget: breaks and tabs become spaces."""
    return " ".join(text.split()) if "\n" in text or "\t" in text else text


def slug(text: str) -> str:
    """A valid id made from ``text`` (for hints)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


__all__ = ["clean_text", "one_line", "printable_path", "shorten", "slug", "suggest"]
