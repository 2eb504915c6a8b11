"""One screen per file.

The explorer, help and picker are imported here. The analyst views are imported the
first time one is opened (or prepared, once the first screen is up): starting the
app needs only their keys and names, which :data:`VIEWS` lists.
"""

from __future__ import annotations

from importlib import import_module
from typing import NamedTuple

from .explorer import ExplorerScreen
from .help import HelpScreen
from .picker import PickerScreen
from .view import ViewScreen


class ViewEntry(NamedTuple):
    """An analyst view: the name it is shown by, and where its screen is."""

    name: str
    module: str
    screen: str


VIEWS: dict[str, ViewEntry] = {
    "matrix": ViewEntry("Stance matrix", "matrix", "MatrixScreen"),
    "timeline": ViewEntry("Timeline", "timeline", "TimelineScreen"),
    "evidence": ViewEntry("Evidence", "evidence", "EvidenceScreen"),
    "neighbourhood": ViewEntry("Neighbourhood", "neighbourhood", "NeighbourhoodScreen"),
    "search": ViewEntry("Search", "search", "SearchScreen"),
    "changes": ViewEntry("Changes", "changes", "ChangesScreen"),
}
"""Every analyst view by its history key (each screen's VIEW and NAME; a test checks)."""


def view_screen(view: str) -> type[ViewScreen]:
    """The screen class of ``view`` (a key of :data:`VIEWS`), imported on first use."""
    entry = VIEWS[view]
    screen: type[ViewScreen] = getattr(import_module(f"{__name__}.{entry.module}"), entry.screen)
    return screen


def __getattr__(name: str) -> type[ViewScreen]:
    """``from tui.screens import MatrixScreen`` still works (importing it then)."""
    for view, entry in VIEWS.items():
        if entry.screen == name:
            return view_screen(view)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "VIEWS",
    "ExplorerScreen",
    "HelpScreen",
    "PickerScreen",
    "ViewEntry",
    "ViewScreen",
    "view_screen",
]
