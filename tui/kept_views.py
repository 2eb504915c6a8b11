"""Analyst views kept for reopening: the last few, as installed screens of the app.

Reopening a view at the same place (the same view of the same item) shows the screen
kept from last time, as it was left (cursor, filter, scroll), with no composing. The
oldest is let go past :data:`KEPT_VIEWS`; all are let go when the dossier changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from textual.app import App

from .history import Place
from .screens import ViewScreen

KEPT_VIEWS = 4
"""Views kept (composed, with their cursors) for reopening at the same place."""


class KeptViews:
    """The view screens ``app`` keeps, by place, oldest first."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._names: dict[tuple[str, str | None], str] = {}
        """(view, entity) -> name of the installed screen kept for it, oldest first."""
        self._serial = 0

    @property
    def names(self) -> list[str]:
        """Names of the screens kept (oldest first)."""
        return list(self._names.values())

    def screen_for(self, place: Place, make: Callable[[], ViewScreen]) -> ViewScreen:
        """The screen kept for ``place``, else a new one from ``make`` (then kept)."""
        app = self._app
        key = (place.view, place.entity_id)
        name = self._names.pop(key, None)
        if name is not None and app.is_screen_installed(name):
            self._names[key] = name  # the most recent now
            return cast(ViewScreen, app.get_screen(name))
        screen = make()
        self._serial += 1
        name = f"view-{self._serial}"
        app.install_screen(screen, name)
        self._names[key] = name
        while len(self._names) > KEPT_VIEWS:
            self._let_go(self._names.pop(next(iter(self._names))))
        return screen

    def clear(self) -> None:
        """Let every kept view go (the dossier they show has been replaced)."""
        while self._names:
            self._let_go(self._names.popitem()[1])

    def _let_go(self, name: str) -> None:
        app = self._app
        if app.is_screen_installed(name) and app.get_screen(name) not in app.screen_stack:
            app.uninstall_screen(name)
