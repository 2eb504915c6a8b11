"""dossier: a terminal explorer for policy dossiers."""

from __future__ import annotations

__version__ = "0.1.0"
