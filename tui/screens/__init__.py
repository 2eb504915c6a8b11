"""One screen per file."""

from __future__ import annotations

from .explorer import ExplorerScreen
from .help import HelpScreen

__all__ = ["ExplorerScreen", "HelpScreen"]
