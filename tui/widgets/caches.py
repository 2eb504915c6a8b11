"""The widgets' caches: the one cache type and the sizes they use.

Every widget cache is a :class:`~tui.content.lru.LRUCache`, tui's one cache type; it
and every cache's size are defined in :mod:`tui.content.lru` (which has no Textual, so
the content layer shares them) and re-exported here for the widgets. Caches that
depend on a look (the theme, focus, the widget's size) are emptied when the look
changes; the sizes only bound how much a long session keeps.
"""

from __future__ import annotations

from ..content.lru import (
    BAR_COLUMNS,
    DETAIL_ENTITIES,
    FRAMED_LINES,
    GRID_ROWS,
    LIST_ROWS,
    LRUCache,
)

__all__ = [
    "BAR_COLUMNS",
    "DETAIL_ENTITIES",
    "FRAMED_LINES",
    "GRID_ROWS",
    "LIST_ROWS",
    "LRUCache",
]
