"""The data layer: dossier files -> model + index. Nothing here imports Textual."""

from __future__ import annotations

from typing import Any

from .bundled import bundled_dossiers, default_dossier
from .dates import PartialDate, parse_date
from .errors import ContentError, Diagnostic, Location, Severity
from .index import Backlink, Index
from .loader import LoadResult, check_dossier, load_dossier
from .model import (
    Actor,
    ActorKind,
    Argument,
    Assessment,
    Confidence,
    Dossier,
    DossierInfo,
    Entity,
    Event,
    EventStatus,
    Issue,
    IssueStatus,
    Link,
    Position,
    Ref,
    Relation,
    Source,
    Stance,
    TitledEntity,
    TourStop,
)


def json_schema() -> dict[str, Any]:
    """A JSON Schema for one dossier file (see :func:`tui.content.schema.json_schema`;
    imported when asked for, not when a dossier is shown)."""
    from .schema import json_schema as build

    return build()


__all__ = [
    "Actor",
    "ActorKind",
    "Argument",
    "Assessment",
    "Backlink",
    "Confidence",
    "ContentError",
    "Diagnostic",
    "Dossier",
    "DossierInfo",
    "Entity",
    "Event",
    "EventStatus",
    "Index",
    "Issue",
    "IssueStatus",
    "Link",
    "LoadResult",
    "Location",
    "PartialDate",
    "Position",
    "Ref",
    "Relation",
    "Severity",
    "Source",
    "Stance",
    "TitledEntity",
    "TourStop",
    "bundled_dossiers",
    "check_dossier",
    "default_dossier",
    "json_schema",
    "load_dossier",
    "parse_date",
]
