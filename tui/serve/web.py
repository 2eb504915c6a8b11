"""``dossier serve --web``: the explorer in a browser, textual-serve's script and protocol.

textual-serve gives us the page's script and the protocol; the page itself is ours
(:mod:`.webpage`: it fetches nothing from another host), and so is the rest, with the
SSH server's rules:

- only the page we served may open a session: a websocket's ``Origin`` and every
  request's ``Host`` must name this server (the ``--public-url``, or the bound address),
  else 403 before any app starts (cross-site websocket hijacking, DNS rebinding);
- each browser tab gets its own app (:class:`~.webapp.WebApp`): no shell, a clean
  environment, its own process group, hard limits, ended and reaped when the tab goes;
  its admission slot is released only once the process has exited;
- frames are parsed defensively (size, depth, types), keys made valid UTF-8 and passed
  through the same rate gate as SSH keys (:mod:`.inputs`);
- the listening socket is bound before anything is printed, so a port in use is one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.server import Server

from .child import (
    child_environment,
    describe_end,
    exit_status,
    flood_message,
    log_text,
    printable,
    python_path_for,
)
from .config import ServeSettings
from .forked import SessionFactory, start_factory
from .hub import Hub, Seat, seat
from .inputs import ControlStringFilter, InputGate
from .limits import Admission, IdleTimer, QuietLog
from .present import present_here
from .webapp import (
    QUIT_GRACE,
    WebApp,
    factory_environment,
    quiet_closed_loop,
    web_environment,
)
from .webcheck import (
    MAX_FRAME,
    Frame,
    Origins,
    bind_socket,
    parse_frame,
    public_url,
    read_side,
)
from .webpage import ASSETS, TEMPLATE, page_context, page_headers, templates

HEARTBEAT = 15.0
"""Seconds between websocket pings; a browser that stops answering is dropped."""
STOPPING_MESSAGE = b"\r\n\x1b[?1049l\r\ndossier: the server is stopping. Goodbye.\r\n"


class DossierWebServer(Server):
    """textual-serve's page, our sessions: origin checks, limits, reaped apps, a goodbye."""

    def __init__(
        self, settings: ServeSettings, port: int, home: Path, log: TextIO = sys.stderr
    ) -> None:
        super().__init__(
            "dossier",
            host=settings.host,
            port=port,
            title="dossier",
            public_url=settings.public_url or public_url(settings.host, port),
        )
        self.settings = settings
        self.home = home
        self.log = log
        self.origins = Origins.of(self.public_url, settings.host, port)
        self.admission = Admission(settings.limits)
        self.quiet = QuietLog(self._print)
        self.sockets: set[web.WebSocketResponse] = set()
        self.apps: set[WebApp] = set()
        self.idle: set[web.WebSocketResponse] = set()
        self.farewells: dict[web.WebSocketResponse, asyncio.Task[Any]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.python_path = python_path_for(
            settings.app.python, Path(__file__).resolve().parent.parent.parent, home
        )
        self.factory: SessionFactory | None = None
        self.hub = Hub(self._print) if settings.room else None
        self.templates = templates()
        self.page_headers = page_headers(self.public_url)

    def initialize_logging(self) -> None:
        # textual-serve logs with Rich at INFO; only problems are worth a line here.
        handler = logging.StreamHandler(self.log)
        handler.setFormatter(logging.Formatter("dossier serve: %(message)s"))
        for name in ("textual-serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.WARNING)
            logger.propagate = False

    def make_app(self) -> web.Application:
        """The routes: the page, its websocket, textual-serve's static files (its script,
        xterm's stylesheet) and the page's own; nothing else."""
        app = web.Application(client_max_size=MAX_FRAME)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, name="static"),
                web.static("/page", ASSETS, name="page"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def run(self, sock: socket.socket) -> None:
        """Serve on ``sock`` until SIGTERM or SIGINT."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        try:
            web.run_app(
                self.make_app(),
                sock=sock,
                handle_signals=False,
                loop=loop,
                print=None,
                shutdown_timeout=1.0,
            )
        finally:
            if not loop.is_closed():
                loop.close()

    def request_exit(self) -> None:
        raise GracefulExit()

    async def on_startup(self, app: web.Application) -> None:
        if self.settings.prefork:
            self.factory = await start_factory(
                self.settings, self.home, self.python_path, self._print, factory_environment
            )
        if self.settings.present and self.hub is not None:
            self._spawn(present_here(self.settings, self.hub, self._say))
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
        # Every session ends its app (quit, SIGTERM, SIGKILL); wait for all to be reaped.
        limit = QUIT_GRACE + 2 * self.settings.limits.kill_grace + 5
        deadline = time.monotonic() + limit
        while (self.sockets or self.apps) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for app_ in list(self.apps):
            app_.signal(signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(app_.process.wait(), 5)
        if self.factory is not None:
            await self.factory.close()

    # Requests ---------------------------------------------------------------

    def _refusal(self, request: web.Request, *, websocket: bool) -> str | None:
        """Why this request may not be answered (None: it may)."""
        if not self.origins.host_allowed(request.headers.get("Host")):
            return "host " + printable(request.headers.get("Host"), 80, "(none)")
        if websocket and not self.origins.origin_allowed(request.headers.get("Origin")):
            return "origin " + printable(request.headers.get("Origin"), 80, "(none)")
        return None

    def _forbidden(self, request: web.Request, why: str) -> web.HTTPForbidden:
        self._write_log(request.remote or "?", time.monotonic(), f"refused: {why}")
        return web.HTTPForbidden(
            text=f"dossier: this server answers only at {self.public_url}/ "
            "(see dossier serve --public-url)\n"
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        """Our page (not textual-serve's), with the policy that keeps it on this origin."""
        if (why := self._refusal(request, websocket=False)) is not None:
            raise self._forbidden(request, why)
        context = page_context(self.public_url, self.title, request.query.get("fontsize"))
        return web.Response(
            text=self.templates.get_template(TEMPLATE).render(context),
            content_type="text/html",
            headers=self.page_headers,
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser session: checked, admitted (or told why not), run, and logged."""
        address = request.remote or "?"
        if (why := self._refusal(request, websocket=True)) is not None:
            raise self._forbidden(request, why)
        started = time.monotonic()
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_FRAME)
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
            with seat(self.hub) as room:  # presenter mode: a browser follows
                outcome = await self._run_session(request, websocket, room)
            if farewell := self.farewells.pop(websocket, None):
                with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
                    await asyncio.wait_for(asyncio.shield(farewell), HEARTBEAT)
        finally:
            self.sockets.discard(websocket)
            self.farewells.pop(websocket, None)
            self.admission.release(address)  # only now: its app has been reaped
            self._write_log(address, started, outcome)
        return websocket

    async def _run_session(
        self, request: web.Request, websocket: web.WebSocketResponse, room: Seat | None
    ) -> str:
        limits = self.settings.limits
        width = read_side(request.query.get("width"), 80)
        height = read_side(request.query.get("height"), 24)
        env = child_environment(
            term="xterm-256color",
            colorterm="truecolor",
            home=self.home,
            server_env=os.environ,
            python_path=self.python_path,
        )

        async def exit_request() -> None:
            await websocket.close()

        try:
            app = await WebApp.open(
                self.factory,
                self.settings.app.argv(),
                env=web_environment(env, width, height),
                cwd=self.home,
                memory=limits.session_memory,
                cpu=limits.session_cpu,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                on_exit_request=exit_request,
                room=room.fd if room is not None else None,
            )
        except OSError as error:
            await websocket.send_bytes(b"dossier: the explorer could not be started; sorry.\r\n")
            await websocket.close()
            return f"cannot start the app: {error.strerror or error}"
        self.apps.add(app)
        if room is not None:
            room.started(app.pid)
        app.on_note = lambda note: self._print(f"{request.remote} web app {note}")
        outcome = ""
        idle = IdleTimer(limits.idle_timeout, lambda: self._end(websocket, app, "idle"))
        try:
            outcome = await self._relay(websocket, app, idle)
        except asyncio.CancelledError:
            await websocket.close()
        finally:
            idle.cancel()
            app.mute()
            returncode = await app.stop(limits.kill_grace)
            self.apps.discard(app)
        if websocket in self.idle:
            return "idle timeout"
        if outcome:
            return outcome
        if app.exited_by_itself:
            farewell = describe_end(returncode, app.error_output)
            if farewell is not None:
                for line in log_text(app.error_output) or ["(nothing on stderr)"]:
                    print(f"dossier serve: web app stderr: {line}", file=self.log)
                return f"exit {exit_status(returncode)}"
        return "closed"

    async def _relay(self, websocket: web.WebSocketResponse, app: WebApp, idle: IdleTimer) -> str:
        """Pass the browser's frames to the app until either side ends; why it ended."""
        limits = self.settings.limits
        flooded: list[str] = []
        strings = ControlStringFilter()

        def deliver(frame: Frame) -> None:
            if frame.kind == "stdin":
                if keys := strings.feed(frame.keys):
                    app.send_bytes(keys)
                if app.input_backlog > limits.input_queue:
                    flood()
            elif frame.kind == "resize":
                app.resize(*frame.size)
            elif frame.kind == "ping":
                self._spawn(websocket.send_json(["pong", frame.text]))
            else:
                app.send_meta({"type": frame.kind})

        def flood() -> None:
            if not flooded:
                flooded.append("input flood")
                gate.close()
                self._end(websocket, app, "flood")

        gate: InputGate[Frame] = InputGate.from_limits(
            limits, deliver=deliver, on_flood=flood, cost=lambda frame: frame.cost
        )
        app_ended = self._spawn(self._watch(app, websocket))
        try:
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                frame = parse_frame(message.data)
                if frame is None:
                    continue  # not from the page: ignored
                if frame.kind in ("stdin", "resize"):
                    idle.touch()
                gate.feed(frame)
        finally:
            gate.close()
            app_ended.cancel()
        return flooded[0] if flooded else ""

    async def _watch(self, app: WebApp, websocket: web.WebSocketResponse) -> None:
        """When the app ends by itself, say why (one line, never its traceback) and close."""
        returncode = await app.wait()
        app.exited_by_itself = True
        farewell = describe_end(returncode, app.error_output)
        if farewell is not None and not websocket.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await websocket.send_bytes(f"\r\n\x1b[?1049l\r\n{farewell}\r\n".encode())
        await websocket.close()

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def _end(self, websocket: web.WebSocketResponse, app: WebApp, why: str) -> None:
        """End a session for the server's reason; the app is muted, then the browser told."""
        app.mute()
        limits = self.settings.limits
        if why == "idle":
            self.idle.add(websocket)
            text = f"dossier: disconnected after {limits.idle_timeout:g} seconds without input."
            code = WSCloseCode.GOING_AWAY
        else:
            text = flood_message(limits.input_queue)
            code = WSCloseCode.POLICY_VIOLATION

        async def close() -> None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await websocket.send_bytes(f"\r\n{text}\r\n".encode())
            await websocket.close(code=code, message=why.encode())

        # (Awaited by the handler: a reset from its end would cut the goodbye short.)
        self.farewells[websocket] = self._spawn(close())

    def _write_log(self, address: str, started: float, outcome: str) -> None:
        """One line per session; refusals at most one per address every few seconds."""
        duration = time.monotonic() - started
        line = f"{address} web {duration:.1f}s {outcome}"
        if outcome.startswith("refused: "):
            self.quiet.line(" ".join([address, *outcome.split(" ", 2)[:2]]), line)
        else:
            self._print(line)

    def _say(self, line: str) -> None:
        print(line, file=sys.stderr, flush=True)  # (the terminal, when the log is a file)

    def _print(self, line: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        print(f"{stamp} {line}", file=self.log, flush=True)


def serve_web(settings: ServeSettings, home: Path, log: TextIO = sys.stderr) -> int:
    """Serve browsers until SIGTERM or SIGINT; 0 after a clean stop.

    OSError if the address cannot be bound (raised before anything is printed).
    """
    sock = bind_socket(settings.host, settings.port)
    port = int(sock.getsockname()[1])
    sys.unraisablehook = quiet_closed_loop(sys.unraisablehook)
    DossierWebServer(settings, port, home, log).run(sock)
    return 0
