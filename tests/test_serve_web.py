"""``dossier serve --web``: the page over HTTP, sessions over its websocket. (A real
browser's session, and the page's promise to fetch from this server only, are in
``test_serve_browser.py``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    REPO,
    TITLE,
    WAIT,
    Screen,
    ServeProcess,
    alive,
    async_wait_until,
    servers,
)
from tui.serve.webcheck import Origins, parse_frame


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


class BrowserSession:
    """What the page's script does: a websocket carrying keys in and the screen out."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.screen = Screen()
        self.close_code: int | None = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen.feed(message.data)
        self.close_code = self.websocket.close_code
        self.screen.closed = True

    async def send(self, kind: str, data: object) -> None:
        await self.websocket.send_str(json.dumps([kind, data]))

    async def press(self, keys: str) -> int:
        mark = len(self.screen.data)
        await self.send("stdin", keys)
        return mark

    async def wait_closed(self) -> None:
        await asyncio.wait_for(self._reader, WAIT)


async def open_session(
    http: aiohttp.ClientSession,
    server: ServeProcess,
    size: tuple[int, int] = (80, 24),
    *,
    expecting: str = "",
) -> BrowserSession:
    """A browser's session with ``server``, once its screen shows ``expecting`` (if any)."""
    url = f"http://127.0.0.1:{server.port}/ws?width={size[0]}&height={size[1]}"
    websocket = await http.ws_connect(
        url, origin=f"http://127.0.0.1:{server.port}", timeout=aiohttp.ClientWSTimeout(WAIT)
    )
    session = BrowserSession(websocket)
    if expecting:
        await session.screen.expect(expecting)
    return session


async def test_page_is_served(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{server.port}/") as response:
            assert response.status == 200
            page = await response.text()
        assert f'data-session-websocket-url="ws://127.0.0.1:{server.port}/ws"' in page
        assert '<p class="name">dossier</p>' in page
        assert "googleapis" not in page  # ours, not textual-serve's
        for asset in ("/static/js/textual.js", "/page/page.js", "/page/page.css"):
            async with http.get(f"http://127.0.0.1:{server.port}{asset}") as script:
                assert script.status == 200
    assert not server.children()  # a page alone starts no app


async def test_websocket_session_explores_and_quits(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server, expecting=TITLE)
        assert len(server.children()) == 1  # its own process
        mark = await session.press("\x1b[B\x1b[B")
        await session.screen.expect(AFTER_TWO_DOWNS, since=mark)
        mark = len(session.screen.data)
        await session.send("resize", {"width": 120, "height": 40})
        await session.screen.expect_bytes(rb"\x1b\[40;\d+H", since=mark)
        await session.press("q")
        await session.wait_closed()
    await server.expect_log(r"127\.0\.0\.1 web \d+\.\ds closed")
    await async_wait_until(lambda: not server.children(), what="the app to be reaped")


async def test_web_sessions_are_limited(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web", "--max-sessions", "1")
    async with aiohttp.ClientSession() as http:
        first = await open_session(http, server, expecting=TITLE)
        second = await open_session(http, server)
        await second.screen.expect("the server is full")
        await second.wait_closed()
        assert second.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
        assert len(server.children()) == 1
        await first.press("q")
        await first.wait_closed()
    await server.expect_log("refused: the server is full")


async def test_web_idle_timeout(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web", "--idle-timeout", "1")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server)
        await session.screen.expect("without input")
        await session.wait_closed()
    await server.expect_log("idle timeout")
    await async_wait_until(lambda: not server.children(), what="the app to be reaped")


async def test_web_sigterm_says_goodbye(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server, expecting=TITLE)
        apps = server.children()
        server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        await session.screen.expect("the server is stopping")
        await session.wait_closed()
    await async_wait_until(server.process_exited, what="the server to exit")
    assert server.process.returncode == 0  # type: ignore[union-attr]
    # The apps quit as told (an instant after their output ends, which the server waits for).
    await async_wait_until(lambda: not [pid for pid in apps if alive(pid)], what="apps to end")
    assert "Traceback" not in server.log()


# Attacks (issue 13) ---------------------------------------------------------------------


def test_origins_are_this_servers_own() -> None:
    origins = Origins.of("http://127.0.0.1:8000", "127.0.0.1", 8000)
    assert origins.origin_allowed("http://127.0.0.1:8000")
    assert origins.origin_allowed("http://localhost:8000")
    assert origins.host_allowed("127.0.0.1:8000")
    assert origins.host_allowed("localhost:8000")
    for origin in (
        None,
        "",
        "null",
        "http://evil.example",
        "http://127.0.0.1:8001",
        "https://127.0.0.1:8000",
        "http://127.0.0.1:8000.evil.example",
        "http://user@127.0.0.1:8000",
    ):
        assert not origins.origin_allowed(origin), origin
    for host in (None, "", "evil.example:8000", "127.0.0.1", "127.0.0.1:80", "a@127.0.0.1:8000"):
        assert not origins.host_allowed(host), host
    public = Origins.of("https://demo.example.org", "0.0.0.0", 8000)
    assert public.origin_allowed("https://demo.example.org")
    assert public.origin_allowed("https://DEMO.example.org:443")
    assert public.host_allowed("demo.example.org")
    assert not public.origin_allowed("http://demo.example.org")
    assert not public.host_allowed("0.0.0.0:8000")


@pytest.mark.parametrize(
    "frame",
    [
        "[" * 60000,
        '{"stdin": "x"}',
        "[1, 2]",
        '["resize", [[[[[[1]]]]]]]',
        '["resize", {"width": true, "height": "x"}]',
        '["stdin", 42]',
        '["ping", "' + "p" * 100 + '"]',
        "not json",
        "",
    ],
)
def test_frames_that_are_not_the_pages_are_ignored(frame: str) -> None:
    assert parse_frame(frame) is None


def test_frames_are_checked() -> None:
    frame = parse_frame(json.dumps(["stdin", "a\ud800b"]))
    assert frame is not None and frame.keys == "a\ufffdb".encode()
    frame = parse_frame(json.dumps(["resize", {"width": 120, "height": 30}]))
    assert frame is not None and frame.size == (120, 30)
    assert parse_frame(json.dumps(["resize", {"width": 100000, "height": 30}])) is None


async def test_cross_site_websockets_are_refused_before_any_app(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 1: a page of another site, or a DNS-rebound name, cannot open a session."""
    server = serve("--web")
    base = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as http:
        for headers in (
            {"Origin": "http://evil.example"},
            {},  # no Origin: not the page's script
            {"Origin": "null"},
            {"Origin": f"http://evil.example:{server.port}", "Host": f"evil.example:{server.port}"},
        ):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{base}/ws", headers=headers)
            assert refused.value.status == 403, headers
        async with http.get(f"{base}/", headers={"Host": f"rebound.example:{server.port}"}) as page:
            assert page.status == 403
        assert not server.children()
        session = await http.ws_connect(f"{base}/ws", origin=f"http://localhost:{server.port}")
        await session.close()
    await server.expect_log(r"refused: origin http://evil\.example")
    # One line per kind of refusal and address every few seconds: the page's refusal
    # (rebound.example) is counted, not written.
    await server.expect_log(r"refused: host evil\.example")
    assert "rebound" not in server.log()


async def test_an_app_that_will_not_quit_is_killed_and_reaped(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 2: the app is ended (quit, SIGTERM, SIGKILL) and its slot kept until it is gone."""
    server = serve("--web", "--max-per-address", "1")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server, expecting=TITLE)
        (app,) = server.children()
        os.kill(app, signal.SIGSTOP)  # it can neither quit nor handle SIGTERM
        await session.websocket.close()
        await session.wait_closed()
        # Until it is reaped its slot is taken: the address is at its limit.
        refused = await open_session(http, server)
        await refused.screen.expect("too many sessions from your address")
        await refused.wait_closed()
        await async_wait_until(lambda: not alive(app), timeout=15, what="the app to be killed")
        await async_wait_until(lambda: not server.children(), what="the app to be reaped")
        again = await open_session(http, server, expecting=TITLE)
        await again.press("q")
        await again.wait_closed()


async def test_closing_mid_output_leaves_no_app_behind(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 2: browsers that vanish during heavy output never leave more apps than allowed."""
    server = serve("--web", "--max-per-address", "2", "--input-rate", "64K")
    most = 0
    async with aiohttp.ClientSession() as http:
        for _ in range(3):
            sessions = [await open_session(http, server) for _ in range(2)]
            for session in sessions:
                await session.screen.expect(TITLE)
            for session in sessions:
                for size in range(40, 200, 10):  # large redraws, read by nobody
                    await session.send("resize", {"width": size * 2, "height": size})
                session._reader.cancel()
                await session.websocket.close()
            most = max(most, len(server.children()))
            await async_wait_until(lambda: not server.children(), what="the apps to be reaped")
    assert most <= 2


async def test_sigterm_ends_even_a_stuck_app(serve: Callable[..., ServeProcess]) -> None:
    """Item 2: the server's SIGTERM ends every app, even one that cannot quit."""
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server, expecting=TITLE)
        (app,) = server.children()
        os.kill(app, signal.SIGSTOP)
        server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        await session.wait_closed()
    await async_wait_until(server.process_exited, timeout=30, what="the server to exit")
    assert not alive(app)
    assert "Traceback" not in server.log()


async def test_frames_that_raise_do_not_end_the_session(
    serve: Callable[..., ServeProcess],
) -> None:
    """Item 8 (and 6 for the web): deep JSON, lone surrogates and junk are ignored."""
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server, expecting=TITLE)
        await session.websocket.send_str("[" * 60000)
        await session.websocket.send_str('["stdin", "\\ud800"]')
        await session.websocket.send_str('["resize", {"width": true, "height": [1]}]')
        await session.websocket.send_str("[" * 100000)  # over the frame limit: closed
        await session.wait_closed()
        assert session.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
        session = await open_session(http, server, expecting=TITLE)
        await session.websocket.send_str("[" * 60000)
        await session.websocket.send_str('["stdin", "\\ud800"]')
        mark = await session.press("\x1b[B\x1b[B")
        await session.screen.expect(AFTER_TWO_DOWNS, since=mark)
        await session.press("q")
        await session.wait_closed()
    assert "Traceback" not in server.log()
    assert "RecursionError" not in server.log()


async def test_a_web_input_flood_is_cut_off(serve: Callable[..., ServeProcess]) -> None:
    """Item 3 for the web: keys beyond the rate and the queue end the session, with a line."""
    server = serve("--web", "--input-rate", "1K", "--input-burst", "4K", "--input-queue", "32K")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server, expecting=TITLE)
        (app,) = server.children()
        # Up to 128 KB, a frame at a time, each given a moment for the server's answer: a
        # client that goes on sending while the server closes sees its own next write
        # fail, and aiohttp then drops what it had not read yet (the goodbye).
        said = "more input than this server accepts"
        for _ in range(8):
            if session.screen.closed or said in session.screen.text():
                break
            try:
                await session.send("stdin", "\x1bP" + "x" * 16000)
            except ConnectionError:  # the server closed the socket in between
                break
            with contextlib.suppress(pytest.fail.Exception):
                await async_wait_until(
                    lambda: session.screen.closed or said in session.screen.text(), 0.5
                )
        await session.screen.expect("more input than this server accepts")
        await session.wait_closed()
        assert session.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION
    await server.expect_log("input flood")
    await async_wait_until(lambda: not alive(app), what="the app to end")


async def test_web_apps_get_a_clean_environment(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    """Item 10: a web app inherits nothing of the server's environment, cwd or HOME."""
    server = ServeProcess(tmp_path / "env", "--web")
    server.extra_env = {"SERVER_SECRET": "hunter2"}
    server.start()
    try:
        async with aiohttp.ClientSession() as http:
            session = await open_session(http, server, expecting=TITLE)
            (app,) = server.children()
            environ = Path(f"/proc/{app}/environ").read_bytes().split(b"\0")
            cwd = os.readlink(f"/proc/{app}/cwd")
            await session.press("q")
            await session.wait_closed()
    finally:
        server.stop()
    assert not [entry for entry in environ if b"hunter2" in entry]
    home = [entry for entry in environ if entry.startswith(b"HOME=")]
    assert home and home[0] != f"HOME={server.folder / 'home'}".encode()
    assert cwd != str(REPO)
    assert f"DOSSIER_SERVED={server.pid}".encode() in environ


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    """Item 10: a port in use used to print 'listening on ...' and then a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ServeProcess(tmp_path / "busy", "--web")
        result = subprocess.run(
            [sys.executable, "-m", "tui.serve", "--web", "--port", str(port)],
            capture_output=True,
            text=True,
            env=server.env,
            cwd=REPO,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "listening" not in result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
async def test_web_on_ipv6_loopback(serve: Callable[..., ServeProcess]) -> None:
    """Item 10: --host [::1] used to fail with a traceback."""
    server = serve("--web", "--host", "[::1]")
    async with aiohttp.ClientSession() as http:
        base = f"http://[::1]:{server.port}"
        async with http.get(f"{base}/") as response:
            assert response.status == 200
            assert f"ws://[::1]:{server.port}/ws" in await response.text()
        websocket = await http.ws_connect(f"{base}/ws", origin=base)
        session = BrowserSession(websocket)
        await session.screen.expect(TITLE)
        await session.press("q")
        await session.wait_closed()


async def test_apps_do_not_outlive_a_killed_server(serve: Callable[..., ServeProcess]) -> None:
    """A server killed outright (SIGKILL, OOM) cannot end its apps: the kernel does."""
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        _session = await open_session(http, server, expecting=TITLE)  # kept open to the end
        (app,) = server.children()
        server.process.kill()  # type: ignore[union-attr]
        await async_wait_until(lambda: not alive(app), what="the app to die with its server")


async def test_a_browser_follows_the_speaker_at_a_followers_priority(tmp_path: Path) -> None:
    """``serve --web --present``: a browser's session joins the room as a follower (its
    app at the followers' lower priority), and follows the speaker's keys."""
    from tests.test_serve_room import FOLLOWING, ServerTerminal
    from tui.serve.hub import FOLLOWER_NICE, autogroup_nice

    speaker = ServerTerminal(tmp_path, "--web")
    try:
        speaker.probe.port = await speaker.port()
        speaker.probe.process = speaker.process  # (for its list of the server's children)
        await speaker.screen.expect(TITLE)
        async with aiohttp.ClientSession() as http:
            follower = await open_session(http, speaker.probe, (100, 30), expecting=FOLLOWING)
            await speaker.screen.expect("1 connected · 1 following")
            mark = len(follower.screen.data)
            speaker.press(b"\x1b[B\x1b[B")
            await follower.screen.expect(AFTER_TWO_DOWNS, since=mark)
            niceness = {nice_of(pid) for pid in speaker.probe.children()}
            assert niceness == {0, FOLLOWER_NICE}  # the speaker's explorer, the browser's
            groups = {autogroup_nice(pid) for pid in speaker.probe.children()}
            assert groups in ({None}, {0, FOLLOWER_NICE})
            await follower.press("q")
            await follower.wait_closed()
    finally:
        speaker.close()


def nice_of(pid: int) -> int:
    """The nice value of process ``pid``, from /proc."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
