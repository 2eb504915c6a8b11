"""What the web server answers to and accepts: its addresses, the origins, the frames.

Plain functions and frozen dataclasses, without aiohttp: the web server
(:mod:`.web`) asks :class:`Origins` about each request and :func:`parse_frame` about each
websocket message.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .child import MAX_SIDE
from .config import is_loopback
from .inputs import text_to_bytes

MAX_FRAME = 64 * 1024
"""Largest websocket message accepted from a browser (aiohttp closes with 1009 beyond)."""
FRAME_COST = 16
"""What a frame that is not keys (resize, ping, focus) spends of the input rate."""
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def url_host(host: str) -> str:
    """``host`` as it stands in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def public_url(host: str, port: int) -> str:
    """The address browsers reach the server at, when --public-url does not say."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.getfqdn()
    return f"http://{url_host(host)}:{port}"


def _split_netloc(netloc: str) -> tuple[str, int | None] | None:
    """(name, port or None) of 'name[:port]' or '[v6][:port]'; None if it is not one."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:
        return None
    if parts.hostname is None or parts.username is not None or parts.path or parts.query:
        return None
    return parts.hostname.rstrip("."), port


def _place(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, name, port) of an origin, the port filled in from the scheme."""
    found = _split_netloc(netloc)
    if found is None or scheme not in DEFAULT_PORTS:
        return None
    name, port = found
    return scheme, name, port if port is not None else DEFAULT_PORTS[scheme]


@dataclass(frozen=True)
class Origins:
    """Who may load the page and open a session: this server's own names, nothing else.

    A browser always sends the page's origin with a websocket handshake: a page of any
    other site (or a DNS-rebound name) is refused.
    """

    places: frozenset[tuple[str, str, int]]
    """(scheme, host, port) of each address this server answers to."""

    @classmethod
    def of(cls, public: str, host: str, port: int) -> Origins:
        places: set[tuple[str, str, int]] = set()
        parts = urlsplit(public)
        if (place := _place(parts.scheme, parts.netloc)) is not None:
            places.add(place)
        bound = host.strip("[]").lower()
        if bound not in ("", "0.0.0.0", "::"):
            places.add(("http", bound, port))
        if is_loopback(host):
            places.add(("http", "localhost", port))
        return cls(frozenset(places))

    def host_allowed(self, header: str | None) -> bool:
        """True when a request's ``Host`` names this server (no port: the scheme's own)."""
        found = _split_netloc(header or "")
        if found is None:
            return False
        name, port = found
        return any(
            host == name and (port if port is not None else DEFAULT_PORTS[scheme]) == place_port
            for scheme, host, place_port in self.places
        )

    def origin_allowed(self, header: str | None) -> bool:
        """True when a websocket's ``Origin`` is a page of this server."""
        parts = urlsplit(header or "")
        if parts.scheme not in ("http", "https") or parts.path not in ("", "/"):
            return False
        return _place(parts.scheme, parts.netloc) in self.places


@dataclass(frozen=True)
class Frame:
    """One message of textual-serve's page, checked: keys, a size, or a small signal."""

    kind: str
    keys: bytes = b""
    size: tuple[int, int] = (80, 24)
    text: str = ""

    @property
    def cost(self) -> int:
        return len(self.keys) if self.kind == "stdin" else FRAME_COST


def parse_frame(text: str) -> Frame | None:
    """A browser's message as a :class:`Frame`, or None if it is not one the page sends.

    The page sends flat JSON arrays: ``["stdin", "keys"]``, ``["resize", {"width": 80,
    "height": 24}]``, ``["ping", "stamp"]``, ``["blur"]``, ``["focus"]``. Anything else
    (too deep, wrong types, not JSON) is ignored.
    """
    if len(text) > MAX_FRAME:
        return None
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return None
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(data, str):
        return Frame("stdin", keys=text_to_bytes(data))
    if kind == "resize" and isinstance(data, dict):
        width, height = read_side(data.get("width"), 0), read_side(data.get("height"), 0)
        return Frame("resize", size=(width, height)) if width and height else None
    if kind == "ping" and isinstance(data, str) and len(data) <= 64:
        return Frame("ping", text=data)
    if kind in ("blur", "focus"):
        return Frame(kind)
    return None


def read_side(value: object, default: int) -> int:
    """A width or height from a browser: a whole number in 1..MAX_SIDE, else ``default``."""
    if isinstance(value, bool):
        return default
    try:
        number = int(str(value))
    except ValueError:
        return default
    return number if 0 < number <= MAX_SIDE else default


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket (OSError if the address cannot be had)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
