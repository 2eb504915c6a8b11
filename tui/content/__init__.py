"""The data layer: dossier files -> model + index. Nothing here imports Textual."""

from __future__ import annotations

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
    TourStop,
)
from .schema import json_schema

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
    "TourStop",
    "bundled_dossiers",
    "check_dossier",
    "default_dossier",
    "json_schema",
    "load_dossier",
    "parse_date",
]
