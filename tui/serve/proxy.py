"""The PROXY protocol (versions 1 and 2), as HAProxy sends it in front of a TCP connection.

A proxy that passes connections on (HAProxy with ``send-proxy-v2``, say) first writes one
header saying whom the connection really came from; the client's own bytes follow. This
module parses that header and reads it off a socket: :func:`parse_v1` and
:func:`parse_v2` are pure; :func:`read_proxy_header` reads *exactly* the header and not
one byte more, so that what follows (the client's SSH banner) is left in the socket for
the server that takes it over. :func:`is_trusted` says whether a peer may send a header at
all. Nothing here knows about SSH. The specification:
https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

V1_PREFIX = b"PROXY "
V1_MAX_LENGTH = 107
"""The longest a version 1 header may be, its CRLF included."""
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V2_FIXED_LENGTH = 16
"""The signature, the version and command byte, the family byte and the 2-byte length."""
V2_MAX_LENGTH = 2048
"""The longest address block (addresses and TLVs) accepted after the fixed 16 bytes: the
specification allows 64 KiB, proxies send well under 300 bytes."""

_V2_LOCAL, _V2_PROXY = 0x0, 0x1
_AF_UNSPEC, _AF_INET, _AF_INET6, _AF_UNIX = 0x0, 0x1, 0x2, 0x3
_STREAM = 0x1
_V2_ADDRESS_FORMATS = {_AF_INET: "!4s4sHH", _AF_INET6: "!16s16sHH"}
_PORT_DIGITS = frozenset(b"0123456789")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxyHeaderError(ValueError):
    """A connection that did not start with a well-formed PROXY header: say what was wrong."""


class NothingSentError(ProxyHeaderError):
    """The peer closed the connection without sending a byte (a proxy's port probe)."""


@dataclass(frozen=True)
class ProxyHeader:
    """What a PROXY header said about its connection."""

    version: int
    """1 (text) or 2 (binary)."""
    source: tuple[str, int] | None
    """The client's address and port; None when the proxy opened the connection itself
    (v2 LOCAL, v1 UNKNOWN, an unspecified family): use the connection's own peer."""

    @property
    def is_local(self) -> bool:
        """The proxy's own connection (a health check, typically), not a client's."""
        return self.source is None


def _port(text: bytes) -> int:
    """A version 1 port: decimal, no leading zero, at most 65535."""
    if (
        not 1 <= len(text) <= 5
        or not _PORT_DIGITS.issuperset(text)
        or (text.startswith(b"0") and text != b"0")
        or int(text) > 65535
    ):
        raise ProxyHeaderError(f"bad port {text!r}")
    return int(text)


def parse_v1(header: bytes) -> ProxyHeader:
    """A version 1 header, ``PROXY TCP4 SRC DST SPORT DPORT\\r\\n`` (CRLF included)."""
    if len(header) > V1_MAX_LENGTH:
        raise ProxyHeaderError(f"a version 1 header longer than {V1_MAX_LENGTH} bytes")
    if not header.startswith(V1_PREFIX) or not header.endswith(b"\r\n"):
        raise ProxyHeaderError("not a version 1 header")
    parts = header[: -len(b"\r\n")].split(b" ")
    if parts[1] == b"UNKNOWN":
        return ProxyHeader(1, None)  # whatever follows UNKNOWN is to be ignored
    if len(parts) != 6:
        raise ProxyHeaderError("a version 1 header needs PROXY PROTO SRC DST SPORT DPORT")
    _, protocol, source, destination, source_port, destination_port = parts
    kind = {b"TCP4": ipaddress.IPv4Address, b"TCP6": ipaddress.IPv6Address}.get(protocol)
    if kind is None:
        raise ProxyHeaderError(f"unknown protocol {protocol!r}")
    try:
        address = kind(source.decode("ascii"))
        kind(destination.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise ProxyHeaderError(f"bad {protocol.decode()} address in {header!r}") from None
    _port(destination_port)
    return ProxyHeader(1, (str(address), _port(source_port)))


def v2_length(fixed: bytes) -> int:
    """The length of the address block that follows a version 2 header's first 16 bytes."""
    if len(fixed) != V2_FIXED_LENGTH or not fixed.startswith(V2_SIGNATURE):
        raise ProxyHeaderError("not a version 2 header (wrong signature)")
    if fixed[12] >> 4 != 2:
        raise ProxyHeaderError(f"unknown PROXY protocol version {fixed[12] >> 4}")
    if fixed[12] & 0x0F not in (_V2_LOCAL, _V2_PROXY):
        raise ProxyHeaderError(f"unknown version 2 command {fixed[12] & 0x0F}")
    (length,) = struct.unpack("!H", fixed[14:16])
    if length > V2_MAX_LENGTH:
        raise ProxyHeaderError(f"a version 2 header of {length} bytes (at most {V2_MAX_LENGTH})")
    return int(length)


def parse_v2(fixed: bytes, block: bytes) -> ProxyHeader:
    """A version 2 header: its first 16 bytes and the address block (TLVs are skipped)."""
    if len(block) != v2_length(fixed):
        raise ProxyHeaderError("a truncated version 2 header")
    family, protocol = fixed[13] >> 4, fixed[13] & 0x0F
    if fixed[12] & 0x0F == _V2_LOCAL or family == _AF_UNSPEC:
        return ProxyHeader(2, None)  # the proxy's own connection: addresses are ignored
    address_format = _V2_ADDRESS_FORMATS.get(family)
    if address_format is None or protocol != _STREAM:
        what = "a Unix socket" if family == _AF_UNIX else f"family {family}, protocol {protocol}"
        raise ProxyHeaderError(f"a version 2 header for {what}, not TCP")
    if len(block) < struct.calcsize(address_format):
        raise ProxyHeaderError("a version 2 address block too short for its family")
    # What follows the addresses (TLVs: SSL details, a unique id...) is not needed here.
    source, _, source_port, _ = struct.unpack_from(address_format, block)
    return ProxyHeader(2, (str(ipaddress.ip_address(source)), int(source_port)))


async def _receive_exactly(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int
) -> bytes:
    """``size`` bytes from ``sock``: never more, so that what follows stays unread."""
    data = b""
    while len(data) < size:
        try:
            chunk = await loop.sock_recv(sock, size - len(data))
        except ConnectionError:
            chunk = b""  # reset: for the header, the same as closed
        if not chunk:
            raise ProxyHeaderError(f"the connection closed inside the header, after {data!r}")
        data += chunk
    return data


async def _read_header(sock: socket.socket) -> ProxyHeader:
    loop = asyncio.get_running_loop()
    # Six bytes tell the versions apart ("PROXY " against the v2 signature's start) and
    # are shorter than the shortest header ("PROXY UNKNOWN\r\n").
    try:
        start = await _receive_exactly(loop, sock, 1)
    except ProxyHeaderError:
        raise NothingSentError("the connection closed before sending anything") from None
    start += await _receive_exactly(loop, sock, len(V1_PREFIX) - 1)
    if start == V2_SIGNATURE[: len(start)]:
        fixed = start + await _receive_exactly(loop, sock, V2_FIXED_LENGTH - len(start))
        return parse_v2(fixed, await _receive_exactly(loop, sock, v2_length(fixed)))
    if start != V1_PREFIX:
        raise ProxyHeaderError(f"not a PROXY header: it starts with {start!r}")
    # Version 1 has no length: read a byte at a time up to the CRLF, never past it.
    line = start
    while not line.endswith(b"\r\n"):
        if len(line) >= V1_MAX_LENGTH:
            raise ProxyHeaderError(f"no CRLF within {V1_MAX_LENGTH} bytes")
        line += await _receive_exactly(loop, sock, 1)
    return parse_v1(line)


async def read_proxy_header(sock: socket.socket, timeout: float) -> ProxyHeader:
    """Read exactly one PROXY header (v1 or v2) from the non-blocking ``sock``.

    Raises :class:`ProxyHeaderError` when the header is malformed, cut short, or not
    complete within ``timeout`` seconds; the bytes after it are left unread.
    """
    try:
        async with asyncio.timeout(timeout):
            return await _read_header(sock)
    except TimeoutError:
        raise ProxyHeaderError(f"no complete PROXY header within {timeout:g} seconds") from None
    except OSError as error:
        raise ProxyHeaderError(f"the connection failed: {error.strerror or error}") from None


async def closes_unheard(sock: socket.socket, timeout: float) -> bool:
    """True when the peer closes ``sock`` within ``timeout`` seconds without sending a byte.

    For connections the proxy opens itself (a LOCAL header): HAProxy's health checks send
    their header and hang up, and are not worth a log line each. Nothing is read.
    """
    loop = asyncio.get_running_loop()
    readable: asyncio.Future[None] = loop.create_future()

    def ready() -> None:
        if not readable.done():
            readable.set_result(None)

    loop.add_reader(sock.fileno(), ready)
    try:
        async with asyncio.timeout(timeout):
            await readable
    except TimeoutError:
        return False  # a client that waits for the server to speak first
    finally:
        loop.remove_reader(sock.fileno())
    try:
        return not sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


def network(text: str) -> Network:
    """``10.0.0.0/8``, ``2001:db8::/32`` or one address (that host only); ValueError if not.

    Named for argparse, whose error then reads "invalid network value: 'TEXT'".
    """
    return ipaddress.ip_network(text.strip(), strict=False)


def is_trusted(address: str, networks: Iterable[Network]) -> bool:
    """True when a peer at ``address`` may send PROXY headers (it is in one of ``networks``)."""
    try:
        peer = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped  # an IPv4 client of a dual-stack socket
    return any(peer in network for network in networks)
