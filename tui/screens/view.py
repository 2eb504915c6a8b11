"""The base of every analyst view (matrix, timeline, evidence, neighbourhood).

A view is a screen pushed over the explorer. It belongs to the back/forward
history like any place: ``escape`` goes back to where the user came from, and
``enter`` on an item opens that item in the explorer (a new history step).
:class:`LinesView` is a view that is one pane of lines with links (evidence,
neighbourhood).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from ..content import Dossier, Entity, Index
from ..widgets import Breadcrumb, DetailPane, KeyBar, LinesPane, TitleBar, room_banner

if TYPE_CHECKING:
    from ..navigation import Navigates, Navigator


class ViewScreen(Screen[None]):
    """Subclasses set VIEW and NAME and implement :meth:`compose_view`."""

    VIEW: ClassVar[str] = ""
    """The key of this view in the history ('matrix', 'timeline', ...)."""
    NAME: ClassVar[str] = ""
    """How the view is named in the breadcrumb and the palette."""
    SHORT: ClassVar[int] = 0
    """Below this many rows the screen has the ``-short`` class: its info area (a
    ``view-info`` widget under the main pane) shrinks or hides, the main pane keeps
    the room."""

    DEFAULT_CSS = """
    ViewScreen .view-info {
        padding: 0 1;
        background: $surface;
    }
    """

    BINDINGS = [Binding("escape", "close_view", "Close", id="close-view")]

    def __init__(self, dossier: Dossier, index: Index, entity_id: str | None) -> None:
        super().__init__()
        self.dossier = dossier
        self.index = index
        self.entity_id = entity_id
        """The item the view was opened from (None: the dossier as a whole)."""

    @property
    def origin(self) -> Entity | None:
        """The entity the view was opened from, if any."""
        return self.dossier.get(self.entity_id) if self.entity_id else None

    @property
    def navigation(self) -> Navigator:
        """The app's navigation: where this screen asks to go, and the trail."""
        return cast("Navigates", self.app).navigation

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield from room_banner(self.app)
        yield Breadcrumb(self.navigation.trail_labels())  # drawn with the first frame
        yield from self.compose_view()
        yield KeyBar()

    @classmethod
    def prepare(cls, dossier: Dossier, index: Index) -> None:
        """Work out ahead of time (while the user reads) what every view of
        ``dossier`` would need; the default needs nothing."""

    def compose_view(self) -> ComposeResult:
        """The view's own widgets (between the breadcrumb and the footer)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.query_one(Breadcrumb).set_trail(self.navigation.trail_labels())

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < self.SHORT, "-short")

    def on_screen_resume(self) -> None:
        # A kept view shown again: the trail that led here may have changed.
        self.query_one(Breadcrumb).set_trail(self.navigation.trail_labels())

    def action_close_view(self) -> None:
        self.navigation.go_back()

    def open_in_explorer(self, entity_id: str) -> None:
        """Show ``entity_id`` in the explorer (a new history step)."""
        self.navigation.open_entity(entity_id)


class LinesView(ViewScreen):
    """A view that is one pane of lines (subclasses set :attr:`PANE`, implement
    :meth:`show`): the pane has focus from the start, and a link chosen in it opens
    its item in the explorer."""

    PANE: ClassVar[type[LinesPane]] = LinesPane
    """The pane's class (its id is the view's key)."""

    def compose_view(self) -> ComposeResult:
        yield self.PANE(self.dossier, self.index, id=self.VIEW)

    @property
    def pane(self) -> LinesPane:
        """The view's pane."""
        return self.query_one(self.PANE)

    def on_mount(self) -> None:
        self.show()
        self.pane.focus()

    def show(self) -> None:
        """Put the view's lines in the pane (again, when what they show changed)."""
        raise NotImplementedError

    def on_detail_pane_link_chosen(self, message: DetailPane.LinkChosen) -> None:
        message.stop()
        self.open_in_explorer(message.target)
