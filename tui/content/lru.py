"""The one cache type of tui, :class:`LRUCache`, and every bounded cache's size.

A cache that keeps what it worked out (rows drawn, detail lines, a terminal style
change, a folded character) is an :class:`LRUCache`: a hit costs a dict look-up and
a move to the end, the least recently used entry goes when it is full. A pure function
whose results are worth keeping is :func:`memoized`, over the same type. The sizes of
all of them are here, whichever layer they serve, so one page shows how much a long
session keeps; they only bound memory (a cache that depends on a look, such as the
theme or a widget's size, is emptied when the look changes).

It lives in :mod:`tui.content`, which has no Textual, so the content layer can use it
too; :mod:`tui.widgets.caches` re-exports it for the widgets. What is not here on
purpose: a memo bound to the life of an object (the stance table of each loaded index,
:mod:`.stances`), which no size should bound, and the pickled load cache on disk
(:mod:`.cache`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress
from functools import wraps
from typing import Generic, ParamSpec, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")

# -- widgets (tui/widgets) -------------------------------------------------------
FRAMED_LINES = 512
"""Framed lines kept per widget for rows drawn again (:mod:`tui.widgets.framed`)."""
LIST_ROWS = 4096
"""Rendered rows kept per entity list (entity, linked?, cursor?, width)."""
DETAIL_ENTITIES = 64
"""Entities whose detail lines (and wrapping so far) the detail pane keeps."""
BAR_COLUMNS = 512
"""Inline scrollbar columns kept, shared by every pane (:mod:`tui.widgets.inline_bar`)."""
GRID_ROWS = 256
"""Rendered rows kept by the stance matrix (actor, cursor's column, first column, width)."""
# -- the terminal output (tui/output.py) -------------------------------------------
SGR_STYLES = 4096
"""Each of: a style after an SGR sequence, the change from one style to another, the
style a run of spaces needs (a frame uses a few dozen styles)."""
# -- content ---------------------------------------------------------------------
FOLDED_CHARACTERS = 4096
"""Characters folded for quote matching (:mod:`.evidence`)."""


class LRUCache(Generic[K, V]):
    """At most ``maxsize`` entries; getting or setting one makes it the most recent,
    and setting one into a full cache drops the least recent.

    Safe to share between threads (a worker and the event loop) without a lock: each
    step is one operation on an ``OrderedDict``, atomic in CPython; a race between two
    threads costs at most a value worked out again.
    """

    __slots__ = ("_data", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, or None."""
        data = self._data
        value = data.pop(key, None)
        if value is not None:
            data[key] = value  # back in, as the most recent
        return value

    def set(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key``."""
        data = self._data
        data.pop(key, None)
        data[key] = value
        if len(data) > self.maxsize:
            with suppress(KeyError):  # another thread emptied the cache just now
                data.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry."""
        self._data.clear()


def memoized(maxsize: int) -> Callable[[Callable[P, V]], Callable[P, V]]:
    """Decorator: keep the results of a pure function of hashable positional
    arguments in an :class:`LRUCache` of ``maxsize`` (None results are not kept)."""

    def decorate(function: Callable[P, V]) -> Callable[P, V]:
        cache: LRUCache[Hashable, V] = LRUCache(maxsize)

        @wraps(function)
        def remembered(*args: P.args, **kwargs: P.kwargs) -> V:
            if kwargs:  # not a key this cache makes: call through
                return function(*args, **kwargs)
            value = cache.get(args)
            if value is None:
                value = function(*args, **kwargs)
                if value is not None:
                    cache.set(args, value)
            return value

        return remembered

    return decorate


__all__ = [
    "BAR_COLUMNS",
    "DETAIL_ENTITIES",
    "FOLDED_CHARACTERS",
    "FRAMED_LINES",
    "GRID_ROWS",
    "LIST_ROWS",
    "SGR_STYLES",
    "LRUCache",
    "memoized",
]
