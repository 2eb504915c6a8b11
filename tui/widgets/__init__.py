"""Reusable widgets, each with its own DEFAULT_CSS."""

from __future__ import annotations

from .breadcrumb import Breadcrumb
from .detail import DetailPane
from .entity_list import EntityList
from .filter_bar import FilterBar
from .problems import ProblemsPanel
from .tour_banner import TourBanner

__all__ = ["Breadcrumb", "DetailPane", "EntityList", "FilterBar", "ProblemsPanel", "TourBanner"]
