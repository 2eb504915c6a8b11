"""The page a browser loads for ``dossier serve --web``: ours, fetching from us only.

textual-serve's own page asks fonts.googleapis.com for a stylesheet before it draws
anything; where that request stalls (a venue's captive portal, a firewall that drops
rather than refuses) the page stays blank until the browser gives up. Ours
(``page/index.html``) loads only what this server serves: textual-serve's script and
xterm's stylesheet under ``/static``, our stylesheet and a few lines of script under
``/page``, its text in the reader's own monospace fonts.

The page is sent with a Content-Security-Policy that lets the browser fetch from this
server only (and open the session's websocket): a reference to another host that slipped
in later would be refused by the browser at once, not waited for.

Plain functions, without aiohttp: the web server (:mod:`.web`) renders the template with
:func:`page_context` and sends :func:`page_headers` with it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

PAGE = Path(__file__).resolve().with_name("page")
"""Our page: the template ``index.html``, and ``assets/`` served under ``/page``."""
ASSETS = PAGE / "assets"
TEMPLATE = "index.html"
FONT_SIZES = range(6, 73)
"""Font sizes a page may ask for with ``?fontsize=`` (textual-serve's parameter)."""
DEFAULT_FONT_SIZE = 16
_ORIGIN = re.compile(r"wss?://[A-Za-z0-9.\-\[\]:]+")
"""An origin safe to write into the policy (no spaces, quotes, commas or semicolons)."""


def templates() -> jinja2.Environment:
    """The environment that renders our page (every value escaped)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PAGE), autoescape=True, undefined=jinja2.StrictUndefined
    )


def websocket_url(public_url: str) -> str:
    """Where the page's script opens its session: ``/ws`` at the public address."""
    parts = urlsplit(public_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/ws"


def font_size(asked: str | None) -> int:
    """The terminal's font size from ``?fontsize=``: a whole number in range, else 16."""
    try:
        size = int(asked or "")
    except ValueError:
        return DEFAULT_FONT_SIZE
    return size if size in FONT_SIZES else DEFAULT_FONT_SIZE


def page_context(public_url: str, title: str, asked_font_size: str | None) -> dict[str, object]:
    """What the template needs.

    The assets' addresses are paths on the page's own origin (whatever name the browser
    used to reach it), under the public address's path when a proxy adds one.
    """
    prefix = urlsplit(public_url).path.rstrip("/")
    return {
        "title": title,
        "static": f"{prefix}/static/",
        "assets": f"{prefix}/page/",
        "websocket_url": websocket_url(public_url),
        "font_size": font_size(asked_font_size),
    }


def content_security_policy(public_url: str) -> str:
    """The browser may fetch from this origin only, and open the session's websocket.

    Styles may be inline: textual-serve's script and xterm add ``<style>`` elements as
    they run. That allows no fetch: whatever a stylesheet would load (fonts, images,
    imports) is still held to this origin by the other directives.
    """
    sources = ["'self'"]
    if _ORIGIN.fullmatch(origin := _origin_of(websocket_url(public_url))):
        sources.append(origin)  # (when the page was reached by another of our names)
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src {' '.join(sources)}",
            "style-src 'self' 'unsafe-inline'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def page_headers(public_url: str) -> dict[str, str]:
    """Headers sent with the page: the policy, and no address leaked to a linked site."""
    return {
        "Content-Security-Policy": content_security_policy(public_url),
        "Referrer-Policy": "no-referrer",
    }


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
