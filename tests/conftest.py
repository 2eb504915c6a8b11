"""Shared fixtures: isolated cache and environment, and one factory for apps."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture
def make_app():  # type: ignore[no-untyped-def]
    """Factory: ``make_app("name")`` -> a DossierApp over a fixture dossier."""
    from tui.app import DossierApp

    def factory(name: str = "small") -> DossierApp:
        return DossierApp(fixture_dossier(name))

    return factory
