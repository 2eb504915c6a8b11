"""The tour caption banner: large, high-contrast, with progress, readable across a room."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TourBanner(Static):
    """Shows ``3/9`` and the caption of the current tour stop."""

    DEFAULT_CSS = """
    TourBanner {
        display: none;
        height: auto;
        max-height: 8;
        padding: 1 2;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    TourBanner.-active { display: block; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)

    def show_stop(self, number: int, total: int, caption: str, target_label: str) -> None:
        text = Text()
        text.append(f" {number}/{total} ", style="reverse")
        text.append(f"  {target_label}\n\n", style="bold")
        text.append(caption)
        self.update(text)
        self.add_class("-active")

    def hide(self) -> None:
        self.remove_class("-active")
