"""Reusable widgets, each with its own DEFAULT_CSS."""

from __future__ import annotations

from .detail import DetailPane
from .entity_list import EntityList

__all__ = ["DetailPane", "EntityList"]
