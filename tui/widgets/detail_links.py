"""The detail pane's links: highlighting one, moving between them, following one,
preparing a highlighted link's target, and the link-hint mode (a label on every link;
typing it follows the link).

:class:`DetailLinks` is a mixin of :class:`~tui.widgets.detail.DetailPane`, which
owns the lines and their wrapping (``_line_rows``, ``_ensure_rows``) and posts the
message a followed link sends (``_choose``).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.timer import Timer

from .detail_lines import DetailLine
from .mixin import WidgetMixin

HINT_KEYS = "asdfghjklqwertyuiopzxcvbnm"
SCROLL_STEP = 3
"""Rows scrolled by up/down when no link is near enough to move to."""
PREFETCH_DELAY = 0.05
"""Seconds a link stays highlighted before its target's detail is prepared."""


def hint_labels(count: int) -> list[str]:
    """``count`` prefix-free labels: single letters while they last, else two letters."""
    if count <= len(HINT_KEYS):
        return list(HINT_KEYS[:count])
    return [a + b for a in HINT_KEYS for b in HINT_KEYS][:count]


class DetailLinks(WidgetMixin):
    """Link lines that can be highlighted, moved between, followed and hinted."""

    PREFETCH: ClassVar[bool] = True
    """Prepare the detail of a highlighted link's target (the entity it would show)."""

    lines: list[DetailLine]
    hints: dict[str, str]
    """Label -> target while link hints are shown (empty otherwise)."""
    prefetch_delay: float
    """Seconds a link stays highlighted before its target is prepared (0: at once,
    after the current messages)."""
    _highlighted: int | None
    _typed: str
    _prefetch_timer: Timer | None

    if TYPE_CHECKING:

        @property
        def _rows(self) -> list[tuple[int, Strip]]: ...

        @property
        def viewport(self) -> Size: ...

        def _line_rows(self, line: int) -> tuple[int, int]: ...
        def _ensure_rows(self, count: int) -> None: ...
        def _prefetch(self, target: str) -> None: ...
        def _choose(self, target: str) -> None: ...
        def set_lines(self, labels: dict[int, str]) -> None: ...
        def bar_row(self, event: events.MouseEvent) -> int | None: ...

    @property
    def links(self) -> list[tuple[int, str]]:
        """(line, target) of every link, in order."""
        return [(n, line.target) for n, line in enumerate(self.lines) if line.target]

    @property
    def highlighted(self) -> int | None:
        """The line number of the highlighted link, or None."""
        return self._highlighted

    @highlighted.setter
    def highlighted(self, line: int | None) -> None:
        if line is not None and not (0 <= line < len(self.lines) and self.lines[line].target):
            line = None
        old, self._highlighted = self._highlighted, line
        for changed in (old, line):
            if changed is not None:
                self._refresh_line_rows(changed)
        if line is not None:
            self._scroll_to_line(line)
            target = self.lines[line].target
            if self.PREFETCH and target is not None:
                if self._prefetch_timer is not None:
                    self._prefetch_timer.stop()
                if self.prefetch_delay > 0:
                    self._prefetch_timer = self.set_timer(
                        self.prefetch_delay, partial(self._prefetch, target)
                    )
                else:  # Textual's timers divide by their delay: none at all is an error
                    self.call_later(self._prefetch, target)

    def _refresh_line_rows(self, line: int) -> None:
        if line >= len(self.lines):
            return
        start, end = self._line_rows(line)
        top = round(self.scroll_y)
        width = self.viewport.width
        self.refresh(Region(0, start - top, width, end - start))

    def _scroll_to_line(self, line: int) -> None:
        start, end = self._line_rows(line)
        self.scroll_to_region(
            Region(0, start, 1, max(1, end - start)), animate=False, force=True, immediate=True
        )

    def _visible_rows(self) -> tuple[int, int]:
        top = round(self.scroll_y)
        return top, top + self.viewport.height

    def _link_near(self, step: int) -> int | None:
        """The next link line in direction ``step`` that is on screen or just past it."""
        top, bottom = self._visible_rows()
        current = self._highlighted
        if current is None:
            candidates = [n for n, _ in self.links]
            if step < 0:
                candidates.reverse()
        else:
            candidates = [n for n, _ in self.links if (n - current) * step > 0]
            if step < 0:
                candidates.reverse()
        for line in candidates:
            start, end = self._line_rows(line)
            if step > 0 and start > bottom:
                return None
            if step < 0 and end < top:
                return None
            if (step > 0 and end >= top) or (step < 0 and start <= bottom):
                return line
        return None

    def action_cursor_down(self) -> None:
        line = self._link_near(+1)
        if line is not None:
            self.highlighted = line
        else:
            self.scroll_to(y=self.scroll_y + SCROLL_STEP, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        line = self._link_near(-1)
        if line is not None:
            self.highlighted = line
        else:
            self.scroll_to(y=self.scroll_y - SCROLL_STEP, animate=False, immediate=True)

    def action_first(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)
        links = self.links
        self.highlighted = links[0][0] if links else None

    def action_last(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        links = self.links
        self.highlighted = links[-1][0] if links else None

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_select(self) -> None:
        """Follow the highlighted link; with none highlighted, highlight the first one."""
        if self._highlighted is None:
            self.action_cursor_down()
            return
        target = self.lines[self._highlighted].target
        if target is not None:
            self._choose(target)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.bar_row(event) is not None:
            return
        row = round(self.scroll_y) + offset.y
        self._ensure_rows(row + 1)
        if 0 <= row < len(self._rows):
            line = self._rows[row][0]
            if self.lines[line].target:
                self.highlighted = line
                self.action_select()

    # -- link hints ----------------------------------------------------------
    def start_hints(self) -> bool:
        """Label every link; typing a label follows it. False if there is no link."""
        links = self.links
        if not links:
            return False
        labels = hint_labels(len(links))
        self.hints = {label: target for label, (_, target) in zip(labels, links, strict=True)}
        self._typed = ""
        self.set_lines({line: label for label, (line, _) in zip(labels, links, strict=True)})
        self.add_class("-hints")
        self.screen.set_focus(self)  # at once: labels typed with the "f" come here
        return True

    def stop_hints(self) -> None:
        if not self.hints:
            return
        self.hints = {}
        self.set_lines({})
        self.remove_class("-hints")

    def on_key(self, event: events.Key) -> None:
        if not self.hints:
            return
        event.stop()
        event.prevent_default()
        if event.key == "escape" or not event.character or not event.character.isalpha():
            self.stop_hints()
            return
        self._typed += event.character.lower()
        target = self.hints.get(self._typed)
        if target is not None:
            self.stop_hints()
            self._choose(target)
        elif not any(label.startswith(self._typed) for label in self.hints):
            self.stop_hints()
            self.notify(f"No link is labelled {self._typed!r}.", severity="warning", timeout=2)


__all__ = ["HINT_KEYS", "PREFETCH_DELAY", "SCROLL_STEP", "DetailLinks", "hint_labels"]
