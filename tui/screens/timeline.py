"""The Timeline view: every event in date order, held, scheduled or cancelled.

Partial dates sort before the full dates inside them (2017 < 2017-04 < 2017-04-20).
The view opens on all events with the cursor on the first one linked to the item
the user came from; ``o`` shows only those linked events, and ``o`` again all.
An event is linked when it names the item among its actors or issues, or when the
item and the event link to each other in any other way (relations included).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ..content import Dossier, Event, Index
from ..content.lazy import Reordered, catalog_of, derived_of
from ..content.text import one_line
from ..widgets.timeline_list import TimelineList
from .view import ViewScreen


class TimelineScreen(ViewScreen):
    """Timeline of the dossier, the cursor on the first event linked to the origin."""

    VIEW = "timeline"
    NAME = "Timeline"
    SHORT = 16  # the summary area hides

    DEFAULT_CSS = """
    TimelineScreen #timeline-info { height: 3; }
    TimelineScreen.-short #timeline-info { display: none; }
    """

    BINDINGS = [
        Binding("o", "only_linked", "Only linked", id="timeline-only-linked"),
        Binding("o", "all_events", "All events", id="timeline-all-events"),
    ]

    def __init__(self, dossier: Dossier, index: Index, entity_id: str | None) -> None:
        super().__init__(dossier, index, entity_id)
        # In date order (PartialDate's own: 2017 < 2017-04 < 2017-04-20) by the dates
        # the dossier's store keeps: a stored dossier decodes only the events drawn.
        dates = derived_of(dossier)["event_dates"]
        in_order = Reordered(dossier.events, sorted(range(len(dates)), key=lambda n: dates[n]))
        ids = [entry.id for entry in catalog_of(in_order)]
        self.linked = self._linked_events(ids)
        """Ids of the events linked to the origin."""
        start = next((event_id for event_id in ids if event_id in self.linked), None)
        self.timeline = TimelineList(
            in_order, self._label, linked=self.linked, start=start, id="timeline"
        )
        self._update_titles()
        self._info_for: str | None = None
        """The event the info area describes."""

    def compose_view(self) -> ComposeResult:
        yield self.timeline
        event = self.timeline.current
        self._info_for = event.id if event is not None else None
        yield Static(
            self._summary(event) if event is not None else "",
            id="timeline-info",
            classes="view-info",
            markup=False,
        )

    def _linked_events(self, event_ids: list[str]) -> frozenset[str]:
        """The events that are the origin or linked to it either way (an event's
        ``actors`` and ``issues`` are its links, so the origin's backlinks have them)."""
        origin = self.entity_id
        if origin is None:
            return frozenset()
        linked = self.index.neighbours(origin) | {origin}
        return frozenset(event_id for event_id in event_ids if event_id in linked)

    def _label(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return entity.label if entity is not None else entity_id

    def _update_titles(self) -> None:
        timeline = self.timeline
        total = len(timeline.events)
        origin = self.origin
        if timeline.only_linked and origin is not None:
            title = Text(f"Timeline: {timeline.shown_count} of {total} events, linked to ")
            title.append(one_line(origin.label))
        else:
            title = Text(f"Timeline: {total} event{'' if total == 1 else 's'}")
        timeline.border_title = title
        if self.linked and origin is not None:
            subtitle = Text(f"• {len(self.linked)} linked to ")
            subtitle.append(one_line(origin.label))
            timeline.border_subtitle = subtitle
        else:
            timeline.border_subtitle = ""

    # -- messages up -------------------------------------------------------
    def on_timeline_list_highlighted(self, message: TimelineList.Highlighted) -> None:
        if message.event.id == self._info_for:
            return  # shown already (the list announces its first event on mount)
        self._info_for = message.event.id
        info = self._summary(message.event)
        self.query_one("#timeline-info", Static).update(info, layout=False)  # a fixed-size area

    @staticmethod
    def _summary(event: Event) -> Text:
        summary = event.summary
        return Text(summary) if summary else Text("(no summary)", style="dim")

    def on_timeline_list_chosen(self, message: TimelineList.Chosen) -> None:
        self.open_in_explorer(message.event.id)

    # -- actions -----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "only_linked":  # offered when it would hide something, and not all
            shown = self.timeline
            return 0 < len(self.linked) < len(shown.events) and not shown.only_linked
        if action == "all_events":
            return self.timeline.only_linked
        return True

    def action_only_linked(self) -> None:
        self._show_only_linked(True)

    def action_all_events(self) -> None:
        self._show_only_linked(False)

    def _show_only_linked(self, only_linked: bool) -> None:
        self.timeline.set_only_linked(only_linked)
        self._update_titles()
        self.refresh_bindings()
