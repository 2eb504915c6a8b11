"""Reusable widgets, each with its own DEFAULT_CSS.

The explorer's widgets are imported here; the analyst views' own widgets
(:mod:`.stance_grid`, :mod:`.timeline_list`) are imported from their modules, so
starting the app does not load them.
"""

from __future__ import annotations

from .breadcrumb import Breadcrumb
from .cursor_list import CursorList
from .detail import DetailPane, LinesPane
from .entity_list import EntityList
from .filter_bar import FilterBar
from .key_bar import KeyBar
from .line_pane import LinePane
from .problems import ProblemsPanel
from .room_banner import RoomBanner, room_banner
from .title_bar import TitleBar
from .tour_banner import TourBanner

__all__ = [
    "Breadcrumb",
    "CursorList",
    "DetailPane",
    "EntityList",
    "FilterBar",
    "KeyBar",
    "LinePane",
    "LinesPane",
    "ProblemsPanel",
    "RoomBanner",
    "TitleBar",
    "TourBanner",
    "room_banner",
]
