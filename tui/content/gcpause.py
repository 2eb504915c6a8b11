"""Keeping Python's cyclic garbage collector out of the way of a load.

Loading (or unpickling) a dossier allocates millions of small containers and
creates no reference cycles. Left running, the collector rescans the growing heap
again and again, which costs more than parsing itself (measured: 2-3x on a
10,000-actor dossier). So the collector is paused while the model is built, and
what was built is then frozen (moved out of the collector's sight) before it is
switched back on: a loaded dossier lives as long as the app, has nothing for the
collector to find, and is still freed by reference counting when a reload drops it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle_startup_memory() -> None:
    """Once the first screen is up: collect the start-up garbage, then freeze the rest.

    What is alive then (the app, its widgets and styles, the dossier) lives as long as
    the app. Frozen, it is no longer walked by the collector's full passes, which
    otherwise stall a key press now and then for tens of milliseconds.
    """
    gc.collect()
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector; on leaving, freeze what was allocated, then resume."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
