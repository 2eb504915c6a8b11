"""The Evidence view: what the current item rests on, down to the cited paragraphs.

For an actor, issue, event or source (or the whole dossier) it lists every citation
grouped by source, then paragraph; for an assessment it walks verdict -> claims ->
quotes -> paragraphs ("why do we believe this?"). Where a source has a text copy,
the cited paragraphs are shown with the quotes highlighted. The citations are gathered
and the copies read in a worker, after the view is first drawn. Link lines open their
item in the explorer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual import work
from textual.worker import Worker, WorkerState

from ..content import Assessment, Dossier, Entity, Index, Ref, Source
from ..content.evidence import (
    Citation,
    CitedSource,
    Evidence,
    SourceText,
    excerpt,
    gather_evidence,
    locate_quote,
    quote_home,
)
from ..glyphs import CONFIDENCE_BAR, KIND_LABEL, STANCE_GLYPH, STANCE_STYLE
from ..widgets import LinesPane
from ..widgets.detail_lines import HEADING, LINK_ARROW, MUTED, DetailLine
from .view import LinesView

LINE_LIMIT = 3_000
"""Lines shown at most; a dossier-wide view of a large dossier stops there."""
QUOTE_STYLE = "bold underline"
"""The quote inside its paragraph: bold and underlined, so it shows without colour."""

Texts = Mapping[str, SourceText]


class EvidencePane(LinesPane):
    """The evidence, a line per paragraph, citation or quote; citations are links."""

    def show_lines(self, lines: list[DetailLine], title: str) -> None:
        """Show ``lines``, keeping the cursor and the scroll position if it had moved."""
        highlighted, scroll_y = self.highlighted, self.scroll_y
        self.lines = lines
        self.set_lines({})
        self.border_title = title
        if highlighted is not None and highlighted < len(lines) and lines[highlighted].target:
            self.highlighted = highlighted
        else:
            self.highlighted = None
        self.scroll_to(y=scroll_y, animate=False, immediate=True)


class _Lines:
    """Builds the evidence lines, up to LINE_LIMIT."""

    def __init__(self, dossier: Dossier, origin: Entity | None, texts: Texts) -> None:
        self.dossier = dossier
        self.origin_id = origin.id if origin is not None else None
        self.texts = texts
        self.lines: list[DetailLine] = []

    @property
    def full(self) -> bool:
        return len(self.lines) >= LINE_LIMIT

    def label(self, entity_id: str) -> str:
        entity = self.dossier.get(entity_id)
        return (entity.label or entity_id) if entity is not None else entity_id

    def add(self, text: Text, target: str | None = None) -> None:
        self.lines.append(DetailLine(text, target))

    def plain(self, *parts: tuple[str, str] | str) -> Text:
        return Text.assemble(*parts)

    def blank(self) -> None:
        if self.lines and self.lines[-1].text.plain:
            self.add(Text())

    def link(self, indent: str, target: str, *parts: tuple[str, str] | str) -> None:
        self.add(self.plain(indent, (LINK_ARROW, MUTED), *parts), target)

    def paragraphs_of(self, source_id: str) -> Mapping[int, str]:
        text = self.texts.get(source_id)
        return text.paragraphs if text is not None else {}

    # -- pieces ------------------------------------------------------------------
    def text_problem(self, indent: str, source_id: str) -> None:
        """Why the source's text copy is not shown, if it names one."""
        problem = self.texts[source_id].problem if source_id in self.texts else ""
        if problem:
            self.add(self.plain(indent, (f"({problem})", MUTED)))

    def paragraph(self, indent: str, number: int, text: str, quotes: Iterable[str]) -> None:
        spans = [s for s in (locate_quote(text, q) for q in quotes) if s is not None]
        shown, spans = excerpt(text, spans)
        body = Text(shown)
        for start, end in spans:
            body.stylize(QUOTE_STYLE, start, end)
        self.add(self.plain(indent, (f"¶{number}  ", "bold")) + body)

    def quote(self, indent: str, ref: Ref, missing: bool) -> None:
        assert ref.quote is not None
        note = "  (not found in the text copy)" if missing else ""
        quote = self.plain(indent, ("“", MUTED), (ref.quote, "italic"), ("”", MUTED))
        self.add(quote + Text(note, style=MUTED))

    def citation(self, indent: str, citation: Citation) -> None:
        """A link line for what holds ``citation``, to the item worth opening."""
        owner = citation.owner
        if citation.kind == "position" and citation.other is not None:
            stance = citation.stance
            said = [(f" — {citation.text}", MUTED)] if citation.text else []
            stance_part = (
                (f"{STANCE_GLYPH[stance]} {stance.value}", STANCE_STYLE[stance]) if stance else ""
            )
            if self.origin_id == owner:  # from the issue, the actor is the item worth opening
                self.link(indent, citation.other, self.label(citation.other),
                          (" · position: ", MUTED), stance_part, *said)  # fmt: skip
            else:
                self.link(indent, owner, self.label(owner),
                          (f" · position of {self.label(citation.other)}: ", MUTED),
                          stance_part, *said)  # fmt: skip
        elif citation.kind == "claim":
            self.link(indent, owner, self.label(owner),
                      (f" · claim {citation.number}: ", MUTED), citation.text or "")  # fmt: skip
        elif citation.kind == "relation" and citation.other is not None:
            other = citation.other if self.origin_id == owner else owner
            self.link(indent, other, self.label(owner), (f" {citation.text} ", MUTED),
                      self.label(citation.other), ("  relation", MUTED))  # fmt: skip
        else:
            entity = self.dossier.get(owner)
            kind = KIND_LABEL.get(entity.kind, entity.kind).lower() if entity else ""
            self.link(indent, owner, self.label(owner), (f"  {kind}", MUTED))

    # -- the two layouts -----------------------------------------------------------
    def grouped(self, groups: Iterable[CitedSource]) -> None:
        """Every citation by source, then paragraph, with the paragraph's text."""
        for group in groups:
            if self.full:
                return
            self.blank()
            self.link(
                "", group.source_id, (self.label(group.source_id), "bold"), ("  source", MUTED)
            )
            self.text_problem("  ", group.source_id)
            paragraphs = self.paragraphs_of(group.source_id)
            for cited in group.paragraphs:
                if self.full:
                    return
                homes = {c: quote_home(c.ref, paragraphs) for c in cited.citations}
                text = paragraphs.get(cited.number)
                if text is not None:  # quotes are highlighted only where they were found
                    found = [c.ref.quote for c, home in homes.items()
                             if home == cited.number and c.ref.quote]  # fmt: skip
                    self.paragraph("  ", cited.number, text, found)
                else:
                    label = f"¶{cited.number}" if cited.number else "no paragraph"
                    self.add(self.plain("  ", (label, "bold")))
                for citation in cited.citations:
                    self.citation("    ", citation)
                    home = homes[citation]
                    if citation.ref.quote and home in (None, cited.number):
                        missing = home is None and any(p in paragraphs for p in citation.ref.paras)
                        self.quote("        ", citation.ref, missing)
                if cited.more:
                    self.add(self.plain("    ", (f"… and {cited.more} more", MUTED)))

    def refs(self, indent: str, refs: Iterable[Ref]) -> None:
        """Each ref: a link to its source, its quote, then the cited paragraphs."""
        for ref in refs:
            if self.full:
                return
            paras = ", ".join(f"¶{n}" for n in ref.paras)
            self.link(indent, ref.source, self.label(ref.source), (f"  {paras}", MUTED))
            self.text_problem(indent + "  ", ref.source)
            paragraphs = self.paragraphs_of(ref.source)
            home = quote_home(ref, paragraphs)
            if ref.quote:
                missing = home is None and any(p in paragraphs for p in ref.paras)
                self.quote(indent + "  ", ref, missing)
            for para in ref.paras:
                text = paragraphs.get(para)
                if text is not None:
                    found = [ref.quote] if ref.quote and home == para else []
                    self.paragraph(indent + "  ", para, text, found)

    def walk(self, assessment: Assessment) -> None:
        """Verdict -> claims -> quotes -> paragraphs."""
        self.add(self.plain(("Verdict: ", "bold"), (assessment.verdict, "bold")))
        bar = CONFIDENCE_BAR[assessment.confidence]
        self.add(self.plain(("Confidence: ", "bold"), f"{bar} {assessment.confidence.value}"))
        self.link("", assessment.by, ("by ", MUTED), self.label(assessment.by))
        if not assessment.arguments:
            self.blank()
            self.add(Text("This assessment argues no claims.", style=MUTED))
        for number, argument in enumerate(assessment.arguments, 1):
            self.blank()
            self.add(self.plain((f"Claim {number}: ", HEADING), (argument.claim, "bold")))
            if not argument.refs:
                self.add(Text("  (no source cited)", style=MUTED))
            self.refs("  ", argument.refs)
        if assessment.refs:
            self.blank()
            self.add(Text("The assessment's own sources", style=HEADING))
            self.refs("  ", assessment.refs)


class EvidenceScreen(LinesView):
    """Why we believe what the current item says: its sources, paragraphs and quotes."""

    VIEW = "evidence"
    NAME = "Evidence"
    PANE = EvidencePane

    def __init__(self, dossier: Dossier, index: Index, entity_id: str | None) -> None:
        super().__init__(dossier, index, entity_id)
        self.evidence: Evidence | None = None
        """What is shown, once the worker has gathered it (and read the text copies)."""
        self._problem = ""

    def on_mount(self) -> None:
        self._gather()  # its result comes as a message, after the first lines are shown

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _gather(self) -> Evidence:
        return gather_evidence(self.dossier, self.origin, index=self.index)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Evidence):
            self.evidence = event.worker.result
        elif event.state is WorkerState.ERROR:
            self._problem = f"The evidence could not be gathered: {event.worker.error}"
        else:
            return
        self.show()

    def show(self) -> None:
        origin = self.origin
        evidence = self.evidence
        lines = _Lines(self.dossier, origin, evidence.texts if evidence else {})
        if origin is None:
            lines.add(Text(f"Evidence in {self.dossier.info.title}", style="bold"))
        elif isinstance(origin, Assessment):
            lines.add(self._title("Why do we believe ", origin))
        else:
            lead = "What cites " if isinstance(origin, Source) else "Evidence for "
            lines.add(self._title(lead, origin))
        if evidence is None:
            lines.add(Text(self._problem or "Gathering the evidence…", style=MUTED))
        elif isinstance(origin, Assessment):
            lines.walk(origin)
        else:
            lines.add(Text(self._summary(evidence), style=MUTED))
            lines.grouped(evidence.sources)
        if lines.full:
            lines.lines[LINE_LIMIT:] = []
            note = f"… the evidence stops at {LINE_LIMIT:,} lines: open a single item to see all"
            lines.add(Text(note, style=MUTED))
        self.pane.show_lines(lines.lines, "Evidence")

    def _title(self, lead: str, origin: Entity) -> Text:
        text = Text(lead, style="bold")
        if isinstance(origin, Assessment):
            text.append(f"“{origin.label or origin.id}”?", style="bold")
        else:
            text.append(origin.label or origin.id, style="bold")
        return text

    @staticmethod
    def _summary(evidence: Evidence) -> str:
        count = len(evidence.citations)
        if not count:
            return "Nothing here cites a source."
        paragraphs = sum(len(g.paragraphs) for g in evidence.sources)
        sources = len(evidence.sources)
        return (
            f"{count} citation{'s' if count != 1 else ''} of {paragraphs} "
            f"paragraph{'s' if paragraphs != 1 else ''} in {sources} "
            f"source{'s' if sources != 1 else ''}"
        )
