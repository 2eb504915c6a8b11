"""The Search view: every piece of text of the dossier, found as you type.

A query line at the top keeps the focus; the hits below it follow every key (the
search itself is :mod:`tui.content.search`). Up, down and the page keys move through
the hits, enter opens the item in the explorer with the searched words marked in its
detail and the hit's line in view (``]`` / ``[`` go from one marked line to the next
there), and back returns here as it was left: query, hits and cursor.

The index is built the first time the view opens, not before: for a small dossier at
once, for a big one in a thread while the view says "Indexing…". It is kept with the
app for the next time, and built again only when the dossier changes (a ``--watch``
reload gives the app a new index). The last query is kept too, so the view opened
again (from another item) starts from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from ..content import Dossier, Index, searchstore
from ..content.gcpause import collector_paused
from ..content.loader import dossier_dependencies
from ..content.search import Results, SearchIndex
from ..widgets.search_query import SearchQuery
from ..widgets.search_results import SearchResults
from .explorer import ExplorerScreen
from .view import ViewScreen

HIT_LIMIT = 100
"""Hits listed at most (the count says how many there are)."""
HIT_CAP = 200
"""Matching texts after which a search stops ("200+ hits"): a common word, or the first
letters of any word, then costs what a rare one does. On 10,000 actors a typed key's
search took 3-6 ms at 1,000, 1.5-3 at 500, 0.5-1.5 at 200, out of the 6 ms or so a key
may take in all (the minimal app's cursor move: 4-5 ms)."""
BUILD_IN_THREAD = 1500
"""From this many items on, the index is built in a thread (below: at once, in ms)."""
EMPTY_QUERY = "Type to search every text of the dossier."
HINT = 'words in any order, "a phrase", kind:actor stance:against source:ID'


@dataclass
class SearchState:
    """What the app keeps of its searches: the index of one dossier, the last query."""

    index_of: Index | None = None
    """The dossier's index the search index was built for (a reload makes a new one)."""
    search_index: SearchIndex | None = None
    last_query: str = ""


_STATES: WeakKeyDictionary[App[Any], SearchState] = WeakKeyDictionary()
"""Each app's search state (it goes with the app)."""


def search_state(app: App[Any]) -> SearchState:
    """The search state kept for ``app``."""
    state = _STATES.get(app)
    if state is None:
        state = _STATES[app] = SearchState()
    return state


def hit_count(results: Results) -> str:
    """How many hits, as the view says it: "1 hit", "23 hits", "200+ hits"."""
    total = results.total
    more = "" if results.complete else "+"
    return f"{total:,}{more} hit{'' if total == 1 and not more else 's'}"


class SearchScreen(ViewScreen):
    """Full-text search over the whole dossier (see the module doc)."""

    VIEW = "search"
    NAME = "Search"

    DEFAULT_CSS = """
    SearchScreen #search-hint {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        background: $surface;
    }
    SearchScreen.-short #search-hint { display: none; }
    """
    SHORT = 14

    BINDINGS = [
        Binding("up", "move(-1)", "Previous", show=False, id="search-up"),
        Binding("down", "move(1)", "Next", show=False, id="search-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="search-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="search-page-down"),
        Binding("ctrl+home", "move_to(0)", "First hit", show=False, id="search-first"),
        Binding("ctrl+end", "move_to(-1)", "Last hit", show=False, id="search-last"),
    ]

    def __init__(self, dossier: Dossier, index: Index, entity_id: str | None) -> None:
        super().__init__(dossier, index, entity_id)
        self._shown_query: str | None = None
        """The query whose hits are listed (None: none yet)."""

    def compose_view(self) -> ComposeResult:
        yield SearchQuery(search_state(self.app).last_query, id="search-query")
        yield SearchResults(self._label, id="search-results")
        yield Static(HINT, id="search-hint", markup=False)

    @property
    def query_input(self) -> SearchQuery:
        return self.query_one(SearchQuery)

    @property
    def results(self) -> SearchResults:
        return self.query_one(SearchResults)

    def _label(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return entity.label if entity is not None else entity_id

    def on_mount(self) -> None:
        super().on_mount()
        field = self.query_input
        field.cursor_position = len(field.value)
        field.on_value = self._search
        self.set_focus(field)
        state = search_state(self.app)
        if state.index_of is not self.index or state.search_index is None:
            state.index_of, state.search_index = self.index, None
            if len(self.dossier.entities) < BUILD_IN_THREAD:
                state.search_index = self._build()
            else:
                self.run_worker(
                    self._build, thread=True, exclusive=True, group="search-index", name="index"
                )
        self._search(field.value)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.set_focus(self.query_input)

    # -- the index ---------------------------------------------------------
    def _build(self) -> SearchIndex:
        """The index: read from the load cache's folder, where ``dossier search`` and
        any earlier session leave it beside the dossier's entry (its units decoded as
        hits show them), or else built and written there for next time.

        Built with the collector paused, then frozen: like the dossier it lives as long
        as the app, and left in sight its 180,000 units (10,000 actors) made a full
        collection in the middle of typing cost 50-100 ms."""
        entry = self.index.cache_entry
        if entry is not None:
            stored = searchstore.read(entry.stem, entry.parent)
            if stored is not None and stored.sound():
                return stored.index
        with collector_paused():
            built = SearchIndex.of(self.dossier)
        if entry is not None:
            dependencies = dossier_dependencies(self.dossier)
            searchstore.write(entry.stem, built, self.dossier, dependencies, entry.parent)
        return built

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "search-index" or event.state != WorkerState.SUCCESS:
            return
        built = worker.result
        state = search_state(self.app)
        if isinstance(built, SearchIndex) and state.index_of is self.index:
            state.search_index = built
            self._shown_query = None
            self._search(self.query_input.value)

    # -- searching ---------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    def _search(self, query: str) -> None:
        """List the hits of ``query`` (at once: every key)."""
        state = search_state(self.app)
        state.last_query = query
        results = self.results
        if state.search_index is None or state.index_of is not self.index:
            results.border_title = "Indexing…"
            results.set_hits([], "Indexing the dossier… (type on: the hits follow)")
            return
        if query == self._shown_query:
            return
        self._shown_query = query
        found = state.search_index.search(query, limit=HIT_LIMIT, cap=HIT_CAP)
        if found.query.empty:
            results.border_title = "Search"
            results.set_hits([], EMPTY_QUERY)
        elif not found.hits:
            results.border_title = "Search: no hits"
            results.set_hits([], "Nothing matches: fewer or shorter words find more.")
        else:
            results.border_title = f"Search: {hit_count(found)}"
            results.set_hits(found.hits, "")
        if found.hits and len(found.hits) < found.total:
            results.border_subtitle = f"the first {len(found.hits):,} shown"
        else:
            results.border_subtitle = ""

    # -- moving and opening -------------------------------------------------
    def action_move(self, step: int) -> None:
        self.results.cursor += step

    def action_page(self, step: int) -> None:
        results = self.results
        results.cursor += step * max(1, results.rows_in_view() // results.ROW_LINES - 1)

    def action_move_to(self, row: int) -> None:
        results = self.results
        results.cursor = row if row >= 0 else results.item_count - 1

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.results.choose()

    def on_search_results_chosen(self, message: SearchResults.Chosen) -> None:
        message.stop()
        hit = message.hit
        self.open_in_explorer(hit.unit.item)
        explorer = next((s for s in self.app.screen_stack if isinstance(s, ExplorerScreen)), None)
        if explorer is None or explorer.navigation.current_entity != hit.unit.item:
            return
        if not explorer.show_search_hit(hit.terms, hit.unit.text):
            self.app.notify(
                f"Found in: {hit.unit.where} (the detail does not show it).",
                timeout=4,
                markup=False,
            )
