"""The help screen: every key of the app, searchable."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

KEYS: list[tuple[str, str, str]] = [
    ("Moving", "tab / shift+tab", "next / previous pane"),
    ("Moving", "1 2 3 4", "focus Actors, Issues, Assessment, Detail"),
    ("Moving", "up down  (k j)", "move the cursor (in Detail: from link to link)"),
    ("Moving", "home end  (g G)", "first / last"),
    ("Moving", "pageup pagedown", "a page up / down"),
    ("Following", "enter", "open the item in a list; follow the link in Detail"),
    ("Following", "backspace  alt+left", "back"),
    ("Following", "alt+right", "forward"),
    ("Finding", "/", "filter the focused list by name, alias or id"),
    ("Finding", "escape", "clear the filter; close this screen or the palette"),
    ("Finding", "ctrl+p", "command palette: jump to any item, run any command"),
    ("Finding", "s", 'search every text: words, "a phrase", kind: stance: source:'),
    ("Finding", "up down  pgup pgdn", "in search: move through the hits (typing goes on)"),
    ("Finding", "enter", "in search: open the hit's item, the words marked"),
    ("Finding", "] / [", "next / previous hit in that item; escape unmarks"),
    ("Finding", "◆ ■ ▲ ● ¶", "in search: actor, issue, assessment, event, source"),
    ("Views", "m", "stance matrix: actors by issues"),
    ("Views", "t", "timeline of events (o: only those linked to the item)"),
    ("Views", "e", "evidence: what the item rests on, paragraph by paragraph"),
    ("Views", "n", "neighbourhood: the item's links as a tree (+/- hops)"),
    ("Views", "c", "changes since OLD, in diff mode (dossier --diff OLD)"),
    ("Views", "escape", "close a view (back to where you were)"),
    ("Presenting", "p", "tour: space/right next, left previous, escape leaves"),
    ("Presenting", "f", "link hints: type a link's label to follow it"),
    ("Presenting", "y", "copy the current item's citation (works over SSH)"),
    ("In a room", "F", "follow the presenter / explore on your own (and back)"),
    ("In a room", "P", "present, when nobody does (if you may)"),
    ("In a room", "H", "hand over: stop presenting"),
    ("App", "E", "edit the item in $VISUAL / $EDITOR at its line, then reload"),
    ("App", "? / f1", "this help"),
    ("App", "q / ctrl+q", "quit"),
]
"""(group, keys, what they do): the reference the footer abbreviates."""


KEY_COLUMN = 21
"""Cells for the keys; a description that wraps goes on under its own first line."""


def _key_row(keys: str, meaning: str) -> Table:
    """One key's row: indent, keys, description, as columns, so that a description too
    long for the width wraps under itself (a hanging indent), not under the keys."""
    row = Table.grid(padding=0)
    row.add_column(width=2)
    row.add_column(width=KEY_COLUMN, no_wrap=True, overflow="ellipsis")
    row.add_column(ratio=1, overflow="fold")
    row.add_row("", Text(keys, style="bold"), Text(meaning))
    return row


class HelpScreen(ModalScreen[None]):
    """Lists the keys; typing filters them; escape closes."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; }
    HelpScreen Input, HelpScreen Input:focus {
        height: 1;
        border: none;
        padding: 0 1;
        margin-bottom: 1;
        background: $panel;
    }
    HelpScreen OptionList { height: auto; max-height: 100%; border: none; padding: 0; }
    HelpScreen OptionList > .option-list--option-disabled { color: $foreground; }
    """

    BINDINGS = [
        Binding("escape", "dismiss_help", "Close", id="close-help"),
        Binding("f1", "dismiss_help", "Close", show=False),
        Binding("up", "scroll('up')", "Scroll", show=False),
        Binding("down", "scroll('down')", "Scroll", show=False),
        Binding("pageup", "scroll('page_up')", "Scroll", show=False),
        Binding("pagedown", "scroll('page_down')", "Scroll", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Keys (type to search; escape closes)", id="help-title")
            yield Input(placeholder="search keys", id="help-search")
            yield OptionList(*self._options(""), id="help-keys", markup=False)

    def _options(self, query: str) -> list[Option]:
        words = query.casefold().split()
        options = []
        group_shown = ""
        for group, keys, meaning in KEYS:
            haystack = f"{group} {keys} {meaning}".casefold()
            if not all(word in haystack for word in words):
                continue
            if group != group_shown:
                options.append(Option(Text(group, style="bold underline"), disabled=True))
                group_shown = group
            options.append(Option(_key_row(keys, meaning), disabled=True))
        if not options:
            options.append(Option(Text("no key matches that search", style="dim"), disabled=True))
        return options

    def action_scroll(self, how: str) -> None:
        keys = self.query_one("#help-keys", OptionList)
        getattr(keys, f"scroll_{how}")(animate=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        keys = self.query_one("#help-keys", OptionList)
        keys.clear_options()
        keys.add_options(self._options(event.value))

    def action_dismiss_help(self) -> None:
        self.dismiss()
