"""Where the bundled dossiers are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

DEFAULT_DOSSIER = "russia-japan"
"""The dossier opened when no path is given."""


def bundled_root() -> Path:
    """The folder holding the bundled dossiers.

    An installed wheel carries them as ``tui/bundled``; in a source checkout (or an
    editable install) they are the repository's ``content/`` folder.
    """
    package = Path(__file__).resolve().parent.parent
    installed = package / "bundled"
    if installed.is_dir():
        return installed
    return package.parent / "content"


def bundled_dossiers() -> dict[str, Path]:
    """Name -> folder of every bundled dossier."""
    root = bundled_root()
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and any(p.glob("*.y*ml"))}


def default_dossier() -> Path:
    """The folder of the default bundled dossier."""
    return bundled_root() / DEFAULT_DOSSIER
