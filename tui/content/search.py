"""Full-text search over a whole dossier (no Textual, no I/O).

Every piece of text an author wrote becomes a :class:`Unit`: an actor's name, each
alias, its role and summary, an issue's question, each position, each claim of an
assessment, each quote of a ref, each event summary, each tour caption... Each unit
knows its item, the field it is in (said the way a person would: "Japan's position on
the islands", "claim 4 of Kistanov's assessment", "quote, ¶7") and where it is in
the YAML.

Matching (:func:`parse_query`, :meth:`SearchIndex.search`):

- text is *folded* before it is compared: NFKC, case folded, combining accents
  removed (kana voicing marks kept: か and が are different letters), whitespace and
  control characters as spaces. Query words are folded the same way;
- a query is words and ``"quoted phrases"``; a unit matches when it contains every one
  of them, in any order, as substrings: ``sanct`` finds "sanctions", and Japanese,
  Korean or Chinese text, which has no spaces between words, matches anywhere;
- ``kind:actor``, ``stance:against`` and ``source:ID`` narrow the hits; anything else
  with a colon is a plain word;
- words with neither a letter nor a digit (``*``, ``-``, ``(``) are dropped, so a
  query made of punctuation matches nothing rather than everything.

The engine is a scan: each part of the index is one UTF-8 ``bytes`` of folded text with
its units separated by NUL, searched with ``bytes.find`` (C speed, about a gigabyte a
second), and a unit found by bisecting its start offsets. docs/architecture.md compares
it with SQLite FTS5.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import NamedTuple

from .errors import Location
from .lazy import CatalogEntry, dossier_catalog
from .model import Actor, Assessment, Dossier, Entity, Event, Issue, Ref, Source

SEPARATOR = b"\0"
"""Between two units' folded text (folding turns every control character into a space,
so no unit contains it)."""
LABEL, BODY = 0, 1
"""The two parts of an index: names, titles, aliases and ids first, then the rest."""
RECENT_ANSWERS = 32
"""Answers kept for queries asked again (typing back over a word)."""
DEFAULT_LIMIT = 500
"""Most hits a search returns unless asked for more (the count says when there are more)."""
FILTERS = ("kind", "stance", "source")
KEEP_MARKS = frozenset({"\u3099", "\u309a"})
"""Combining marks that are letters' parts, not accents: the kana voicing marks."""


# Folding ------------------------------------------------------------------------

_fold_cache: dict[str, str] = {}


def fold_char(char: str) -> str:
    """One character as the search compares it (may be empty, or several)."""
    cached = _fold_cache.get(char)
    if cached is not None:
        return cached
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
        folded = " "
    else:
        text = unicodedata.normalize("NFKC", char).casefold()
        text = unicodedata.normalize("NFD", text)
        text = "".join(c for c in text if c in KEEP_MARKS or not unicodedata.combining(c))
        folded = unicodedata.normalize("NFC", text)
        if any(c.isspace() or unicodedata.category(c) == "Cc" for c in folded):
            folded = "".join(" " if c.isspace() or unicodedata.category(c) == "Cc" else c
                             for c in folded)  # fmt: skip
    if len(_fold_cache) < 65536:
        _fold_cache[char] = folded
    return folded


_ASCII_SPACE = re.compile(r"[\x00-\x1f\x7f]")


class _FoldTable(dict[int, str]):
    """``str.translate``'s table for :func:`fold`: each character's fold, worked out the
    first time it is met (then looked up at C speed)."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < 65536:
            self[code] = folded
        return folded


_FOLDS = _FoldTable()


def fold(text: str) -> str:
    """``text`` as the search compares it: the characters' folds, one after another."""
    if text.isascii():
        folded = text.lower()
        return folded if folded.isprintable() else _ASCII_SPACE.sub(" ", folded)
    return text.translate(_FOLDS)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``fold(text)``, and for each folded character the index of the one it came from
    in ``text`` (to show a match where it is in the original)."""
    if text.isascii():
        return fold(text), list(range(len(text)))
    parts: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        parts.append(folded)
        origins.extend([index] * len(folded))
    return "".join(parts), origins


# Queries -------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed query: folded words and phrases, and field filters."""

    terms: tuple[str, ...] = ()
    kind: str | None = None
    stance: str | None = None
    source: str | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and self.kind is None and self.stance is None and self.source is None


_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def parse_query(text: str) -> Query:
    """``text`` as a :class:`Query`; never raises, whatever characters it holds."""
    terms: list[str] = []
    filters: dict[str, str] = {}
    for match in _TOKEN.finditer(text[:1000]):
        phrase, word = match.group(1), match.group(2)
        if word is not None and ":" in word:
            key, _, value = word.partition(":")
            if key.casefold() in FILTERS and value:
                filters[key.casefold()] = value if key.casefold() == "source" else value.casefold()
                continue
        raw = phrase if phrase is not None else word
        folded = " ".join(fold(raw or "").split())
        if any(c.isalnum() for c in folded) and folded not in terms:
            terms.append(folded)
    return Query(tuple(terms), filters.get("kind"), filters.get("stance"), filters.get("source"))


# Units ---------------------------------------------------------------------------


class Unit(NamedTuple):
    """One piece of text of the dossier, where it is, and what it belongs to."""

    item: str
    """Id of the item (actor, issue, ...) the text belongs to."""
    kind: str
    """That item's kind."""
    field: str
    """A short name of the field: name, alias, summary, position, claim, quote, caption..."""
    where: str
    """The field said the way a person would: "Japan's position on the islands"."""
    loc: Location
    text: str
    stance: str | None = None
    """The stance of a position (for ``stance:``)."""
    sources: tuple[str, ...] = ()
    """The sources a unit's refs cite (for ``source:``)."""


def _paras(ref: Ref) -> str:
    return ", ".join(f"¶{n}" for n in ref.paras)


def _ref_units(owner: Entity | CatalogEntry, refs: Iterable[Ref], where: str) -> Iterator[Unit]:
    for ref in refs:
        if ref.quote:
            paras = _paras(ref)
            yield Unit(owner.id, owner.kind, "quote", f"quote{where}, {paras}" if paras else
                       f"quote{where}", ref.loc, ref.quote, sources=(ref.source,))  # fmt: skip


def _sources(refs: Iterable[Ref]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ref.source for ref in refs))


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def units_of(dossier: Dossier) -> Iterator[Unit]:
    """Every unit of ``dossier``: per item, its names first, then the rest, in file order."""
    catalog = dossier_catalog(dossier)  # (names and kinds: a stored dossier decodes none)
    names = {entity_id: entry.label for entity_id, entry in catalog.items()}
    for entity in dossier.entities.values():
        yield from _entity_units(entity, names)
    for relation in dossier.relations:
        owner = catalog.get(relation.from_id)
        if owner is None:
            continue
        other = names.get(relation.to_id, relation.to_id)
        where = f"relation: {relation.kind} {other}"
        if relation.summary:
            yield Unit(owner.id, owner.kind, "relation", where, relation.loc, relation.summary,
                       sources=_sources(relation.refs))  # fmt: skip
        yield from _ref_units(owner, relation.refs, f" of the relation {relation.kind} {other}")
    for number, stop in enumerate(dossier.tour, 1):
        target = dossier.get(stop.target)
        if target is not None and stop.caption:
            yield Unit(target.id, target.kind, "caption", f"tour caption, stop {number}",
                       stop.loc, stop.caption)  # fmt: skip


def _entity_units(entity: Entity, names: dict[str, str]) -> Iterator[Unit]:
    loc, item, kind = entity.loc, entity.id, entity.kind
    sources = _sources(entity.refs)

    def unit(field: str, text: str | None, where: str | None = None) -> Iterator[Unit]:
        if text:
            yield Unit(item, kind, field, where or field, loc, text, sources=sources)

    yield from unit("name" if isinstance(entity, Actor) else "title", entity.label)
    yield from unit("id", entity.id)
    if isinstance(entity, Actor):
        for alias in entity.aliases:
            yield from unit("alias", alias)
        yield from unit("role", entity.role)
        yield from unit("summary", entity.summary)
        for tag in entity.tags:
            yield from unit("tag", tag)
    elif isinstance(entity, Issue):
        yield from unit("question", entity.question)
        yield from unit("summary", entity.summary)
        for tag in entity.tags:
            yield from unit("tag", tag)
        for position in entity.positions:
            actor = names.get(position.actor, position.actor)
            where = f"{_possessive(actor)} position on {entity.title}"
            if position.position:
                cited = _sources(position.refs)
                yield Unit(item, kind, "position", where, position.loc, position.position,
                           stance=str(position.stance), sources=cited)  # fmt: skip
            yield from _ref_units(entity, position.refs, f" in {where}")
    elif isinstance(entity, Assessment):
        author = names.get(entity.by, entity.by)
        yield from unit("verdict", entity.verdict)
        yield from unit("horizon", entity.horizon)
        yield from unit("summary", entity.summary)
        whose = f"{_possessive(author)} assessment" if author else "the assessment"
        for number, argument in enumerate(entity.arguments, 1):
            where = f"claim {number} of {whose}"
            yield Unit(item, kind, "claim", where, argument.loc, argument.claim,
                       sources=_sources(argument.refs))  # fmt: skip
            yield from _ref_units(entity, argument.refs, f" in {where}")
    elif isinstance(entity, Event):
        yield from unit("summary", entity.summary)
    elif isinstance(entity, Source):
        yield from unit("author", entity.author)
        yield from unit("publisher", entity.publisher)
    yield from _ref_units(entity, entity.refs, "")


LABEL_FIELDS = frozenset({"name", "title", "id", "alias"})


# The index -----------------------------------------------------------------------


@dataclass
class Part:
    """One part of the index: its units' folded text, separated by NUL, and where each
    unit starts in it."""

    blob: bytes = b""
    starts: array[int] = field(default_factory=lambda: array("I"))
    units: list[int] = field(default_factory=list)
    """The index (into :attr:`SearchIndex.units`) of each unit of this part."""

    def unit_at(self, offset: int) -> int:
        """Which of this part's units holds byte ``offset`` (its position in the part)."""
        return bisect_right(self.starts, offset) - 1

    def span(self, position: int) -> tuple[int, int]:
        start = self.starts[position]
        end = self.starts[position + 1] - 1 if position + 1 < len(self.starts) else len(self.blob)
        return start, end


class Hit(NamedTuple):
    """One unit that matched."""

    unit: Unit
    terms: tuple[str, ...]
    """The query's folded terms (to find the spans to highlight: :meth:`spans`)."""
    rank: tuple[int, ...]

    @property
    def label(self) -> bool:
        """A hit in a name, title, alias or id (these come first)."""
        return self.rank[0] == LABEL

    def spans(self) -> tuple[tuple[int, int], ...]:
        """(start, end) offsets into ``unit.text`` of each match, in order, overlaps
        merged (worked out when asked: only the hits shown need them)."""
        return match_spans(self.unit.text, self.terms)[0]


@dataclass
class Results:
    """What a search found: the best hits first, and how many there are."""

    query: Query
    hits: list[Hit]
    total: int
    """How many hits matched (more than ``len(hits)`` when the limit cut them)."""
    complete: bool = True
    """False when the scan stopped early: ``total`` is then a lower bound."""


_Last = tuple[Query, list[tuple[int, int]], tuple[int, int] | None]
"""The last search: its query, the units it matched (part, position), and where it
stopped (part, byte) when it stopped early."""

_WORD_BYTE = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789") | frozenset(range(0x80, 0x100))


class SearchIndex:
    """Every unit of one dossier, ready to be searched."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = list(units)
        self.parts = (Part(), Part())
        texts: tuple[list[str], list[str]] = ([], [])
        for number, unit in enumerate(self.units):
            which = LABEL if unit.field in LABEL_FIELDS else BODY
            texts[which].append(unit.text)
            self.parts[which].units.append(number)
        for which, part in enumerate(self.parts):
            # (Comprehensions and C-level joins and sums: this runs over every unit.)
            encoded = [fold(text).encode() for text in texts[which]]
            part.blob = SEPARATOR.join(encoded)
            ends = accumulate(len(data) + 1 for data in encoded)
            part.starts = array("I", chain((0,), ends))
            part.starts.pop()  # (the end of the last unit: no unit starts there)
        self._filter_cache: dict[tuple[int, str | None, str | None, str | None], array[int]] = {}
        self._recent: OrderedDict[tuple[Query, int | None, int | None], Results] = OrderedDict()
        self._last: _Last | None = None

    @classmethod
    def of(cls, dossier: Dossier) -> SearchIndex:
        return cls(list(units_of(dossier)))

    @classmethod
    def from_parts(cls, units: Sequence[Unit], parts: tuple[Part, Part]) -> SearchIndex:
        """An index from parts built before (read from disk: :mod:`.searchstore`);
        ``units`` may decode each unit only when it is used."""
        index = cls.__new__(cls)
        index.units = units  # type: ignore[assignment]
        index.parts = parts
        index._filter_cache = {}
        index._recent = OrderedDict()
        index._last = None
        return index

    def search(
        self, query: Query | str, limit: int | None = DEFAULT_LIMIT, *, cap: int | None = None
    ) -> Results:
        """The units matching ``query``, the best first: an item's best name, title,
        alias or id (one per item), then the other fields, those where the words match
        exactly or start words first, then in file order.

        At most ``limit`` hits (None: all). ``total`` counts every hit unless the scan
        stopped early, after ``cap`` matching units (by default ``10 x limit``, at
        least 1,000), which ``complete`` says: a word in every sentence need not cost a
        scan of them all. The hits are the best of those found before it stopped.

        Made for typing: the last few answers are kept (a letter erased costs nothing),
        and a query that only narrows the last complete one (a letter added, a word
        added) looks only at the units that one matched.
        """
        if isinstance(query, str):
            query = parse_query(query)
        if query.empty:
            return Results(query, [], 0)
        if cap is None and limit is not None:
            cap = max(limit * 10, 1000)
        key = (query, limit, cap)
        known = self._recent.get(key)
        if known is not None:
            self._recent.move_to_end(key)
            return known
        results = self._search(query, limit, cap)
        self._recent[key] = results
        if len(self._recent) > RECENT_ANSWERS:
            self._recent.popitem(last=False)
        return results

    def forget_answers(self) -> None:
        """Forget the answers kept for typing (benchmarks time a search afresh)."""
        self._recent.clear()
        self._last = None

    def _search(self, query: Query, limit: int | None, cap: int | None) -> Results:
        needles = [term.encode() for term in query.terms]
        filtered = query.kind is not None or query.stance is not None or query.source is not None
        narrowed = self._narrowed(query)
        found: Iterable[tuple[int, int, int, int]]
        if narrowed is None:
            found = self._scan(query, needles, (LABEL, 0))
        else:
            places, resume = narrowed
            found = self._within(places, needles)
            if resume is not None:  # the last scan stopped there: the rest is new ground
                found = chain(found, self._scan(query, needles, resume))
        matched: list[tuple[int, int, int, int]] = []
        complete = True
        for which, position, start, end in found:
            if filtered and not self._passes(self.units[self.parts[which].units[position]], query):
                continue
            matched.append((which, position, start, end))
            if cap is not None and len(matched) >= cap:
                complete = False
                break
        places = [(w, p) for w, p, _, _ in matched]
        self._last = (query, places, None if complete else (matched[-1][0], matched[-1][3]))
        ranked: list[tuple[tuple[int, ...], int]] = []
        labelled: set[str] = set()
        for which, position, start, end in matched:
            part = self.parts[which]
            number = part.units[position]
            if which == LABEL:
                item = self.units[number].item
                if item in labelled:
                    continue
                labelled.add(item)
            ranked.append((self._rank(which, part.blob, start, end, needles, number), number))
        ranked.sort()
        shown = ranked if limit is None else ranked[:limit]
        terms = query.terms
        hits = [Hit(self.units[number], terms, rank) for rank, number in shown]
        return Results(query, hits, len(ranked), complete)

    def _narrowed(
        self, query: Query
    ) -> tuple[list[tuple[int, int]], tuple[int, int] | None] | None:
        """What the last search matched, if ``query`` can only match some of those
        units (each earlier word is inside one of its words; its filters are the
        earlier ones, or more), and where that search stopped (part, byte) if it stopped
        early: beyond that point nothing was looked at yet. None if ``query`` is not
        narrower."""
        if self._last is None:
            return None
        earlier, places, resume = self._last
        for old, new in (
            (earlier.kind, query.kind),
            (earlier.stance, query.stance),
            (earlier.source, query.source),
        ):
            if old is not None and old != new:
                return None
        if not all(any(old in new for new in query.terms) for old in earlier.terms):
            return None
        return places, resume

    def _scan(
        self, query: Query, needles: list[bytes], resume: tuple[int, int]
    ) -> Iterator[tuple[int, int, int, int]]:
        """Matches from byte ``resume[1]`` of part ``resume[0]`` on, then in every later
        part: (part, position, start, end)."""
        first, offset = resume
        for which in range(first, len(self.parts)):
            part = self.parts[which]
            candidates = self._filtered(which, query)
            start = offset if which == first else 0
            for match in self._matching(part, needles, candidates, start):
                yield (which, *match)

    def _within(
        self, places: list[tuple[int, int]], needles: list[bytes]
    ) -> Iterator[tuple[int, int, int, int]]:
        """Those of ``places`` (part, position) whose unit holds every needle."""
        for which, position in places:
            part = self.parts[which]
            start, end = part.span(position)
            blob = part.blob
            if all(blob.find(needle, start, end) >= 0 for needle in needles):
                yield which, position, start, end

    def _filtered(self, which: int, query: Query) -> Sequence[int]:
        """Positions in part ``which`` of the units a filter-only query can match."""
        if query.terms:
            return ()
        key = (which, query.kind, query.stance, query.source)
        found = self._filter_cache.get(key)
        if found is None:
            part = self.parts[which]
            found = array("I", (position for position, number in enumerate(part.units)
                                if self._passes(self.units[number], query)))  # fmt: skip
            if len(self._filter_cache) > 64:
                self._filter_cache.clear()
            self._filter_cache[key] = found
        return found

    @staticmethod
    def _matching(
        part: Part, needles: list[bytes], candidates: Sequence[int], offset: int = 0
    ) -> Iterator[tuple[int, int, int]]:
        """Each unit of ``part`` from byte ``offset`` on holding every needle: its
        position, start and end (with no needles: each of ``candidates``)."""
        if not needles:
            for position in candidates:
                start, end = part.span(position)
                if start >= offset:
                    yield position, start, end
            return
        blob = part.blob
        # The longest first (likely the rarest): fewer units to check the others in.
        first, *others = sorted(needles, key=len, reverse=True)
        offset = blob.find(first, offset)
        while offset >= 0:
            position = part.unit_at(offset)
            start, end = part.span(position)
            if all(blob.find(other, start, end) >= 0 for other in others):
                yield position, start, end
            offset = blob.find(first, end)

    @staticmethod
    def _rank(
        which: int, blob: bytes, start: int, end: int, needles: list[bytes], number: int
    ) -> tuple[int, ...]:
        """Smaller is better: label first; the whole unit is a word of the query; how
        many words start a word of the unit; then file order."""
        exact = any(end - start == len(needle) for needle in needles)
        starting = 0
        for needle in needles:
            offset = blob.find(needle, start, end)
            while offset >= 0:
                if offset == start or blob[offset - 1] not in _WORD_BYTE:
                    starting += 1
                    break
                offset = blob.find(needle, offset + 1, end)
        return (which, 0 if exact else 1, -starting, number)

    @staticmethod
    def _passes(unit: Unit, query: Query) -> bool:
        if query.kind is not None and unit.kind != query.kind:
            return False
        if query.stance is not None and unit.stance != query.stance:
            return False
        return query.source is None or query.source in unit.sources


def match_spans(text: str, terms: Sequence[str]) -> tuple[tuple[tuple[int, int], ...], int, int]:
    """Where each of ``terms`` (folded) occurs in ``text``, as spans of ``text``; how
    many of the terms occur at the start of a word somewhere; and how many matches."""
    folded, origins = fold_with_map(text)
    spans: list[tuple[int, int]] = []
    starting: set[str] = set()
    for term in terms:
        offset = folded.find(term)
        while offset >= 0:
            end = offset + len(term)
            spans.append((origins[offset], origins[end - 1] + 1))
            if offset == 0 or not folded[offset - 1].isalnum():
                starting.add(term)
            offset = folded.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged), len(starting), len(spans)


_BLANK = ("Cc", "Cf")
"""Categories shown as a space in a snippet: control and format characters (bidi
overrides among them)."""


def snippet(
    text: str, spans: Sequence[tuple[int, int]], width: int
) -> tuple[str, list[tuple[int, int]]]:
    """One line of ``text`` about ``width`` characters long, around its first match, with
    the spans that fall in it (shifted); line breaks and control characters become
    spaces, and "…" marks what was cut."""
    if text.isprintable():  # (most are: checked at C speed, not character by character)
        flat = text
    else:
        flat = "".join(" " if c.isspace() or unicodedata.category(c) in _BLANK else c for c in text)
    width = max(width, 8)
    if len(flat) <= width:
        return flat, list(spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(flat) - width))
    end = min(len(flat), start + width)
    shown = flat[start:end]
    shift = start
    if start > 0:
        shown = "…" + shown[1:]
    if end < len(flat):
        shown = shown[:-1] + "…"
    kept = [
        (max(s - shift, 0), min(e - shift, len(shown)))
        for s, e in spans
        if e - shift > 0 and s - shift < len(shown)
    ]
    return shown, kept
