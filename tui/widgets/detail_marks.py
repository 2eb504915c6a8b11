"""Search hits in the detail pane: the words of a search marked wherever the item's
detail says them, the line of the hit opened from the search view highlighted and
scrolled into view, and the moves from one marked line to the next.

:class:`DetailMarks` is a mixin of :class:`~tui.widgets.detail.DetailPane`, which wraps
its lines through :meth:`DetailMarks.marked` (so marked words keep their look however
the line wraps) and forgets the marks when it shows another item. The search module is
imported only when a search is marked: the explorer's first screen never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from .detail_lines import DetailLine
from .mixin import WidgetMixin

MARK_STYLE = Style(bold=True, reverse=True)
"""How a searched word looks in the detail (a look that stays in NO_COLOR)."""
PROBE = 60
"""Characters of the hit's text looked for to find the line that shows it."""


class DetailMarks(WidgetMixin):
    """The words of a search, marked in the lines shown (see the module doc)."""

    lines: list[DetailLine]
    _highlighted: int | None

    if TYPE_CHECKING:

        def set_lines(self, labels: dict[int, str]) -> None: ...
        def _scroll_to_line(self, line: int) -> None: ...
        def _refresh_line_rows(self, line: int) -> None: ...

    _marks: dict[int, tuple[tuple[int, int], ...]] = {}
    """Line number -> (start, end) of each searched word in its text (empty: no search)."""
    _mark_line: int | None = None
    """The marked line the moves are at."""

    @property
    def marked_lines(self) -> list[int]:
        """The lines that say a searched word, in order (empty when no search is shown)."""
        return sorted(self._marks)

    @property
    def mark_line(self) -> int | None:
        """The marked line the hit moves are at (None when no search is shown)."""
        return self._mark_line

    def mark_search(self, terms: Sequence[str], text: str) -> int | None:
        """Mark ``terms`` (folded, as a search's) in the lines shown, and highlight and
        scroll to the line that shows ``text`` (the hit's text; else the first marked
        line). Returns that line, or None when no line says any of the terms."""
        from ..content.search import fold, match_spans  # only once a search is opened

        marks: dict[int, tuple[tuple[int, int], ...]] = {}
        for number, line in enumerate(self.lines):
            spans = match_spans(line.text.plain, terms)[0] if terms else ()
            if spans:
                marks[number] = spans
        self._marks = marks
        if not marks:
            self._mark_line = None
            return None
        probe = " ".join(fold(text).split())[:PROBE]

        def says_it(number: int) -> bool:
            return bool(probe) and probe in " ".join(fold(self.lines[number].text.plain).split())

        found = next((n for n in sorted(marks) if says_it(n)), min(marks))
        self.set_lines({})  # wrap again, through marked()
        self._go_to_mark(found)
        return found

    def clear_marks(self) -> None:
        """Show the lines unmarked again (when a search was shown)."""
        if self._marks:
            self._forget_marks()
            self.set_lines({})

    def _forget_marks(self) -> None:
        self._marks = {}
        self._mark_line = None

    def next_mark(self, step: int) -> int | None:
        """Go to the next (``step`` 1) or previous (-1) marked line; None at the end."""
        lines = self.marked_lines
        current = self._mark_line
        if not lines:
            return None
        if current is None:
            following = lines if step > 0 else lines[::-1]
        else:
            following = [n for n in lines if (n - current) * step > 0]
            if step < 0:
                following.reverse()
        if not following:
            return None
        self._go_to_mark(following[0])
        return following[0]

    def _go_to_mark(self, line: int) -> None:
        old, self._highlighted = self._highlighted, line
        self._mark_line = line
        for changed in (old, line):
            if changed is not None:
                self._refresh_line_rows(changed)
        self._scroll_to_line(line)

    def marked(self, number: int, text: Text) -> Text:
        """Line ``number``'s ``text`` with the searched words marked (as it is if none)."""
        spans = self._marks.get(number)
        if not spans:
            return text
        text = text.copy()
        for start, end in spans:
            text.stylize(MARK_STYLE, start, end)
        return text


__all__ = ["MARK_STYLE", "DetailMarks"]
