"""Authoring commands: ``dossier new`` (a starter dossier) and ``dossier export`` (a briefing).

Like the data layer, nothing here imports Textual: these commands run without the app.
"""

from __future__ import annotations

from .briefing import build_briefing
from .export import briefing, write_atomically
from .new import create_dossier, name_problem, starter_contents
from .render import FORMATS, render, render_html, render_markdown

__all__ = [
    "FORMATS",
    "briefing",
    "build_briefing",
    "create_dossier",
    "name_problem",
    "render",
    "render_html",
    "render_markdown",
    "starter_contents",
    "write_atomically",
]
