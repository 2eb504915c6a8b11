"""Navigation: the dossier shown, where the user is, how they got there, what to show.

The App owns one :class:`Navigation`; screens and the command palette reach it through
the :class:`Navigator` interface (``navigation_of(self.app)``, or in a screen, which
this module imports, ``cast("Navigates", self.app).navigation``), never through the App
class, so nothing below the App imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.app import App
from textual.timer import Timer

from .content import Dossier, Index
from .content.gcpause import collector_paused
from .diffmode import Baseline, summary
from .history import EXPLORER, History, Place
from .kept_views import KeptViews
from .room import VIEWS as SHARED_VIEWS
from .room import SharedPlace
from .screens import VIEWS, ExplorerScreen, PickerScreen, ViewScreen, view_screen
from .screens.explorer import PREPARE_NEIGHBOURS_DELAY
from .watch import WATCH_INTERVAL
from .widgets.detail import PREFETCH_DELAY

if TYPE_CHECKING:
    from .content.diffing import DossierDiff

PREPARE_DELAY = 0.3
"""Seconds after the first screen (or a new dossier) before the views prepare what
they need."""

ROOM_PLACE_INTERVAL = 0.05
"""Seconds: the server cuts off a member that sends more than 50 messages a second."""


@dataclass(frozen=True)
class Delays:
    """The app's own timers, in seconds: work it puts off the key path until the
    screen has settled, and how often ``--watch`` looks at the files. Tests pass
    zeros (and no watch timer: they make the app look) so they never wait on a clock."""

    prepare_views: float = PREPARE_DELAY
    prepare_neighbours: float = PREPARE_NEIGHBOURS_DELAY
    """After a cursor move, before the items beside it are prepared."""
    prefetch_link: float = PREFETCH_DELAY
    """After a link is highlighted in the detail pane, before its target is prepared."""
    watch_interval: float | None = WATCH_INTERVAL
    """Between looks at the files with --watch; None: only when asked (tests)."""
    room_place: float = ROOM_PLACE_INTERVAL
    """Presenter mode: least time between two places the presenter sends (moves in
    between are sent as one, the latest)."""


DELAYS = Delays()
"""The app's timers as a user's app runs them."""


class Navigator(Protocol):
    """What a screen or the palette may ask of the app's navigation."""

    baseline: Baseline | None
    """Diff mode's older version (None out of diff mode)."""

    @property
    def loaded(self) -> Loaded | None:
        """The dossier shown, or None before one is picked."""

    @property
    def current(self) -> Place | None:
        """The place shown (None before the first visit)."""

    @property
    def current_entity(self) -> str | None:
        """The item of the place shown."""

    def trail_labels(self) -> list[str]:
        """The breadcrumb: a label for each place up to the current one."""

    def open_entity(self, entity_id: str, *, replace: bool = False) -> None:
        """Show ``entity_id`` in the explorer (a new step, or in place of the current)."""

    def restore_place(self, place: Place) -> None:
        """Put ``place`` back as the current one (after a tour) and show it."""

    def go_back(self) -> None:
        """One step back, if there is one."""


class Navigates(Protocol):
    """An app with a navigation (the DossierApp), as screens see it."""

    @property
    def navigation(self) -> Navigator: ...


def navigation_of(app: object) -> Navigator:
    """The navigation of ``app`` (the running DossierApp), typed by what it offers."""
    return cast(Navigates, app).navigation


@dataclass(frozen=True)
class Loaded:
    """A dossier being explored, with its index (and, in diff mode, what changed)."""

    dossier: Dossier
    index: Index
    diff: DossierDiff | None = None
    """What changed since the baseline (``dossier --diff OLD``); None out of diff mode."""


class Navigation:
    """The app's navigation: its :class:`Navigator` side for screens, and the dossier
    swap, views and preparation for the App."""

    def __init__(self, app: App[Any], delays: Delays) -> None:
        self._app = app
        self.delays = delays
        self._loaded: Loaded | None = None
        self.history = History()
        self._shared_before = False
        """A place from the room was applied already (the first replaces the start)."""
        self.kept_views = KeptViews(app)
        self.on_move: Callable[[bool], None] | None = None
        """Presenter mode (:mod:`.presenting`): told after every change of place, True
        when the user made it, False when a place from the room was applied."""
        self._applying = False
        self._preparing: Timer | None = None
        """The timer that prepares the views once keys pause (None: not waiting)."""
        self.baseline: Baseline | None = None
        """Diff mode's older version: each dossier adopted is compared with it."""

    # -- the dossier -------------------------------------------------------
    def adopt(self, dossier: Dossier, index: Index | None = None, *, reload: bool = False) -> None:
        """Show ``dossier``: a new history at its first item, or (``reload``) the same
        history less the places whose items are gone. Kept views go; once the app
        runs, the views prepare for the new dossier soon after."""
        if index is None:
            with collector_paused():  # the index lives as long as the dossier: see gcpause
                index = Index(dossier)
        baseline = self.baseline
        diff = baseline.diff_for(dossier) if baseline is not None else None
        self._loaded = Loaded(dossier, index, diff)
        self._app.title = dossier.info.title
        self._app.sub_title = f"as of {dossier.info.as_of}"
        if baseline is not None and diff is not None:
            self._app.sub_title += f" · {summary(diff)} since {baseline.name}"
        self.kept_views.clear()
        if reload:
            self.history.forget(set(dossier.entities))
        else:
            self.history = History()
        first = next(iter(dossier.actors or dossier.issues or dossier.assessments), None)
        if first is not None and self.history.current is None:
            self.history.visit(Place(EXPLORER, first.id))
        if self._app.is_running:
            self.prepare_views_soon()

    def prepare_views_soon(self) -> None:
        """Prepare the views ``delays.prepare_views`` after the next frame is out, put off
        by every key meanwhile (:meth:`user_active`).

        Preparing holds the app for a moment on a big dossier (sorting the matrix's
        table: 70 ms on 10,000 actors); counted from the mount, it used to fall just
        after a slow first frame, when people press their first key."""
        if self._preparing is not None:
            self._preparing.stop()
            self._preparing = None
        if self.delays.prepare_views > 0:
            self._app.call_after_refresh(self._prepare_later)
        else:  # Textual's timers divide by their delay: none at all is a ZeroDivisionError
            self._app.call_later(self.prepare_views)

    def _prepare_later(self) -> None:
        self._preparing = self._app.set_timer(self.delays.prepare_views, self._prepare_now)

    def user_active(self) -> None:
        """A key was pressed: views not prepared yet wait until keys pause again."""
        if self._preparing is not None:
            self._preparing.reset()

    def _prepare_now(self) -> None:
        self._preparing = None
        self.prepare_views()

    @property
    def shown(self) -> Loaded:
        """The dossier shown; an error while the picker is up (no dossier yet)."""
        assert self._loaded is not None, "no dossier yet: the picker is up"
        return self._loaded

    @property
    def loaded(self) -> Loaded | None:
        """The dossier shown; None while the picker is up ("no dossier yet")."""
        return self._loaded

    def prepare_views(self) -> None:
        """Let every view work out ahead of time what it will need."""
        if self.loaded is not None:
            for view in VIEWS:
                view_screen(view).prepare(self.loaded.dossier, self.loaded.index)

    # -- where the user is ---------------------------------------------------
    @property
    def current(self) -> Place | None:
        return self.history.current

    @property
    def current_entity(self) -> str | None:
        return self.history.current_entity

    @property
    def explorer(self) -> ExplorerScreen | None:
        """The explorer screen, once it is up."""
        return next((s for s in self._app.screen_stack if isinstance(s, ExplorerScreen)), None)

    def trail_labels(self) -> list[str]:
        labels = []
        dossier = self.loaded.dossier if self.loaded is not None else None
        for place in self.history.trail():
            if place.view != EXPLORER:
                labels.append(VIEWS[place.view].name)
                continue
            item = dossier.get(place.entity_id) if dossier and place.entity_id else None
            labels.append(item.label if item is not None else str(place.entity_id))
        return labels

    # -- going somewhere -----------------------------------------------------
    def open_explorer(self) -> None:
        """Put up the explorer over the dossier (in place of the picker, if it is up)."""
        assert self._loaded is not None
        loaded, delays = self._loaded, self.delays
        screen = ExplorerScreen(
            loaded.dossier,
            loaded.index,
            diff=loaded.diff,
            prepare_neighbours_delay=delays.prepare_neighbours,
            prefetch_link_delay=delays.prefetch_link,
        )
        if isinstance(self._app.screen, PickerScreen):
            self._app.switch_screen(screen)
        else:
            self._app.push_screen(screen)

    def open_entity(self, entity_id: str, *, replace: bool = False) -> None:
        if self.loaded is None or self.loaded.dossier.get(entity_id) is None:
            self._app.notify(
                f"Nothing in this dossier has the id {entity_id!r}.", severity="warning"
            )
            return
        place = Place(EXPLORER, entity_id)
        if replace:
            self.history.replace(place)
        else:
            self.history.visit(place)
        self.show_current()

    def open_view(self, view: str) -> None:
        """Open an analyst view for the current item (a new history step).

        The item is the one under the explorer's cursor: a cursor move typed just before
        (↓ then m, faster than a frame) is a Highlighted message still waiting in the
        explorer's queue, which the explorer drops once the view is on top.
        """
        if view not in VIEWS or self.loaded is None:
            return
        explorer, place = self.explorer, self.history.current
        if explorer is not None and self._app.screen is explorer and place is not None:
            item = explorer.highlighted()
            if item is not None and place == Place(EXPLORER, place.entity_id):
                self.history.replace(Place(EXPLORER, item))
        self.history.visit(Place(view, self.history.current_entity))
        self.show_current()

    def restore_place(self, place: Place) -> None:
        self.history.replace(place)
        self.show_current()

    def start_tour(self) -> None:
        """Start the dossier's tour in the explorer."""
        explorer = self.explorer
        if explorer is not None:
            explorer.start_tour()

    def go_back(self) -> None:
        if self.history.back() is not None:
            self.show_current()

    def go_forward(self) -> None:
        """One step forward, if there is one."""
        if self.history.forward() is not None:
            self.show_current()

    def show_current(self) -> None:
        """Make the screens show ``history.current``: the explorer, or a view over it."""
        self._show_current()
        if self.on_move is not None:
            self.on_move(not self._applying)

    def _show_current(self) -> None:
        app, place, explorer = self._app, self.history.current, self.explorer
        if place is None or explorer is None or self.loaded is None:
            return
        top = app.screen
        if isinstance(top, ViewScreen) and (top.VIEW, top.entity_id) == (
            place.view,
            place.entity_id,
        ):
            return
        while len(app.screen_stack) > 1 and app.screen is not explorer:
            app.pop_screen()
        explorer.show(place.entity_id)
        if place.view != EXPLORER:
            loaded = self.loaded
            make = partial(view_screen(place.view), loaded.dossier, loaded.index, place.entity_id)
            app.push_screen(self.kept_views.screen_for(place, make))

    # -- presenter mode (the room's side is :mod:`.presenting`) ------------------
    def shared_place(self) -> SharedPlace | None:
        """Where the user is, as a room is told it (None before the explorer is up)."""
        place, explorer = self.history.current, self.explorer
        if place is None or explorer is None or not explorer.is_mounted:
            return None
        if place.view not in SHARED_VIEWS:
            return None  # a search is the user's own: the room is not told (the last place stays)
        if place.view != EXPLORER:
            return SharedPlace(place.view, place.entity_id)
        scroll = explorer.detail_scroll
        if explorer.tour_stop is not None:
            return SharedPlace("tour", place.entity_id, explorer.tour_stop, scroll)
        return SharedPlace(EXPLORER, place.entity_id, None, scroll)

    def check_shared(self, shared: SharedPlace) -> str | None:
        """Why ``shared`` is not a place of the dossier shown (None: it is one)."""
        if self.loaded is None:
            return "no dossier is shown yet"
        dossier = self.loaded.dossier
        if shared.view == "tour":
            if shared.step is None or shared.step >= len(dossier.tour):
                return f"no tour step {shared.step} in this dossier"
            return None
        if shared.item is not None and dossier.get(shared.item) is None:
            return f"no item {shared.item!r} in this dossier"
        if shared.item is None and shared.view == EXPLORER:
            return "the explorer needs an item"
        if shared.view == "changes" and self.baseline is None:
            return "this session is not in diff mode"
        return None

    def apply_shared(self, shared: SharedPlace) -> bool:
        """Go to ``shared`` (checked: :meth:`check_shared`) as a new history step;
        False if the explorer is not up yet."""
        explorer, loaded = self.explorer, self.loaded
        if explorer is None or not explorer.is_mounted or loaded is None:
            return False
        step, item = shared.step, shared.item
        if shared.view == "tour" and step is not None:
            item = loaded.dossier.tour[step].target
        else:
            step = None
        view = EXPLORER if shared.view == "tour" else shared.view
        self._applying = True
        history = self.history
        try:
            if self._shared_before or history.can_go_back or history.can_go_forward:
                history.visit(Place(view, item))
            else:  # the dossier's first item, where a late joiner starts: not a step
                history.replace(Place(view, item))
            self._shared_before = True
            explorer.follow_tour(step)
            self.show_current()
            if view == EXPLORER and shared.scroll is not None:
                explorer.detail_scroll = shared.scroll
        finally:
            self._applying = False
        return True
