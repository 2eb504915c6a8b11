"""Synthetic dossiers of any size, for the benchmarks.

:func:`write_synthetic` writes a valid dossier with ``n`` actors, ``n`` issues,
``n // 5`` assessments, ``n // 2`` events, ``n`` relations, one source and a short tour,
in one of two profiles (the same entities and counts, different weight):

- **light** (the original generator, byte for byte the same for the same ``n`` and
  seed, so older numbers stay comparable): three positions per issue, three arguments
  per assessment, one- or two-sentence texts, one or two refs without quotes, Latin
  aliases on half the actors; sections split every :data:`ITEMS_PER_FILE` items;
- **heavy** (issue 18): every actor has a role, a three-to-five-sentence summary and
  aliases in three or four other scripts (Cyrillic, Japanese, Korean, Arabic, spelled
  from its own name) besides a short name and acronym; issues have three to five
  positions and longer summaries; assessments three to five arguments; about half of all
  refs carry a quote (some with typographic quote marks); files split at
  :data:`HEAVY_FILE_BYTES`, so no file reaches the loader's 8 MiB default and no
  ``--max-file-size`` is needed anywhere.

Bytes of YAML per entity at ``n = 10,000`` (seed 0), against the dossier issue 18 was
measured on (another generator: 10,000 actors, about 16 MB in four files, a 23 MB
cache pickle; its mix of entities is not known, so per actor is the comparable figure):

=================  =============  =============  =====================
per ...            light          heavy          issue 18's dossier
=================  =============  =============  =====================
actor (all YAML)   1,839 B        4,168 B        about 1,600 B
entity (all 37k)   497 B          1,126 B        -
actor record       300 B          989 B          -
issue record       1,056 B        2,189 B        -
assessment         991 B          2,122 B        -
event              338 B          617 B          -
relation           115 B          256 B          -
total              18.4 MB        41.7 MB        about 16 MB
largest file       2.1 MB         4.2 MB         about 10 MB
cache pickle       25.4 MB        49.8 MB        23 MB
=================  =============  =============  =====================

The light profile already had more bytes per actor than issue 18's dossier (it has as
many issues as actors), yet it opened faster; what the heavy one adds is what the light
one lacked: long texts, many small objects per entity (positions, refs, quotes, aliases)
and text beyond ASCII. Its sentences come from the pools in :mod:`bench.vocabulary`.

Either profile is written the way an author writes (block style, two-space indents, a
mix of flow and block lists, some folded texts), so parsing it costs what real content
costs. Every link resolves to an entity of the kind its field expects, everything passes
``dossier validate`` with no notes, and the output is byte-for-byte the same for the
same ``n``, seed and profile. :func:`check_loaded` tells whether a loaded dossier has
everything that was written.

Command line: ``python -m bench.synth OUT_DIR N [--seed S] [--profile light|heavy]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import textwrap
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench.vocabulary import (
    ASIDES,
    CAPTIONS,
    CLAUSES,
    CLOSERS,
    CONNECTORS,
    EVENT_KINDS,
    HORIZONS,
    OBJECTS,
    QUOTE_TEMPLATES,
    RELATION_KINDS,
    ROLES,
    SCRIPTS,
    SUBJECTS,
    SYLLABLES,
    TOPICS,
    VERBS,
)

if TYPE_CHECKING:
    from tui.content import Dossier

SOURCE_ID = "src"
PARAGRAPHS = 50
AS_OF = date(2025, 6, 30)
ITEMS_PER_FILE = 2_000
"""Longer sections are split over several files, as an author would (and so that no
file comes near the loader's default 8 MiB size limit): the light profile's split."""
HEAVY_FILE_BYTES = 4 * 1024 * 1024
"""The heavy profile's split: a file is closed before it would pass this size, so every
file stays well under the loader's default 8 MiB limit (no ``--max-file-size``)."""
PROFILES = ("light", "heavy")

ACTOR_KINDS = ("state", "person", "organization", "group", "media", "other")
STANCES = ("for", "against", "mixed", "neutral", "unclear")
ISSUE_STATUSES = ("open", "stalled", "progressing", "resolved")
CONFIDENCES = ("low", "moderate", "high")

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()?-]*")
_FLOW_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .'-]*")
_YAML11_WORDS = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))


def _scalar(text: str, *, flow: bool = False) -> str:
    """``text`` as a plain scalar when that is unambiguous, else double-quoted."""
    pattern = _FLOW_PLAIN if flow else _PLAIN
    if pattern.fullmatch(text) and text.lower() not in _YAML11_WORDS and text == text.strip():
        return text
    return json.dumps(text)


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(item, flow=True) for item in items) + "]"


_PLAIN_ANY = re.compile(r"[^\W\d_][\w ,.'()?-]*")
_FLOW_PLAIN_ANY = re.compile(r"[^\W\d_][\w .'-]*")


def _scalar_any(text: str, *, flow: bool = False) -> str:
    """As :func:`_scalar`, but letters of any script may be plain and a quoted scalar
    keeps its characters (``"Совет"``, not ``"\\u0421..."``), as an author types them."""
    pattern = _FLOW_PLAIN_ANY if flow else _PLAIN_ANY
    if pattern.fullmatch(text) and text.lower() not in _YAML11_WORDS and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow_any(items: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar_any(item, flow=True) for item in items) + "]"


class _Writer:
    """Builds the text of one dossier from one seeded random generator."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(f"{seed}:{n}")
        self.actors = [f"actor-{i}" for i in range(1, n + 1)]
        self.issues = [f"issue-{i}" for i in range(1, n + 1)]
        self.assessments = [f"assessment-{i}" for i in range(1, max(1, n // 5) + 1)]
        self.events = [f"event-{i}" for i in range(1, max(1, n // 2) + 1)]
        self.everything = [*self.actors, *self.issues, *self.assessments, *self.events]
        """Every entity but the source: what about, see_also and relations point at."""

    # -- text ---------------------------------------------------------------

    def name(self, syllables: int = 2) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()

    def sentence(self) -> str:
        r = self.rng
        topic = r.choice(TOPICS)
        return (
            f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)} "
            f"on {topic} {r.choice(CLAUSES)}."
        )

    def summary(self) -> str:
        if self.rng.random() < 0.5:
            return self.sentence()
        return f"{self.sentence()} {self.rng.choice(CLOSERS)}"

    def date(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days))

    # -- fields -------------------------------------------------------------

    def text_field(
        self, out: list[str], indent: str, key: str, text: str, *, item: bool = False
    ) -> None:
        """``key: text`` (as the first key of a list item if ``item``).

        Long texts are sometimes folded over several lines, as authors do.
        """
        lead = f"{indent[:-2]}- " if item else indent
        if len(text) > 70 and self.rng.random() < 0.35:
            out.append(f"{lead}{key}: >-")
            out.extend(f"{indent}  {line}" for line in textwrap.wrap(text, 68))
        else:
            out.append(f"{lead}{key}: {_scalar(text)}")

    def refs_field(self, out: list[str], indent: str, key: str = "refs") -> None:
        r = self.rng
        count = r.choice((1, 1, 1, 2))
        refs: list[list[int]] = []
        for _ in range(count):
            first = r.randint(1, PARAGRAPHS)
            if r.random() < 0.2 and first < PARAGRAPHS:
                refs.append([first, first + 1])
            else:
                refs.append([first])
        if r.random() < 0.6:
            items = ", ".join(f"{{source: {SOURCE_ID}, para: {_para_text(para)}}}" for para in refs)
            out.append(f"{indent}{key}: [{items}]")
            return
        out.append(f"{indent}{key}:")
        for para in refs:
            out.append(f"{indent}  - source: {SOURCE_ID}")
            out.append(f"{indent}    para: {_para_text(para)}")

    def id_list(self, out: list[str], indent: str, key: str, ids: Sequence[str]) -> None:
        if len(ids) > 2 and self.rng.random() < 0.4:
            out.append(f"{indent}{key}:")
            out.extend(f"{indent}  - {item}" for item in ids)
        else:
            out.append(f"{indent}{key}: {_flow(ids)}")

    def pick(self, pool: Sequence[str], count: int, *, not_id: str = "") -> list[str]:
        """``count`` distinct items of ``pool`` other than ``not_id`` (fewer if too few)."""
        count = min(count, len(pool) - (1 if not_id else 0))  # not_id is always in pool
        chosen: list[str] = []
        while len(chosen) < count:
            item = self.rng.choice(pool)
            if item != not_id and item not in chosen:
                chosen.append(item)
        return chosen

    # -- sections -----------------------------------------------------------

    def dossier_file(self, seed: int) -> str:
        out = [
            f"# Synthetic dossier for benchmarks (bench/synth.py, n = {self.n}, seed = {seed}).",
            "dossier:",
            f"  id: synthetic-n{self.n}",
            f"  title: Synthetic dossier with {self.n} actors",
            "  subtitle: Generated content for load benchmarks",
        ]
        self.text_field(out, "  ", "summary", f"{self.sentence()} {self.sentence()}")
        out.append(f"  as_of: {AS_OF.isoformat()}")
        return _join(out)

    def sources_items(self) -> list[list[str]]:
        out = [f"  - id: {SOURCE_ID}", "    title: Synthetic briefing record"]
        out.append(f"    author: {self.name()} {self.name(3)}")
        out.append(f"    publisher: {self.name()} Policy Institute")
        out.append(f"    date: {self.date(date(2024, 1, 1), AS_OF).isoformat()}")
        out.append(f"    paragraphs: {PARAGRAPHS}")
        return [out]

    def actors_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for number, actor_id in enumerate(self.actors, start=1):
            out: list[str] = []
            items.append(out)
            kind = r.choice(ACTOR_KINDS)
            name = self.actor_name(kind)
            out.append(f"  - id: {actor_id}")
            out.append(f"    name: {_scalar(name)}")
            out.append(f"    kind: {kind}")
            if r.random() < 0.7:
                out.append(f"    role: {_scalar(r.choice(ROLES[kind]))}")
            if r.random() < 0.5:
                aliases = [self.short_name(kind, name), "".join(w[0] for w in name.split()).upper()]
                out.append(f"    aliases: {_flow(aliases)}")
            self.text_field(out, "    ", "summary", self.summary())
            if number > 1 and r.random() < 0.3:
                # Only earlier actors, so part_of never forms a cycle.
                out.append(f"    part_of: {self.actors[r.randrange(number - 1)]}")
            out.append(f"    tags: {_flow(self.pick(TOPICS, r.randint(1, 3)))}")
            if r.random() < 0.6:
                self.refs_field(out, "    ")
            if r.random() < 0.3:
                self.id_list(
                    out, "    ", "see_also", self.pick(self.everything, 1, not_id=actor_id)
                )
        return items

    def actor_name(self, kind: str) -> str:
        r = self.rng
        if kind == "state":
            return f"Republic of {self.name(3)}"
        if kind == "person":
            return f"{self.name()} {self.name(3)}"
        if kind == "media":
            return f"The {self.name()} {r.choice(('Herald', 'Courier', 'Observer', 'Daily'))}"
        if kind == "group":
            return f"{self.name()} {r.choice(('Alliance', 'Movement', 'Front', 'Caucus'))}"
        if kind == "organization":
            return f"{self.name()} {r.choice(TOPICS).capitalize()} Council"
        return f"{self.name()} Foundation"

    @staticmethod
    def short_name(kind: str, name: str) -> str:
        """What the press would call the actor: a surname, a country, a first word."""
        words = name.split()
        return words[-1] if kind in ("person", "state") else words[1 if kind == "media" else 0]

    def issues_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for issue_id in self.issues:
            out: list[str] = []
            items.append(out)
            topic = r.choice(TOPICS)
            out.append(f"  - id: {issue_id}")
            out.append(f"    title: {_scalar(f'{topic.capitalize()}: {r.choice(OBJECTS)}')}")
            self.text_field(out, "    ", "summary", self.summary())
            question = f"Should {r.choice(SUBJECTS).lower()} back {r.choice(OBJECTS)}?"
            out.append(f"    question: {_scalar(question)}")
            out.append(f"    status: {r.choice(ISSUE_STATUSES)}")
            out.append("    positions:")
            for actor_id in self.pick(self.actors, 3):
                out.append(f"      - actor: {actor_id}")
                out.append(f"        stance: {r.choice(STANCES)}")
                self.text_field(out, "        ", "position", self.sentence())
                self.refs_field(out, "        ")
            if r.random() < 0.5:
                self.id_list(
                    out, "    ", "related", self.pick(self.issues, r.randint(1, 3), not_id=issue_id)
                )
            out.append(f"    tags: {_flow([topic])}")
            self.refs_field(out, "    ")
        return items

    def assessments_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for assessment_id in self.assessments:
            out: list[str] = []
            items.append(out)
            out.append(f"  - id: {assessment_id}")
            out.append(f"    title: {_scalar(f'Outlook for {r.choice(OBJECTS)}')}")
            out.append(f"    by: {r.choice(self.actors)}")
            self.text_field(out, "    ", "verdict", self.sentence())
            out.append(f"    confidence: {r.choice(CONFIDENCES)}")
            if r.random() < 0.7:
                out.append(f"    horizon: {_scalar(r.choice(HORIZONS))}")
            about = [r.choice(self.issues), *self.pick(self.everything, r.randint(0, 2))]
            self.id_list(out, "    ", "about", list(dict.fromkeys(about)))
            self.text_field(out, "    ", "summary", self.summary())
            out.append("    arguments:")
            for _ in range(3):
                self.text_field(out, "        ", "claim", self.sentence(), item=True)
                self.refs_field(out, "        ")
            self.refs_field(out, "    ")
        return items

    def events_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for event_id in self.events:
            out: list[str] = []
            items.append(out)
            when = self.date(date(2015, 1, 1), date(2026, 12, 28))
            cancelled = r.random() < 0.05
            status = "scheduled" if when > AS_OF else ("cancelled" if cancelled else "held")
            place = self.name()
            out.append(f"  - id: {event_id}")
            out.append(
                f"    title: {_scalar(f'{place} {r.choice(EVENT_KINDS)} on {r.choice(TOPICS)}')}"
            )
            out.append(f"    date: {when.isoformat()}")
            out.append(f"    status: {status}")
            self.text_field(out, "    ", "summary", self.summary())
            self.id_list(out, "    ", "actors", self.pick(self.actors, r.randint(1, 4)))
            self.id_list(out, "    ", "issues", self.pick(self.issues, r.randint(1, 2)))
            if r.random() < 0.7:
                self.refs_field(out, "    ")
        return items

    def relations_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        seen: set[tuple[str, str, str]] = set()
        while len(seen) < self.n:
            source = r.choice(self.actors) if r.random() < 0.7 else r.choice(self.everything)
            target = r.choice(self.everything)
            kind = r.choice(RELATION_KINDS)
            if source == target or (source, target, kind) in seen:
                continue
            seen.add((source, target, kind))
            out: list[str] = []
            items.append(out)
            out.append(f"  - from: {source}")
            out.append(f"    to: {target}")
            out.append(f"    kind: {kind}")
            self.relation_details(out)
        return items

    def relation_details(self, out: list[str]) -> None:
        """What a relation says besides its ends: a summary, half the time."""
        if self.rng.random() < 0.5:
            self.text_field(out, "    ", "summary", self.sentence())

    def tour_items(self) -> list[list[str]]:
        targets = [
            self.issues[0],
            self.actors[0],
            self.assessments[0],
            self.events[0],
            self.issues[-1],
            self.actors[-1],
        ]
        return [
            [f"  - target: {target}", f"    caption: {_scalar(caption)}"]
            for target, caption in zip(targets, CAPTIONS, strict=True)
        ]


class _HeavyWriter(_Writer):
    """The heavy profile: the same entities and links as :class:`_Writer`, each carrying
    what a well-kept real dossier carries (see the module's docstring for the sizes)."""

    def dossier_file(self, seed: int) -> str:
        out = [
            f"# Synthetic dossier for benchmarks (bench/synth.py, heavy profile, n = {self.n}, "
            f"seed = {seed}).",
            "dossier:",
            f"  id: synthetic-heavy-n{self.n}",
            f"  title: {heavy_title(self.n)}",
            "  subtitle: Generated content for load benchmarks, heavy profile",
        ]
        self.text_field(out, "  ", "summary", self.long_text(2, 3))
        out.append(f"  as_of: {AS_OF.isoformat()}")
        return _join(out)

    # -- text ---------------------------------------------------------------

    def syllables(self, count: int) -> list[str]:
        return [self.rng.choice(SYLLABLES) for _ in range(count)]

    def clause(self) -> str:
        """A sentence without its full stop, sometimes with an aside."""
        r = self.rng
        text = (
            f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)} "
            f"on {r.choice(TOPICS)} {r.choice(CLAUSES)}"
        )
        return f"{text}, {r.choice(ASIDES)}" if r.random() < 0.3 else text

    def long_sentence(self) -> str:
        """One clause, or two joined by a connector (about 90-200 characters)."""
        r = self.rng
        if r.random() < 0.7:
            return f"{self.clause()}."
        second = self.clause()
        return f"{self.clause()}, {r.choice(CONNECTORS)} {second[0].lower()}{second[1:]}."

    def long_text(self, low: int, high: int) -> str:
        """``low`` to ``high`` long sentences, sometimes closed by a remark."""
        sentences = [self.long_sentence() for _ in range(self.rng.randint(low, high))]
        if self.rng.random() < 0.5:
            sentences.append(self.rng.choice(CLOSERS))
        return " ".join(sentences)

    def quote(self) -> str:
        r = self.rng
        return r.choice(QUOTE_TEMPLATES).format(
            object=r.choice(OBJECTS), topic=r.choice(TOPICS), horizon=r.choice(HORIZONS)
        )

    # -- fields -------------------------------------------------------------

    def text_field(
        self, out: list[str], indent: str, key: str, text: str, *, item: bool = False
    ) -> None:
        """``key: text``; long texts are folded more often than in the light profile."""
        lead = f"{indent[:-2]}- " if item else indent
        if len(text) > 70 and self.rng.random() < 0.6:
            out.append(f"{lead}{key}: >-")
            out.extend(f"{indent}  {line}" for line in textwrap.wrap(text, 84))
        else:
            out.append(f"{lead}{key}: {_scalar_any(text)}")

    def quoted_refs(self, out: list[str], indent: str, low: int, high: int) -> None:
        """``refs:`` with ``low`` to ``high`` citations, about half with a quote."""
        r = self.rng
        refs: list[tuple[str, str | None]] = []
        for _ in range(r.randint(low, high)):
            first = r.randint(1, PARAGRAPHS)
            two = r.random() < 0.2 and first < PARAGRAPHS
            para = f"[{first}, {first + 1}]" if two else str(first)
            refs.append((para, self.quote() if r.random() < 0.5 else None))
        if all(quote is None for _, quote in refs) and r.random() < 0.5:
            items = ", ".join(f"{{source: {SOURCE_ID}, para: {para}}}" for para, _ in refs)
            out.append(f"{indent}refs: [{items}]")
            return
        out.append(f"{indent}refs:")
        for para, quote in refs:
            out.append(f"{indent}  - source: {SOURCE_ID}")
            out.append(f"{indent}    para: {para}")
            if quote is not None:
                out.append(f"{indent}    quote: {json.dumps(quote, ensure_ascii=False)}")

    def id_list(self, out: list[str], indent: str, key: str, ids: Sequence[str]) -> None:
        if len(ids) > 2 and self.rng.random() < 0.4:
            out.append(f"{indent}{key}:")
            out.extend(f"{indent}  - {item}" for item in ids)
        else:
            out.append(f"{indent}{key}: {_flow_any(ids)}")

    # -- sections -----------------------------------------------------------

    def named(self, kind: str) -> tuple[str, list[list[str]]]:
        """An actor's name and its words' syllables (what the aliases are spelled from)."""
        r = self.rng
        if kind == "person":
            parts = [self.syllables(2), self.syllables(3)]
            return " ".join("".join(part).capitalize() for part in parts), parts
        core = self.syllables(3 if kind == "state" else 2)
        word = "".join(core).capitalize()
        if kind == "state":
            return f"Republic of {word}", [core]
        if kind == "media":
            return f"The {word} {r.choice(('Herald', 'Courier', 'Observer', 'Daily'))}", [core]
        if kind == "group":
            return f"{word} {r.choice(('Alliance', 'Movement', 'Front', 'Caucus'))}", [core]
        if kind == "organization":
            return f"{word} {r.choice(TOPICS).capitalize()} Council", [core]
        return f"{word} Foundation", [core]

    def aliases(self, kind: str, name: str, parts: list[list[str]]) -> list[str]:
        """The press's short name, an acronym, and the name in three or four other
        scripts (Cyrillic, Japanese, Korean, Arabic)."""
        r = self.rng
        aliases = [self.short_name(kind, name)]
        if kind != "person":
            aliases.append("".join(word[0] for word in name.split()).upper())
        for script in r.sample(sorted(SCRIPTS), r.randint(3, 4)):
            table, separator, frames = SCRIPTS[script]
            core = separator.join("".join(table[s] for s in part).capitalize() for part in parts)
            aliases.append(frames[kind].format(core))
            if kind == "person" and r.random() < 0.5:  # the surname alone
                aliases.append("".join(table[s] for s in parts[-1]).capitalize())
        return list(dict.fromkeys(aliases))

    def actors_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for number, actor_id in enumerate(self.actors, start=1):
            out: list[str] = []
            items.append(out)
            kind = r.choice(ACTOR_KINDS)
            name, parts = self.named(kind)
            out.append(f"  - id: {actor_id}")
            out.append(f"    name: {_scalar_any(name)}")
            out.append(f"    kind: {kind}")
            out.append(f"    role: {_scalar_any(r.choice(ROLES[kind]))}")
            out.append(f"    aliases: {_flow_any(self.aliases(kind, name, parts))}")
            self.text_field(out, "    ", "summary", self.long_text(3, 5))
            if number > 1 and r.random() < 0.3:
                # Only earlier actors, so part_of never forms a cycle.
                out.append(f"    part_of: {self.actors[r.randrange(number - 1)]}")
            out.append(f"    tags: {_flow_any(self.pick(TOPICS, r.randint(1, 4)))}")
            self.quoted_refs(out, "    ", 1, 2)
            if r.random() < 0.6:
                see_also = self.pick(self.everything, r.randint(1, 3), not_id=actor_id)
                self.id_list(out, "    ", "see_also", see_also)
        return items

    def issues_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for issue_id in self.issues:
            out: list[str] = []
            items.append(out)
            topic = r.choice(TOPICS)
            out.append(f"  - id: {issue_id}")
            out.append(f"    title: {_scalar_any(f'{topic.capitalize()}: {r.choice(OBJECTS)}')}")
            self.text_field(out, "    ", "summary", self.long_text(2, 3))
            question = f"Should {r.choice(SUBJECTS).lower()} back {r.choice(OBJECTS)}?"
            out.append(f"    question: {_scalar_any(question)}")
            out.append(f"    status: {r.choice(ISSUE_STATUSES)}")
            out.append("    positions:")
            for actor_id in self.pick(self.actors, r.randint(3, 5)):
                out.append(f"      - actor: {actor_id}")
                out.append(f"        stance: {r.choice(STANCES)}")
                self.text_field(out, "        ", "position", self.long_sentence())
                self.quoted_refs(out, "        ", 1, 2)
            if r.random() < 0.7:
                self.id_list(
                    out, "    ", "related", self.pick(self.issues, r.randint(1, 4), not_id=issue_id)
                )
            out.append(f"    tags: {_flow_any([topic, *self.pick(TOPICS, r.randint(0, 2))])}")
            self.quoted_refs(out, "    ", 1, 3)
        return items

    def assessments_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for assessment_id in self.assessments:
            out: list[str] = []
            items.append(out)
            out.append(f"  - id: {assessment_id}")
            out.append(f"    title: {_scalar_any(f'Outlook for {r.choice(OBJECTS)}')}")
            out.append(f"    by: {r.choice(self.actors)}")
            self.text_field(out, "    ", "verdict", self.long_sentence())
            out.append(f"    confidence: {r.choice(CONFIDENCES)}")
            out.append(f"    horizon: {_scalar_any(r.choice(HORIZONS))}")
            about = [r.choice(self.issues), *self.pick(self.everything, r.randint(1, 4))]
            self.id_list(out, "    ", "about", list(dict.fromkeys(about)))
            self.text_field(out, "    ", "summary", self.long_text(2, 3))
            out.append("    arguments:")
            for _ in range(r.randint(3, 5)):
                self.text_field(out, "        ", "claim", self.long_sentence(), item=True)
                self.quoted_refs(out, "        ", 1, 2)
            self.quoted_refs(out, "    ", 1, 3)
        return items

    def events_items(self) -> list[list[str]]:
        r = self.rng
        items: list[list[str]] = []
        for event_id in self.events:
            out: list[str] = []
            items.append(out)
            when = self.date(date(2015, 1, 1), date(2026, 12, 28))
            cancelled = r.random() < 0.05
            status = "scheduled" if when > AS_OF else ("cancelled" if cancelled else "held")
            title = f"{self.name()} {r.choice(EVENT_KINDS)} on {r.choice(TOPICS)}"
            out.append(f"  - id: {event_id}")
            out.append(f"    title: {_scalar_any(title)}")
            out.append(f"    date: {when.isoformat()}")
            out.append(f"    status: {status}")
            self.text_field(out, "    ", "summary", self.long_text(1, 3))
            self.id_list(out, "    ", "actors", self.pick(self.actors, r.randint(2, 6)))
            self.id_list(out, "    ", "issues", self.pick(self.issues, r.randint(1, 3)))
            if r.random() < 0.8:
                self.quoted_refs(out, "    ", 1, 2)
        return items

    def relation_details(self, out: list[str]) -> None:
        self.text_field(out, "    ", "summary", self.long_sentence())
        if self.rng.random() < 0.5:
            self.quoted_refs(out, "    ", 1, 1)


def light_title(n: int) -> str:
    """The title of the light profile's dossier of ``n`` actors (shown on its first screen)."""
    return f"Synthetic dossier with {n} actors"


def heavy_title(n: int) -> str:
    """The title of the heavy profile's dossier of ``n`` actors."""
    return f"Synthetic dossier with {n} actors, heavy profile"


def title_of(profile: str, n: int) -> str:
    """The dossier title ``write_synthetic(..., n, profile=profile)`` writes."""
    return heavy_title(n) if profile == "heavy" else light_title(n)


def expected_counts(n: int) -> dict[str, int]:
    """How many of each kind :func:`write_synthetic` writes for ``n`` (either profile)."""
    return {
        "actors": n,
        "issues": n,
        "assessments": max(1, n // 5),
        "events": max(1, n // 2),
        "relations": n,
    }


def check_loaded(dossier: Dossier, n: int) -> str | None:
    """None if ``dossier`` holds everything written for ``n``, else what differs."""
    counts = {
        "actors": len(dossier.actors),
        "issues": len(dossier.issues),
        "assessments": len(dossier.assessments),
        "events": len(dossier.events),
        "relations": len(dossier.relations),
    }
    expected = expected_counts(n)
    return None if counts == expected else f"loaded {counts}, expected {expected}"


def _para_text(paras: list[int]) -> str:
    """One paragraph as a number, several as a flow list."""
    if len(paras) == 1:
        return str(paras[0])
    return "[" + ", ".join(str(number) for number in paras) + "]"


def _join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _section_files(
    section: str, items: list[list[str]], max_bytes: int | None = None
) -> dict[str, str]:
    """One file per section, split when it is long: in parts of ITEMS_PER_FILE items, or
    (with ``max_bytes``) in parts of at most that many bytes of UTF-8.

    Parts are numbered so that file-name order (the order sections are concatenated
    in) is item order: ``issues-1.yaml``, ``issues-2.yaml``, ...
    """
    if max_bytes is None:
        parts = [
            items[start : start + ITEMS_PER_FILE] for start in range(0, len(items), ITEMS_PER_FILE)
        ]
    else:
        parts = _parts_by_size(section, items, max_bytes)
    width = len(str(len(parts)))
    files: dict[str, str] = {}
    for number, part in enumerate(parts, start=1):
        name = f"{section}.yaml" if len(parts) == 1 else f"{section}-{number:0{width}}.yaml"
        files[name] = f"{section}:\n" + "".join(_join(item) for item in part)
    return files


def _parts_by_size(section: str, items: list[list[str]], max_bytes: int) -> list[list[list[str]]]:
    """``items`` in consecutive parts whose files (header included) fit ``max_bytes``."""
    parts: list[list[list[str]]] = [[]]
    size = len(f"{section}:\n")
    for item in items:
        item_size = len(_join(item).encode("utf-8"))
        if parts[-1] and size + item_size > max_bytes:
            parts.append([])
            size = len(f"{section}:\n")
        parts[-1].append(item)
        size += item_size
    return parts


def write_synthetic(folder: Path, n: int, *, seed: int = 0, profile: str = "light") -> Path:
    """Write a synthetic dossier of size ``n`` into ``folder``; returns the folder.

    ``profile`` is "light" (the original generator, byte for byte) or "heavy" (see the
    module's docstring). ``folder`` is created if needed and must not already hold YAML
    files (they would become part of the dossier).
    """
    if n < 3:
        raise ValueError("n must be at least 3 (each issue has three distinct positions)")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    if folder.is_dir() and any(path.suffix in (".yaml", ".yml") for path in folder.iterdir()):
        raise FileExistsError(f"{folder} already holds YAML files")
    heavy = profile == "heavy"
    writer = _HeavyWriter(n, seed) if heavy else _Writer(n, seed)
    files = {"dossier.yaml": writer.dossier_file(seed)}
    sections: dict[str, Callable[[], list[list[str]]]] = {
        "sources": writer.sources_items,
        "actors": writer.actors_items,
        "issues": writer.issues_items,
        "assessments": writer.assessments_items,
        "events": writer.events_items,
        "relations": writer.relations_items,
        "tour": writer.tour_items,
    }
    for section, items in sections.items():
        files.update(_section_files(section, items(), HEAVY_FILE_BYTES if heavy else None))
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.synth OUT_DIR N [--seed S] [--profile light|heavy]``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.synth", description="Write a synthetic dossier for benchmarks."
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the dossier into")
    parser.add_argument("n", type=int, help="number of actors (and issues, relations)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="light",
        help="light (the original, lean entities; default) or heavy (long texts, many "
        "positions, refs with quotes, aliases in four scripts)",
    )
    args = parser.parse_args(argv)
    if args.n < 3:
        parser.error("N must be at least 3")
    try:
        folder = write_synthetic(args.out_dir, args.n, seed=args.seed, profile=args.profile)
    except FileExistsError as error:
        parser.error(str(error))
    size = sum(path.stat().st_size for path in folder.glob("*.yaml"))
    print(f"wrote {folder} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
