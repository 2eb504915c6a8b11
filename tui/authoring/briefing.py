"""A dossier as a briefing: the :class:`~.document.Document` that ``dossier export`` writes.

The order is the order a busy reader wants: what this is, the verdict, who is
involved, what they disagree about, what happened when, the reasoning behind the
verdict with its citations, and finally the sources. Assessments keep file order, so
the first one in the files is the main one and leads the verdict.

All content text is cleaned of control characters and its whitespace is collapsed
(blank lines still separate paragraphs), so a renderer only has to escape it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from ..content import (
    Actor,
    Assessment,
    Dossier,
    Event,
    Issue,
    Position,
    Ref,
    Source,
)
from ..content.text import clean_text
from ..glyphs import STANCE_GLYPH
from .document import (
    Block,
    Document,
    Heading,
    Item,
    ItemList,
    Line,
    Paragraph,
    Run,
    Style,
    Table,
    code,
    emphasis,
    plain,
    strong,
)

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
SEPARATOR = " · "
E = TypeVar("E")
"""An entry of a section (an actor, an issue, ...)."""


def flat(text: str) -> str:
    """``text`` on one line: control characters removed, whitespace collapsed."""
    return " ".join(clean_text(text).split())


def paragraphs(text: str) -> list[str]:
    """``text`` split into paragraphs at blank lines, each on one line."""
    return [p for p in (flat(part) for part in _BLANK_LINE.split(text)) if p]


def _joined(parts: Iterable[Line], separator: str = SEPARATOR) -> Line:
    runs: list[Run] = []
    for part in parts:
        if runs:
            runs.append(plain(separator))
        runs.extend(part)
    return tuple(runs)


class _Builder:
    """Builds the blocks of one briefing; the dossier is looked up for labels and links."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.blocks: list[Block] = []

    # -- helpers -------------------------------------------------------------

    def label(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return flat(entity.label if entity is not None else entity_id) or entity_id

    def link(self, entity_id: str, style: Style = Style.PLAIN) -> Run:
        """The entity's name, linking to where the briefing describes it."""
        return Run(self.label(entity_id), style, link=entity_id)

    def citation(self, ref: Ref, with_title: bool = True) -> Line:
        """``Title ¶3: “quote”``, the title linking to the source in the source list."""
        paras = ", ".join(f"¶{n}" for n in ref.paras)
        runs = [self.link(ref.source), plain(f" {paras}")] if with_title else [plain(paras)]
        if ref.quote:
            runs.append(plain(f": “{flat(ref.quote)}”"))
        return tuple(runs)

    def citations(self, refs: Iterable[Ref]) -> Line:
        """Several citations; the title is not repeated for the same source in a row."""
        lines, previous = [], None
        for ref in refs:
            lines.append(self.citation(ref, with_title=ref.source != previous))
            previous = ref.source
        return _joined(lines, "; ")

    def text(self, text: str | None) -> None:
        """Paragraphs of content text, if any."""
        for paragraph in paragraphs(text or ""):
            self.blocks.append(Paragraph(((plain(paragraph),),)))

    def field_lines(self, fields: Iterable[tuple[str, Line]]) -> None:
        """A paragraph of ``Label: value`` lines, skipping empty values."""
        lines = tuple((plain(f"{label}: "), *value) for label, value in fields if value)
        if lines:
            self.blocks.append(Paragraph(lines))

    def sources_of(self, refs: tuple[Ref, ...], label: str = "Sources") -> None:
        if refs:
            self.blocks.append(Paragraph(((plain(f"{label}: "), *self.citations(refs)),)))

    # -- sections ------------------------------------------------------------

    def section(self, title: str, entries: Sequence[E], add: Callable[[E], None]) -> None:
        """The level-2 section ``title``, then ``add`` for each of ``entries`` (which
        adds its blocks); nothing at all when there are no entries, so an empty part of
        the dossier leaves no heading behind."""
        if entries:
            self.blocks.append(Heading(2, (plain(title),)))
            for entry in entries:
                add(entry)

    def listed(self, title: str, entries: Sequence[E], item: Callable[[E], Item]) -> None:
        """The section ``title`` as one list, an ``item`` per entry."""
        if entries:
            self.section(title, [ItemList(tuple(map(item, entries)))], self.blocks.append)

    def header(self) -> None:
        info = self.dossier.info
        self.blocks.append(Heading(1, (plain(flat(info.title)),)))
        lines: list[Line] = []
        if info.subtitle and flat(info.subtitle):
            lines.append((emphasis(flat(info.subtitle)),))
        meta: list[Line] = [(plain("As of "), strong(str(info.as_of)))]
        if info.authors:
            meta.append((plain("By " + ", ".join(flat(a) for a in info.authors)),))
        if info.license and flat(info.license):
            meta.append((plain(f"Licence: {flat(info.license)}"),))
        lines.append(_joined(meta))
        self.blocks.append(Paragraph(tuple(lines)))
        self.text(info.summary)

    def verdict(self) -> None:
        self.blocks.append(Heading(2, (plain("Verdict"),)))
        if not self.dossier.assessments:
            self.blocks.append(Paragraph(((emphasis("This dossier has no assessment yet."),),)))
            return
        items = []
        for assessment in self.dossier.assessments:
            lines: list[Line] = [
                (strong(flat(assessment.verdict)),),
                (self.link(assessment.id, Style.EMPHASIS),),
                _joined(
                    [
                        (plain(f"Confidence: {assessment.confidence.value}"),),
                        (plain("By: "), self.link(assessment.by)),
                    ]
                ),
            ]
            if assessment.horizon and flat(assessment.horizon):
                lines.append((plain(f"Horizon: {flat(assessment.horizon)}"),))
            items.append(Item(tuple(lines)))
        self.blocks.append(ItemList(tuple(items)))

    def actor(self, actor: Actor) -> Item:
        first: list[Run] = [strong(flat(actor.name) or actor.id), plain(f" ({actor.actor_kind})")]
        if actor.role and flat(actor.role):
            first.append(plain(f" — {flat(actor.role)}"))
        lines: list[Line] = [tuple(first)]
        if actor.part_of:
            lines.append((plain("Part of "), self.link(actor.part_of)))
        if actor.aliases:
            lines.append((plain("Also known as: " + ", ".join(flat(a) for a in actor.aliases)),))
        if actor.summary and flat(actor.summary):
            lines.append((plain(flat(actor.summary)),))
        return Item(tuple(lines), anchor=actor.id)

    def issue(self, issue: Issue) -> None:
        self.blocks.append(Heading(3, (plain(flat(issue.title) or issue.id),), anchor=issue.id))
        status: Line = (strong(issue.status.value),) if issue.status else ()
        question: Line = (emphasis(flat(issue.question)),) if issue.question else ()
        self.field_lines([("Status", status), ("Question", question)])
        self.text(issue.summary)
        if issue.positions:
            rows = tuple(self.position(position) for position in issue.positions)
            self.blocks.append(Table(("Actor", "Stance", "Position", "Citation"), rows))
        else:
            self.blocks.append(Paragraph(((emphasis("No positions recorded."),),)))
        self.sources_of(issue.refs)

    def position(self, position: Position) -> tuple[Line, ...]:
        stance = f"{STANCE_GLYPH[position.stance]} {position.stance.value}"
        return (
            (self.link(position.actor),),
            (plain(stance),),
            (plain(flat(position.position or "")),),
            self.citations(position.refs),
        )

    def event(self, event: Event) -> Item:
        first: list[Run] = [strong(str(event.date)), plain(SEPARATOR + flat(event.title))]
        if event.status:
            first += [plain(SEPARATOR), emphasis(event.status.value)]
        lines: list[Line] = [tuple(first)]
        if event.summary and flat(event.summary):
            lines.append((plain(flat(event.summary)),))
        if event.actors:
            lines.append(
                (plain("Actors: "), *_joined(((self.link(a),) for a in event.actors), ", "))
            )
        return Item(tuple(lines), anchor=event.id)

    def assessment(self, assessment: Assessment) -> None:
        title = flat(assessment.title) or assessment.id
        self.blocks.append(Heading(3, (plain(title),), anchor=assessment.id))
        about = _joined(((self.link(a),) for a in assessment.about), ", ")
        horizon = flat(assessment.horizon or "")
        self.field_lines(
            [
                ("Verdict", (strong(flat(assessment.verdict)),)),
                ("Confidence", (plain(assessment.confidence.value),)),
                ("Horizon", (plain(horizon),) if horizon else ()),
                ("By", (self.link(assessment.by),)),
                ("About", about),
            ]
        )
        self.text(assessment.summary)
        if assessment.arguments:
            self.blocks.append(Paragraph(((strong("Argued claims"),),)))
            claims = tuple(
                Item(
                    ((plain(flat(argument.claim)),),),
                    children=tuple(Item((self.citation(ref),)) for ref in argument.refs),
                )
                for argument in assessment.arguments
            )
            self.blocks.append(ItemList(claims, ordered=True))
        self.sources_of(assessment.refs, "Sources for the assessment as a whole")

    def source(self, source: Source) -> Item:
        lines: list[Line] = [(strong(flat(source.title) or source.id),)]
        details = [flat(d) for d in (source.author, source.publisher) if d and flat(d)]
        if source.date is not None:
            details.append(str(source.date))
        if details:
            lines.append((plain(SEPARATOR.join(details)),))
        if source.url and flat(source.url):
            lines.append((code(flat(source.url)),))
        return Item(tuple(lines), anchor=source.id)


def build_briefing(dossier: Dossier) -> Document:
    """The briefing document of ``dossier``, ready for any renderer."""
    builder = _Builder(dossier)
    builder.header()
    builder.verdict()
    builder.listed("Actors", dossier.actors, builder.actor)
    builder.section("Issues", dossier.issues, builder.issue)
    events = sorted(dossier.events, key=lambda event: event.date)
    builder.listed("Timeline", events, builder.event)
    builder.section("Assessments", dossier.assessments, builder.assessment)
    builder.listed("Sources", dossier.sources, builder.source)
    return Document(flat(dossier.info.title), tuple(builder.blocks))
