"""The search benchmark (issue 17), on a synthetic dossier of 10,000 actors.

Four measures, each against a baseline taken in the same run:

1. **Typing in the search view.** ``dossier PATH`` under a 100x30 pseudo-terminal
   (:mod:`bench.terminal`'s sessions), ``s`` opens the search view (untimed: it builds
   the index the first time), then a word is typed a letter at a time and erased a
   letter at a time; every one of those keys is timed from writing it to the last byte
   of the redrawn results. Baseline: the minimal Textual app's cursor move (bars: median
   at most 1.5x, p95 at most 2x).
2. **Warm first screen** of this tree against the same dossier opened by the tree of
   :data:`BASELINE_REV` (the last commit before search existed, checked out as a git
   worktree for the run; ``BENCH_SEARCH_BASELINE`` names another), alternating (bar:
   1.05x).
3. **Cold load**: ``dossier validate --no-cache PATH`` as a whole process, this tree
   against the baseline tree (bar: 1.15x).
4. **``dossier search``** for a common word as a whole process, warm cache, against
   ``dossier validate`` with a warm cache on the same dossier (bar: 0.5x).

Also printed, for information: the index's build time and size, and single queries
timed in-process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.baseline import add_worktree, remove_worktree, tree_command
from bench.synth import write_synthetic
from bench.terminal import (
    BACKSPACE,
    CURSOR_MOVE,
    FIRST_SCREEN,
    MEDIAN_BAR,
    P95_BAR,
    REPO_ROOT,
    Check,
    KeyTest,
    Measurements,
    Press,
    Program,
    Scenario,
    Session,
    TerminalError,
    check_row,
    child_env,
    dossier_command,
    measure,
    minimal_program,
    p95,
)

SYNTHETIC_N = 10_000
QUICK_SYNTHETIC_N = 1_000
SESSIONS = 5
QUICK_SESSIONS = 2
WORDS = ("minis", "sanct", "coast")
"""Typed a letter at a time, then erased: a common word, a topic, a rarer one."""
SEARCH_KEY = "search key"
INDEXED = "Type to search"
"""What the view says once its index is built (the first key waits for it: keys typed
while it is built wait for the thread that builds it)."""
OPEN_SEARCH = "open search (first)"
BASELINE_REV = "7113f3d"
"""The last commit before search existed."""
FIRST_SCREEN_BAR = 1.05
COLD_LOAD_BAR = 1.15
CLI_BAR = 0.5
RUNS = 5
QUICK_RUNS = 3
COMMON_WORD = "ministry"
"""The most common content word of the synthetic text ("The ministry ..." opens about
one sentence in twelve: 6,681 hits on 10,000 actors)."""
STOPWORD = "the"
"""Also timed, for information: in 41% of all units (75,000 lines of output)."""


def typing_test(sessions: int) -> KeyTest:
    cycle = tuple(
        press
        for word in WORDS
        for press in (
            *(Press(letter.encode(), SEARCH_KEY) for letter in word),
            *(Press(BACKSPACE, SEARCH_KEY) for _ in word),
        )
    )
    return KeyTest(
        "typing",
        f"s opens the search view (timed apart, until it shows {INDEXED!r}: it builds the "
        f"index in a thread), then each of {WORDS} "
        "is typed a letter at a time and erased a letter at a time, every key timed",
        cycle,
        sessions,
        setup=(Press(b"s", OPEN_SEARCH, shows=INDEXED),),
    )


def typing_scenario(folder: Path, n: int, sessions: int) -> Scenario:
    argv = (*dossier_command(), str(folder))
    program = Program(
        "dossier",
        argv,
        (f"Synthetic dossier with {n} actors", f"Actors ({n})"),
        (typing_test(sessions),),
    )
    return Scenario(
        f"search view ({n:,} actors)",
        program,
        minimal_program(n),
        (
            Check(OPEN_SEARCH, "median"),
            Check(SEARCH_KEY, "median", CURSOR_MOVE, MEDIAN_BAR),
            Check(SEARCH_KEY, "p95", CURSOR_MOVE, P95_BAR),
            Check(SEARCH_KEY, "bytes", CURSOR_MOVE),
        ),
    )


def baseline_tree(temp: Path) -> Path | None:
    """A worktree of :data:`BASELINE_REV` (or ``$BENCH_SEARCH_BASELINE``) in ``temp``."""
    rev = os.environ.get("BENCH_SEARCH_BASELINE", BASELINE_REV)
    return add_worktree(rev, temp / "baseline")


def first_screens(
    folder: Path, n: int, tree: Path, env: dict[str, str], sessions: int
) -> tuple[list[float], list[float]]:
    """Warm first screens of this tree and of ``tree``, alternating."""
    markers = (f"Synthetic dossier with {n} actors", f"Actors ({n})")
    ours: list[float] = []
    theirs: list[float] = []
    programs = ((tree_command(None), ours), (tree_command(tree), theirs))
    for argv, _ in programs:  # warm: the cache, the OS's file cache
        with Session((*argv, str(folder)), env) as session:
            session.first_screen(markers)
            session.quit()
    for number in range(sessions * 2):
        for argv, into in programs if number % 2 == 0 else programs[::-1]:
            with Session((*argv, str(folder)), env) as session:
                into.append(session.first_screen(markers).seconds)
                session.quit()
    return ours, theirs


def timed(argv: Sequence[str], env: dict[str, str], ok: Sequence[int] = (0,)) -> float:
    """Seconds a whole process takes (its output discarded)."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=REPO_ROOT, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise TerminalError(
            f"`{' '.join(argv)}` exited {done.returncode}: {done.stderr.decode()[-400:]}"
        )
    return seconds


def alternate(
    commands: Sequence[Sequence[str]], env: dict[str, str], runs: int, ok: Sequence[int] = (0,)
) -> list[list[float]]:
    """Each command ``runs`` times, taking turns; the seconds of each run, per command."""
    times: list[list[float]] = [[] for _ in commands]
    for number in range(runs):
        order = list(enumerate(commands))
        for index, argv in order if number % 2 == 0 else order[::-1]:
            times[index].append(timed(argv, env, ok))
    return times


def ratio_row(what: str, ours: list[float], base: list[float], bar: float, base_name: str) -> str:
    mine, theirs = statistics.median(ours), statistics.median(base)
    ratio = mine / theirs
    verdict = "PASS" if ratio <= bar else "FAIL"
    return (
        f"| {what} | {mine * 1000:,.0f} ms | {theirs * 1000:,.0f} ms ({base_name}) "
        f"| {ratio:.2f}x | <= {bar}x | {verdict} |"
    )


def in_process(folder: Path) -> list[str]:
    """The index's build time and size, and single queries, timed in this process."""
    from tui.content.gcpause import collector_paused
    from tui.content.loader import check_dossier
    from tui.content.search import SearchIndex, units_of

    dossier = check_dossier(folder).dossier
    assert dossier is not None
    with collector_paused():  # as the app builds it
        start = time.perf_counter()
        units = list(units_of(dossier))
        middle = time.perf_counter()
        index = SearchIndex(units)
        built = time.perf_counter()
    size = sum(len(part.blob) for part in index.parts)
    notes = [
        f"index: {len(units):,} units, {size / 1e6:.1f} MB of folded text; units "
        f"{(middle - start) * 1000:.0f} ms, folding {(built - middle) * 1000:.0f} ms"
    ]
    for query in ("the", "sanct", "ministry coast", '"the ministry"', "zzzz", "kind:event"):
        times = []
        for _ in range(5):
            index.forget_answers()  # each time afresh, not from the answers kept
            begin = time.perf_counter()
            results = index.search(query, limit=100)
            times.append(time.perf_counter() - begin)
        total = f"{results.total:,}{'' if results.complete else '+'}"
        notes.append(f"query {query!r}: {total} hits, {statistics.median(times) * 1000:.1f} ms")
    return notes


def run(*, quick: bool = False) -> None:
    n = QUICK_SYNTHETIC_N if quick else SYNTHETIC_N
    sessions = QUICK_SESSIONS if quick else SESSIONS
    runs = QUICK_RUNS if quick else RUNS
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; synthetic dossier of {n:,}")
    print(
        f"Bars (issue 17): search key median <= {MEDIAN_BAR}x and p95 <= {P95_BAR}x the "
        f"minimal app's cursor move; warm first screen <= {FIRST_SCREEN_BAR}x the tree "
        f"before search; cold load <= {COLD_LOAD_BAR}x; `dossier search {COMMON_WORD}` warm "
        f"<= {CLI_BAR}x `dossier validate` warm."
    )
    print()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dossier-bench-search-") as name:
        temp = Path(name)
        cache = temp / "cache"
        cache.mkdir()
        env = child_env(cache)
        folder = temp / f"synthetic-{n}"
        write_synthetic(folder, n)
        print("| measure | dossier | baseline | ratio | bar | verdict |")
        print("|:---|---:|---:|---:|:---|:---|")
        try:
            results = measure(typing_scenario(folder, n, sessions), env, sessions, notes)
            dossier, minimal = results["dossier"], results["minimal"]
            for check in typing_scenario(folder, n, sessions).checks:
                row = check_row("", check, dossier, minimal).split("|")
                print("|" + "|".join([row[2], row[3], row[4], row[5], row[6], row[7]]) + "|")
            notes.append(samples_note(dossier))
        except TerminalError as error:
            print("| search key | not measured | | | | FAIL |")
            notes.append(str(error))
        tree = baseline_tree(temp)
        if tree is not None:
            try:
                ours, theirs = first_screens(folder, n, tree, env, sessions)
                print(ratio_row("warm first screen", ours, theirs, FIRST_SCREEN_BAR, "before"))
                validate = ("validate", "--no-cache", str(folder))
                cold = alternate(
                    [(*tree_command(None), *validate), (*tree_command(tree), *validate)],
                    env,
                    runs,
                )
                print(ratio_row("cold load (validate --no-cache)", *cold, COLD_LOAD_BAR, "before"))
            except TerminalError as error:
                print("| warm first screen / cold load | not measured | | | | FAIL |")
                notes.append(str(error))
            finally:
                remove_worktree(tree)
        command = dossier_command()
        search = (*command, "search", COMMON_WORD, str(folder))
        validate = (*command, "validate", str(folder))
        stopword = (*command, "search", STOPWORD, str(folder))
        try:
            timed(search, env, ok=(0, 1))  # warm: writes the search index beside the cache
            timed(validate, env)
            found, checked, common = alternate([search, validate, stopword], env, runs, (0, 1))
            print(ratio_row(f"`dossier search {COMMON_WORD}`, warm", found, checked, CLI_BAR,
                            "validate, warm"))  # fmt: skip
            row = ratio_row(f"`dossier search {STOPWORD}`, warm (info)", common, checked,
                            CLI_BAR, "validate, warm")  # fmt: skip
            print(row.rsplit("|", 2)[0] + "| info |")
        except TerminalError as error:
            print("| dossier search | not measured | | | | FAIL |")
            notes.append(str(error))
        notes.extend(in_process(folder))
    print()
    for note in notes:
        print(f"- {note}")


def samples_note(dossier: Measurements) -> str:
    keys = dossier.seconds.get(SEARCH_KEY, [])
    if not keys:
        return "no search keys measured"
    first = dossier.seconds.get(FIRST_SCREEN, [])
    return (
        f"{len(keys)} search keys: median {statistics.median(keys) * 1000:.1f} ms, "
        f"p95 {p95(keys) * 1000:.1f} ms, slowest {max(keys) * 1000:.1f} ms; "
        f"{len(first)} first screens"
    )
