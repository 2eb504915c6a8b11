"""The explorer: actors, issues and assessments beside the detail of the current item."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input

from ..content import Dossier, Entity, Index
from ..diffmode import screen_line, statuses, summary
from ..history import Place
from ..widgets import (
    Breadcrumb,
    DetailPane,
    EntityList,
    FilterBar,
    KeyBar,
    ProblemsPanel,
    TitleBar,
    TourBanner,
    room_banner,
)
from ..widgets.detail import PREFETCH_DELAY

if TYPE_CHECKING:
    from ..content.diffing import DossierDiff
    from ..navigation import Navigates, Navigator

LIST_KINDS = {"actor": "actors", "issue": "issues", "assessment": "assessments"}
"""Entity kind -> id of the list pane that shows it."""
PREPARE_NEIGHBOURS_DELAY = 0.02
"""Seconds after a cursor move before the items beside it are prepared (the frame of
the move is out by then; a key repeating faster puts it off until it stops)."""


class ExplorerScreen(Screen[None]):
    """Three entity lists and the detail pane; shows whatever the app's history says."""

    DEFAULT_CSS = """
    ExplorerScreen #panes { height: 1fr; }
    ExplorerScreen #lists { width: 2fr; min-width: 24; max-width: 60; }
    ExplorerScreen DetailPane { width: 3fr; }
    ExplorerScreen.-touring #lists { display: none; }
    """

    BINDINGS = [
        # Keys that move the keyboard elsewhere (another pane, the filter, hint labels)
        # are priority bindings: they act as soon as they arrive, so the keys that
        # came with them in the same read (typing fast, or over SSH) already go to
        # where they sent the keyboard. (Other keys are resolved after their trip
        # through the focused widget.) None of them acts while the filter has focus.
        Binding(
            "1", "focus_pane('actors')", "Actors", show=False, id="focus-actors", priority=True
        ),
        Binding(
            "2", "focus_pane('issues')", "Issues", show=False, id="focus-issues", priority=True
        ),
        Binding(
            "3",
            "focus_pane('assessments')",
            "Assessment",
            show=False,
            id="focus-assessment",
            priority=True,
        ),
        Binding(
            "4", "focus_pane('detail')", "Detail", show=False, id="focus-detail", priority=True
        ),
        Binding("tab", "app.focus_next", "Next pane", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, priority=True),
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("f", "link_hints", "Hints", show=False, id="link-hints", priority=True),
        Binding("space,right", "tour_step(1)", "Next", id="tour-next"),
        Binding("left", "tour_step(-1)", "Previous", id="tour-previous"),
        Binding("escape", "escape", "Leave", id="escape"),
        # Shown only while the detail marks a search's words (opened from the search view).
        Binding("right_square_bracket", "search_hit(1)", "Next hit", id="search-next"),
        Binding("left_square_bracket", "search_hit(-1)", "Previous hit", id="search-previous"),
    ]

    def __init__(
        self,
        dossier: Dossier,
        index: Index,
        *,
        diff: DossierDiff | None = None,
        prepare_neighbours_delay: float = PREPARE_NEIGHBOURS_DELAY,
        prefetch_link_delay: float = PREFETCH_DELAY,
    ) -> None:
        super().__init__()
        self.dossier = dossier
        self.index = index
        self.diff = diff
        """What changed since diff mode's older version (None out of diff mode)."""
        self._prepare_neighbours_delay = prepare_neighbours_delay
        self._prefetch_link_delay = prefetch_link_delay
        self._filtering: EntityList | None = None
        self._prepare_later: asyncio.TimerHandle | None = None
        self._found: tuple[DetailPane, dict[str, EntityList], Breadcrumb] | None = None
        self.tour_stop: int | None = None
        """Index of the tour stop shown, or None when not touring."""
        self._before_tour: Place | None = None

    @property
    def navigation(self) -> Navigator:
        """The app's navigation: where this screen asks to go, and the trail."""
        return cast("Navigates", self.app).navigation

    def compose(self) -> ComposeResult:
        key = self.index.search_key
        yield TitleBar()
        yield from room_banner(self.app)
        yield Breadcrumb()
        yield TourBanner()
        with Horizontal(id="panes"):
            with Vertical(id="lists"):
                yield EntityList("Actors", self.dossier.actors, key, id="actors")
                yield EntityList("Issues", self.dossier.issues, key, id="issues")
                yield EntityList("Assessment", self.dossier.assessments, key, id="assessments")
            yield DetailPane(
                self.dossier, self.index, diff=self.diff, prefetch_delay=self._prefetch_link_delay
            )
        yield FilterBar()
        yield ProblemsPanel()
        yield KeyBar()

    def on_mount(self) -> None:
        self._mark_changes()
        self.query_one("#actors", EntityList).focus()
        self.show(self.navigation.current_entity)
        baseline = self.navigation.baseline
        if baseline is not None and self.diff is not None:
            self.notify(
                f"Compared with {screen_line(baseline.name)}: {summary(self.diff)}. Marked "
                "+ new, ~ changed, » renamed; c lists every change.",
                timeout=6,
            )

    # -- reloading ---------------------------------------------------------
    def reload(self, dossier: Dossier, index: Index, diff: DossierDiff | None = None) -> None:
        """Show a reloaded dossier in place: panes, filters, focus and scroll stay."""
        self.dossier = dossier
        self.index = index
        self.diff = diff
        key = index.search_key
        for pane, items in (
            ("actors", dossier.actors),
            ("issues", dossier.issues),
            ("assessments", dossier.assessments),
        ):
            self.query_one(f"#{pane}", EntityList).set_entities(items, key)
        detail = self.query_one(DetailPane)
        scroll_y = detail.scroll_y
        detail.dossier, detail.index, detail.diff = dossier, index, diff
        self._mark_changes()
        self.show(self.navigation.current_entity)
        detail.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.set_problems([])

    def _mark_changes(self) -> None:
        """Diff mode: each list marks its items added, changed or renamed."""
        marks = statuses(self.diff)
        for pane in self._panes()[1].values():
            pane.set_changes(marks)

    def set_problems(self, problems: list[str]) -> None:
        self.query_one(ProblemsPanel).set_problems(problems)

    # -- state down --------------------------------------------------------
    def highlighted(self) -> str | None:
        """The item a cursor move not yet handled goes to (None when there is none)."""
        focused = self.focused
        if isinstance(focused, EntityList) and focused.highlights_waiting > 0:
            current = focused.current
            return current.id if current is not None else None
        return None

    def show(self, entity_id: str | None) -> None:
        """Show ``entity_id`` in the detail pane, select it in its list, mark its links."""
        entity: Entity | None = self.dossier.get(entity_id) if entity_id else None
        detail, lists, breadcrumb = self._panes()
        searched = bool(detail.marked_lines)
        detail.show(entity)
        if searched:  # the keys of a search's hits go with its marks
            self.refresh_bindings()
        linked = self.index.neighbours(entity.id) if entity is not None else None
        for pane in lists.values():
            pane.set_linked(linked)
        if entity is not None and entity.kind in LIST_KINDS:
            lists[LIST_KINDS[entity.kind]].select(entity.id)
        breadcrumb.set_trail(self.navigation.trail_labels())

    @property
    def detail_scroll(self) -> int:
        """The first line the detail pane shows."""
        return round(self._panes()[0].scroll_y)

    @detail_scroll.setter
    def detail_scroll(self, line: int) -> None:
        self._panes()[0].scroll_to(y=line, animate=False, immediate=True)

    def _panes(self) -> tuple[DetailPane, dict[str, EntityList], Breadcrumb]:
        """The detail pane, the lists by id and the breadcrumb (looked up once: this
        screen never recomposes, and every key shows something)."""
        if self._found is None:
            lists = {pane.id or "": pane for pane in self.query(EntityList)}
            self._found = (self.query_one(DetailPane), lists, self.query_one(Breadcrumb))
        return self._found

    # -- messages up -------------------------------------------------------
    def on_entity_list_highlighted(self, message: EntityList.Highlighted) -> None:
        message.stop()  # handled: no further hop to the app
        message.entity_list.highlights_waiting -= 1
        if self.app.screen is not self:
            return  # a view opened since, for the item under the cursor (open_view)
        self.navigation.open_entity(message.entity.id, replace=True)
        # Soon after this frame is out (not at once: the thread writing it to the
        # terminal would wait for this one), prepare the details of the items on
        # either side, so that browsing down (or up) a list finds the next one ready.
        # (A plain event-loop timer: a Textual timer costs a task per key.)
        if self._prepare_later is not None:
            self._prepare_later.cancel()
        prepare = partial(self._panes()[0].prepare, message.entity_list.neighbours())
        loop = asyncio.get_running_loop()
        self._prepare_later = loop.call_later(self._prepare_neighbours_delay, prepare)

    def on_entity_list_chosen(self, message: EntityList.Chosen) -> None:
        self.navigation.open_entity(message.entity.id)
        self.set_focus(self.query_one(DetailPane))

    def on_detail_pane_link_chosen(self, message: DetailPane.LinkChosen) -> None:
        message.stop()  # handled: no further hop to the app
        self.navigation.open_entity(message.target)

    # -- actions -----------------------------------------------------------
    def action_focus_pane(self, pane_id: str) -> None:
        # At once, not after the queued messages as widget.focus() does: keys that
        # arrive with this one (one read over SSH) go to the pane it focuses.
        self.set_focus(self.query_one(f"#{pane_id}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_pane" and isinstance(self.focused, Input):
            return False  # a digit typed into the filter
        if action == "filter":
            return isinstance(self.focused, EntityList) and self.tour_stop is None
        if action == "escape":
            focused = self.focused
            return (
                self.tour_stop is not None
                or (isinstance(focused, EntityList) and bool(focused.filter_text))
                or bool(self._panes()[0].marked_lines)
            )
        if action == "tour_step":
            return self.tour_stop is not None
        if action == "search_hit":
            return bool(self._panes()[0].marked_lines) and not isinstance(self.focused, Input)
        if action == "link_hints":
            return not isinstance(self.focused, Input) and bool(self.query_one(DetailPane).links)
        return True

    def action_escape(self) -> None:
        """Leave the tour, or clear the focused list's filter, or a search's marks."""
        focused = self.focused
        if self.tour_stop is not None:
            self.leave_tour()
        elif isinstance(focused, EntityList) and focused.filter_text:
            self.action_clear_filter()
        else:
            self._panes()[0].clear_marks()
            self.refresh_bindings()

    # -- a search's hit ------------------------------------------------------
    def show_search_hit(self, terms: tuple[str, ...], text: str) -> bool:
        """Mark a search's ``terms`` in the detail of the item shown and go to the line
        that says ``text`` (the hit's); False when the detail does not show them."""
        detail = self._panes()[0]
        found = detail.mark_search(terms, text)
        self.set_focus(detail)
        self.refresh_bindings()
        return found is not None

    def action_search_hit(self, step: int) -> None:
        detail = self._panes()[0]
        if detail.next_mark(step) is None:
            where = "last" if step > 0 else "first"
            self.notify(f"That was the {where} hit in this item.", timeout=2)

    def action_link_hints(self) -> None:
        self.query_one(DetailPane).start_hints()

    # -- the tour ------------------------------------------------------------
    def start_tour(self) -> None:
        """Step through the dossier's tour from the first stop."""
        if not self.dossier.tour:
            self.notify("This dossier has no tour.", severity="warning")
            return
        if self.tour_stop is None:
            self._before_tour = self.navigation.current
        self.tour_stop = 0
        self._show_stop()

    def action_tour_step(self, step: int) -> None:
        if self.tour_stop is None:
            return
        stop = self.tour_stop + step
        if 0 <= stop < len(self.dossier.tour):
            self.tour_stop = stop
            self._show_stop()
        elif stop >= len(self.dossier.tour):
            self.notify("That was the last stop: esc leaves the tour.", timeout=3)

    def follow_tour(self, stop: int | None) -> None:
        """Show tour stop ``stop`` (None: no tour) as a presenter's place says; the
        caller shows its item (presenter mode)."""
        if stop is None:
            if self.tour_stop is not None:
                self.tour_stop = None
                self.query_one(TourBanner).hide()
                self.remove_class("-touring")
                self.refresh_bindings()
            return
        if self.tour_stop is None:
            self._before_tour = self.navigation.current
        self.tour_stop = stop
        self._show_stop(go=False)

    def _show_stop(self, *, go: bool = True) -> None:
        assert self.tour_stop is not None
        stop = self.dossier.tour[self.tour_stop]
        target = self.dossier.get(stop.target)
        label = target.label if target is not None else stop.target
        self.query_one(TourBanner).show_stop(
            self.tour_stop + 1, len(self.dossier.tour), stop.caption, label
        )
        self.add_class("-touring")
        if go:
            self.navigation.open_entity(stop.target, replace=True)
        self.refresh_bindings()

    def leave_tour(self) -> None:
        """End the tour and go back to where the user was before it."""
        self.tour_stop = None
        self.query_one(TourBanner).hide()
        self.remove_class("-touring")
        if self._before_tour is not None:
            self.navigation.restore_place(self._before_tour)
        self.refresh_bindings()

    def action_filter(self) -> None:
        pane = self.focused
        if not isinstance(pane, EntityList):
            return
        self._filtering = pane
        bar = self.query_one(FilterBar)
        bar.start(pane.title.lower(), pane.filter_text)
        bar.set_count(pane.visible_count, len(pane.entities))

    def action_clear_filter(self) -> None:
        focused = self.focused
        if isinstance(focused, EntityList):
            focused.set_filter("")
            self.refresh_bindings()

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        pane = self._filtering
        if pane is not None:
            shown = pane.set_filter(message.text)
            self.query_one(FilterBar).set_count(shown, len(pane.entities))

    def on_filter_bar_done(self, message: FilterBar.Done) -> None:
        pane, self._filtering = self._filtering, None
        if pane is None:
            return
        if message.cleared:
            pane.set_filter("")
        self.set_focus(pane)
        self.refresh_bindings()
