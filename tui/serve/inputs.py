"""What a client sends, on its way to an app: repaired, then let through at a bounded rate.

Both servers (SSH and web) put every session's input through the same steps before the
app sees it:

- :class:`Utf8Repair` turns the bytes into valid UTF-8, each invalid byte becoming U+FFFD
  (the app's terminal driver decodes strictly and would stop at the first bad byte);
- :class:`InputGate` passes input on at ``--input-rate`` bytes a second after a burst of
  ``--input-burst``, holds back the excess, and gives up on a client whose held-back input
  passes ``--input-queue``: the app never has more than that waiting for it, however fast
  a client sends. Input is passed on in the pieces it arrived in (never cut), so an
  escape sequence is not split by the gate;
- :class:`ControlStringFilter` then removes the control strings (DCS, OSC, APC, ...) that
  a terminal sends only when asked, which the app never asks for and parses slowly.

Neither knows about SSH, websockets or processes: the servers pass callbacks in.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from .config import Limits

Item = TypeVar("Item")


class Utf8Repair:
    """Valid UTF-8 out of any bytes, across chunk boundaries.

    A character cut between two chunks is kept until the next one completes it; a byte
    that cannot start or continue a character becomes U+FFFD (as ``EF BF BD``).
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> bytes:
        """The valid UTF-8 that ``data`` completes (possibly empty)."""
        return self._decoder.decode(data).encode("utf-8")


_STRING_STARTS = frozenset(b"P]X^_")
"""After ESC: DCS, OSC, SOS, PM and APC, the control strings that run until a terminator."""
_STRING_END = re.compile(rb"[\x1b\x07\x18\x1a]")
"""ESC (of ST, or of what comes next), BEL (OSC's short form), CAN and SUB (aborts)."""


class ControlStringFilter:
    """Drops the control strings a terminal sends only in answer to a query.

    The app asks the terminal nothing that is answered by DCS, OSC, SOS, PM or APC, and
    Textual's input parser handles such a string slowly (an unterminated one makes each
    byte a key after a costly search), so they are removed before the app sees them, across
    chunk boundaries. Everything else (keys, CSI sequences, mouse reports, pastes) passes
    as it came; an ESC at the end of a chunk is passed at once (it may be the Escape key).
    """

    def __init__(self) -> None:
        self._in_string = False
        self._after_esc = False
        self._string_esc = False

    def feed(self, data: bytes) -> bytes:
        """``data`` without the control strings (or parts of them) it holds."""
        out = bytearray()
        position = 0
        size = len(data)
        if self._string_esc and size:
            # A string's ESC ended the last chunk: ST, or the start of new input.
            self._string_esc = self._in_string = False
            if data[0] == 0x5C:
                position = 1
            else:
                out.append(0x1B)
                self._after_esc = True
        if self._after_esc and size and position == 0:
            self._after_esc = False
            if size and data[0] in _STRING_STARTS:
                self._in_string = True
                position = 1
        while position < size:
            if self._in_string:
                position = self._skip_string(data, position)
                continue
            escape = data.find(0x1B, position)
            if escape < 0:
                out += data[position:]
                break
            out += data[position:escape]
            if escape + 1 >= size:
                out.append(0x1B)  # maybe the Escape key: never held back
                self._after_esc = True
                break
            if data[escape + 1] in _STRING_STARTS:
                self._in_string = True
                position = escape + 2
            else:
                out.append(0x1B)
                position = escape + 1
        return bytes(out)

    def _skip_string(self, data: bytes, position: int) -> int:
        """Skip string content from ``position``; where normal input resumes.

        As in a terminal's own parser, the string ends at BEL, CAN or SUB (dropped) or at
        any ESC: ``ESC \\`` (ST) is dropped, another ESC starts new input.
        """
        match = _STRING_END.search(data, position)
        if match is None:
            return len(data)
        found = match.start()
        if data[found] != 0x1B:
            self._in_string = False
            return found + 1
        if found + 1 >= len(data):
            self._string_esc = True
            return len(data)
        self._in_string = False
        return found + 2 if data[found + 1] == 0x5C else found


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_to_bytes(text: str) -> bytes:
    """A browser's keys as UTF-8: a lone surrogate (UTF-8 cannot carry one) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text).encode("utf-8")


class TokenBucket:
    """``rate`` tokens a second, up to ``burst`` saved; a take may leave it in debt.

    Taking is allowed while the bucket holds anything at all, so one piece larger than
    the burst still goes through, and the debt it leaves delays the next ones.
    """

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("rate and burst must be positive")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def wait(self) -> float:
        """Seconds until a take is allowed (0: now)."""
        self._refill()
        return 0.0 if self._tokens > 0 else (1e-9 - self._tokens) / self.rate

    def take(self, cost: float) -> None:
        """Spend ``cost`` tokens (call only when :meth:`wait` says 0)."""
        self._refill()
        self._tokens -= cost


class InputGate(Generic[Item]):
    """Passes items to ``deliver`` in order, at a bounded rate, holding back a bounded excess.

    ``cost(item)`` is what an item spends of the rate (its length in bytes, for input).
    Once the items held back cost more than ``queue``, ``on_flood`` is called once and the
    gate shuts: everything held and everything after is dropped.
    """

    def __init__(
        self,
        *,
        rate: float,
        burst: float,
        queue: int,
        deliver: Callable[[Item], None],
        on_flood: Callable[[], None],
        cost: Callable[[Item], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bucket = TokenBucket(rate, burst, clock)
        self._queue = queue
        self._deliver = deliver
        self._on_flood = on_flood
        self._cost = cost
        self._held: deque[Item] = deque()
        self._held_cost = 0
        self._timer: asyncio.TimerHandle | None = None
        self.shut = False

    @classmethod
    def from_limits(
        cls,
        limits: Limits,
        *,
        deliver: Callable[[Item], None],
        on_flood: Callable[[], None],
        cost: Callable[[Item], int],
    ) -> InputGate[Item]:
        """A gate with a server's ``--input-rate``, ``--input-burst`` and ``--input-queue``."""
        return cls(
            rate=limits.input_rate,
            burst=limits.input_burst,
            queue=limits.input_queue,
            deliver=deliver,
            on_flood=on_flood,
            cost=cost,
        )

    @property
    def held(self) -> int:
        """What the items held back cost (bytes of input waiting for the rate)."""
        return self._held_cost

    def feed(self, item: Item) -> None:
        """Pass ``item`` on now if the rate allows and nothing is waiting, else hold it."""
        if self.shut:
            return
        cost = self._cost(item)
        if not self._held and self._bucket.wait() == 0:
            self._bucket.take(cost)
            self._deliver(item)
            return
        self._held.append(item)
        self._held_cost += cost
        if self._held_cost > self._queue:
            self.close()
            self._on_flood()
            return
        self._schedule()

    def close(self) -> None:
        """Drop what is held; pass nothing on from now on."""
        self.shut = True
        self._held.clear()
        self._held_cost = 0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        if self._timer is None and self._held:
            delay = self._bucket.wait()
            self._timer = asyncio.get_running_loop().call_later(delay, self._release)

    def _release(self) -> None:
        self._timer = None
        while self._held and not self.shut and self._bucket.wait() == 0:
            item = self._held.popleft()
            cost = self._cost(item)
            self._held_cost -= cost
            self._bucket.take(cost)
            self._deliver(item)
        if not self.shut:
            self._schedule()
