"""``dossier serve --web`` asks nothing of any other host (issue 20, items 3 and 4).

textual-serve's page loaded its fonts from fonts.googleapis.com, and blocked on it. These
tests hold the page we serve instead to this server alone, two ways:

- without a browser, by reading what is served: the page, then every asset it references,
  followed to the end (what counts as a reference is said at :func:`references`), and the
  Content-Security-Policy sent with the page;
- in headless Chromium (:mod:`tests.devtools`), by walking through what a room does (the
  first screen, keys, a view, a resized window, two tabs that are two independent
  sessions, a tab closed and its app ended) while the browser records every request the
  pages make: none may go to another host, the policy must never have had to refuse
  anything, and it must refuse a fetch to another host when a script tries one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest
import textual_serve

from tests.devtools import CHROMIUM, Browser, until
from tests.test_serve_support import (
    AFTER_TWO_DOWNS,
    TITLE,
    ServeProcess,
    alive,
    async_wait_until,
    servers,
)
from tui.serve.webpage import (
    ASSETS,
    PAGE,
    TEMPLATE,
    content_security_policy,
    font_size,
    page_context,
)

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium, or set DOSSIER_CHROMIUM)",
)
VIEW = "sorted by number of positions"
"""Shown by the matrix view (key ``m``), nowhere else."""
FOOTER = "Quit"
"""Shown by the key bar, on the app's bottom line."""
SMALL, LARGE = (900, 560), (1200, 760)
"""Window sizes (CSS pixels) before and after the resize."""


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    yield from servers(tmp_path)


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    assert CHROMIUM is not None
    started = await Browser.start(CHROMIUM, tmp_path / "chromium")
    try:
        yield started
    finally:
        await started.close()


def off_host(urls: list[str], port: int, base: str = "") -> list[str]:
    """The URLs (resolved against ``base``) that would reach another host than ours."""
    ours = f"127.0.0.1:{port}"
    foreign = []
    for url in urls:
        parts = urlsplit(urljoin(base, url.strip()))
        if parts.scheme in NO_HOST:
            continue
        if parts.netloc and parts.netloc.lower() != ours:
            foreign.append(url)
    return foreign


# Reading what is served --------------------------------------------------------------

NO_HOST = frozenset({"data", "blob", "about", "javascript", "mailto"})
"""Schemes whose URLs ask no host for anything."""
FETCHED_BY_ATTRIBUTE = frozenset(
    {"src", "href", "srcset", "action", "formaction", "data", "poster", "background",
     "manifest", "ping", "icon", "longdesc", "cite", "codebase", "archive"}
)  # fmt: skip
"""HTML attributes whose value the browser may load (or send a form or ping to)."""
ABSOLUTE = re.compile(r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s"'`<>()\\]+""")
"""A URL with a host anywhere in a text: ``scheme://host...``."""
HOST_RELATIVE = re.compile(r"""(?<=["'`(=\s])//[A-Za-z0-9\[][^\s"'`<>()\\]*""")
"""A URL on the page's own scheme but a host of its own: ``//host/...`` (after a quote,
a parenthesis, ``=`` or a space: not a ``//`` comment, which follows a line's start)."""
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
META_REFRESH = re.compile(r"url\s*=\s*(\S+)", re.I)


def anywhere(text: str) -> list[str]:
    """Every URL with a host of its own in ``text``, whatever surrounds it."""
    return [*ABSOLUTE.findall(text), *HOST_RELATIVE.findall(text)]


def css_references(text: str) -> list[str]:
    """What a stylesheet loads: ``url(...)`` and ``@import``, and any other URL with a host
    outside comments (a licence's link in a comment is never fetched)."""
    text = CSS_COMMENT.sub(" ", text)
    found = [next(filter(None, match), "") for match in CSS_URL.findall(text)]
    found += [next(filter(None, match), "") for match in CSS_IMPORT.findall(text)]
    return [url for url in found if url] + anywhere(CSS_IMPORT.sub(" ", CSS_URL.sub(" ", text)))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loaded: list[str] = []
        self.mentioned: list[str] = []
        self._inside = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag
        for name, value in attrs:
            if value is None or name.startswith("xmlns"):
                continue  # (a namespace's name, never fetched)
            if name == "style":
                self.mentioned += css_references(value)
            elif name in FETCHED_BY_ATTRIBUTE:
                urls = [part.split()[0] for part in value.split(",") if part.split()]
                self.loaded += urls if name == "srcset" else [value]
            elif name == "content" and (refresh := META_REFRESH.search(value)):
                self.loaded.append(refresh.group(1).strip("'\""))
            else:
                self.mentioned += anywhere(value)

    def handle_endtag(self, tag: str) -> None:
        self._inside = ""

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self.mentioned += css_references(data)
        elif self._inside == "script":
            self.mentioned += anywhere(data)


def references(kind: str, text: str) -> tuple[list[str], list[str]]:
    """(loaded, mentioned): the URLs in a served ``kind`` ("html", "css" or "js") text.

    *Loaded* URLs are ones the browser fetches as it reads the text: an HTML element's
    src, href, srcset, action, data, poster (...), a meta refresh; a stylesheet's url()
    and @import. The tests follow those of this server in turn. *Mentioned* URLs are
    every other URL with a host of its own: in any other attribute (xmlns aside), inline
    styles and scripts, and anywhere in a script. A script is not read as a program: its
    fetch(), import(), new WebSocket(), XMLHttpRequest, importScripts or sendBeacon may
    be given a URL built at run time, which no reading finds (the browser test sees those
    requests), so every URL written in it counts, comments included. textual-serve's
    bundle writes none; if a later one carries a licence's link, this test will say so
    and a person decides. Neither kind may name another host.
    """
    if kind == "css":
        return css_references(text), []
    if kind == "js":
        return [], anywhere(text)
    page = _Page()
    page.feed(text)
    page.close()
    return page.loaded, page.mentioned


def kind_of(content_type: str) -> str:
    if content_type == "text/html":
        return "html"
    if content_type == "text/css":
        return "css"
    return "js" if "javascript" in content_type else ""


async def crawl(base: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Everything served from ``base``, followed from the page: (status of each URL of
    this server fetched, URLs of other hosts found in each)."""
    port = urlsplit(base).port
    assert port is not None
    statuses: dict[str, int] = {}
    foreign: dict[str, list[str]] = {}
    waiting = [base]
    async with aiohttp.ClientSession() as http:
        while waiting:
            url = waiting.pop()
            if url in statuses:
                continue
            async with http.get(url) as response:
                statuses[url] = response.status
                kind = kind_of(response.content_type)
                text = await response.text() if kind else ""
            loaded, mentioned = references(kind, text) if kind else ([], [])
            if elsewhere := off_host(loaded + mentioned, port, url):
                foreign[url] = elsewhere
            for link in loaded:
                resolved = urljoin(url, link.strip()).split("#")[0]
                if urlsplit(resolved).scheme in ("http", "https") and not off_host(
                    [resolved], port
                ):
                    waiting.append(resolved)
    return statuses, foreign


async def test_the_page_and_all_it_loads_name_no_other_host(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve("--web")
    base = f"http://127.0.0.1:{server.port}/"
    statuses, foreign = await crawl(base)
    assert foreign == {}
    assert set(statuses.values()) == {200}, statuses
    # (What was read: the page, textual-serve's script and xterm's stylesheet, ours.)
    assert {urlsplit(url).path for url in statuses} == {
        "/",
        "/static/js/textual.js",
        "/static/css/xterm.css",
        "/page/page.css",
        "/page/page.js",
    }


async def test_the_page_tells_the_browser_to_fetch_from_this_server_only(
    serve: Callable[..., ServeProcess],
) -> None:
    server = serve("--web")
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{server.port}/") as response,
    ):
        policy = response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";")}
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'", f"ws://127.0.0.1:{server.port}"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "script-src" not in directives  # (default-src: this server's scripts only)


@pytest.mark.parametrize(
    ("public", "websocket", "static", "allowed"),
    [
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000/ws", "/static/", "ws://127.0.0.1:8000"),
        ("https://demo.example.org/", "wss://demo.example.org/ws", "/static/", "wss://demo.example.org"),
        ("https://example.org/talks/", "wss://example.org/talks/ws", "/talks/static/", "wss://example.org"),
        # (Nothing from a --public-url can add a directive or a source of its own.)
        ("http://a.example;script-src *", "ws://a.example;script-src */ws", "/static/", None),
    ],
)  # fmt: skip
def test_the_page_is_addressed_from_the_public_url(
    public: str, websocket: str, static: str, allowed: str | None
) -> None:
    context = page_context(public, "dossier", None)
    assert context["websocket_url"] == websocket
    assert context["static"] == static  # (a path on the page's own origin)
    policy = content_security_policy(public)
    expected = "connect-src 'self'" + (f" {allowed}" if allowed else "") + ";"
    assert expected in policy
    assert policy.count(";") == 5


def test_font_size_is_bounded() -> None:
    assert [font_size(asked) for asked in ("12", "6", "72", None, "", "5", "73", "1e9", "x")] == [
        12, 6, 72, 16, 16, 16, 16, 16, 16,
    ]  # fmt: skip


TEXTUAL_SERVE = Path(textual_serve.__file__).parent
TEXTUAL_SERVE_PAGE = TEXTUAL_SERVE / "templates" / "app_index.html"


def test_textual_serves_script_finds_what_it_reads_on_our_page() -> None:
    """Our page stands in for textual-serve's, under its script: what the script looks
    for must be there (a canary for a new textual-serve, browser or not)."""
    script = (TEXTUAL_SERVE / "static" / "js" / "textual.js").read_text()
    page = (PAGE / TEMPLATE).read_text()
    style = (ASSETS / "page.css").read_text()
    for reads, written in [
        ("dataset.sessionWebsocketUrl", "data-session-websocket-url="),
        ("dataset.fontSize", "data-font-size="),
        ('querySelectorAll(".textual-terminal")', 'class="textual-terminal"'),
        ('querySelector("#start")', 'id="start"'),
    ]:
        assert reads in script
        assert written in page
    for mark in ("-first-byte", "-closed", "-delay"):  # (the classes it sets; we style them)
        assert f'"{mark}"' in script
        assert f".{mark}" in style


@pytest.mark.parametrize(
    ("kind", "text", "elsewhere"),
    [
        # textual-serve's own page: its fonts' stylesheet (its SVG's xmlns is never fetched).
        ("html", TEXTUAL_SERVE_PAGE.read_text(), ["https://fonts.googleapis.com/css?family=Roboto%20Mono"]),
        ("html", '<img srcset="a.png 1x, https://x.example/b.png 2x">', ["https://x.example/b.png"]),
        ("html", '<div style="background: url(//x.example/a.png)">', ["//x.example/a.png"]),
        ("html", "<script>fetch('https://x.example/')</script>", ["https://x.example/"]),
        ("html", '<meta http-equiv="refresh" content="0; url=https://x.example/">', ["https://x.example/"]),
        ("html", '<link rel="preconnect" href="//x.example">', ["//x.example"]),
        ("css", "/* https://licence.example */ @import 'https://x.example/a.css';", ["https://x.example/a.css"]),
        ("css", 'b { background: url("//x.example/a.png") }', ["//x.example/a.png"]),
        ("css", "@font-face { src: url(https://x.example/f.woff2) }", ["https://x.example/f.woff2"]),
        ("js", 'new WebSocket("wss://x.example/ws")', ["wss://x.example/ws"]),
        ("js", "import('//x.example/m.js') // a comment", ["//x.example/m.js"]),
        ("js", "/*! https://licence.example */ a = 1", ["https://licence.example"]),
        ("js", "fetch('/ok'); // not a URL: a comment", []),
        ("html", '<a href="/static/x.css" data-url="ws://127.0.0.1:8000/ws">', []),
    ],
)  # fmt: skip
def test_what_counts_as_naming_another_host(kind: str, text: str, elsewhere: list[str]) -> None:
    """The reading above finds what it must (and so can fail), and only that."""
    loaded, mentioned = references(kind, text)
    assert off_host(loaded + mentioned, 8000, "http://127.0.0.1:8000/") == elsewhere


@needs_chromium
async def test_a_room_in_the_browser(serve: Callable[..., ServeProcess], browser: Browser) -> None:
    """First screen, keys, a view, a resize; two tabs, two sessions; a closed tab's app
    ends; and the pages asked nothing of any other host."""
    server = serve("--web")
    page = f"http://127.0.0.1:{server.port}/"

    first = await browser.open(page, SMALL)
    await first.expect(TITLE)
    await first.expect(FOOTER)
    (first_app,) = server.children()

    # A second tab is a second session. (Its address asks textual-serve's script to ping
    # another site first: the page drops that, or the session would never start.)
    second = await browser.open(page + "?ping=http://elsewhere.example/", SMALL)
    await second.expect(TITLE)
    (second_app,) = set(server.children()) - {first_app}

    # Keys in one tab move that session only.
    await first.press("down")
    await first.press("down")
    await first.expect(AFTER_TWO_DOWNS)
    await second.press("m")
    await second.expect(VIEW)
    assert VIEW not in await first.text()
    assert AFTER_TWO_DOWNS not in await second.text()

    # A bigger window: the terminal reflows and the app draws at the new size (its key
    # bar on the new bottom line).
    columns, before = await until(first.screen, "the first screen")
    await first.resize(LARGE)

    async def redrawn() -> list[str] | None:
        shown = await first.screen()
        if shown is None or shown[0] <= columns or len(shown[1]) <= len(before):
            return None
        return shown[1] if FOOTER in shown[1][-1] else None

    larger = await until(redrawn, "the app redrawn at the larger size")
    assert AFTER_TWO_DOWNS in "\n".join(larger)

    # Closing a tab ends its session and its app, and only those.
    await browser.close_tab(second)
    await server.expect_log(r"127\.0\.0\.1 web \d+\.\ds closed")
    await async_wait_until(lambda: not alive(second_app), what="the closed tab's app to end")
    assert server.children() == [first_app]
    await first.press("m")
    await first.expect(VIEW)

    # Nothing but this server was asked for anything, and the policy never had to refuse.
    assert f"ws://127.0.0.1:{server.port}/ws?width=" in " ".join(browser.requests())
    assert not off_host(browser.requests(), server.port)
    assert await first.evaluate("window.__dossier.refused") == []
    assert not first.errors()

    # The policy is in force: a script's fetch to another host is refused by the browser.
    outcome = await first.evaluate(
        "fetch('http://elsewhere.example/x').then(() => 'fetched', () => 'refused')"
    )
    assert outcome == "refused"
    refused = await first.evaluate("window.__dossier.refused")
    assert refused == ["connect-src http://elsewhere.example/x"]
