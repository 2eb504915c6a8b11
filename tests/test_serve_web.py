"""``dossier serve --web``: the page over HTTP, sessions over its websocket, and (when
Chromium is installed) a real headless browser loading the page and starting a session.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    TITLE,
    WAIT,
    Screen,
    ServeProcess,
    async_wait_until,
    servers,
)

CHROMIUM = next(
    (path for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(path).exists()),
    None,
)


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


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
    http: aiohttp.ClientSession, server: ServeProcess, size: tuple[int, int] = (80, 24)
) -> BrowserSession:
    url = f"http://127.0.0.1:{server.port}/ws?width={size[0]}&height={size[1]}"
    return BrowserSession(await http.ws_connect(url, timeout=aiohttp.ClientWSTimeout(WAIT)))


async def test_page_is_served(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{server.port}/") as response:
            assert response.status == 200
            page = await response.text()
        assert f'data-session-websocket-url="ws://127.0.0.1:{server.port}/ws"' in page
        assert "<div>dossier</div>" in page
        async with http.get(f"http://127.0.0.1:{server.port}/static/js/textual.js") as script:
            assert script.status == 200
    assert not server.children()  # a page alone starts no app


async def test_websocket_session_explores_and_quits(serve: Callable[..., ServeProcess]) -> None:
    server = serve("--web")
    async with aiohttp.ClientSession() as http:
        session = await open_session(http, server)
        await session.screen.expect(TITLE)
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
        first = await open_session(http, server)
        await first.screen.expect(TITLE)
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
        session = await open_session(http, server)
        await session.screen.expect(TITLE)
        apps = server.children()
        server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        await session.screen.expect("the server is stopping")
        await session.wait_closed()
    await async_wait_until(server.process_exited, what="the server to exit")
    assert server.process.returncode == 0  # type: ignore[union-attr]
    # The apps quit as told (an instant after their output ends, which the server waits for).
    await async_wait_until(lambda: not [pid for pid in apps if running(pid)], what="apps to end")
    assert "Traceback" not in server.log()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_headless_chromium_opens_a_session(
    serve: Callable[..., ServeProcess], tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    server = serve("--web")
    browser = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=8000",
            "--dump-dom",
            f"http://127.0.0.1:{server.port}/",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert browser.returncode == 0, browser.stderr[-2000:]
    assert "xterm" in browser.stdout  # the page built its terminal
    # The page's script opened the websocket: a session ran (and ended with the browser).
    server.wait_for_log(r"127\.0\.0\.1 web \d+\.\ds closed", timeout=30)
    assert shutil.which(CHROMIUM) is not None
