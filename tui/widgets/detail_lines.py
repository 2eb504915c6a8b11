"""What the detail pane says about each kind of entity, as a list of lines.

Each :class:`DetailLine` is literal text (content is appended to ``rich.text.Text``,
never parsed as markup) and, when it is a link, the id it leads to. Building the
lines is separate from the widget so it can be tested without a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from ..content import (
    Actor,
    Assessment,
    Dossier,
    Entity,
    Event,
    Index,
    Issue,
    Position,
    Ref,
    Source,
)
from ..diffmode import CHANGE_GLYPH, CHANGE_STYLE, CHANGE_WORD, change_text
from ..glyphs import (
    CONFIDENCE_BAR,
    EVENT_GLYPH,
    KIND_LABEL,
    STANCE_GLYPH,
    STANCE_STYLE,
)

if TYPE_CHECKING:
    from ..content.diffing import DossierDiff, ItemChange

HEADING = "bold underline"
MUTED = "dim"
LINK_ARROW = "→ "


@dataclass(frozen=True)
class DetailLine:
    """One line (it may wrap) of the detail pane; ``target`` makes it a link."""

    text: Text
    target: str | None = None


class _Lines:
    """Accumulates lines for one entity."""

    def __init__(self, dossier: Dossier, index: Index) -> None:
        self.dossier = dossier
        self.index = index
        self.lines: list[DetailLine] = []
        self.shown_links: set[tuple[str, str]] = set()
        """(role, id) pairs already listed, so 'referenced by' does not repeat them."""
        self.main_source = dossier.sources[0].id if dossier.sources else ""

    def label(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return entity.label if entity is not None else entity_id

    def text(self, *parts: tuple[str, str] | str) -> Text:
        return Text.assemble(*parts)

    def add(self, *parts: tuple[str, str] | str) -> None:
        self.lines.append(DetailLine(self.text(*parts)))

    def blank(self) -> None:
        if self.lines and self.lines[-1].text.plain:
            self.lines.append(DetailLine(Text()))

    def heading(self, title: str, count: int | None = None) -> None:
        self.blank()
        suffix = f" ({count})" if count is not None else ""
        self.add((title + suffix, HEADING))

    def link(self, target: str, *parts: tuple[str, str] | str, role: str = "") -> None:
        text = self.text((LINK_ARROW, MUTED), *parts)
        self.lines.append(DetailLine(text, target))
        if role:
            self.shown_links.add((role, target))

    def cite(self, refs: Iterable[Ref]) -> str:
        """Citations as '¶3, ¶5' (other sources named): short, for the end of a line."""
        by_source: dict[str, list[int]] = defaultdict(list)
        for ref in refs:
            by_source[ref.source].extend(ref.paras)
        parts = []
        for source, paras in by_source.items():
            numbers = ", ".join(f"¶{n}" for n in dict.fromkeys(paras))
            parts.append(numbers if source == self.main_source else f"{source} {numbers}")
        return f"  [{'; '.join(parts)}]" if parts else ""

    def quotes(self, refs: Iterable[Ref]) -> None:
        for ref in refs:
            if ref.quote:
                paras = ", ".join(str(n) for n in ref.paras)
                self.add(("    “", MUTED), (ref.quote, "italic"), (f"” ¶{paras}", MUTED))

    def paragraph(self, text: str | None, style: str = "") -> None:
        if text:
            self.add((text, style) if style else text)

    def title(self, entity: Entity, subtitle: str) -> None:
        self.add((entity.label, "bold"))
        self.add((f"{KIND_LABEL.get(entity.kind, entity.kind)} · {subtitle}", MUTED))

    def referenced_by(self, entity: Entity) -> None:
        groups: dict[str, list[str]] = defaultdict(list)
        for backlink in self.index.backlinks_of(entity.id):
            if (backlink.role, backlink.owner) not in self.shown_links:
                groups[backlink.role].append(backlink.owner)
        if not groups:
            return
        self.heading("Referenced by", sum(len(v) for v in groups.values()))
        for role, owners in groups.items():
            self.add((f"  as {role}:", MUTED))
            for owner in dict.fromkeys(owners):
                self.link(owner, self.label(owner), (f"  {self._kind(owner)}", MUTED))

    def _kind(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return entity.kind if entity is not None else ""

    def relations(self, entity: Entity) -> None:
        relations = self.index.relations_of(entity.id)
        if not relations:
            return
        self.heading("Relations", len(relations))
        for relation in relations:
            if relation.from_id == entity.id:
                other, phrase = relation.to_id, f"{relation.kind} "
                self.link(other, (phrase, MUTED), self.label(other), self.cite(relation.refs))
            else:
                other = relation.from_id
                self.link(
                    other, self.label(other), (f" {relation.kind} this", MUTED),
                    self.cite(relation.refs),
                )  # fmt: skip
            if relation.summary:
                self.add(("    ", ""), (relation.summary, MUTED))

    def events_for(self, entity: Entity, field: str) -> None:
        events = [
            e
            for e in (self.dossier.get(owner) for owner in self.index.owners(entity.id, field))
            if isinstance(e, Event) and entity.id in (e.actors if field == "actors" else e.issues)
        ]
        if not events:
            return
        self.heading("Events", len(events))
        for event in sorted(events, key=lambda e: e.date):
            self.link(
                event.id,
                (f"{event.date} {EVENT_GLYPH[event.status]} ", MUTED),
                event.title,
                role="events",
            )

    def assessments_about(self, entity: Entity) -> None:
        about = [
            a
            for a in (
                self.dossier.get(owner) for owner in self.index.owners(entity.id, "about", "by")
            )
            if isinstance(a, Assessment) and (entity.id in a.about or a.by == entity.id)
        ]
        if not about:
            return
        self.heading("Assessments", len(about))
        for assessment in about:
            role = "author of" if assessment.by == entity.id else "about"
            verdict = f"  {CONFIDENCE_BAR[assessment.confidence]}"
            self.link(assessment.id, assessment.title, (verdict, MUTED), role=role)
            if assessment.by == entity.id and entity.id in assessment.about:
                self.shown_links.add(("about", assessment.id))

    def see_also(self, entity: Entity) -> None:
        if entity.see_also:
            self.heading("See also", len(entity.see_also))
            for target in entity.see_also:
                self.link(target, self.label(target), (f"  {self._kind(target)}", MUTED))

    def own_refs(self, entity: Entity) -> None:
        if entity.refs:
            self.heading("Sources")
            self.add((self.cite(entity.refs).strip(), MUTED))
            self.quotes(entity.refs)


def _actor(lines: _Lines, actor: Actor) -> None:
    subtitle = actor.actor_kind.value + (f" · {actor.role}" if actor.role else "")
    lines.title(actor, subtitle)
    if actor.aliases:
        lines.add(("also: ", MUTED), ", ".join(actor.aliases))
    lines.blank()
    lines.paragraph(actor.summary)
    if actor.part_of:
        lines.blank()
        lines.link(actor.part_of, ("part of ", MUTED), lines.label(actor.part_of), role="part of")
    members = [b.owner for b in lines.index.backlinks_of(actor.id) if b.field == "part_of"]
    if members:
        lines.heading("Members", len(members))
        for member in members:
            lines.link(member, lines.label(member), role="part of")
    positions = [
        (issue, position)
        for issue in (lines.dossier.get(owner) for owner in lines.index.owners(actor.id, "actor"))
        if isinstance(issue, Issue)
        for position in issue.positions
        if position.actor == actor.id
    ]
    if positions:
        lines.heading("Positions", len(positions))
        for issue, position in positions:
            _position(lines, issue.id, position, issue.title, role="positions")
    lines.relations(actor)
    lines.events_for(actor, "actors")
    lines.assessments_about(actor)
    lines.see_also(actor)
    lines.own_refs(actor)
    lines.referenced_by(actor)


def _position(
    lines: _Lines, target: str, position: Position, label: str, *, role: str = ""
) -> None:
    """``position`` as a link to ``target`` (its stance, then ``label``), its words below."""
    stance = (
        f"{STANCE_GLYPH[position.stance]} {position.stance.value} ",
        STANCE_STYLE[position.stance],
    )
    lines.link(target, stance, label, role=role)
    if position.position:
        lines.add("    ", position.position, (lines.cite(position.refs), MUTED))


def _issue(lines: _Lines, issue: Issue) -> None:
    status = issue.status.value if issue.status else "no status"
    lines.title(issue, status)
    if issue.question:
        lines.add(("Question: ", "bold"), issue.question)
    lines.blank()
    lines.paragraph(issue.summary)
    if issue.positions:
        lines.heading("Positions", len(issue.positions))
        for position in issue.positions:
            _position(lines, position.actor, position, lines.label(position.actor))
            lines.quotes(position.refs)
    if issue.related:
        lines.heading("Related issues", len(issue.related))
        for related in issue.related:
            lines.link(related, lines.label(related), role="related issues")
    lines.relations(issue)
    lines.events_for(issue, "issues")
    lines.assessments_about(issue)
    lines.see_also(issue)
    lines.own_refs(issue)
    lines.referenced_by(issue)


def _assessment(lines: _Lines, assessment: Assessment) -> None:
    lines.title(assessment, f"{assessment.confidence.value} confidence")
    lines.link(assessment.by, ("by ", MUTED), lines.label(assessment.by))
    lines.blank()
    lines.add(("Verdict: ", "bold"), (assessment.verdict, "bold"))
    lines.add(
        ("Confidence: ", "bold"),
        f"{CONFIDENCE_BAR[assessment.confidence]} {assessment.confidence.value}",
    )
    if assessment.horizon:
        lines.add(("Horizon: ", "bold"), assessment.horizon)
    if assessment.summary:
        lines.blank()
        lines.paragraph(assessment.summary)
    if assessment.arguments:
        lines.heading("Arguments", len(assessment.arguments))
        for number, argument in enumerate(assessment.arguments, 1):
            lines.add((f"{number}. ", "bold"), argument.claim, (lines.cite(argument.refs), MUTED))
            lines.quotes(argument.refs)
    if assessment.about:
        lines.heading("About", len(assessment.about))
        for target in assessment.about:
            lines.link(target, lines.label(target), (f"  {lines._kind(target)}", MUTED))
    lines.see_also(assessment)
    lines.own_refs(assessment)
    lines.referenced_by(assessment)


def _event(lines: _Lines, event: Event) -> None:
    status = event.status.value if event.status else "status unknown"
    lines.title(event, f"{event.date} · {EVENT_GLYPH[event.status]} {status}")
    lines.blank()
    lines.paragraph(event.summary)
    if event.actors:
        lines.heading("Participants", len(event.actors))
        for actor in event.actors:
            lines.link(actor, lines.label(actor))
    if event.issues:
        lines.heading("Issues", len(event.issues))
        for issue in event.issues:
            lines.link(issue, lines.label(issue))
    lines.relations(event)
    lines.see_also(event)
    lines.own_refs(event)
    lines.referenced_by(event)


def _source(lines: _Lines, source: Source) -> None:
    details = [d for d in (source.author, source.publisher) if d]
    if source.date:
        details.append(str(source.date))
    lines.title(source, ", ".join(details) or "source")
    if source.url:
        lines.add(("url: ", MUTED), source.url)
    if source.paragraphs:
        lines.add((f"{source.paragraphs} numbered paragraphs", MUTED))
    citing = [b.owner for b in lines.index.backlinks_of(source.id)]
    if citing:
        lines.heading("Cited by", len(dict.fromkeys(citing)))
        for owner in dict.fromkeys(citing):
            lines.link(owner, lines.label(owner), (f"  {lines._kind(owner)}", MUTED), role="cites")
    lines.referenced_by(source)


def _dossier(lines: _Lines) -> None:
    info = lines.dossier.info
    lines.add((info.title, "bold"))
    if info.subtitle:
        lines.add((info.subtitle, MUTED))
    lines.add((f"as of {info.as_of}", MUTED))
    lines.blank()
    lines.paragraph(info.summary)


def change_lines(change: ItemChange) -> list[DetailLine]:
    """Diff mode: how an item changed since the older version, a line each, after a
    heading (content drawn literally, on one line each)."""
    status = change.status.value
    glyph = Text(f"{CHANGE_GLYPH[status]} ", CHANGE_STYLE[status])
    texts = change_text(change)
    heading = DetailLine(
        Text.assemble((f"Since the older version: {CHANGE_WORD[status]}", HEADING))
    )
    return [
        DetailLine(Text()),
        heading,
        *(DetailLine(Text.assemble(glyph, line)) for line in texts),
    ]


def detail_lines(
    dossier: Dossier, index: Index, entity: Entity | None, diff: DossierDiff | None = None
) -> list[DetailLine]:
    """The lines describing ``entity`` (the dossier itself when None); in diff mode
    (``diff``), how it changed comes after its title."""
    lines = _Lines(dossier, index)
    if isinstance(entity, Actor):
        _actor(lines, entity)
    elif isinstance(entity, Issue):
        _issue(lines, entity)
    elif isinstance(entity, Assessment):
        _assessment(lines, entity)
    elif isinstance(entity, Event):
        _event(lines, entity)
    elif isinstance(entity, Source):
        _source(lines, entity)
    else:
        _dossier(lines)
    change = diff.change_of(entity.id) if diff is not None and entity is not None else None
    if change is not None:
        at = next((n for n, line in enumerate(lines.lines) if n >= 2 and not line.text), None)
        at = len(lines.lines) if at is None else at  # after the title's block
        lines.lines[at:at] = change_lines(change)
    return lines.lines
