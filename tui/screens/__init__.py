"""One screen per file."""

from __future__ import annotations

from .evidence import EvidenceScreen
from .explorer import ExplorerScreen
from .help import HelpScreen
from .matrix import MatrixScreen
from .neighbourhood import NeighbourhoodScreen
from .picker import PickerScreen
from .timeline import TimelineScreen
from .view import ViewScreen

VIEW_SCREENS: dict[str, type[ViewScreen]] = {
    screen.VIEW: screen
    for screen in (MatrixScreen, TimelineScreen, EvidenceScreen, NeighbourhoodScreen)
}
"""Every analyst view by its history key."""

__all__ = [
    "VIEW_SCREENS",
    "EvidenceScreen",
    "ExplorerScreen",
    "HelpScreen",
    "MatrixScreen",
    "NeighbourhoodScreen",
    "PickerScreen",
    "TimelineScreen",
    "ViewScreen",
]
