"""Admission control and idle timers for the servers: counting, not networking.

:class:`Admission` decides whether one more connection may open (in total and per client
address) and says why not; :class:`IdleTimer` fires once a session has had no input for
a while. Both are plain objects so that tests can drive them without a server.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

from .config import Limits


class Admission:
    """Counts the open connections, in total and per client address."""

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
