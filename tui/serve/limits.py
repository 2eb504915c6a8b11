"""Admission control and idle timers for the servers: counting, not networking.

:class:`Startups` decides whether a new connection may even start logging in (OpenSSH's
MaxStartups and PerSourceMaxStartups); :class:`Admission` whether one more session may
open (in total and per client address) and says why not; :class:`IdleTimer` fires once a
session has had no input for a while. All are plain objects that tests drive without a
server.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable

from .config import Limits


class Startups:
    """Counts the connections still logging in, in total and per address, and drops some.

    A connection is under way from TCP connect until it has logged in or closed (the login
    grace ends it at the latest). A new one is refused when its address already has
    ``per_source_max_startups`` under way, and otherwise, past ``max_startups.start`` under
    way in total, with the chance :meth:`drop_chance` (as OpenSSH's sshd does). ``draw``
    returns a number in [0, 1); tests pass their own, so that the policy is deterministic.
    """

    def __init__(self, limits: Limits, draw: Callable[[], float] | None = None) -> None:
        self.limits = limits
        # The system's randomness: who gets dropped cannot be foreseen from the outside.
        self._draw = draw if draw is not None else random.SystemRandom().random
        self._per_address: Counter[str] = Counter()
        self._total = 0

    @property
    def total(self) -> int:
        """Connections still logging in."""
        return self._total

    def drop_chance(self) -> float:
        """The chance (0 to 1) that a new connection is dropped for the total under way."""
        startups = self.limits.max_startups
        if self._total < startups.start:
            return 0.0
        if self._total >= startups.full:
            return 1.0
        past_start = (self._total - startups.start) / (startups.full - startups.start)
        return (startups.rate + (100 - startups.rate) * past_start) / 100

    def admit(self, address: str) -> str | None:
        """Count a new connection from ``address`` as logging in, or return why it is dropped."""
        if self._per_address[address] >= self.limits.per_source_max_startups:
            # Only ever logged: a dropped connection is told nothing.
            return "too many logins under way from this address"
        chance = self.drop_chance()
        if chance > 0 and self._draw() < chance:
            return "too many logins under way"
        self._per_address[address] += 1
        self._total += 1
        return None

    def release(self, address: str) -> None:
        """One connection from ``address`` has logged in, or closed."""
        self._total -= 1
        if self._per_address[address] <= 1:
            del self._per_address[address]
        else:
            self._per_address[address] -= 1


class Admission:
    """Counts the open sessions, in total and per client address."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._per_address: Counter[str] = Counter()

    @property
    def total(self) -> int:
        """Connections admitted and not yet released."""
        return sum(self._per_address.values())

    def admit(self, address: str) -> str | None:
        """Count a new connection from ``address``, or return why it is refused."""
        if self.total >= self.limits.max_sessions:
            return (
                f"the server is full ({self.limits.max_sessions} at once); "
                "try again in a few minutes"
            )
        if self._per_address[address] >= self.limits.max_per_address:
            return (
                f"too many sessions from your address ({self.limits.max_per_address} at once); "
                "close one and try again"
            )
        self._per_address[address] += 1
        return None

    def release(self, address: str) -> None:
        """Forget one admitted connection from ``address``."""
        if self._per_address[address] <= 1:
            del self._per_address[address]
        else:
            self._per_address[address] -= 1


class IdleTimer:
    """Calls ``on_idle`` once, after ``timeout`` seconds without a :meth:`touch`.

    One timer handle at a time, re-armed only when it fires early: cheap however often
    :meth:`touch` is called. A timeout of 0 never fires.
    """

    def __init__(self, timeout: float, on_idle: Callable[[], None]) -> None:
        self.timeout = timeout
        self._on_idle = on_idle
        self._last = time.monotonic()
        self._handle: asyncio.TimerHandle | None = None
        if timeout > 0:
            self._handle = asyncio.get_running_loop().call_later(timeout, self._check)

    def touch(self) -> None:
        """Note activity now."""
        self._last = time.monotonic()

    def cancel(self) -> None:
        """Never fire."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        remaining = self._last + self.timeout - time.monotonic()
        if remaining > 0:
            self._handle = asyncio.get_running_loop().call_later(remaining, self._check)
            return
        self._handle = None
        self._on_idle()


class QuietLog:
    """Log lines about refused connections, at most one per key (an address, say) per window.

    A flood of refused connections would otherwise be a flood of log lines: the first line
    from an address is written, the next ones within ``window`` seconds only counted, and
    their number written when the window ends. At most ``MAX_KEYS`` addresses are tracked
    apart; beyond, all others share one count.
    """

    MAX_KEYS = 4096

    def __init__(self, write: Callable[[str], None], window: float = 10.0) -> None:
        self._write = write
        self.window = window
        self._held: dict[str, int] = {}

    def line(self, key: str, text: str) -> None:
        """Write ``text`` unless a line of the same ``key`` was written in the window."""
        if key not in self._held and len(self._held) >= self.MAX_KEYS:
            key = "*"
        if key in self._held:
            self._held[key] += 1
            return
        self._held[key] = 0
        self._write(text)
        asyncio.get_running_loop().call_later(self.window, self._flush, key)

    def _flush(self, key: str) -> None:
        count = self._held.pop(key, 0)
        if count:
            who = "others" if key == "*" else key
            self._write(f"{who}: {count} more like it in {self.window:g}s, not logged one by one")
