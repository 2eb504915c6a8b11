"""The room benchmark (issue 16): a presenter and its followers on one ``dossier serve``.

A ``dossier serve --presenter-keys FILE`` runs as a subprocess on a free loopback port,
as in :mod:`bench.serve_load` (whose server, client and percentile this reuses), with an
ed25519 key made for the run as the one presenter key. The presenter is an asyncssh
session signing with that key; the followers are asyncssh sessions with no key, let in by
keyboard-interactive without questions. All have ptys of 100x30.

Two runs, in this order, each on a fresh server:

- alone: the presenter alone on the server, the baseline;
- room: the presenter first, then :data:`FOLLOWERS` followers (:data:`QUICK_FOLLOWERS`
  with ``--quick``); the keys begin once every follower shows "Following the presenter"
  and the presenter counts them all as following.

In both the presenter presses the same :data:`PRESSES` keys (:data:`QUICK_PRESSES` with
``--quick``) on the actor list: down, down, up, up, ..., which from Russia goes to Japan,
the Soviet Union, Japan, Russia, so every key is a new place. After each key the
presenter's screen settles, in the room run every follower's too (or its wait times
out), then a pause of :data:`PAUSE` seconds give or take half (the same pauses in both
runs).

Measured:

- the presenter's key latency: from writing the key to the last byte of its response,
  the screen counting as settled once nothing arrives for 100 ms (not counted), exactly
  as :mod:`bench.serve_load` measures it;
- each follower's delay, for each key: from the presenter writing the key to the
  follower's screen showing the new place. A place is shown by its detail pane's line
  (:data:`PLACES`: "One of the two parties; claims the", "Russia's predecessor", "... holds
  the"), text that no other place draws; every client's received bytes are forgotten
  before each key, so only a redraw caused by that key can match. Two figures: *arrived*,
  when the bytes holding that text have been read (at most one turn of the event loop
  late), and *settled*, the last byte of the follower's output after it, once nothing
  has come for 100 ms (not counted). Settled is the figure the bar uses: it ends where
  the presenter's own latency ends, at a finished screen.

A presenter key that gets no response within 10 s, or a follower that does not show the
place within 10 s of the key, counts as lost. The client runs on the same machine and
its own work (decrypting every session's stream) competes with the server's.

Bars (issue 16), measured in the same run: follower delay (settled) p95 at most 2x the
presenter's own key latency p95 in the room run; and the presenter's key latency in the
room run at most 1.3x alone, checked on the median and on the p95.
"""

from __future__ import annotations

import asyncio
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.serve_load import (
    KEY_SETTLE,
    KEY_TIMEOUT,
    KEYS,
    SIZE,
    START_TIMEOUT,
    BenchError,
    Client,
    ServeServer,
    open_client,
    open_clients,
    percentile,
    verdict,
)

FOLLOWERS = 30
QUICK_FOLLOWERS = 5
PRESSES = 80
"""Keys the presenter presses in each run."""
QUICK_PRESSES = 16
PAUSE = 0.5
"""Seconds between one key's screens settling and the next key (varied by half)."""
FOLLOW_BAR = 2.0
"""Follower delay p95 against the presenter's key latency p95, same run."""
PRESENTER_BAR = 1.3
"""The presenter's key latency with the followers against alone (median and p95)."""
FOLLOWING = b"Following the presenter"
PRESENTING = b"Presenting"
PLACES = (
    b"parties; claims the",
    b"Russia's predecessor",
    b"parties; claims the",
    b"parties; holds the",
)
"""What the detail pane draws after each key of :data:`KEYS` from Russia (the first
actor): Japan's role, the Soviet Union's, Japan's, Russia's."""


@dataclass
class Tally:
    """What one run measured, in seconds."""

    followers: int
    presenter: list[float] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)
    settled: list[float] = field(default_factory=list)
    lost_keys: int = 0
    lost_follows: int = 0
    start_seconds: float = 0.0
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """CPU seconds of the server process, its apps and this client during the keys."""


async def follow(client: Client, start: float, place: bytes) -> tuple[float, float] | None:
    """When ``place`` arrived at ``client`` and when its screen settled after, from
    ``start``; None if it did not show within the key timeout."""
    try:
        await asyncio.wait_for(client.shows(place), start + KEY_TIMEOUT - time.perf_counter())
    except (TimeoutError, BenchError):
        return None
    arrived = client.last_byte - start
    return arrived, await client.settled() - start


async def present(
    tally: Tally, presenter: Client, followers: Sequence[Client], presses: int
) -> None:
    """The presenter's keys, one at a time, each followed by every follower."""
    rng = random.Random(16)
    for number in range(presses):
        for client in (presenter, *followers):
            del client.seen[:]
        start = time.perf_counter()
        watchers = [follow(each, start, PLACES[number % len(PLACES)]) for each in followers]
        response = await presenter.press(KEYS[number % len(KEYS)])
        if response is None:
            tally.lost_keys += 1
        else:
            tally.presenter.append(response[0])
        for shown in await asyncio.gather(*watchers):
            if shown is None:
                tally.lost_follows += 1
            else:
                tally.arrived.append(shown[0])
                tally.settled.append(shown[1])
        await asyncio.sleep(PAUSE * rng.uniform(0.5, 1.5))


async def measure(followers: int, presses: int, folder: Path) -> Tally:
    """Start a fresh server, seat the presenter and ``followers``, press, and tally."""
    import asyncssh

    folder.mkdir(parents=True)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="presenter@bench")
    (folder / "presenters").write_bytes(key.export_public_key())
    tally = Tally(followers)
    extra = ("--presenter-keys", str(folder / "presenters"))
    with ServeServer(folder, followers + 1, extra=extra) as server:
        conn, presenter = await open_client(server.port, client_keys=[key])
        conns = [conn]
        await asyncio.wait_for(presenter.shows(PRESENTING), START_TIMEOUT)
        started = time.perf_counter()
        clients: list[Client] = []
        if followers:
            # No key: asyncssh falls back to keyboard-interactive, answering no questions.
            more, clients = await open_clients(server.port, followers, password="")
            conns += more
        seated = [each.shows(FOLLOWING) for each in clients]
        seated.append(presenter.shows(f" {followers} following".encode()))
        await asyncio.wait_for(asyncio.gather(*seated), START_TIMEOUT)
        tally.start_seconds = time.perf_counter() - started
        # Whatever the first screens still send settles before the keys begin.
        await asyncio.sleep(1.0)
        server_before, apps_before = server.cpu_seconds()
        client_before = time.process_time()
        await present(tally, presenter, clients, presses)
        server_after, apps_after = server.cpu_seconds()
        client_cpu = time.process_time() - client_before
        tally.cpu = (server_after - server_before, apps_after - apps_before, client_cpu)
        for each in conns:
            each.close()  # type: ignore[attr-defined]
    if not tally.presenter:
        raise BenchError("no presenter key got a response")
    return tally


def row(what: str, tally: Tally, values: list[float], lost: int) -> str:
    return (
        f"| {what} | {tally.followers} | {len(values):,} "
        f"| {percentile(values, 0.5) * 1000:,.1f} | {percentile(values, 0.95) * 1000:,.1f} "
        f"| {lost} |"
    )


def print_verdicts(alone: Tally, room: Tally) -> None:
    """Issue 16's bars, from the two runs just made."""
    presenter_p95 = percentile(room.presenter, 0.95)
    if room.settled:
        for what, values in (("settled", room.settled), ("arrived", room.arrived)):
            ratio = percentile(values, 0.95) / presenter_p95
            judged = f"(bar {FOLLOW_BAR:g}x) {verdict(ratio, FOLLOW_BAR)}"
            print(
                f"follower delay p95 ({what}) / presenter key p95, room run: {ratio:.2f}x "
                + (judged if what == "settled" else "(for information)")
            )
    for name, fraction in (("median", 0.5), ("p95", 0.95)):
        ratio = percentile(room.presenter, fraction) / percentile(alone.presenter, fraction)
        print(
            f"presenter key {name}, {room.followers} followers / alone: {ratio:.2f}x "
            f"(bar {PRESENTER_BAR:g}x) {verdict(ratio, PRESENTER_BAR)}"
        )


def run(*, quick: bool = False) -> None:
    """Print the environment, the table of both runs and the verdicts."""
    import asyncssh

    followers = QUICK_FOLLOWERS if quick else FOLLOWERS
    presses = QUICK_PRESSES if quick else PRESSES
    python = f"{platform.python_version()} ({platform.python_implementation()})"
    print(f"Python {python} on {platform.machine()} {sys.platform}, {os.cpu_count()} CPUs")
    print(f"asyncssh {asyncssh.__version__}; sessions of {SIZE[0]}x{SIZE[1]}")
    print(
        f"The presenter presses {presses} keys (down, down, up, up on the actor list), each "
        f"time waiting until the screens settle ({KEY_SETTLE * 1000:g} ms quiet, not counted), "
        f"then pausing {PAUSE:g} s +/- 50%; alone, then with {followers} followers, each run "
        "on a fresh server."
    )
    print(
        f"Bars (issue 16): follower delay (settled) p95 <= {FOLLOW_BAR:g}x the presenter's key "
        f"p95, same run; the presenter's key latency with {followers} followers <= "
        f"{PRESENTER_BAR:g}x alone (median and p95)."
    )
    print()
    print("| measure | followers | samples | median ms | p95 ms | lost |")
    print("|:---|---:|---:|---:|---:|---:|")
    tallies: list[Tally] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dossier-bench-room-") as temp:
        for count in (0, followers):
            try:
                tally = asyncio.run(measure(count, presses, Path(temp) / f"followers-{count}"))
            except (BenchError, OSError, TimeoutError) as error:
                print(f"| presenter key | {count} | not measured | | | |", flush=True)
                notes.append(f"{count} followers: {error or type(error).__name__}")
                continue
            tallies.append(tally)
            print(row("presenter key", tally, tally.presenter, tally.lost_keys), flush=True)
            if count:
                print(row("follower delay, arrived", tally, tally.arrived, tally.lost_follows))
                print(row("follower delay, settled", tally, tally.settled, tally.lost_follows))
            server, apps, client = (cpu / presses * 1000 for cpu in tally.cpu)
            notes.append(
                f"{count} followers: CPU ms per presenter key: server {server:.1f} / apps "
                f"{apps:.1f} / client {client:.1f}; all seated in {tally.start_seconds:.1f} s"
            )
            if count:
                cpus = os.cpu_count() or 1
                notes.append(
                    f"{count} followers: the apps' {apps:.0f} ms of CPU per key, shared by "
                    f"{cpus} CPUs, put the last follower's screen at least "
                    f"{apps / cpus:.0f} ms after the key, whatever the scheduling"
                )
    print()
    if len(tallies) == 2:
        print_verdicts(*tallies)
    else:
        print("bars: not measured")
    for note in notes:
        print(f"- {note}")
