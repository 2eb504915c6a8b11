"""``python -m bench [NAME ...] [--quick]``: run benchmarks and print their tables.

Benchmarks are registered by name in :data:`BENCHMARKS`; each is a callable taking
``quick`` (a shorter run, for a quick look) that prints its own report. They are
imported only when run, so one benchmark's dependencies never stop another from running.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence


def _load(quick: bool) -> None:
    from bench.load import run

    run(quick=quick)


def _terminal(quick: bool) -> None:
    from bench.terminal import run

    run(quick=quick)


def _serve(quick: bool) -> None:
    from bench.serve_load import run

    run(quick=quick)


def _room(quick: bool) -> None:
    from bench.room import run

    run(quick=quick)


def _search(quick: bool) -> None:
    from bench.search import run

    run(quick=quick)


def _diff(quick: bool) -> None:
    from bench.diff import run

    run(quick=quick)


BENCHMARKS: dict[str, Callable[[bool], None]] = {
    "load": _load,
    "terminal": _terminal,
    "serve": _serve,
    "room": _room,
    "search": _search,
    "diff": _diff,
}
"""Every known benchmark by name, in the order ``python -m bench`` runs them."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the named benchmarks (all of them when none is named)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run dossier's benchmarks and print their tables."
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a quick look")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    for number, name in enumerate(args.names or BENCHMARKS):
        if number:
            print()
        print(f"## {name}\n")
        BENCHMARKS[name](args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
