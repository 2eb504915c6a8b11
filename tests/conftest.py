"""Shared fixtures: isolated cache and environment, and one factory for apps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tui.content import Dossier, load_dossier

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's cache or depend on their environment."""
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("DOSSIER_NO_CACHE", raising=False)
    monkeypatch.delenv("DOSSIER_MAX_FILE_SIZE", raising=False)


def fixture_dossier(name: str) -> Dossier:
    """Load ``tests/fixtures/<name>`` (a folder or a .yaml file) without the cache."""
    path = FIXTURES / name
    return load_dossier(path, use_cache=False)


def bundled_dossier() -> Dossier:
    """The bundled default dossier (without the cache)."""
    from tui.content.bundled import default_dossier

    return load_dossier(default_dossier(), use_cache=False)


@pytest.fixture
def make_app():  # type: ignore[no-untyped-def]
    """Factory: ``make_app("name")`` -> a DossierApp over ``tests/fixtures/<name>``;
    ``make_app(dossier)`` over a loaded one, ``make_app(None, choices=...)`` a picker;
    other keywords go to DossierApp. The app's own timers are zero, and --watch looks
    at the files only when the test calls ``app.live_reload.check()``: no test waits
    on the clock."""
    from tui.app import DossierApp
    from tui.navigation import Delays

    no_delays = Delays(
        prepare_views=0, prepare_neighbours=0, prefetch_link=0, watch_interval=None, room_place=0
    )

    def factory(source: str | Dossier | None = "small", **options: Any) -> DossierApp:
        dossier = fixture_dossier(source) if isinstance(source, str) else source
        return DossierApp(dossier, delays=no_delays, **options)

    return factory
