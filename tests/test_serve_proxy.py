"""``dossier serve --proxy-protocol``: PROXY headers parsed, read exactly, believed only
from ``--trusted-proxy``, and the client's address used for the log and the limits.

Three layers: the pure parsers (bytes in, header or exact error out); the socket reader
on a socketpair (the bytes after the header, the client's SSH banner, are still there);
real servers driven by a client that writes the header itself, and, when the Debian
``haproxy`` package is installed, two replicas sharing one host key behind a real HAProxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import shutil
import socket
import struct
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.test_serve_support import (
    TITLE,
    WAIT,
    ServeProcess,
    Session,
    async_wait_until,
    connect,
    servers,
    wait_until,
)
from tui.serve.cli import main
from tui.serve.config import AppCommand, Limits, MaxStartups, ProxyProtocol, ServeSettings
from tui.serve.proxied import ProxiedListener
from tui.serve.proxy import (
    V1_MAX_LENGTH,
    V2_SIGNATURE,
    NothingSentError,
    ProxyHeader,
    ProxyHeaderError,
    closes_unheard,
    is_trusted,
    network,
    parse_v1,
    parse_v2,
    read_proxy_header,
)

BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
TRUST_LOOPBACK = ("--proxy-protocol", "--trusted-proxy", "127.0.0.1/32")


def v2(
    command: int = 1,
    family: int = 0x11,
    source: tuple[str, int] = ("203.0.113.7", 4242),
    destination: tuple[str, int] = ("10.0.0.1", 2222),
    tlvs: bytes = b"",
) -> bytes:
    """A version 2 header: PROXY (1) or LOCAL (0), TCP over IPv4 (0x11) or IPv6 (0x21)."""
    addresses = b""
    if family in (0x11, 0x21):
        source_ip = ipaddress.ip_address(source[0]).packed
        destination_ip = ipaddress.ip_address(destination[0]).packed
        addresses = source_ip + destination_ip + struct.pack("!HH", source[1], destination[1])
    return raw_v2(0x20 | command, family, addresses + tlvs)


def raw_v2(version_command: int, family: int, block: bytes) -> bytes:
    return V2_SIGNATURE + bytes([version_command, family]) + struct.pack("!H", len(block)) + block


V2_IPV6 = v2(family=0x21, source=("2001:db8::7", 50000), destination=("::1", 22))


def split_v2(header: bytes) -> tuple[bytes, bytes]:
    return header[:16], header[16:]


# The parsers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "source"),
    [
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 4242 2222\r\n", ("203.0.113.7", 4242)),
        (b"PROXY TCP6 2001:db8::7 2001:db8::1 65535 22\r\n", ("2001:db8::7", 65535)),
        (b"PROXY TCP4 192.0.2.1 192.0.2.2 0 22\r\n", ("192.0.2.1", 0)),
        (b"PROXY UNKNOWN\r\n", None),
        (b"PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n", None),
    ],
    ids=["tcp4", "tcp6", "port-0", "unknown", "unknown-with-addresses"],
)
def test_v1_headers(line: bytes, source: tuple[str, int] | None) -> None:
    assert parse_v1(line) == ProxyHeader(1, source)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 4242\r\n", "needs PROXY PROTO"),
        (b"PROXY TCP4  203.0.113.7 10.0.0.1 4242 22\r\n", "needs PROXY PROTO"),
        (b"PROXY UDP4 203.0.113.7 10.0.0.1 4242 22\r\n", "unknown protocol"),
        (b"PROXY TCP4 2001:db8::7 2001:db8::1 4242 22\r\n", "bad TCP4 address"),
        (b"PROXY TCP6 203.0.113.7 10.0.0.1 4242 22\r\n", "bad TCP6 address"),
        (b"PROXY TCP4 203.0.113.007 10.0.0.1 4242 22\r\n", "bad TCP4 address"),
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 65536 22\r\n", "bad port"),
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 04242 22\r\n", "bad port"),
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 -1 22\r\n", "bad port"),
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 4242 x\r\n", "bad port"),
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 4242 22\n", "not a version 1 header"),
        (b"proxy TCP4 203.0.113.7 10.0.0.1 4242 22\r\n", "not a version 1 header"),
        (b"PROXY UNKNOWN " + b"x" * 100 + b"\r\n", "longer than 107 bytes"),
    ],
    ids=[
        "missing-field",
        "double-space",
        "udp",
        "v6-in-tcp4",
        "v4-in-tcp6",
        "leading-zero-address",
        "port-too-big",
        "port-leading-zero",
        "port-negative",
        "port-not-a-number",
        "lf-only",
        "lowercase",
        "too-long",
    ],
)
def test_malformed_v1_headers(line: bytes, message: str) -> None:
    with pytest.raises(ProxyHeaderError, match=message):
        parse_v1(line)


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (v2(), ("203.0.113.7", 4242)),
        (V2_IPV6, ("2001:db8::7", 50000)),
        (v2(tlvs=b"\x05\x00\x04abcd" + b"\x04\x00\x00"), ("203.0.113.7", 4242)),
        (v2(command=0), None),
        (v2(command=0, family=0x00), None),
        (v2(family=0x00), None),
    ],
    ids=["ipv4", "ipv6", "tlvs-skipped", "local", "local-no-addresses", "unspec"],
)
def test_v2_headers(header: bytes, source: tuple[str, int] | None) -> None:
    assert parse_v2(*split_v2(header)) == ProxyHeader(2, source)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"\r\n\r\n\x00\r\nQUIT\x0b" + v2()[12:], "wrong signature"),
        (raw_v2(0x11, 0x11, v2()[16:]), "unknown PROXY protocol version 1"),
        (v2(command=2), "unknown version 2 command 2"),
        (v2()[:14] + b"\xff\xff" + v2()[16:], "of 65535 bytes"),
        (raw_v2(0x21, 0x31, b"/tmp/a".ljust(216, b"\0") * 2), "a Unix socket, not TCP"),
        (v2(family=0x12), "protocol 2, not TCP"),
        (raw_v2(0x21, 0x11, v2()[16:24]), "too short for its family"),
        (raw_v2(0x21, 0x21, V2_IPV6[16:40]), "too short for its family"),
    ],
    ids=[
        "signature",
        "version-1",
        "command",
        "oversized",
        "unix",
        "udp",
        "ipv4-short",
        "ipv6-short",
    ],
)
def test_malformed_v2_headers(header: bytes, message: str) -> None:
    with pytest.raises(ProxyHeaderError, match=message):
        parse_v2(*split_v2(header))


def test_v2_block_must_have_the_announced_length() -> None:
    fixed, block = split_v2(v2())
    with pytest.raises(ProxyHeaderError, match="truncated"):
        parse_v2(fixed, block[:-1])


@pytest.mark.parametrize(
    ("address", "networks", "trusted"),
    [
        ("127.0.0.1", ["127.0.0.1/32"], True),
        ("127.0.0.2", ["127.0.0.1/32"], False),
        ("10.1.2.3", ["192.0.2.0/24", "10.0.0.0/8"], True),
        ("::ffff:10.1.2.3", ["10.0.0.0/8"], True),
        ("2001:db8::5", ["2001:db8::/32"], True),
        ("2001:db9::5", ["2001:db8::/32"], False),
        ("fe80::1%eth0", ["fe80::/10"], True),
        ("not an address", ["0.0.0.0/0"], False),
        ("10.1.2.3", [], False),
    ],
)
def test_trusted_proxies(address: str, networks: list[str], trusted: bool) -> None:
    assert is_trusted(address, [network(text) for text in networks]) is trusted


# Reading a header off a socket ------------------------------------------------------------


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(the server's end, non-blocking; the proxy's end)."""
    server, proxy = socket.socketpair()
    server.setblocking(False)
    proxy.settimeout(WAIT)
    with server, proxy:
        yield server, proxy


def unread(sock: socket.socket) -> bytes:
    """What is left in ``sock`` (non-blocking) once the peer has closed."""
    sock.setblocking(True)
    sock.settimeout(WAIT)
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (b"PROXY TCP4 203.0.113.7 10.0.0.1 4242 2222\r\n", ("203.0.113.7", 4242)),
        (b"PROXY UNKNOWN\r\n", None),
        (v2(), ("203.0.113.7", 4242)),
        (v2(tlvs=b"\x01\x00\x02h2"), ("203.0.113.7", 4242)),
        (v2(command=0), None),
    ],
    ids=["v1", "v1-unknown", "v2", "v2-tlvs", "v2-local"],
)
async def test_the_banner_after_the_header_is_left_unread(
    pair: tuple[socket.socket, socket.socket], header: bytes, source: tuple[str, int] | None
) -> None:
    """Header and banner arrive in one segment: only the header is taken."""
    server, proxy = pair
    proxy.sendall(header + BANNER)
    proxy.shutdown(socket.SHUT_WR)
    assert (await read_proxy_header(server, WAIT)).source == source
    assert unread(server) == BANNER


@pytest.mark.parametrize(
    ("sent", "message", "left"),
    [
        (b"PROXY TCP4 203.0.113.7 10.0", "closed inside the header", b""),
        (v2()[:20], "closed inside the header", b""),
        (b"GET / HTTP/1.1\r\n", "it starts with b'GET / '", b"HTTP/1.1\r\n"),
        (BANNER, "it starts with b'SSH-2.'", BANNER[6:]),
        (b"PROXY " + b"1" * 200, "no CRLF within 107 bytes", b"1" * (206 - V1_MAX_LENGTH)),
        (v2()[:14] + b"\x08\x01" + b"x" * 64, "2049 bytes", b"x" * 64),
        (v2()[:11] + b"!" + v2()[12:] + BANNER, "wrong signature", v2()[16:] + BANNER),
    ],
    ids=["v1-truncated", "v2-truncated", "http", "ssh", "v1-endless", "v2-oversized", "v2-sig"],
)
async def test_bad_headers_are_refused_without_reading_on(
    pair: tuple[socket.socket, socket.socket], sent: bytes, message: str, left: bytes
) -> None:
    server, proxy = pair
    proxy.sendall(sent)
    proxy.shutdown(socket.SHUT_WR)
    with pytest.raises(ProxyHeaderError, match=message):
        await read_proxy_header(server, WAIT)
    assert unread(server) == left


async def test_a_connection_closed_unheard_is_told_apart(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, proxy = pair
    proxy.close()
    with pytest.raises(NothingSentError):
        await read_proxy_header(server, WAIT)


@pytest.mark.parametrize("sent", [b"", b"PROXY TCP4 203.0", v2()[:20]], ids=["none", "v1", "v2"])
async def test_a_slow_header_times_out(
    pair: tuple[socket.socket, socket.socket], sent: bytes
) -> None:
    """The timeout is the caller's (5 s in the server): a short one here, nothing else waits."""
    server, proxy = pair
    proxy.sendall(sent)
    with pytest.raises(ProxyHeaderError, match=r"no complete PROXY header within 0\.05 seconds"):
        await read_proxy_header(server, 0.05)


async def test_after_a_local_header_a_health_check_hangs_up_and_a_client_speaks(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, proxy = pair
    proxy.sendall(v2(command=0) + BANNER)
    assert (await read_proxy_header(server, WAIT)).is_local
    assert not await closes_unheard(server, WAIT)  # it speaks: a client, handed over
    assert server.recv(100) == BANNER  # ...with nothing read
    check_server, check = socket.socketpair()
    with check_server, check:
        check_server.setblocking(False)
        check.sendall(v2(command=0))
        check.close()
        assert (await read_proxy_header(check_server, WAIT)).is_local
        assert await closes_unheard(check_server, WAIT)


async def test_the_listener_bounds_headers_under_way_and_closes_them_on_stop() -> None:
    """No more connections sending their header than logins under way (--max-startups'
    FULL, 1 here); stopping closes those still sending theirs."""
    lines: list[str] = []
    settings = ServeSettings(
        app=AppCommand(Path("unused")),
        port=0,
        limits=Limits(max_startups=MaxStartups(1, 100, 1)),
        proxy=ProxyProtocol((network("127.0.0.1"),), header_timeout=WAIT),
    )
    listener = ProxiedListener.start(
        settings,
        lambda client: pytest.fail(f"{client} handed over"),
        {},
        lambda key, line: lines.append(line),
    )
    port = listener.sockets[0].getsockname()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as waiting:
        waiting.sendall(b"PROXY TCP4 ")
        await async_wait_until(lambda: listener.pending == 1, what="the header to be read")
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as refused:
            await async_wait_until(lambda: bool(lines), what="a refusal")
            assert refused.recv(1) == b""
        assert re.fullmatch(
            r"127\.0\.0\.1:\d+ user=- 0\.0s refused: too many PROXY headers under way", lines[0]
        )
        listener.close()
        await asyncio.wait_for(listener.wait_closed(), WAIT)
        assert waiting.recv(1) == b""
    assert listener.pending == 0 and len(lines) == 1


# Real servers, with a client that writes the header itself ---------------------------------


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


def proxied_socket(port: int, header: bytes) -> socket.socket:
    """A connection to the server that starts as a proxy's would: its header first."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    sock.sendall(header)
    sock.setblocking(False)  # asyncssh's
    return sock


async def proxied(port: int, header: bytes, **options: object) -> asyncssh.SSHClientConnection:
    """An asyncssh client whose connection begins with ``header`` (its banner right after)."""
    return await connect(port, sock=proxied_socket(port, header), **options)


async def test_the_header_s_address_is_logged_and_limited(
    serve: Callable[..., ServeProcess],
) -> None:
    """Every connection comes from 127.0.0.1, yet one session per address lets two in:
    the limits count the addresses the headers gave."""
    server = serve(*TRUST_LOOPBACK, "--max-per-address", "1")
    first = await proxied(server.port, b"PROXY TCP4 203.0.113.7 127.0.0.1 4242 22\r\n")
    sessions = [await Session.open(first, expecting=TITLE)]
    with pytest.raises(asyncssh.DisconnectError, match="too many sessions from your address"):
        await proxied(server.port, v2(source=("203.0.113.7", 4343)))
    ipv6 = v2(family=0x21, source=("2001:db8::9", 5353), destination=("::1", 22))
    other = await proxied(server.port, ipv6)
    sessions.append(await Session.open(other, expecting=TITLE))
    for session in sessions:
        session.press(b"q")
        assert await session.wait_closed() == 0
    first.close()
    other.close()
    await server.expect_log(r"2001:db8::9:5353 user=tester \d+\.\ds exit 0")
    await server.expect_log(r"203\.0\.113\.7:4343 user=tester .*refused: too many sessions")
    await server.expect_log(r"203\.0\.113\.7:4242 user=tester \d+\.\ds exit 0")
    assert "127.0.0.1:" not in server.log()


async def test_untrusted_peers_and_bad_headers_are_closed_unanswered(
    serve: Callable[..., ServeProcess],
) -> None:
    untrusting = serve("--proxy-protocol", "--trusted-proxy", "192.0.2.0/24")
    trusting = serve(*TRUST_LOOPBACK)
    for port, header in [
        (untrusting.port, b"PROXY TCP4 203.0.113.7 127.0.0.1 4242 22\r\n"),
        (trusting.port, BANNER),
        (trusting.port, b"PROXY TCP4 203.0.113.7 127.0.0.1 99999 22\r\n"),
    ]:
        with proxied_socket(port, header) as sock:
            sock.setblocking(True)
            with contextlib.suppress(ConnectionResetError):
                assert sock.recv(100) == b""  # no banner: SSH never started
    untrusting.wait_for_log(r"127\.0\.0\.1:\d+ user=- \d\.\ds refused: not a trusted proxy")
    trusting.wait_for_log(r"refused: bad PROXY header: not a PROXY header: it starts with b'SSH")
    # The second refusal from 127.0.0.1 within the window is counted, not written.
    assert "bad port" not in trusting.log()


async def test_local_connections_are_the_proxy_s_own(serve: Callable[..., ServeProcess]) -> None:
    """A LOCAL header: a health check that hangs up is not logged; one that speaks SSH is
    served under the proxy's own address."""
    server = serve(*TRUST_LOOPBACK)
    proxied_socket(server.port, v2(command=0)).close()
    socket.create_connection(("127.0.0.1", server.port), timeout=WAIT).close()  # bare probe
    conn = await proxied(server.port, v2(command=0), username="healthy")
    local_port = conn.get_extra_info("sockname")[1]
    session = await Session.open(conn, expecting=TITLE)
    session.press(b"q")
    assert await session.wait_closed() == 0
    conn.close()
    await server.expect_log(rf"127\.0\.0\.1:{local_port} user=healthy \d+\.\ds exit 0")
    assert len([line for line in server.log().splitlines() if " user=" in line]) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--proxy-protocol"], "--proxy-protocol needs --trusted-proxy CIDR"),
        (["--trusted-proxy", "10.0.0.0/8"], "--proxy-protocol needs --trusted-proxy CIDR"),
        (["--web", *TRUST_LOOPBACK], "--proxy-protocol is for SSH"),
    ],
)
def test_proxy_options_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error


def test_a_bad_trusted_proxy_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--proxy-protocol", "--trusted-proxy", "10.0.0.0/33"])
    assert exit.value.code == 2
    assert "invalid network value: '10.0.0.0/33'" in capsys.readouterr().err


# A real HAProxy ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


HAPROXY_CONFIG = """\
global
    maxconn 200
    stats socket {folder}/haproxy.sock mode 600
defaults
    mode tcp
    option dontlognull
    timeout connect 5s
    timeout client 1h
    timeout server 1h
frontend ssh
    bind 127.0.0.1:{port}
    default_backend dossier
backend dossier
    balance leastconn
    default-server send-proxy-v2 check inter 200ms
{servers}
"""


class HAProxy:
    """``haproxy -db`` (in the foreground) in front of ``replicas``; :meth:`stop` reaps it."""

    def __init__(self, folder: Path, replicas: list[ServeProcess]) -> None:
        assert HAPROXY is not None
        self.folder = folder
        self.port = free_port()
        servers_lines = "\n".join(
            f"    server replica{n} 127.0.0.1:{replica.port}" for n, replica in enumerate(replicas)
        )
        config = folder / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(folder=folder, port=self.port, servers=servers_lines)
        )
        self.log_path = folder / "haproxy.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
            )

    def checks(self) -> list[str]:
        """Each server's last health check status (L4OK once a check has connected)."""
        if not (self.folder / "haproxy.sock").exists():
            return []
        with socket.socket(socket.AF_UNIX) as stats:
            stats.settimeout(WAIT)
            stats.connect(str(self.folder / "haproxy.sock"))
            stats.sendall(b"show stat\n")
            data = b""
            while chunk := stats.recv(65536):
                data += chunk
        rows = [line.split(",") for line in data.decode().splitlines() if line]
        column = rows[0].index("check_status")
        return [row[column] for row in rows[1:] if row[1].startswith("replica")]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(WAIT)


@pytest.fixture
async def haproxy_and_replicas(tmp_path: Path) -> AsyncIterator[tuple[HAProxy, list[ServeProcess]]]:
    """Two replicas sharing one host key, behind HAProxy; everything stopped after."""
    if HAPROXY is None:
        pytest.skip("no haproxy installed (Debian: apt-get install haproxy)")
    host_key = tmp_path / "shared_host_key"
    replicas = [
        ServeProcess(tmp_path / f"replica-{n}", *TRUST_LOOPBACK, host_key=host_key)
        for n in range(2)
    ]
    proxy: HAProxy | None = None
    try:
        for replica in replicas:  # one after the other: the first creates the shared key
            replica.start()
        proxy = HAProxy(tmp_path, replicas)
        yield proxy, replicas
    finally:
        if proxy is not None:
            proxy.stop()
        for replica in replicas:
            replica.stop()


async def test_replicas_behind_haproxy(
    haproxy_and_replicas: tuple[HAProxy, list[ServeProcess]],
) -> None:
    """Two sessions at once go to the two replicas (leastconn); both see one host key; each
    replica logs its client's own address and port as HAProxy's v2 header gave them; the
    health checks (a LOCAL header, then a hang-up) leave no line in any log."""
    proxy, replicas = haproxy_and_replicas
    await async_wait_until(
        lambda: proxy.checks() == ["L4OK", "L4OK"],
        what=f"HAProxy's checks to pass:\n{proxy.log_path.read_text()}",
    )
    conns = [await connect(proxy.port, username=f"user{n}") for n in range(2)]
    sessions = [await Session.open(conn, expecting=TITLE) for conn in conns]
    keys = {conn.get_server_host_key().get_fingerprint() for conn in conns}  # type: ignore[union-attr]
    assert len(keys) == 1
    assert all(f"host key {next(iter(keys))}" in replica.log() for replica in replicas)
    for session in sessions:
        session.press(b"q")
        assert await session.wait_closed() == 0
    client_ports = [conn.get_extra_info("sockname")[1] for conn in conns]
    for conn in conns:
        conn.close()
    lines: list[str] = []
    for replica in replicas:
        replica.wait_for_log(r"user=user\d \d+\.\ds exit 0")
        lines += [line for line in replica.log().splitlines() if " user=" in line]
    assert len(lines) == 2, lines  # one per replica; no check, no refusal
    assert sorted(line.split()[1] for line in lines) == sorted(
        f"127.0.0.1:{port}" for port in client_ports
    )
    wait_until(lambda: proxy.checks() == ["L4OK", "L4OK"], what="checks still passing")
