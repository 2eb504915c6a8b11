"""The serve load benchmark: many SSH users of one ``dossier serve`` pressing keys at once.

A ``dossier serve`` runs as a subprocess on a free loopback port (its host key, HOME and
caches in a temporary folder). An asyncssh client in this process opens sessions with a
pty of 100x30, waits until every one shows the explorer, then each presses keys for a
fixed time: down, down, up, up, ... on the actor list (every key moves the highlight
and redraws the detail pane), one key at a time, with a pause between a screen settling
and the next key; sessions start at random moments within one pause, and each pause
varies between half and one and a half its nominal length, so that sessions do not press
in step. Three runs, in this order, each on a fresh server:

- single: one session alone on the server, the baseline, at the brisk pace;
- load, brisk: :data:`SESSIONS` sessions at once (:data:`QUICK_SESSIONS` with ``--quick``),
  each pausing :data:`BRISK` seconds (someone racing through the lists);
- load, steady: as many, each pausing :data:`STEADY` seconds (someone reading as they go).

Per-key latency is from writing the key to the last byte of its response, the screen
counting as settled once nothing arrives for :data:`KEY_SETTLE` (that quiet window is
not part of the time). Reported: median and 95th percentile (nearest rank) over every
key of every session, bytes received per key, and the memory of the server with its
apps when all sessions are up (RSS summed over the processes, which counts the pages
they share once per process; and PSS, which shares them out). The client runs on the
same machine and its own work (decrypting 50 streams) competes with the server's.

Bars (issue 6): under load, median at most 2x and p95 at most 3x the single session's.

Each run is made twice, with ``--no-prefork`` (every session starts Python and loads the
dossier) and pre-forked (sessions forked from the session factory); issue 15's bars
compare the two from the same run: the time until the last load session shows its first
screen at most 0.4x, PSS per extra session at most 0.5x, brisk key latency no worse.
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

SESSIONS = 50
QUICK_SESSIONS = 10
DURATION = 30.0
"""Seconds each session presses keys for."""
QUICK_DURATION = 5.0
SIZE = (100, 30)
BRISK = 0.5
"""Seconds between one key's screen settling and the next key, racing through."""
STEADY = 2.0
"""The same pause for someone reading as they go."""
KEY_SETTLE = 0.1
"""Seconds without output after which the screen counts as settled after a key."""
KEY_TIMEOUT = 10.0
"""Seconds a key may take to produce its first byte before it counts as lost."""
START_TIMEOUT = 240.0
"""Seconds all sessions together may take to show the explorer."""
MEDIAN_BAR = 2.0
P95_BAR = 3.0
START_BAR = 0.4
PSS_BAR = 0.5
SAME_BAR = 1.0
"""Issue 15's bars, pre-forked against --no-prefork: the time until the last of the
sessions shows its first screen, PSS per extra session, brisk key latency."""
TITLE = b"breakthrough"
KEYS = (b"\x1b[B", b"\x1b[B", b"\x1b[A", b"\x1b[A")

REPO_ROOT = Path(__file__).resolve().parent.parent
_LISTENING = re.compile(r"listening on \S+ port (\d+)")


class BenchError(Exception):
    """The run could not be measured: the server did not start, a session hung."""


class ServeServer:
    """``python -m tui.serve`` in a subprocess, stopped (and its apps with it) on exit."""

    def __init__(
        self, folder: Path, sessions: int, *, prefork: bool = True, extra: Sequence[str] = ()
    ) -> None:
        self.folder = folder
        self.log_path = folder / "server.log"
        self.args = [
            sys.executable,
            "-m",
            "tui.serve",
            "--port",
            "0",
            "--host-key",
            str(folder / "host_key"),
            "--max-sessions",
            str(sessions + 4),
            "--max-per-address",
            str(sessions + 4),
            # All sessions come from 127.0.0.1 at once (a room behind one address).
            "--per-source-max-startups",
            str(sessions + 4),
            "--max-startups",
            f"{sessions + 4}:30:{sessions + 4}",
            "--idle-timeout",
            "0",
            *([] if prefork else ["--no-prefork"]),
            *extra,
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def __enter__(self) -> ServeServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.folder / "home"),
            "XDG_DATA_HOME": str(self.folder / "data"),
            "XDG_CACHE_HOME": str(self.folder / "cache"),
            "LANG": "C.UTF-8",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT
            )
        deadline = time.monotonic() + 30
        while not (match := _LISTENING.search(self.log())):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the server did not start:\n{self.log()}")
            time.sleep(0.05)
        self.port = int(match.group(1))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def pids(self) -> list[int]:
        """The server and its children (the apps)."""
        assert self.process is not None
        found = [self.process.pid]
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                found.append(int(entry))
        return found

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time used so far by the server, and by its apps now running."""
        ticks = os.sysconf("SC_CLK_TCK")
        server = apps = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
            if self.process is not None and pid == self.process.pid:
                server += used
            else:
                apps += used
        return server, apps

    def memory_kib(self) -> tuple[int, int]:
        """RSS and PSS in KiB, summed over the server and its apps."""
        rss = pss = 0
        for pid in self.pids():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            for line in rollup.splitlines():
                name, _, value = line.partition(":")
                if name == "Rss":
                    rss += int(value.split()[0])
                elif name == "Pss":
                    pss += int(value.split()[0])
        return rss, pss


@dataclass
class SessionResult:
    """What one session measured."""

    latencies: list[float] = field(default_factory=list)
    key_bytes: int = 0
    lost_keys: int = 0


class Client:
    """One SSH session with a pty: keys in, output counted and timed."""

    def __init__(self, process: object) -> None:
        import asyncssh

        assert isinstance(process, asyncssh.SSHClientProcess)
        self.process = process
        self.received = 0
        self.seen = bytearray()
        self.last_byte = time.perf_counter()
        self.data = asyncio.Event()
        self.closed = False
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            while chunk := await self.process.stdout.read(65536):
                self.received += len(chunk)
                self.last_byte = time.perf_counter()
                if len(self.seen) < 1 << 20:
                    self.seen += chunk
                self.data.set()
        except OSError:
            pass
        finally:
            self.closed = True
            self.data.set()

    async def shows(self, text: bytes) -> None:
        while text not in self.seen:
            if self.closed:
                raise BenchError("a session ended before the explorer showed")
            self.data.clear()
            await self.data.wait()

    async def press(self, key: bytes) -> tuple[float, int] | None:
        """Latency of ``key`` and the bytes of its response; None if nothing came."""
        start_bytes = self.received
        self.data.clear()
        start = time.perf_counter()
        self.process.stdin.write(key)
        try:
            await asyncio.wait_for(self.data.wait(), KEY_TIMEOUT)
        except TimeoutError:
            return None
        return await self.settled() - start, self.received - start_bytes

    async def settled(self) -> float:
        """The time of the last byte, once nothing has come for :data:`KEY_SETTLE`."""
        while (quiet := time.perf_counter() - self.last_byte) < KEY_SETTLE:
            await asyncio.sleep(KEY_SETTLE - quiet)
        return self.last_byte


async def open_client(port: int, **options: Any) -> tuple[object, Client]:
    """One session showing the explorer; ``options`` go to ``asyncssh.connect``."""
    import asyncssh

    options = {"client_keys": None, **options}
    conn = await asyncssh.connect(
        "127.0.0.1", port, username="bench", known_hosts=None, agent_path=None, config=[], **options
    )
    process = await conn.create_process(term_type="xterm-256color", term_size=SIZE, encoding=None)
    client = Client(process)
    await client.shows(TITLE)
    return conn, client


async def open_clients(port: int, count: int, **options: Any) -> tuple[list[object], list[Client]]:
    """``count`` sessions, each showing the explorer."""
    pairs = await asyncio.wait_for(
        asyncio.gather(*(open_client(port, **options) for _ in range(count))), START_TIMEOUT
    )
    return [conn for conn, _ in pairs], [client for _, client in pairs]


async def press_keys(
    client: Client, until: float, pause: float, rng: random.Random
) -> SessionResult:
    """Keys until ``until``; pauses vary around ``pause`` (people do not type in step)."""
    result = SessionResult()
    await asyncio.sleep(rng.uniform(0, pause))
    number = 0
    while time.perf_counter() < until:
        response = await client.press(KEYS[number % len(KEYS)])
        number += 1
        if response is None:
            result.lost_keys += 1
            continue
        latency, size = response
        result.latencies.append(latency)
        result.key_bytes += size
        await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
    return result


@dataclass(frozen=True)
class Run:
    """The figures of one run."""

    name: str
    prefork: bool
    sessions: int
    latencies: list[float]
    key_bytes: int
    lost_keys: int
    rss_kib: int
    pss_kib: int
    start_seconds: float
    cpu_server: float
    """CPU seconds of the server process during the key presses."""
    cpu_apps: float
    cpu_client: float
    duration: float

    @property
    def keys(self) -> int:
        return len(self.latencies)

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def measure(
    name: str, sessions: int, pause: float, duration: float, folder: Path, prefork: bool
) -> Run:
    """Start a fresh server, open ``sessions`` sessions, press keys, and tally."""
    with ServeServer(folder, sessions, prefork=prefork) as server:
        started = time.perf_counter()
        conns, clients = await open_clients(server.port, sessions)
        start_seconds = time.perf_counter() - started
        # Whatever the first screens still send settles before the keys begin.
        await asyncio.sleep(1.0)
        server_before, apps_before = server.cpu_seconds()
        client_before = time.process_time()
        until = time.perf_counter() + duration
        rng = random.Random(6)
        results = await asyncio.gather(
            *(press_keys(client, until, pause, rng) for client in clients)
        )
        server_after, apps_after = server.cpu_seconds()
        client_cpu = time.process_time() - client_before
        rss, pss = server.memory_kib()
        for conn in conns:
            conn.close()  # type: ignore[attr-defined]
    latencies = [latency for result in results for latency in result.latencies]
    if not latencies:
        raise BenchError(f"{name}: no key got a response")
    return Run(
        name=name,
        prefork=prefork,
        sessions=sessions,
        latencies=latencies,
        key_bytes=sum(result.key_bytes for result in results),
        lost_keys=sum(result.lost_keys for result in results),
        rss_kib=rss,
        pss_kib=pss,
        start_seconds=start_seconds,
        cpu_server=server_after - server_before,
        cpu_apps=apps_after - apps_before,
        cpu_client=client_cpu,
        duration=duration,
    )


def row(run: Run) -> str:
    per_key = [cpu / run.keys * 1000 for cpu in (run.cpu_server, run.cpu_apps, run.cpu_client)]
    return (
        f"| {mode(run.prefork)} | {run.name} | {run.sessions} | {run.keys:,} "
        f"| {run.percentile(0.5) * 1000:,.1f} | {run.percentile(0.95) * 1000:,.1f} "
        f"| {run.key_bytes / run.keys:,.0f} "
        f"| {run.rss_kib / 1024:,.0f} | {run.pss_kib / 1024:,.0f} | {run.start_seconds:,.1f} "
        f"| {' / '.join(f'{ms:.1f}' for ms in per_key)} |"
    )


def verdict(ratio: float, bar: float) -> str:
    return "PASS" if ratio <= bar else "FAIL"


def print_environment(sessions: int, duration: float) -> None:
    import asyncssh

    python = f"{platform.python_version()} ({platform.python_implementation()})"
    print(f"Python {python} on {platform.machine()} {sys.platform}, {os.cpu_count()} CPUs")
    print(f"asyncssh {asyncssh.__version__}; sessions of {SIZE[0]}x{SIZE[1]}")
    print(
        f"Each session presses a key, waits until the screen settles ({KEY_SETTLE * 1000:g} ms "
        f"quiet, not counted), then pauses (brisk {BRISK:g} s, steady {STEADY:g} s), for "
        f"{duration:g} s."
    )
    print(
        f"Bars (issue 6): with {sessions} sessions, median <= {MEDIAN_BAR:g}x and "
        f"p95 <= {P95_BAR:g}x the single session's."
    )


def mode(prefork: bool) -> str:
    return "pre-forked" if prefork else "--no-prefork"


def run(*, quick: bool = False) -> None:
    """Print the environment and the table: each mode's single, brisk and steady runs."""
    sessions = QUICK_SESSIONS if quick else SESSIONS
    duration = QUICK_DURATION if quick else DURATION
    print_environment(sessions, duration)
    print()
    print(
        "| mode | run | sessions | keys | median ms | p95 ms | bytes/key "
        "| RSS MiB (server + apps) | PSS MiB | start s | CPU ms/key: server / apps / client |"
    )
    print("|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    runs: list[Run] = []
    notes: list[str] = []
    plan = (("single", 1, BRISK), ("load, brisk", sessions, BRISK))
    plan += (("load, steady", sessions, STEADY),)
    with tempfile.TemporaryDirectory(prefix="dossier-bench-serve-") as temp:
        for prefork in (False, True):
            for number, (name, count, pause) in enumerate(plan):
                folder = Path(temp) / f"{mode(prefork)}-{number}"
                try:
                    runs.append(asyncio.run(measure(name, count, pause, duration, folder, prefork)))
                except (BenchError, OSError, TimeoutError) as error:
                    print(f"| {mode(prefork)} | {name} | {count} | not measured |", flush=True)
                    notes.append(f"{mode(prefork)} {name}: {error or type(error).__name__}")
                    continue
                print(row(runs[-1]), flush=True)
    print()
    for prefork in (False, True):
        print_load_verdicts([each for each in runs if each.prefork == prefork], notes)
    print_prefork_verdicts(runs)
    for each in runs:
        if each.lost_keys:
            notes.append(f"{mode(each.prefork)} {each.name}: {each.lost_keys} keys got no response")
    for note in notes:
        print(f"- {note}")


def per_session_pss(runs: list[Run]) -> float | None:
    """MiB of PSS each session beyond the first adds (the load runs against the single)."""
    single = next((each for each in runs if each.sessions == 1), None)
    loads = [each for each in runs if each.sessions > 1]
    if single is None or not loads:
        return None
    load = loads[0]
    return (load.pss_kib - single.pss_kib) / max(1, load.sessions - 1) / 1024


def print_load_verdicts(runs: list[Run], notes: list[str]) -> None:
    """Issue 6's bars within one mode: the load runs against the single session."""
    single = next((each for each in runs if each.sessions == 1), None)
    for load in runs:
        if single is None or load is single:
            continue
        median = load.percentile(0.5) / single.percentile(0.5)
        p95 = load.percentile(0.95) / single.percentile(0.95)
        print(
            f"{mode(load.prefork)} {load.name}: median {median:.2f}x (bar {MEDIAN_BAR:g}x) "
            f"{verdict(median, MEDIAN_BAR)}, p95 {p95:.2f}x (bar {P95_BAR:g}x) "
            f"{verdict(p95, P95_BAR)}; {load.keys / load.duration:.0f} keys/s asked "
            f"{(load.cpu_server + load.cpu_apps + load.cpu_client) / load.duration:.2f} "
            f"CPUs of the machine's {os.cpu_count()}"
        )
    if (pss := per_session_pss(runs)) is not None:
        notes.append(f"{mode(runs[0].prefork)}: memory per extra session (PSS) {pss:,.1f} MiB")


def print_prefork_verdicts(runs: list[Run]) -> None:
    """Issue 15's bars: pre-forked against --no-prefork, measured in this same run."""

    def find(prefork: bool, name: str) -> Run | None:
        return next((r for r in runs if r.prefork == prefork and r.name == name), None)

    spawned, forked = find(False, "load, brisk"), find(True, "load, brisk")
    if spawned is None or forked is None:
        print("pre-forked against --no-prefork: not measured")
        return
    ratios = [
        (
            "time until the last first screen",
            forked.start_seconds / spawned.start_seconds,
            START_BAR,
        ),
        ("brisk median key", forked.percentile(0.5) / spawned.percentile(0.5), SAME_BAR),
        ("brisk p95 key", forked.percentile(0.95) / spawned.percentile(0.95), SAME_BAR),
    ]
    spawned_pss = per_session_pss([r for r in runs if not r.prefork])
    forked_pss = per_session_pss([r for r in runs if r.prefork])
    if spawned_pss and forked_pss is not None:
        ratios.append(("PSS per extra session", forked_pss / spawned_pss, PSS_BAR))
    for what, ratio, bar in ratios:
        print(
            f"pre-forked / --no-prefork, {what}: {ratio:.2f}x (bar {bar:g}x) {verdict(ratio, bar)}"
        )
