"""The baseline of the terminal benchmark: a minimal Textual app.

A Header, an OptionList of ``N`` items and a Footer, with Textual's stock behaviour and
nothing else: what any Textual app showing a list of that length costs. The benchmark
(:mod:`bench.terminal`) runs it under the same pseudo-terminal as ``dossier`` and holds
dossier's times to a multiple of this app's. Its title carries :data:`MARKER`, so the
benchmark knows when the first screen is up.

Command line: ``python -m bench.minimal_app N`` (q quits).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList

MARKER = "Minimal baseline app"
"""Text of the app's title, shown in its header once the first screen is drawn."""

_WORDS = ("Republic of", "Council on", "Alliance for", "Foundation of", "Daily", "Front")
_NAMES = ("Aldora", "Belmar", "Corvin", "Dastra", "Eskel", "Faroun", "Gellan", "Hestor")


def item_label(number: int) -> str:
    """The label of item ``number``: about as long as an actor's name in a dossier."""
    word = _WORDS[number % len(_WORDS)]
    name = _NAMES[(number * 7) % len(_NAMES)]
    return f"{word} {name} {number}"


class MinimalApp(App[None]):
    """Header, an OptionList of ``count`` items (focused, first item highlighted), Footer."""

    TITLE = MARKER
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.sub_title = f"{count:,} items"

    def compose(self) -> ComposeResult:
        yield Header()
        yield OptionList(*(item_label(number) for number in range(1, self.count + 1)))
        yield Footer()

    def on_mount(self) -> None:
        # The cursor starts on the first item, as in dossier's lists.
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.minimal_app N``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.minimal_app",
        description="A minimal Textual app (Header, OptionList, Footer): the benchmark baseline.",
    )
    parser.add_argument("n", type=int, help="number of items in the list")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    MinimalApp(args.n).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
