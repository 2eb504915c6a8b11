"""The detail pane: everything about one entity, its links followable with the keyboard.

A line-API widget: the lines are wrapped once per content and width, and a cursor
move repaints only the rows involved. Showing another entity changes the virtual
height without a layout pass (the scrollbar, drawn as the last column of the rows,
is always there and only its changed cells repaint) and repaints only the rows whose text or
style changed, so browsing costs part of one repaint of this pane and nothing else.
The last entities shown are kept wrapped, so going back and forth between items
builds nothing again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ..content import Dossier, Entity, Index
from .caches import DETAIL_ENTITIES, LRUCache
from .detail_lines import LINK_ARROW, DetailLine, detail_lines
from .detail_links import PREFETCH_DELAY, DetailLinks, hint_labels
from .detail_marks import DetailMarks
from .framed import FramedRows
from .inline_bar import InlineScrollbar, row_runs
from .keys import MOVE_BINDINGS
from .line_pane import LinePane

if TYPE_CHECKING:
    from ..content.diffing import DossierDiff


@dataclass(eq=False)
class _Wrapped:
    """Lines and their rows as wrapped (lazily) for one width and set of styles."""

    lines: list[DetailLine]
    width: int = -1
    styles: tuple[Style, Style] | None = None
    rows: list[tuple[int, Strip]] = field(default_factory=list)
    """(line number, wrapped row) for every row wrapped so far."""
    first_row: list[int] = field(default_factory=list)
    """Row of the first wrapped row of each line wrapped so far."""
    estimate: tuple[int, int, int] = (-1, -1, 0)
    """(lines wrapped, width, estimated rows of the lines not wrapped yet)."""


class DetailPane(InlineScrollbar, FramedRows, DetailMarks, DetailLinks, LinePane):
    """Shows :attr:`lines`; link lines can be highlighted and followed."""

    DEFAULT_CSS = """
    DetailPane {
        background: $surface;
        padding: 0 1;
        overflow-x: hidden;
        overflow-y: hidden;  /* the scrollbar is drawn inline: InlineScrollbar */
    }
    DetailPane.-hints { border: round $warning; }
    DetailPane > .detail-pane--link { color: $text-accent; }
    DetailPane > .detail-pane--highlight {
        background: $block-cursor-blurred-background;
    }
    DetailPane:focus > .detail-pane--highlight {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    COMPONENT_CLASSES = {"detail-pane--link", "detail-pane--highlight"}

    BAR_ALWAYS = True

    BINDINGS = [
        *MOVE_BINDINGS,
        Binding("enter", "select", "Follow link", id="follow"),
    ]

    @dataclass
    class LinkChosen(Message):
        """The user followed a link to ``target`` (posted straight to the screen)."""

        target: str

    def __init__(
        self,
        dossier: Dossier,
        index: Index,
        *,
        id: str = "detail",
        diff: DossierDiff | None = None,
        prefetch_delay: float = PREFETCH_DELAY,
    ) -> None:
        super().__init__(id=id)
        self.dossier = dossier
        self.index = index
        self.diff = diff
        """Diff mode: what changed since the older version (said after each title)."""
        self.entity: Entity | None = None
        self.lines: list[DetailLine] = []
        self.border_title = "Detail"
        self.hints = {}
        self.prefetch_delay = prefetch_delay
        self._labels: dict[int, str] = {}
        self._typed = ""
        self._highlighted: int | None = None
        self._content = _Wrapped([])
        self._cache: LRUCache[str | None, _Wrapped] = LRUCache(DETAIL_ENTITIES)
        self._cached_for: Dossier | None = None
        self._row_styles: tuple[Style, Style] | None = None
        """Plain and link row styles; None: to be worked out (the theme changed)."""
        self._shown: dict[int, Strip] = {}
        """What each row of the pane last showed (to repaint only rows that change)."""
        self._title = ""
        self._prefetch_timer = None
        self._blank: tuple[tuple[int, Style], Strip] | None = None
        """A blank row past the end of the content: (width, style), strip."""
        self._lit: tuple[Strip, Style, Strip] | None = None
        """The last highlighted row: (row, highlight style, row highlighted)."""

    @property
    def _rows(self) -> list[tuple[int, Strip]]:
        return self._content.rows

    @property
    def _first_row(self) -> list[int]:
        return self._content.first_row

    # -- content -----------------------------------------------------------
    def show(self, entity: Entity | None) -> None:
        """Render ``entity`` (None: the dossier's own summary) and go to the top."""
        self.entity = entity
        self.hints = {}
        self.remove_class("-hints")
        title = f"Detail: {entity.kind}" if entity is not None else "Detail"
        if title != self._title:  # setting a title repaints the whole pane
            self._title = self.border_title = title
        self._highlighted = None  # nothing until the user moves: the pane opens at the top
        self._forget_marks()  # a search's marks are for the item they were set on
        if round(self.scroll_y) != 0:
            self.scroll_to(y=0, animate=False, immediate=True)
            self._shown.clear()  # scrolling repaints it all
        self._labels = {}
        self._install(self._entity_content(entity))

    def _entity_content(self, entity: Entity | None) -> _Wrapped:
        """``entity``'s lines, wrapped as far as they were when last shown."""
        if self._cached_for is not self.dossier:
            self._cache.clear()
            self._cached_for = self.dossier
        key = entity.id if entity is not None else None
        content = self._cache.get(key)
        if content is None:
            content = _Wrapped(detail_lines(self.dossier, self.index, entity, self.diff))
            self._cache.set(key, content)
        return content

    def set_lines(self, labels: dict[int, str]) -> None:
        """(Re)wrap :attr:`lines`; ``labels`` puts a hint label on those link lines."""
        self._labels = labels
        self._install(_Wrapped(self.lines))

    def _install(self, content: _Wrapped) -> None:
        """Show ``content``, repainting only the rows that look different."""
        self._content = content
        self.lines = content.lines
        self._wrap()
        self._update_virtual_height()  # cached content may be wrapped already
        view = self.viewport
        if not self._shown or view.width <= 0:
            self.refresh()
            return
        changed: list[int] = []
        shown = self._shown
        for y in range(view.height):
            row = self._strip_at(y)
            before = shown.get(y)
            if row is not before and row != before:
                changed.append(y)
            shown[y] = row
        for start, end in row_runs(changed):
            self.refresh(Region(0, start, view.width, end - start))

    def _wrap(self, content: _Wrapped | None = None) -> None:
        """Start wrapping ``content`` (default: what is shown) for the current width
        (rows are wrapped lazily, as needed)."""
        width = self.viewport.width
        if width <= 0:
            return
        if self._row_styles is None:
            self._row_styles = (
                self.rich_style,
                self.rich_style + self.get_component_rich_style("detail-pane--link"),
            )
        content = self._content if content is None else content
        if width == content.width and self._row_styles == content.styles:
            return
        content.width, content.styles = width, self._row_styles
        content.rows, content.first_row = [], []
        # Enough for the first screen now; the rest when it is scrolled to or needed.
        self._ensure_rows(self.viewport.height + 1, content)

    def _ensure_lines(self, count: int, content: _Wrapped | None = None) -> None:
        """Wrap lines of ``content`` (default: what is shown) until at least ``count``
        of them are wrapped (or all are)."""
        content = self._content if content is None else content
        shown = content is self._content
        if content.width <= 0 or content.styles is None:
            return
        lines = content.lines
        done = len(content.first_row)
        if done >= min(count, len(lines)):
            return
        console = self.app.console
        width = content.width
        base, link = content.styles
        rows = content.rows
        for number in range(done, min(count, len(lines))):
            line = lines[number]
            content.first_row.append(len(rows))
            text = self.marked(number, line.text) if shown else line.text
            label = self._labels.get(number) if shown else None
            if label is not None:
                text = Text.assemble((f" {label} ", "bold reverse"), " ", text[len(LINK_ARROW) :])
            style = link if line.target else base
            for piece in text.wrap(console, width, overflow="fold") or [Text("")]:
                segments = [
                    Segment(s.text, style + s.style if s.style else style)
                    for s in piece.render(console, end="")
                    if s.text  # (an empty line renders one empty segment)
                ]
                rows.append((number, Strip(segments).extend_cell_length(width, style)))
        if shown:
            self._update_virtual_height()

    def _ensure_rows(self, count: int, content: _Wrapped | None = None) -> None:
        """Wrap lines until at least ``count`` rows exist (or every line is wrapped)."""
        content = self._content if content is None else content
        while len(content.rows) < count and len(content.first_row) < len(content.lines):
            self._ensure_lines(len(content.first_row) + 8, content)

    def _prefetch(self, target: str) -> None:
        """Build and wrap the first screen of ``target``'s detail, ready to be followed."""
        entity = self.dossier.get(target)
        if entity is not None and self.is_mounted:
            self._wrap(self._entity_content(entity))

    def prepare(self, entity_ids: Iterable[str]) -> None:
        """Build and wrap the first screen of these entities' details (a list's items
        next to its cursor: moving onto one then builds nothing)."""
        if not self.is_mounted:  # (called a moment later: the app may have gone)
            return
        for entity_id in entity_ids:
            content = self._cache.get(entity_id)
            if content is None or content.width != self.viewport.width:
                self._prefetch(entity_id)

    def is_prepared(self, entity_id: str) -> bool:
        """Whether ``entity_id``'s detail is built and its first screen wrapped for the
        pane's width (showing it then builds nothing)."""
        content = self._cache.get(entity_id) if self._cached_for is self.dossier else None
        if content is None or content.width != self.viewport.width or content.width <= 0:
            return False
        return len(content.rows) > self.viewport.height or len(content.first_row) == len(
            content.lines
        )

    def _update_virtual_height(self) -> None:
        """Rows wrapped so far, plus an estimate for the lines not wrapped yet."""
        content = self._content
        width = max(1, content.width)
        done = len(content.first_row)
        if content.estimate[:2] != (done, width):
            rows = sum(
                max(1, -(-cell_len(line.text.plain) // width)) for line in content.lines[done:]
            )
            content.estimate = (done, width, rows)
        self._set_virtual_height(len(content.rows) + content.estimate[2])

    def _set_virtual_height(self, height: int) -> None:
        """Change the scrollable height without a layout pass (scrollbar updated in place)."""
        size = Size(max(0, self._content.width), height)
        if size == self.virtual_size:
            return
        # Set without the reactive's own layout: only the bar's changed cells repaint.
        self.set_reactive(Widget.virtual_size, size)
        self.scroll_y = self.validate_scroll_y(self.scroll_y)
        self.refresh_bar()

    def notify_style_update(self) -> None:
        """A theme or class change: the wrapped rows carry styles, so wrap again."""
        super().notify_style_update()
        self._row_styles = None
        self.refresh()

    def on_resize(self, _: events.Resize) -> None:
        self._wrap()
        self.refresh()

    def render_row(self, y: int) -> Strip:
        strip = self._strip_at(y)
        self._shown[y] = strip
        return strip

    def _strip_at(self, y: int) -> Strip:
        """Row ``y`` of the pane as it should look now."""
        self._wrap()
        row = round(self.scroll_y) + y
        self._ensure_rows(row + 1)
        width = self.viewport.width
        if row >= len(self._rows):
            base = self._row_styles[0] if self._row_styles is not None else self.rich_style
            if self._blank is None or self._blank[0] != (width, base):
                self._blank = ((width, base), Strip.blank(width, base))
            return self._blank[1]
        number, strip = self._rows[row]
        if number == self._highlighted:
            highlight = self.get_component_rich_style("detail-pane--highlight")
            if self._lit is None or self._lit[0] is not strip or self._lit[1] != highlight:
                self._lit = (strip, highlight, strip.apply_style(highlight))
            return self._lit[2]
        return strip

    # -- links: the pane's side (DetailLinks has the rest) --------------------
    def _line_rows(self, line: int) -> tuple[int, int]:
        self._wrap()
        self._ensure_lines(line + 2)
        if line >= len(self._first_row):
            return (0, 0)
        start = self._first_row[line]
        end = self._first_row[line + 1] if line + 1 < len(self._first_row) else len(self._rows)
        return start, end

    def _choose(self, target: str) -> None:
        """Post :class:`LinkChosen` straight to the screen (not bubbled through the
        containers: each hop costs a turn of the event loop on the way to a new item)."""
        self.screen.post_message(self.LinkChosen(target))


class LinesPane(DetailPane):
    """A detail pane whose lines a view sets (evidence, neighbourhood): its links open
    other views, not the detail this pane would show, so nothing is prefetched."""

    PREFETCH = False

    def show_lines(self, lines: list[DetailLine], title: str) -> None:
        """Show ``lines`` under ``title`` (what the cursor and scroll keep is the pane's)."""
        raise NotImplementedError


__all__ = ["PREFETCH_DELAY", "DetailPane", "LinesPane", "hint_labels"]
