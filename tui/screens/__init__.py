"""One screen per file."""

from __future__ import annotations

from .explorer import ExplorerScreen

__all__ = ["ExplorerScreen"]
