"""Headless Chromium driven over the DevTools protocol, for the ``--web`` tests.

The protocol is JSON over a websocket, spoken here with aiohttp: no driver, no new
package. :class:`Browser` starts Chromium with a fresh profile (its DevTools on a loopback
port it picks), opens :class:`Tab` s and always ends and reaps it; a tab reads what its
page's terminal shows, types keys, resizes, and reports its scripts' exceptions;
:meth:`Browser.requests` lists every URL the pages asked for.

Chromium is found on PATH (``chromium``, ``chromium-browser``, ``google-chrome``), or at
``DOSSIER_CHROMIUM``: ``.ci/run`` sets that when it has installed Chromium, and then a
browser that cannot be started fails the tests instead of skipping them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from tests.test_serve_support import WAIT

T = TypeVar("T")


def find_chromium() -> str | None:
    """The browser to drive: ``DOSSIER_CHROMIUM`` if set, else the first one on PATH."""
    if named := os.environ.get("DOSSIER_CHROMIUM"):
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


CHROMIUM = find_chromium()

FLAGS = [
    "--headless",
    "--no-sandbox",  # (CI runs as root)
    "--disable-gpu",
    "--disable-dev-shm-usage",  # (a container's /dev/shm is small)
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    # Every name but the loopback address fails to resolve at once: a request to another
    # host is refused (and recorded), never waited for, and nothing leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
]

# Run in each page before its own scripts. textual-serve's script keeps its xterm.js
# Terminal as `this.terminal` (of an object nothing else can reach): a setter on
# Object.prototype sees it assigned, and keeps it where the test can read the screen
# the browser shows (its buffer). Every refusal by the page's policy is kept too.
WATCH_PAGE = """
(() => {
  const seen = { terminal: null, refused: [] };
  window.__dossier = seen;
  document.addEventListener("securitypolicyviolation", (event) => {
    seen.refused.push(event.violatedDirective + " " + event.blockedURI);
  });
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", {
        value, writable: true, configurable: true, enumerable: true,
      });
      if (value && value.buffer && value.onData) seen.terminal = value;
    },
  });
})();
"""
READ_SCREEN = """
(() => {
  const terminal = window.__dossier && window.__dossier.terminal;
  if (!terminal) return null;
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return { cols: terminal.cols, rows };
})()
"""
KEYS = {
    "down": {"key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40},
    "m": {"key": "m", "code": "KeyM", "text": "m", "windowsVirtualKeyCode": 77},
}


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = WAIT) -> T:
    """Call ``probe`` until it returns something; fail the test after ``timeout`` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while (found := await probe()) is None:
                await asyncio.sleep(0.05)
            return found
    except TimeoutError:
        pytest.fail(f"timed out after {timeout:g}s waiting for {what}")


class DevToolsError(Exception):
    """An error answer to a DevTools command."""


class DevTools:
    """One websocket to the browser: commands by id, events kept in order of arrival."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.events: list[dict[str, Any]] = []
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next = 0
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        self._next += 1
        answer = asyncio.get_running_loop().create_future()
        self._answers[self._next] = answer
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        await self.websocket.send_str(json.dumps(message))
        reply = await asyncio.wait_for(answer, WAIT)
        if "error" in reply:
            raise DevToolsError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def _read(self) -> None:
        async for message in self.websocket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if (answer := self._answers.pop(data.get("id", -1), None)) is not None:
                answer.set_result(data)
            elif "method" in data:
                self.events.append(data)
        for answer in self._answers.values():  # (the browser went away)
            answer.set_exception(ConnectionError("the DevTools connection closed"))

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self.websocket.close()


class Tab:
    """A page of the browser, attached in flat mode (commands carry its session id)."""

    def __init__(self, devtools: DevTools, target: str, session: str) -> None:
        self.devtools = devtools
        self.target = target
        self.session = session

    async def call(self, method: str, **params: Any) -> Any:
        return await self.devtools.call(method, self.session, **params)

    async def evaluate(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:60]!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screen(self) -> tuple[int, list[str]] | None:
        """(columns, rows) of what the page's terminal shows; None before it exists."""
        shown = await self.evaluate(READ_SCREEN)
        return None if shown is None else (shown["cols"], shown["rows"])

    async def text(self) -> str:
        shown = await self.screen()
        return "" if shown is None else "\n".join(shown[1])

    async def expect(self, text: str) -> list[str]:
        """The rows, once ``text`` is on the screen."""

        async def rows() -> list[str] | None:
            shown = await self.screen()
            return shown[1] if shown is not None and text in "\n".join(shown[1]) else None

        try:
            return await until(rows, f"{text!r} on the page")
        except BaseException:
            if await self.screen() is None:
                print("no terminal seen: does textual-serve's script still set this.terminal?")
            else:
                print(f"the page shows:\n{await self.text()}")
            raise

    async def press(self, key: str) -> None:
        """A key as the keyboard gives it: down, then up, to the focused terminal."""
        await self.evaluate("window.__dossier.terminal.focus()")
        await self.call("Input.dispatchKeyEvent", type="keyDown", **KEYS[key])
        await self.call("Input.dispatchKeyEvent", type="keyUp", **KEYS[key])

    async def resize(self, size: tuple[int, int]) -> None:
        width, height = size
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def errors(self) -> list[str]:
        """Uncaught exceptions in the page's scripts."""
        return [
            json.dumps(event["params"]["exceptionDetails"])[:500]
            for event in self.devtools.events
            if event.get("sessionId") == self.session
            and event["method"] == "Runtime.exceptionThrown"
        ]


class Browser:
    """Headless Chromium with a fresh profile, its DevTools on a loopback port."""

    def __init__(self, process: asyncio.subprocess.Process, profile: Path) -> None:
        self.process = process
        self.profile = profile
        self.devtools: DevTools | None = None
        self.http: aiohttp.ClientSession | None = None

    @classmethod
    async def start(cls, executable: str, folder: Path) -> Browser:
        profile = folder / "profile"
        profile.mkdir(parents=True)
        with (folder / "chromium.log").open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                executable,
                *FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # (its helpers too are ended by close())
            )
        browser = cls(process, profile)
        try:
            await browser._connect(folder / "chromium.log")
        except BaseException:
            await browser.close()
            raise
        return browser

    async def _connect(self, log: Path) -> None:
        """Read the port Chromium picked (it writes it once DevTools listens), connect."""
        active = self.profile / "DevToolsActivePort"

        async def written() -> list[str] | None:
            if self.process.returncode is not None:
                pytest.fail(f"Chromium exited at once:\n{log.read_text(errors='replace')}")
            lines = active.read_text().split() if active.exists() else []
            return lines if len(lines) == 2 else None

        port, path = await until(written, "Chromium's DevToolsActivePort")
        self.http = aiohttp.ClientSession()
        websocket = await self.http.ws_connect(
            f"ws://127.0.0.1:{port}{path}", max_msg_size=0, timeout=aiohttp.ClientWSTimeout(WAIT)
        )
        self.devtools = DevTools(websocket)

    async def open(self, url: str, size: tuple[int, int]) -> Tab:
        """A new tab, watched (requests, exceptions, policy refusals), showing ``url``."""
        assert self.devtools is not None
        target = (await self.devtools.call("Target.createTarget", url="about:blank"))["targetId"]
        attached = await self.devtools.call("Target.attachToTarget", targetId=target, flatten=True)
        tab = Tab(self.devtools, target, attached["sessionId"])
        for domain in ("Page", "Runtime", "Network"):
            await tab.call(f"{domain}.enable")
        await tab.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH_PAGE)
        await tab.call("Emulation.setFocusEmulationEnabled", enabled=True)  # (each tab typed in)
        await tab.resize(size)
        await tab.call("Page.navigate", url=url)
        return tab

    async def close_tab(self, tab: Tab) -> None:
        assert self.devtools is not None
        await self.devtools.call("Target.closeTarget", targetId=tab.target)

    def requests(self) -> list[str]:
        """Every URL a page asked for (websockets included), in order."""
        assert self.devtools is not None
        urls = []
        for event in self.devtools.events:
            if event["method"] == "Network.requestWillBeSent":
                urls.append(event["params"]["request"]["url"])
            elif event["method"] == "Network.webSocketCreated":
                urls.append(event["params"]["url"])
        return urls

    async def close(self) -> None:
        """Ask Chromium to quit, then end its process group; always reaped."""
        if self.devtools is not None:
            with contextlib.suppress(DevToolsError, ConnectionError, TimeoutError):
                await asyncio.wait_for(self.devtools.call("Browser.close"), 5)
            await self.devtools.close()
        if self.http is not None:
            await self.http.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        await self.process.wait()
