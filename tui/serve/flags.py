"""The limit flags of ``dossier serve``: each one's name, how it is read, its help.

Each flag is named after its :class:`~.config.Limits` field (``--max-sessions`` sets
``max_sessions``) and takes its default from there, so the defaults are written once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..cliargs import size_argument
from .config import MaxStartups


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds, 0 or more")
    return value


def _max_startups(text: str) -> MaxStartups:
    try:
        start, rate, full = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not START:RATE:FULL (three whole numbers, e.g. 20:30:100)"
        ) from None
    try:
        return MaxStartups(start, rate, full)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _size_or_zero(text: str) -> int:
    """A size, or 0 for no limit."""
    return 0 if text.strip() == "0" else size_argument(text)


@dataclass(frozen=True)
class LimitFlag:
    """One ``--limit`` flag: named after its :class:`Limits` field, default from there."""

    field: str
    parse: Callable[[str], object]
    metavar: str
    help: str
    """The help text; ``{default}`` is the default as :attr:`shown`."""
    shown: Callable[[Any], str] = "{:g}".format


def _kib(value: int) -> str:
    return f"{value // 1024}K"


LIMIT_FLAGS = (
    LimitFlag("max_sessions", _positive_int, "N", "sessions at once (default {default})"),
    LimitFlag(
        "max_per_address",
        _positive_int,
        "N",
        "sessions at once from one address; a room behind one NAT address is one address "
        "(default {default}, half of --max-sessions)",
    ),
    LimitFlag(
        "max_startups",
        _max_startups,
        "START:RATE:FULL",
        "connections not yet logged in: past START, drop new ones with a chance of "
        "RATE%% rising to 100%% at FULL (default {default})",
        lambda m: f"{m.start}:{m.rate}:{m.full}",
    ),
    LimitFlag(
        "per_source_max_startups",
        _positive_int,
        "N",
        "connections not yet logged in from one address (default {default})",
    ),
    LimitFlag(
        "idle_timeout",
        _seconds,
        "SECONDS",
        "end sessions idle this long (default {default}; 0: never)",
    ),
    LimitFlag("login_grace", _seconds, "SECONDS", "time allowed to log in (default {default})"),
    LimitFlag(
        "max_auth_tries",
        _positive_int,
        "N",
        "failed key attempts per connection (default {default})",
    ),
    LimitFlag(
        "keepalive",
        _seconds,
        "SECONDS",
        "probe silent clients this often; 3 unanswered probes end a half-open connection "
        "(default {default}; 0: never)",
    ),
    LimitFlag(
        "input_rate",
        size_argument,
        "SIZE",
        "input passed on per second from one session, after a burst of --input-burst "
        "(default {default})",
    ),
    LimitFlag(
        "input_burst",
        size_argument,
        "SIZE",
        "input a session may send at once (default {default})",
        _kib,
    ),
    LimitFlag(
        "input_queue",
        size_argument,
        "SIZE",
        "input held back by the rate before the client is disconnected (default {default})",
        _kib,
    ),
    LimitFlag(
        "session_memory",
        _size_or_zero,
        "SIZE",
        "address space of each session's app (default {default}; 0: unlimited)",
        lambda value: f"{value >> 30}G",
    ),
    LimitFlag(
        "session_cpu",
        _seconds,
        "SECONDS",
        "processor time each session's app may use in all (default {default}; 0: unlimited)",
    ),
)
"""Every limit flag, in the order ``--help`` lists them."""
