"""A panel listing load problems (file:line:col: message) while the last good content stays."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class ProblemsPanel(Static):
    """Hidden when there is nothing to report."""

    DEFAULT_CSS = """
    ProblemsPanel {
        display: none;
        height: auto;
        max-height: 10;
        overflow-y: auto;
        border-top: heavy $error;
        background: $error 15%;
        padding: 0 1;
    }
    ProblemsPanel.-active { display: block; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self.problems: list[str] = []

    def set_problems(self, problems: Sequence[str]) -> None:
        """Show ``problems`` (already cleaned of control characters), or hide if none."""
        self.problems = list(problems)
        if not problems:
            self.remove_class("-active")
            return
        text = Text()
        count = len(problems)
        text.append(
            f"The dossier has {count} problem{'s' if count != 1 else ''}; "
            "showing the last good version until they are fixed.\n",
            style="bold",
        )
        text.append("\n".join(problems))
        self.update(text)
        self.add_class("-active")
