"""What the app shows, as text: the helpers the Pilot tests of the views share."""

from __future__ import annotations

import html
import re

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from tui.app import DossierApp

_TAG = re.compile(r"<[^>]+>")


def screen_text(app: DossierApp) -> str:
    """The visible screen as plain text (from the SVG export the screenshots use);
    asserts that no control character reached it."""
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x07" not in svg and "\x9b" not in svg
    return html.unescape(_TAG.sub("", svg)).replace("\xa0", " ")


def lines_of(widget: Widget) -> list[str]:
    """What ``widget`` shows, line by line (border included)."""
    return [strip.text for strip in widget.render_lines(Region(0, 0, *widget.outer_size))]


def footer_keys(app: DossierApp) -> dict[str, str]:
    """Key -> description of the bindings the footer shows."""
    return {
        key: active.binding.description
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press ``keys`` and wait until the app has handled what they set off."""
    await pilot.press(*keys)
    await pilot.pause()
