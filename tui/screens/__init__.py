"""One screen per file."""

from __future__ import annotations

from .explorer import ExplorerScreen
from .help import HelpScreen
from .picker import PickerScreen

__all__ = ["ExplorerScreen", "HelpScreen", "PickerScreen"]
