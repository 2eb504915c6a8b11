"""Text helpers shared by the loader, its messages and the app (no YAML in here).

Kept apart from :mod:`.fields` so that showing a dossier from the cache never
imports the YAML machinery.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 controls except tab and newline, DEL, C1 controls, and bidi overrides/isolates."""
_SHORT = 60


def clean_text(text: str) -> str:
    """Remove characters that could drive a terminal (controls, bidi overrides)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def shorten(text: str) -> str:
    """Content quoted in a message: cleaned, and cut if long."""
    text = clean_text(text)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A 'did you mean ...?' hint for ``word`` among ``choices``, or ''."""
    import difflib  # (only ever needed for a problem's hint)

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def slug(text: str) -> str:
    """A valid id made from ``text`` (for hints)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


__all__ = ["clean_text", "shorten", "slug", "suggest"]
