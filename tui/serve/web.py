"""``dossier serve --web``: the explorer in a browser, through textual-serve.

textual-serve gives every browser tab its own app process (``python -m tui PATH`` under
Textual's web driver) and pipes it over a websocket. This module adds what the SSH server
has too: the bind defaults (checked by the CLI), the session limits, one log line per
session, and a last word to connected users when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import shlex
import socket
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from .config import ServeSettings
from .limits import Admission, IdleTimer
from .session import MAX_SIDE

HEARTBEAT = 15.0
"""Seconds between websocket pings; a browser that stops answering is dropped."""
STOP_TIMEOUT = 10.0
"""Seconds an app gets to quit when its browser leaves."""
STOPPING_MESSAGE = b"\r\n\x1b[?1049l\r\ndossier: the server is stopping. Goodbye.\r\n"


def free_port(host: str) -> int:
    """A port free on ``host`` right now (the page must know its port before serving)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def public_url(host: str, port: int) -> str:
    """The address browsers reach the server at, when --public-url does not say."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class DossierWebServer(Server):
    """textual-serve's server with session limits, plain log lines and a goodbye."""

    def __init__(self, settings: ServeSettings, port: int, log: TextIO = sys.stderr) -> None:
        super().__init__(
            shlex.join(settings.app.argv()),
            host=settings.host,
            port=port,
            title="dossier",
            public_url=settings.public_url or public_url(settings.host, port),
        )
        self.settings = settings
        self.log = log
        self.admission = Admission(settings.limits)
        self.sockets: set[web.WebSocketResponse] = set()
        self.idle: set[web.WebSocketResponse] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    def initialize_logging(self) -> None:
        # textual-serve logs with Rich at INFO; only problems are worth a line here.
        handler = logging.StreamHandler(self.log)
        handler.setFormatter(logging.Formatter("dossier serve: %(message)s"))
        for name in ("textual-serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.WARNING)
            logger.propagate = False

    async def on_startup(self, app: web.Application) -> None:
        print(
            f"dossier serve: listening on {self.host} port {self.port} (web); "
            f"open {self.public_url}/ in a browser",
            file=self.log,
            flush=True,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        print("dossier serve: stopping", file=self.log, flush=True)
        for websocket in list(self.sockets):
            if not websocket.closed:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await websocket.send_bytes(STOPPING_MESSAGE)
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.sockets and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        # Ended apps' subprocess transports must be collected while the loop still runs.
        gc.collect()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser session: admitted (or told why not), run, and logged.

        The same protocol as textual-serve's own handler, plus limits and idle time.
        """
        address = request.remote or "?"
        started = time.monotonic()
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        await websocket.prepare(request)
        refusal = self.admission.admit(address)
        if refusal is not None:
            await websocket.send_bytes(f"dossier: {refusal}\r\n".encode())
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"refused")
            self._write_log(address, started, "refused: " + refusal.split(" (")[0])
            return websocket
        self.sockets.add(websocket)
        outcome = "closed"
        try:
            outcome = await self._run_session(request, websocket)
        finally:
            self.sockets.discard(websocket)
            self.admission.release(address)
            self._write_log(address, started, outcome)
        return websocket

    async def _run_session(self, request: web.Request, websocket: web.WebSocketResponse) -> str:
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)

        async def close() -> None:
            await websocket.close()

        service = AppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
        )
        idle = IdleTimer(self.settings.limits.idle_timeout, lambda: self._end_idle(websocket))
        await service.start(width, height)
        try:
            await self._relay(websocket, service, idle)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            idle.cancel()
            try:
                await asyncio.wait_for(service.stop(), STOP_TIMEOUT)
            except TimeoutError:
                print("dossier serve: a browser session's app did not stop", file=self.log)
        return "idle timeout" if websocket in self.idle else "closed"

    async def _relay(
        self, websocket: web.WebSocketResponse, service: AppService, idle: IdleTimer
    ) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue  # not from textual-serve's page: ignored
            if kind == "stdin" and isinstance(data, str):
                idle.touch()
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                idle.touch()
                await service.set_terminal_size(
                    _int(data.get("width"), 80), _int(data.get("height"), 24)
                )
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    def _end_idle(self, websocket: web.WebSocketResponse) -> None:
        self.idle.add(websocket)
        timeout = self.settings.limits.idle_timeout
        text = f"\r\ndossier: disconnected after {timeout:g} seconds without input.\r\n"

        async def close() -> None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await websocket.send_bytes(text.encode())
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"idle")

        task = asyncio.get_running_loop().create_task(close())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _write_log(self, address: str, started: float, outcome: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        duration = time.monotonic() - started
        print(f"{stamp} {address} web {duration:.1f}s {outcome}", file=self.log, flush=True)


def _int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return number if 0 < number <= MAX_SIDE else default


def _quiet_closed_loop(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    """An unraisable-exception hook that drops one harmless message at exit.

    An app killed together with the server (Ctrl+C reaches its whole process group)
    leaves a subprocess transport that is collected after the loop closed; asyncio then
    reports 'Event loop is closed' with a traceback that means nothing to the user.
    """

    def quiet(unraisable: Any) -> object:
        error = unraisable.exc_value
        if isinstance(error, RuntimeError) and str(error) == "Event loop is closed":
            return None
        return hook(unraisable)

    return quiet


def serve_web(settings: ServeSettings, log: TextIO = sys.stderr) -> int:
    """Serve browsers until SIGTERM or SIGINT; 0 after a clean stop."""
    port = settings.port or free_port(settings.host)
    sys.unraisablehook = _quiet_closed_loop(sys.unraisablehook)
    DossierWebServer(settings, port, log).serve()
    return 0
