"""The load benchmark: loading a dossier against plain PyYAML parsing of the same files.

For each size N a synthetic dossier (:mod:`bench.synth`) is written to a temporary
folder, then these are timed in the same run, best of k repeats (k = 5, or 3 for
N = 10,000), interleaved so that a slow spell on a shared machine hits all of them:

- ``CSafeLoader``: ``yaml.load(text, Loader=yaml.CSafeLoader)`` of every file, reading
  the files as text inside the timed region (as the loader does): the baseline;
- cold: ``load_dossier(path, use_cache=False)``, load and validate with no cache;
- warm: ``load_dossier(path, cache_dir=...)`` re-opening the unchanged dossier, with a
  cache filled by one untimed load first;
- the baseline again with the cyclic garbage collector paused, as the loader pauses
  it while it builds the model: a stricter baseline, shown in a second table, since
  the loader's ratio to the plain baseline partly measures that pause.

The bars (issue 2) are cold at most 1.2x and warm at most 0.1x the baseline, for
N = 10,000; they are shown for every N.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.synth import check_loaded, write_synthetic
from tui.content import ContentError, load_dossier

SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (100, 1_000)
COLD_BAR = 1.2
"""Cold load-and-validate may take at most this many times the plain parse."""
WARM_BAR = 0.1
"""Re-opening through the cache may take at most this fraction of the plain parse."""
MAX_DIAGNOSTICS = 20

_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def repeats_for(n: int) -> int:
    """How many timed repeats a size gets (the large one is slow)."""
    return 3 if n >= 10_000 else 5


def seconds(action: Callable[[], object], *, gc_paused: bool = False) -> float:
    """The wall time of one run of ``action``.

    Every run starts from the same heap: the loader freezes what it loaded
    (``gc.freeze``), so that is undone and everything collected first.
    """
    gc.unfreeze()
    gc.collect()
    if gc_paused:
        gc.disable()
    try:
        start = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    # Freeing the result is not part of loading: it is dropped outside the timed region.
    del result
    return elapsed


def best_of(repeats: int, actions: dict[str, Callable[[], float]]) -> dict[str, float]:
    """The best time of each timing action over ``repeats`` interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            times[name].append(action())
    return {name: min(values) for name, values in times.items()}


def parse_plain(folder: Path) -> list[object]:
    """The baseline: read and parse every file with PyYAML's (C) safe loader."""
    return [
        yaml.load(path.read_text(encoding="utf-8"), Loader=_BASE_LOADER)
        for path in sorted(folder.glob("*.yaml"))
    ]


def first_load(folder: Path, n: int) -> None:
    """One untimed load that also warms imports; stops the run if the dossier is invalid."""
    try:
        dossier = load_dossier(folder, use_cache=False)
    except ContentError as error:
        print(f"synthetic dossier N = {n} is invalid ({len(error.diagnostics)} problems):")
        for diagnostic in error.diagnostics[:MAX_DIAGNOSTICS]:
            print(f"  {diagnostic}")
        raise SystemExit(1) from None
    missing = check_loaded(dossier, n)
    if missing is not None:
        raise SystemExit(f"load benchmark: N = {n}: {missing}")


def fill_cache(folder: Path, cache: Path) -> None:
    """Load once through the cache, untimed; stop if nothing was cached."""
    load_dossier(folder, cache_dir=cache)
    if not any(cache.rglob("*.pickle")):
        raise SystemExit(f"load benchmark: loading with cache_dir={cache} wrote no cache entry")


@dataclass(frozen=True)
class Row:
    """The timings of one size, in seconds."""

    n: int
    size_kib: float
    base: float
    base_gc_paused: float
    cold: float
    warm: float


def measure(n: int) -> Row:
    """Write a dossier of size ``n`` and time parsing and loading it."""
    with (
        tempfile.TemporaryDirectory(prefix="dossier-bench-content-") as content_dir,
        tempfile.TemporaryDirectory(prefix="dossier-bench-cache-") as cache_dir,
    ):
        folder = write_synthetic(Path(content_dir) / f"synthetic-{n}", n)
        size_kib = sum(path.stat().st_size for path in folder.glob("*.yaml")) / 1024
        first_load(folder, n)
        cache = Path(cache_dir)

        fill_cache(folder, cache)
        best = best_of(
            repeats_for(n),
            {
                "base": lambda: seconds(lambda: parse_plain(folder)),
                "cold": lambda: seconds(lambda: load_dossier(folder, use_cache=False)),
                "warm": lambda: seconds(lambda: load_dossier(folder, cache_dir=cache)),
                "base_gc_paused": lambda: seconds(lambda: parse_plain(folder), gc_paused=True),
            },
        )
    return Row(n, size_kib, **best)


def verdict(ratio: float, bar: float) -> str:
    return "PASS" if ratio <= bar else "FAIL"


def main_row(row: Row) -> str:
    cold_ratio, warm_ratio = row.cold / row.base, row.warm / row.base
    bars = f"cold {verdict(cold_ratio, COLD_BAR)}, warm {verdict(warm_ratio, WARM_BAR)}"
    return (
        f"| {row.n:,} | {row.size_kib:,.0f} | {row.base * 1000:,.1f} | {row.cold * 1000:,.1f} "
        f"| {cold_ratio:.2f}x | {row.warm * 1000:,.1f} | {warm_ratio:.3f}x | {bars} |"
    )


def strict_row(row: Row) -> str:
    cold_ratio, warm_ratio = row.cold / row.base_gc_paused, row.warm / row.base_gc_paused
    bars = f"cold {verdict(cold_ratio, COLD_BAR)}, warm {verdict(warm_ratio, WARM_BAR)}"
    return (
        f"| {row.n:,} | {row.base_gc_paused * 1000:,.1f} | {cold_ratio:.2f}x "
        f"| {warm_ratio:.3f}x | {bars} |"
    )


def print_environment() -> None:
    libyaml = _BASE_LOADER.__name__ == "CSafeLoader"
    python = f"{platform.python_version()} ({platform.python_implementation()})"
    print(f"Python {python} on {platform.machine()} {sys.platform}")
    print(f"PyYAML {yaml.__version__}, libyaml: {'yes' if libyaml else 'NO (pure-Python parser)'}")
    if os.environ.get("DOSSIER_NO_CACHE"):
        print("WARNING: DOSSIER_NO_CACHE is set: the warm column measures uncached loads")
    print("Times are the best of 5 interleaved repeats (3 for N = 10,000), each from a")
    print("collected heap; the machine's other load only ever adds time.")
    print(f"Bars (issue 2, for N = 10,000): cold <= {COLD_BAR}x, warm <= {WARM_BAR}x the baseline.")


def run(*, quick: bool = False) -> None:
    """Print the environment and the tables (main rows as they are measured)."""
    print_environment()
    print()
    name = _BASE_LOADER.__name__
    print(f"| N | files KiB | {name} ms | cold ms | cold/base | warm ms | warm/base | bars |")
    print("|---:|---:|---:|---:|---:|---:|---:|:---|")
    rows: list[Row] = []
    for n in QUICK_SIZES if quick else SIZES:
        rows.append(measure(n))
        print(main_row(rows[-1]), flush=True)
    print()
    print(f"Stricter baseline: {name} with the cyclic GC paused, as the loader runs.")
    print()
    print(f"| N | {name}, GC paused ms | cold/base | warm/base | bars |")
    print("|---:|---:|---:|---:|:---|")
    for row in rows:
        print(strict_row(row))
