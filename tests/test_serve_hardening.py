"""What a hostile client cannot do to a session: the input bounds, the process limits, and
what reaches the client when an app fails (SSH here; the web server's are in
test_serve_web). Unit tests of :mod:`tui.serve.inputs` first, then attacks on a real server.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    TITLE,
    ServeProcess,
    Session,
    alive,
    async_wait_until,
    connect,
    servers,
)
from tui.serve.child import describe_end
from tui.serve.inputs import (
    ControlStringFilter,
    InputGate,
    TokenBucket,
    Utf8Repair,
    text_to_bytes,
)

DOWN = b"\x1b[B"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


# Units ----------------------------------------------------------------------------------


def test_utf8_repair_replaces_bad_bytes_and_keeps_split_characters() -> None:
    repair = Utf8Repair()
    assert repair.feed(b"a\xffb") == "a\ufffdb".encode()
    # "é" cut between two reads arrives whole, once.
    assert repair.feed(b"x\xc3") == b"x"
    assert repair.feed(b"\xa9y") == "éy".encode()
    # Overlong forms and lone continuation bytes are not passed on as they are.
    out = repair.feed(b"\xc0\xaf\x80\x1b[B")
    out.decode("utf-8")  # valid
    assert out.endswith(DOWN)
    assert b"\xc0" not in out


def test_text_to_bytes_survives_lone_surrogates() -> None:
    assert text_to_bytes("a\ud800b") == "a\ufffdb".encode()


def test_control_strings_are_dropped_and_everything_else_kept() -> None:
    strings = ControlStringFilter()
    assert strings.feed(b"a\x1bPq$x\x1b\\b\x1b]11;rgb:0/0/0\x07c\x1b_k\x1b\\d") == b"abcd"
    assert strings.feed(DOWN + b"\x1b[<35;1;2M\x1bx\x1b[200~p\x1b[201~") == (
        DOWN + b"\x1b[<35;1;2M\x1bx\x1b[200~p\x1b[201~"
    )
    # An unterminated string is dropped however long, until its end or another ESC.
    strings = ControlStringFilter()
    assert strings.feed(b"\x1bP" + b"x" * 100_000) == b""
    assert strings.feed(b"x" * 1000 + b"\x1b[B") == DOWN
    # Split between chunks: the Escape key is never held back; ST split still ends it.
    strings = ControlStringFilter()
    assert strings.feed(b"k\x1b") == b"k\x1b"
    assert strings.feed(b"Pxx\x1b") == b""
    assert strings.feed(b"\\j") == b"j"
    assert strings.feed(b"\x18") == b"\x18"  # CAN outside a string is a key like any other


_KEYS = st.sampled_from(
    [b"a", b"\xc3\xa9", DOWN, b"\x1b[<35;10;5M", b"\x1bx", b"\x1b[200~", b"\x07"]
)
_STRINGS = st.sampled_from([b"\x1bPx\x1b\\", b"\x1b]0;t\x07", b"\x1b_a\x1b\\", b"\x1bXs\x18"])


@given(
    st.lists(st.one_of(_KEYS, _STRINGS), max_size=30),
    st.lists(st.integers(min_value=1, max_value=12), max_size=10),
)
def test_control_string_filter_keeps_keys_wherever_chunks_are_cut(
    pieces: list[bytes], cuts: list[int]
) -> None:
    data = b"".join(pieces)
    expected = b"".join(piece for piece in pieces if piece not in _STRING_PIECES)
    strings = ControlStringFilter()
    out = bytearray()
    position = 0
    for cut in cuts:
        chunk = data[position : position + cut]
        position += cut
        if chunk.endswith(b"\x1b"):
            chunk = chunk[:-1]  # a cut right after ESC may pass that ESC on: not checked here
            position -= 1
        out += strings.feed(chunk)
    out += strings.feed(data[position:])
    assert bytes(out) == expected


_STRING_PIECES = frozenset([b"\x1bPx\x1b\\", b"\x1b]0;t\x07", b"\x1b_a\x1b\\", b"\x1bXs\x18"])


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=100, burst=50, clock=clock)
    assert bucket.wait() == 0
    bucket.take(80)  # one piece beyond the burst still goes, leaving a debt
    assert bucket.wait() == pytest.approx(0.3, abs=1e-6)
    clock.now = 0.3
    assert bucket.wait() == pytest.approx(0, abs=1e-6)
    clock.now = 100.0
    bucket.take(0)
    assert bucket.wait() == 0  # never more saved than the burst:
    bucket.take(50)
    assert bucket.wait() > 0


def recording_gate(
    rate: float, burst: int, queue: int
) -> tuple[InputGate[bytes], list[bytes], list[int]]:
    """A gate that costs bytes by length; what it delivers and each flood it reports."""
    delivered: list[bytes] = []
    floods: list[int] = []
    gate: InputGate[bytes] = InputGate(
        rate=rate,
        burst=burst,
        queue=queue,
        deliver=delivered.append,
        on_flood=lambda: floods.append(1),
        cost=len,
    )
    return gate, delivered, floods


async def test_gate_passes_a_burst_holds_the_rest_and_releases_it_in_order() -> None:
    gate, delivered, floods = recording_gate(rate=2000, burst=100, queue=1000)
    pieces = [bytes([65 + n]) * 60 for n in range(5)]
    for piece in pieces:
        gate.feed(piece)
    # 100 bytes of burst: the first two pieces go at once (the second into debt).
    assert delivered == pieces[:2]
    assert gate.held == 180
    await async_wait_until(lambda: len(delivered) == 5, timeout=2)
    assert delivered == pieces  # in order, none cut
    assert gate.held == 0
    assert floods == []


async def test_gate_shuts_on_a_flood_and_drops_everything_after() -> None:
    gate, delivered, floods = recording_gate(rate=10, burst=10, queue=100)
    for _ in range(30):
        gate.feed(b"x" * 10)
    assert floods == [1]
    assert gate.shut
    assert gate.held == 0
    count = len(delivered)
    gate.feed(b"more")
    await asyncio.sleep(0.1)
    assert len(delivered) == count
    assert count <= 2


def test_describe_end_tells_one_line_and_no_traceback() -> None:
    traceback = b'Traceback (most recent call last):\n  File "/srv/x.py"\nValueError: boom\n'
    assert describe_end(0, b"") is None
    told = describe_end(1, traceback)
    assert told is not None
    assert "\n" not in told and "/srv" not in told and "Traceback" not in told
    assert "processor time" in (describe_end(-signal.SIGXCPU, b"") or "")
    assert "memory" in (describe_end(1, b"...\nMemoryError\n") or "")


# Attacks on a real server -----------------------------------------------------------------


async def test_invalid_utf8_does_not_end_the_session(serve: Callable[..., ServeProcess]) -> None:
    """Item 6: one invalid byte used to stop the app's input (a traceback to the client)."""
    server = serve()
    async with await connect(server.port) as conn:
        session = await Session.open(conn, expecting=TITLE)
        session.press(b"\xff\xfe\xc0")
        await asyncio.sleep(0.3)
        mark = session.press(DOWN + DOWN)
        await session.screen.expect(AFTER_TWO_DOWNS, since=mark)
        assert "Traceback" not in session.screen.text()
        assert "UnicodeDecodeError" not in session.screen.text()
        session.press(b"q")
        assert await session.wait_closed() == 0


async def test_an_input_flood_is_cut_off_with_a_message(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 3: keys used to be queued in the app without bound (1 MB took it past 2 GB)."""
    server = serve("--input-rate", "1K", "--input-burst", "4K", "--input-queue", "32K")
    async with await connect(server.port) as conn:
        session = await Session.open(conn, expecting=TITLE)
        (app,) = server.children()
        # 128 KiB of an unterminated DCS string, then quiet (a client still sending when
        # the server closes may lose the goodbye to the TCP reset its unread input causes)
        mark = await session.keep_sending(b"\x1bP" + b"x" * (16 * 1024 - 2), 8, every=0.01)
        await session.screen.expect("more input than this server accepts", since=mark)
        await session.wait_closed()
    await server.expect_log(r"input flood")
    await async_wait_until(lambda: not Path(f"/proc/{app}").exists(), what="the app to end")


async def test_a_session_cannot_outgrow_its_memory_limit(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 3: each app has an address-space limit; beyond it the client gets one line."""
    server = serve("--session-memory", "40M")
    async with await connect(server.port) as conn:
        session = await Session.open(conn)
        status = await session.wait_closed()
        text = session.screen.text()
    assert status == 1
    # Short of memory, Python fails in more than one way (MemoryError, SystemError, ...):
    # the client is told in one line either way, the details are in the server's log.
    told = [line for line in text.splitlines() if line.startswith("dossier: ")]
    assert len(told) == 1, text
    assert "memory it is allowed" in told[0] or "stopped because of an error" in told[0]
    assert "Traceback" not in text and "Error" not in text
    await server.expect_log(r"app stderr: Traceback")
    assert not server.children()


async def test_a_session_cannot_use_more_than_its_cpu_time(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 3: each app has a CPU-time limit; keys that keep it busy end it, with a line."""
    server = serve("--session-cpu", "2", "--input-rate", "64K", "--input-burst", "64K")
    async with await connect(server.port) as conn:
        session = await Session.open(conn, expecting=TITLE)
        await session.keep_sending((DOWN + b"\x1b[A") * 200, 400, every=0.05)
        await session.wait_closed()
        text = session.screen.text()
    assert "used all the processor time it is allowed" in text, text[-500:]
    assert "Traceback" not in text


async def test_apps_do_not_outlive_a_killed_ssh_server(
    serve: Callable[..., ServeProcess],
) -> None:
    """SIGKILL of the server: its apps are killed by the kernel (PR_SET_PDEATHSIG)."""
    server = serve()
    async with await connect(server.port) as conn:
        _session = await Session.open(conn, expecting=TITLE)  # kept open to the end
        (app,) = server.children()
        server.process.kill()  # type: ignore[union-attr]
        await async_wait_until(lambda: not alive(app), what="the app to die with its server")


def test_a_served_app_whose_server_is_gone_exits_at_once(tmp_path: Path) -> None:
    """Started for a server that has already died, the app does not run."""
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--help"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DOSSIER_SERVED": "999999999"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == b""
