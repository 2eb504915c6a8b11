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
    return dossiers_in(bundled_root())


def dossiers_in(folder: Path) -> dict[str, Path]:
    """Name -> path of the dossiers inside ``folder`` when it holds several (else {}).

    A folder whose own files include YAML is one dossier, not a collection.
    """
    if not folder.is_dir() or any(folder.glob("*.y*ml")):
        return {}
    return {
        p.name: p
        for p in sorted(folder.iterdir())
        if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.y*ml"))
    }


def default_dossier() -> Path:
    """The folder of the default bundled dossier."""
    return bundled_root() / DEFAULT_DOSSIER
