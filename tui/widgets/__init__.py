"""Reusable widgets, each with its own DEFAULT_CSS."""

from __future__ import annotations

from .breadcrumb import Breadcrumb
from .detail import DetailPane
from .entity_list import EntityList
from .filter_bar import FilterBar
from .key_bar import KeyBar
from .problems import ProblemsPanel
from .stance_grid import StanceGrid, StanceTable, stance_legend
from .timeline_list import TimelineList
from .title_bar import TitleBar
from .tour_banner import TourBanner

__all__ = [
    "Breadcrumb",
    "DetailPane",
    "EntityList",
    "FilterBar",
    "KeyBar",
    "ProblemsPanel",
    "StanceGrid",
    "StanceTable",
    "TimelineList",
    "TitleBar",
    "TourBanner",
    "stance_legend",
]
