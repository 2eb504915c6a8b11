"""The dossier model: immutable dataclasses, no I/O and no Textual.

Every entity (source, actor, issue, assessment, event) has an ``id`` that is unique
across the whole dossier, so any link field can point at any of them. Links are kept
as ids here; :mod:`tui.content.index` resolves them and computes backlinks.

The classes are frozen but deliberately not slotted: unpickling ``__dict__`` objects
is several times faster, which is what makes the on-disk cache worth having.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, NamedTuple

from .dates import PartialDate
from .errors import Diagnostic, Location

NO_DATE = PartialDate(1)
"""Placeholder default only; the loader always sets an event's date."""

Extensions = tuple[tuple[str, object], ...]
"""Author extension fields (``x-...``) in file order, values as plain data."""


class ActorKind(StrEnum):
    STATE = "state"
    PERSON = "person"
    ORGANIZATION = "organization"
    GROUP = "group"
    MEDIA = "media"
    OTHER = "other"


class Stance(StrEnum):
    """An actor's stance on an issue's question."""

    FOR = "for"
    AGAINST = "against"
    MIXED = "mixed"
    NEUTRAL = "neutral"
    UNCLEAR = "unclear"


class IssueStatus(StrEnum):
    OPEN = "open"
    STALLED = "stalled"
    PROGRESSING = "progressing"
    RESOLVED = "resolved"


class Confidence(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class EventStatus(StrEnum):
    HELD = "held"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Ref:
    """A citation: paragraph(s) of a source, optionally with an exact short quote."""

    source: str
    paras: tuple[int, ...]
    quote: str | None
    loc: Location


@dataclass(frozen=True)
class Entity:
    """Fields every linkable item has."""

    kind: ClassVar[str] = "entity"
    id: str
    loc: Location
    refs: tuple[Ref, ...] = ()
    see_also: tuple[str, ...] = ()
    extensions: Extensions = ()

    @property
    def label(self) -> str:
        """The human name of the entity (its name or title)."""
        return self.id


@dataclass(frozen=True)
class TitledEntity(Entity):
    """An entity named by its title (a source, issue, assessment or event)."""

    title: str = ""

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True)
class Source(TitledEntity):
    kind: ClassVar[str] = "source"
    author: str | None = None
    publisher: str | None = None
    date: PartialDate | None = None
    url: str | None = None
    paragraphs: int | None = None
    """How many numbered paragraphs the source has (bounds ``para`` in refs)."""
    text_file: str | None = None
    """Path, relative to the dossier, of a ``[N]``-numbered plain-text copy."""


@dataclass(frozen=True)
class Actor(Entity):
    kind: ClassVar[str] = "actor"
    name: str = ""
    actor_kind: ActorKind = ActorKind.OTHER
    role: str | None = None
    aliases: tuple[str, ...] = ()
    summary: str | None = None
    part_of: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Position:
    """One actor's stance on one issue."""

    actor: str
    stance: Stance
    position: str | None
    refs: tuple[Ref, ...]
    loc: Location
    extensions: Extensions = ()


@dataclass(frozen=True)
class Issue(TitledEntity):
    kind: ClassVar[str] = "issue"
    summary: str = ""
    question: str | None = None
    status: IssueStatus | None = None
    positions: tuple[Position, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Argument:
    """One argued claim of an assessment, with the refs it rests on."""

    claim: str
    refs: tuple[Ref, ...]
    loc: Location
    extensions: Extensions = ()


@dataclass(frozen=True)
class Assessment(TitledEntity):
    kind: ClassVar[str] = "assessment"
    by: str = ""
    verdict: str = ""
    confidence: Confidence = Confidence.MODERATE
    horizon: str | None = None
    about: tuple[str, ...] = ()
    summary: str | None = None
    arguments: tuple[Argument, ...] = ()


@dataclass(frozen=True)
class Event(TitledEntity):
    kind: ClassVar[str] = "event"
    date: PartialDate = NO_DATE
    status: EventStatus | None = None
    summary: str | None = None
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    """A typed link between any two entities (``kind`` is a verb phrase)."""

    from_id: str
    to_id: str
    kind: str
    summary: str | None
    refs: tuple[Ref, ...]
    loc: Location
    extensions: Extensions = ()


class Link(NamedTuple):
    """One link from an entity's field to another entity (kept for backlinks).

    A named tuple: there is one per link (140,000 in a 10,000-actor dossier).
    """

    owner: str
    """Id of the entity whose field holds the link."""
    field: str
    """The field it came from: 'part_of', 'actor' (of a position), 'source' (of a ref) ..."""
    target: str


@dataclass(frozen=True)
class TourStop:
    target: str
    caption: str
    loc: Location
    extensions: Extensions = ()


@dataclass(frozen=True)
class DossierInfo:
    """The ``dossier`` section: what this dossier is."""

    id: str
    title: str
    summary: str
    as_of: PartialDate
    loc: Location
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    license: str | None = None
    extensions: Extensions = ()


@dataclass(frozen=True)
class Dossier:
    """A whole loaded dossier. Entities keep file order within each section.

    The sections are tuples when the dossier was just loaded from its files, and
    sequences that decode their items when asked when it comes from the cache
    (:mod:`.lazy`); either way they read the same.
    """

    info: DossierInfo
    root: Path
    """The folder (or single file) the dossier was loaded from."""
    files: tuple[str, ...]
    """The display paths of the files read, in load order."""
    sources: Sequence[Source] = ()
    actors: Sequence[Actor] = ()
    issues: Sequence[Issue] = ()
    assessments: Sequence[Assessment] = ()
    events: Sequence[Event] = ()
    relations: Sequence[Relation] = ()
    tour: tuple[TourStop, ...] = ()
    links: Sequence[Link] = ()
    """Every resolved link from an entity field (relations and the tour excluded)."""
    notes: tuple[Diagnostic, ...] = ()
    """Non-fatal diagnostics from loading (e.g. a missing text file)."""
    entities: Mapping[str, Entity] = field(default_factory=dict, compare=False)
    """Every entity by id (built by the loader)."""

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this id, or None."""
        return self.entities.get(entity_id)
