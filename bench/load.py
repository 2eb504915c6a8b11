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

Issue 18 ("big dossiers open as fast as small ones") adds two measures:

- the same timings on the heavy profile of :mod:`bench.synth` (long texts, many small
  objects per entity, text beyond ASCII), in a third table for the same sizes, with
  both baselines side by side; the bar is cold (no cache) at most 0.6x the plain
  ``CSafeLoader`` parse, for N = 10,000 (shown for every N);
- ``dossier validate PATH`` with a warm cache as a whole process (``python -m tui
  validate PATH``, wall time, best of 3, the two commands taking turns), this tree
  against the tree of :data:`BASELINE_REV` checked out as a git worktree for the run
  (``$BENCH_LOAD_BASELINE`` names another commit; :mod:`bench.baseline`), each with a
  cache folder of its own filled by one untimed run; on the heavy profile at
  N = 10,000 (1,000 with ``--quick``). Bar: at most 0.3x the baseline's time.
"""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.baseline import REPO_ROOT, baseline_worktree, tree_command
from bench.synth import check_loaded, write_synthetic
from tui.content import ContentError, load_dossier

SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (100, 1_000)
COLD_BAR = 1.2
"""Cold load-and-validate may take at most this many times the plain parse."""
WARM_BAR = 0.1
"""Re-opening through the cache may take at most this fraction of the plain parse."""
HEAVY_COLD_BAR = 0.6
"""Issue 18: cold load-and-validate of the heavy profile at most this many times the
plain parse."""
VALIDATE_BAR = 0.3
"""Issue 18: ``dossier validate`` with a warm cache at most this many times the same
command from :data:`BASELINE_REV`."""
VALIDATE_N = 10_000
QUICK_VALIDATE_N = 1_000
VALIDATE_RUNS = 3
BASELINE_REV = "df7f263"
"""The tree before issue 18's work on the load cache."""
BASELINE_ENV = "BENCH_LOAD_BASELINE"
"""Names another baseline commit for the ``dossier validate`` comparison."""
VALIDATE_TIMEOUT = 900.0
"""Seconds any one ``dossier validate`` may take before the comparison gives up."""
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


def first_load(folder: Path, n: int, profile: str = "light") -> None:
    """One untimed load that also warms imports; stops the run if the dossier is invalid."""
    try:
        dossier = load_dossier(folder, use_cache=False)
    except ContentError as error:
        what = f"synthetic dossier N = {n}" + ("" if profile == "light" else f" ({profile})")
        print(f"{what} is invalid ({len(error.diagnostics)} problems):")
        for diagnostic in error.diagnostics[:MAX_DIAGNOSTICS]:
            print(f"  {diagnostic}")
        raise SystemExit(1) from None
    missing = check_loaded(dossier, n)
    if missing is not None:
        raise SystemExit(f"load benchmark: N = {n}: {missing}")


def fill_cache(folder: Path, cache: Path) -> None:
    """Load once through the cache, untimed; stop if nothing was cached."""
    load_dossier(folder, cache_dir=cache)
    if not cache_filled(cache):
        raise SystemExit(f"load benchmark: loading with cache_dir={cache} wrote no cache entry")


def cache_filled(cache: Path) -> bool:
    """Whether anything was written under ``cache`` (whatever form entries take)."""
    return any(path.is_file() for path in cache.rglob("*"))


@dataclass(frozen=True)
class Row:
    """The timings of one size, in seconds."""

    n: int
    size_kib: float
    base: float
    base_gc_paused: float
    cold: float
    warm: float


def measure(n: int, profile: str = "light") -> Row:
    """Write a dossier of size ``n`` in ``profile`` and time parsing and loading it."""
    with (
        tempfile.TemporaryDirectory(prefix="dossier-bench-content-") as content_dir,
        tempfile.TemporaryDirectory(prefix="dossier-bench-cache-") as cache_dir,
    ):
        folder = write_synthetic(Path(content_dir) / f"synthetic-{n}", n, profile=profile)
        size_kib = sum(path.stat().st_size for path in folder.glob("*.yaml")) / 1024
        first_load(folder, n, profile)
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


def heavy_row(row: Row) -> str:
    """A heavy-profile row: both baselines, and issue 18's bar on the plain one."""
    cold_ratio, warm_ratio = row.cold / row.base, row.warm / row.base
    strict = row.cold / row.base_gc_paused
    return (
        f"| {row.n:,} | {row.size_kib:,.0f} | {row.base * 1000:,.1f} "
        f"| {row.base_gc_paused * 1000:,.1f} | {row.cold * 1000:,.1f} | {cold_ratio:.2f}x "
        f"| {strict:.2f}x | {row.warm * 1000:,.1f} | {warm_ratio:.3f}x "
        f"| cold {verdict(cold_ratio, HEAVY_COLD_BAR)} |"
    )


class CommandError(Exception):
    """A ``dossier validate`` run failed, or left its cache folder empty."""


def child_env(cache: Path) -> dict[str, str]:
    """This process's environment with the cache switched on and kept in ``cache``."""
    env = {name: value for name, value in os.environ.items() if name != "DOSSIER_NO_CACHE"}
    env["DOSSIER_CACHE_DIR"] = str(cache)
    return env


def run_seconds(argv: Sequence[str], env: dict[str, str]) -> float:
    """The wall time of one whole process (its output discarded); raises
    :class:`CommandError` unless it exits 0."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            timeout=VALIDATE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CommandError(
            f"`{' '.join(argv)}` took over {VALIDATE_TIMEOUT:.0f} s (killed)"
        ) from None
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        output = " ".join((done.stdout + done.stderr).decode(errors="replace").split())
        raise CommandError(f"`{' '.join(argv)}` exited {done.returncode}: {output[-400:]}")
    return elapsed


def validate_times(
    folder: Path, tree: Path, temp: Path, runs: int
) -> tuple[list[float], list[float]]:
    """``dossier validate FOLDER`` warm, this tree and ``tree`` taking turns; each fills
    a cache folder of its own once, untimed, first. The seconds of every run, per tree."""
    commands: list[tuple[tuple[str, ...], dict[str, str]]] = []
    for name, source in (("current", None), ("baseline", tree)):
        cache = temp / f"cache-{name}"
        cache.mkdir()
        argv = (*tree_command(source), "validate", str(folder))
        env = child_env(cache)
        run_seconds(argv, env)
        if not cache_filled(cache):
            raise CommandError(f"`{' '.join(argv)}` wrote nothing to its cache folder {cache}")
        commands.append((argv, env))
    times: tuple[list[float], list[float]] = ([], [])
    for number in range(runs):
        order = [0, 1] if number % 2 == 0 else [1, 0]
        for index in order:
            times[index].append(run_seconds(*commands[index]))
    return times


def validate_comparison(n: int) -> tuple[str, list[str]]:
    """Issue 18's ``dossier validate`` row for the heavy profile at ``n``, and notes."""
    rev = os.environ.get(BASELINE_ENV, BASELINE_REV)
    label = f"`dossier validate`, heavy {n:,}, warm"
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dossier-bench-validate-") as name:
        temp = Path(name)
        folder = write_synthetic(temp / f"synthetic-heavy-{n}", n, profile="heavy")
        with baseline_worktree(rev, temp / "baseline") as tree:
            if tree is None:
                return f"| {label} | not measured | | | | FAIL |", notes
            try:
                ours, theirs = validate_times(folder, tree, temp, VALIDATE_RUNS)
            except CommandError as error:
                notes.append(str(error))
                return f"| {label} | not measured | | | | FAIL |", notes
    mine, base = min(ours), min(theirs)
    ratio = mine / base
    notes.append(
        "every run, ms: this tree "
        + ", ".join(f"{value * 1000:,.0f}" for value in ours)
        + f"; {rev} "
        + ", ".join(f"{value * 1000:,.0f}" for value in theirs)
    )
    row = (
        f"| {label} | {mine * 1000:,.0f} | {base * 1000:,.0f} ({rev}) | {ratio:.2f}x "
        f"| <= {VALIDATE_BAR}x | {verdict(ratio, VALIDATE_BAR)} |"
    )
    return row, notes


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
    print(
        f"Issue 18 (heavy profile, N = 10,000): cold <= {HEAVY_COLD_BAR}x the baseline; "
        f"`dossier validate` warm <= {VALIDATE_BAR}x the same command from "
        f"{os.environ.get(BASELINE_ENV, BASELINE_REV)} (a git worktree)."
    )


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
    print()
    print(
        f"Heavy profile (issue 18): the same timings; the bar, cold <= {HEAVY_COLD_BAR}x "
        f"{name}, is for N = 10,000 and shown for every N."
    )
    print()
    print(
        f"| N | files KiB | {name} ms | GC paused ms | cold ms | cold/base | cold/paused "
        "| warm ms | warm/base | bar |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|")
    for n in QUICK_SIZES if quick else SIZES:
        print(heavy_row(measure(n, "heavy")), flush=True)
    print()
    n = QUICK_VALIDATE_N if quick else VALIDATE_N
    rev = os.environ.get(BASELINE_ENV, BASELINE_REV)
    print(
        f"`dossier validate PATH` (`python -m tui validate PATH`) with a warm cache, heavy "
        f"profile, N = {n:,}: this tree against {rev} (a git worktree), whole processes, "
        f"best of {VALIDATE_RUNS}, taking turns; each with its own cache, filled once first."
    )
    print(flush=True)
    validate_row, notes = validate_comparison(n)
    print("| command | this tree ms | baseline ms | ratio | bar | verdict |")
    print("|:---|---:|---:|---:|:---|:---|")
    print(validate_row, flush=True)
    if notes:
        print()
    for note in notes:
        print(f"- {note}")
