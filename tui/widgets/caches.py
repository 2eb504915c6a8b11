"""The one cache type of the widgets, and every cache's size in one place.

Every widget cache is a :class:`~textual.cache.LRUCache` (Textual's own, public: its
OptionList keeps its caches in one): a hit costs a dict look-up and a link move, the
least recently used entry goes when it is full. Caches that depend on a look (the
theme, focus, the widget's size) are emptied when the look changes; the sizes here
only bound how much a long session keeps.
"""

from __future__ import annotations

from textual.cache import LRUCache

FRAMED_LINES = 512
"""Framed lines kept per widget for rows drawn again (:mod:`.framed`)."""
LIST_ROWS = 4096
"""Rendered rows kept per entity list (entity, linked?, cursor?, width)."""
DETAIL_ENTITIES = 64
"""Entities whose detail lines (and wrapping so far) the detail pane keeps."""
BAR_COLUMNS = 512
"""Inline scrollbar columns kept, shared by every pane (:mod:`.inline_bar`)."""
GRID_ROWS = 256
"""Rendered rows kept by the stance matrix (actor, cursor's column, first column, width)."""

__all__ = [
    "BAR_COLUMNS",
    "DETAIL_ENTITIES",
    "FRAMED_LINES",
    "GRID_ROWS",
    "LIST_ROWS",
    "LRUCache",
]
