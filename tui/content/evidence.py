"""What cites what: an item's citations grouped by source and paragraph, and the text.

The Evidence view answers "why do we believe this?". :func:`citations_of` gathers
every ref that supports an item (its own, those of positions involving it, those of
claims of assessments about it, those of relations touching it); :func:`group_by_source`
orders them by source, then paragraph; :func:`gather_evidence` does both and reads
the cited paragraphs. :func:`read_source_text` reads a source's
``[N]``-numbered text copy safely (inside the dossier folder, size-limited, never
raising), and :func:`locate_quote` finds a quote in a paragraph the way the loader
checks it, so the view can highlight it. Only :func:`read_source_text` (and so
:func:`gather_evidence`) touches the disk, and nothing here imports Textual.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .index import Index
from .limits import default_max_file_size
from .lru import FOLDED_CHARACTERS, memoized
from .model import Actor, Assessment, Dossier, Entity, Issue, Ref, Relation, Source, Stance
from .quotes import normalise, paragraphs_of, resolve_inside
from .safefile import FileRefusedError, read_regular_file
from .text import clean_text

CiterKind = Literal["item", "position", "claim", "relation"]

PARAGRAPH_LIMIT = 50
"""Citations listed under one paragraph; the rest are counted, not listed."""
EXCERPT_CHARS = 1_200
"""Longer paragraphs are shown as an excerpt around the first quote found."""
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Citation:
    """One ref and what holds it: an item's own ref, a position, a claim or a relation."""

    owner: str
    """Id of the entity whose record holds the ref (the issue of a position, the
    assessment of a claim, the ``from`` end of a relation)."""
    ref: Ref
    kind: CiterKind = "item"
    other: str | None = None
    """The actor of a position, or the ``to`` end of a relation."""
    text: str | None = None
    """The position's wording, the claim, or the relation's kind."""
    number: int = 0
    """The claim's number in its assessment (1-based); 0 for anything else."""
    stance: Stance | None = None
    """The stance of a position."""


@dataclass(frozen=True)
class CitedParagraph:
    """One paragraph of a source and what cites it (at most ``limit`` of them)."""

    number: int
    citations: tuple[Citation, ...]
    more: int = 0
    """How many further citations were left out of ``citations``."""


@dataclass(frozen=True)
class CitedSource:
    """One source and its cited paragraphs, in ascending order."""

    source_id: str
    paragraphs: tuple[CitedParagraph, ...]


@dataclass(frozen=True)
class SourceText:
    """The paragraphs of a source's text copy, whitespace reflowed (empty if unreadable)."""

    paragraphs: Mapping[int, str] = field(default_factory=dict)
    problem: str = ""
    """Why there is no text although the source names a ``text_file`` ('' if fine)."""


# -- gathering -----------------------------------------------------------------
def _own(entity: Entity) -> list[Citation]:
    return [Citation(entity.id, ref) for ref in entity.refs]


def _positions(issue: Issue, actor: str | None = None) -> list[Citation]:
    return [
        Citation(issue.id, ref, "position", p.actor, p.position, stance=p.stance)
        for p in issue.positions
        if actor is None or p.actor == actor
        for ref in p.refs
    ]


def _claims(assessment: Assessment) -> list[Citation]:
    return [
        Citation(assessment.id, ref, "claim", text=argument.claim, number=number)
        for number, argument in enumerate(assessment.arguments, 1)
        for ref in argument.refs
    ]


def _relations(dossier: Dossier, entity_id: str | None) -> list[Citation]:
    return [
        Citation(r.from_id, ref, "relation", r.to_id, r.kind)
        for r in dossier.relations
        if entity_id is None or entity_id in (r.from_id, r.to_id)
        for ref in r.refs
    ]


def all_citations(dossier: Dossier) -> list[Citation]:
    """Every citation in the dossier, in file order, relations last."""
    result: list[Citation] = []
    for entity in dossier.entities.values():
        result += _own(entity)
        if isinstance(entity, Issue):
            result += _positions(entity)
        elif isinstance(entity, Assessment):
            result += _claims(entity)
    return result + _relations(dossier, None)


def citations_of(
    dossier: Dossier, entity: Entity | None, index: Index | None = None
) -> list[Citation]:
    """What supports ``entity`` (everything when None; for a source, what cites it).

    With the dossier's ``index``, the items that can hold such citations are found
    through its links (an actor's issues are those that link to it as a position's
    actor, and so on), so on a dossier read from the cache only they are decoded."""
    if entity is None:
        return all_citations(dossier)
    if isinstance(entity, Source):
        if index is None:
            return [c for c in all_citations(dossier) if c.ref.source == entity.id]
        return _citing(dossier, index, entity.id)
    result = _own(entity)
    if isinstance(entity, Issue):
        result += _positions(entity)
    elif isinstance(entity, Assessment):
        result += _claims(entity)
    elif isinstance(entity, Actor):
        issues = dossier.issues if index is None else _owners(dossier, index, entity.id, "actor")
        for issue in issues:
            if isinstance(issue, Issue):
                result += _positions(issue, entity.id)
    about = dossier.assessments if index is None else _owners(dossier, index, entity.id, "about")
    for assessment in about:
        if not isinstance(assessment, Assessment) or assessment.id == entity.id:
            continue
        if entity.id in assessment.about:
            result += _claims(assessment)
    if index is None:
        result += _relations(dossier, entity.id)
    else:
        result += _cited_by_relations(index.relations_of(entity.id))
    return list(dict.fromkeys(result))


def _owners(dossier: Dossier, index: Index, entity_id: str, link_field: str) -> list[Entity]:
    """The items that link to ``entity_id`` through ``link_field``, in file order."""
    owners = (dossier.get(owner) for owner in index.owners(entity_id, link_field))
    return [owner for owner in owners if owner is not None]


def _cited_by_relations(relations: Iterable[Relation]) -> list[Citation]:
    return [
        Citation(r.from_id, ref, "relation", r.to_id, r.kind) for r in relations for ref in r.refs
    ]


def _citing(dossier: Dossier, index: Index, source_id: str) -> list[Citation]:
    """Every citation of ``source_id``, as :func:`all_citations` orders them: the items
    whose refs name it are those linking to it as a ``source``; relations hold no links,
    so they are read (one relation per record, no item decoded)."""
    result: list[Citation] = []
    for owner in _owners(dossier, index, source_id, "source"):
        own = _own(owner)
        if isinstance(owner, Issue):
            own += _positions(owner)
        elif isinstance(owner, Assessment):
            own += _claims(owner)
        result += [c for c in own if c.ref.source == source_id]
    relations = [c for c in _cited_by_relations(dossier.relations) if c.ref.source == source_id]
    return result + relations


def group_by_source(
    dossier: Dossier, citations: Iterable[Citation], *, limit: int = PARAGRAPH_LIMIT
) -> list[CitedSource]:
    """Citations by source (in the dossier's order), then paragraph (ascending).

    A ref citing several paragraphs is listed under each of them.
    """
    by_source: dict[str, dict[int, list[Citation]]] = defaultdict(lambda: defaultdict(list))
    for citation in citations:
        for para in dict.fromkeys(citation.ref.paras or (0,)):
            by_source[citation.ref.source][para].append(citation)
    order = {source.id: n for n, source in enumerate(dossier.sources)}
    result = []
    for source_id in sorted(by_source, key=lambda s: (order.get(s, len(order)), s)):
        paragraphs = by_source[source_id]
        cited = tuple(
            CitedParagraph(n, tuple(paragraphs[n][:limit]), max(0, len(paragraphs[n]) - limit))
            for n in sorted(paragraphs)
        )
        result.append(CitedSource(source_id, cited))
    return result


@dataclass(frozen=True)
class Evidence:
    """What the Evidence view shows for one item (or the whole dossier)."""

    citations: tuple[Citation, ...]
    sources: tuple[CitedSource, ...]
    texts: Mapping[str, SourceText]
    """Source id -> its text copy (only sources that name one; only cited paragraphs)."""


def wanted_paragraphs(refs: Iterable[Ref]) -> dict[str, set[int]]:
    """Source id -> the paragraphs ``refs`` cite."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for ref in refs:
        wanted[ref.source].update(ref.paras)
    return wanted


def gather_evidence(
    dossier: Dossier,
    entity: Entity | None,
    *,
    index: Index | None = None,
    max_size: int | None = None,
) -> Evidence:
    """The citations of ``entity`` (found through ``index`` when given: see
    :func:`citations_of`), grouped, with the cited paragraphs of their sources' text
    copies (this reads files: call it off the UI thread)."""
    citations = citations_of(dossier, entity, index)
    texts = {}
    for source_id, paras in wanted_paragraphs(c.ref for c in citations).items():
        source = dossier.get(source_id)
        if isinstance(source, Source) and source.text_file:
            texts[source_id] = read_source_text(dossier, source, wanted=paras, max_size=max_size)
    return Evidence(tuple(citations), tuple(group_by_source(dossier, citations)), texts)


# -- the text copies -----------------------------------------------------------
def dossier_folder(dossier: Dossier) -> Path:
    """The folder a dossier's text copies must stay inside."""
    return dossier.root if dossier.root.is_dir() else dossier.root.parent


def reflow(text: str) -> str:
    """Paragraph text as shown: terminal-driving characters removed, whitespace runs
    collapsed to single spaces."""
    return _SPACE.sub(" ", clean_text(text)).strip()


def read_source_text(
    dossier: Dossier,
    source: Source,
    *,
    wanted: Collection[int] | None = None,
    max_size: int | None = None,
) -> SourceText:
    """The paragraphs (only ``wanted`` ones, if given) of ``source``'s text copy.

    Never raises: a copy outside the dossier folder, over the size limit, missing,
    not a regular file or not UTF-8 gives no paragraphs and a ``problem``.
    """
    if not source.text_file:
        return SourceText()
    limit = default_max_file_size() if max_size is None else max_size
    path = resolve_inside(dossier_folder(dossier), source.text_file)
    if path is None:
        return SourceText(problem="the text copy is outside the dossier folder")
    try:
        text = read_regular_file(path, limit).decode("utf-8-sig")
    except FileRefusedError as refused:
        return SourceText(problem=f"the text copy {refused.reason}")
    except FileNotFoundError:
        return SourceText(problem="the text copy is not there")
    except UnicodeDecodeError:
        return SourceText(problem="the text copy is not valid UTF-8")
    except OSError as exc:
        return SourceText(problem=f"the text copy cannot be read ({exc.strerror})")
    paragraphs = paragraphs_of(text)
    if wanted is not None:
        paragraphs = {n: paragraphs[n] for n in wanted if n in paragraphs}
    return SourceText({n: reflow(p) for n, p in paragraphs.items()})


# -- quotes in paragraphs --------------------------------------------------------
@memoized(FOLDED_CHARACTERS)
def _fold_char(char: str, casefold: bool) -> str:
    folded = normalise(char)
    return folded.casefold() if casefold else folded


def _folded(text: str, casefold: bool) -> tuple[str, list[int]]:
    """``text`` folded as :func:`normalise` does, and each folded character's index in
    ``text`` (so a match in the folded text maps back to the original)."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char, casefold)
        if not folded:  # whitespace: runs become one space
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(index)
            continue
        for part in folded:
            chars.append(part)
            origin.append(index)
    return "".join(chars), origin


def locate_quote(paragraph: str, quote: str) -> tuple[int, int] | None:
    """(start, end) of ``quote`` in ``paragraph``, ignoring whitespace, typographic marks
    and (if need be) case; None if it is not there."""
    for casefold in (False, True):
        needle = _folded(quote, casefold)[0].strip()
        if not needle:
            return None
        haystack, origin = _folded(paragraph, casefold)
        at = haystack.find(needle)
        if at >= 0:
            return origin[at], origin[at + len(needle) - 1] + 1
    return None


def quote_home(ref: Ref, paragraphs: Mapping[int, str]) -> int | None:
    """The first paragraph ``ref`` cites in which its quote is found, or None."""
    if not ref.quote:
        return None
    for para in ref.paras:
        text = paragraphs.get(para)
        if text is not None and locate_quote(text, ref.quote) is not None:
            return para
    return None


def excerpt(
    text: str, spans: list[tuple[int, int]], *, limit: int = EXCERPT_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """``text`` cut to about ``limit`` characters around the first span, '…' marking the
    cuts, with ``spans`` moved to match (and clipped to what is left)."""
    if len(text) <= limit:
        return text, spans
    first = min((start for start, _ in spans), default=0)
    start = max(0, min(first - limit // 3, len(text) - limit))
    end = start + limit
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    shift = len(lead) - start
    moved = [
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start
    ]
    return lead + text[start:end] + tail, moved
