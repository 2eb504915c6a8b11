"""Which items two dossiers from the load cache hold unchanged, without decoding them.

Decoding an item from the store costs about a tenth of a millisecond: comparing two
10,000-actor dossiers item by item would take seconds, when an edit touches a handful of
items. :func:`prove_unchanged` finds the items that need no comparison, two ways:

1. **The same record.** Both stores hold the item's record byte for byte (their
   checksums first, then their bytes): its content is the same.
2. **The same text.** The item's YAML text is byte for byte the same in both versions:
   the lines from the one the item starts on to the one the next item starts on (that
   line too, unless all it holds before the next item is the ``-`` of a list). An edit
   that adds or removes lines moves every item after it, which changes their stored
   locations, so most records differ after any real edit; their text does not.

Only what is certain counts. The text is compared only where it is certain to be what
the stored locations point into: each YAML file read has not changed since the store was
written (its modification time; a warm load has just checked that its bytes are the
ones stored), it has no line break YAML counts that a newline does not (a lone carriage
return, NEL, the Unicode line and paragraph separators) and no ``%`` directive; and an
item whose text holds a ``*`` (an alias, which could bring in text from elsewhere) is
never proved this way. Anything not proved is left to :func:`tui.content.diffing.compare`,
which decodes and compares it.

The store's layout is read here and only here (:func:`_side` and :meth:`Catalog.of`):
the records' offsets and checksums, and the first fields of each record (an entity's
kind, id and location; a relation's ends, kind and location), with a canary test in
``tests/test_diff.py``.
"""

from __future__ import annotations

import os
import re
from array import array
from dataclasses import dataclass, field
from typing import Any

from .lazy import EntityMap
from .model import Dossier
from .store import KINDS, StoreCorruptError

_CODES = {kind: code for code, kind in KINDS.items()}
_ENTITY_HEAD = re.compile(rb'\[\["[a-z]+",\["([^"\\]*)",\[(\d+),(\d+),(\d+)\],')
"""The start of an entity's record: ``[["actor",["putin",[path,line,col],``."""
_STRING = rb'"(?:[^"\\]|\\.)*"'
_RELATION_HEAD = re.compile(rb"\[" + _STRING + rb"," + _STRING + rb"," + _STRING + rb",")
"""The start of a relation's record: its from, to and kind (as JSON writes them)."""
_RELATION_TAIL = re.compile(rb"\[(\d+),(\d+),(\d+)\],\[\]\]")
"""The end of a relation's record without extension fields: its location, then ``[]``."""
_OTHER_BREAKS = ((b"\x85", b"\xc2\x85"), (b"\xa8", b"\xe2\x80\xa8"), (b"\xa9", b"\xe2\x80\xa9"))
"""Line breaks in YAML besides CR and LF (NEL, LINE and PARAGRAPH SEPARATOR), each with
its last byte (found with ``memchr``, far quicker than the whole sequence)."""

Place = tuple[str, int, int]
"""Where an item starts: file (as shown), line, column."""


@dataclass(frozen=True)
class Catalog:
    """Every entity's id, kind and label in the dossier's order, as flat lists: from the
    store's catalog for a stored dossier (nothing decoded, no object per item)."""

    ids: list[str]
    codes: str
    """Each entity's kind as the store's one-letter code (:data:`.store.KINDS`)."""
    labels: list[str]
    number_of: dict[str, int]

    @classmethod
    def of(cls, dossier: Dossier) -> Catalog:
        entities = dossier.entities
        if isinstance(entities, EntityMap):
            stored: Any = entities._stored
            return cls(stored.ids, stored.kinds, stored.labels, stored.number_of)
        items = list(entities.values())
        ids = [e.id for e in items]
        return cls(
            ids,
            "".join(_CODES[e.kind] for e in items),
            [e.label for e in items],
            {entity_id: n for n, entity_id in enumerate(ids)},
        )

    def label(self, entity_id: str) -> str | None:
        """The label of the entity with this id, or None."""
        number = self.number_of.get(entity_id)
        return None if number is None else self.labels[number]


@dataclass(frozen=True)
class Proven:
    """What :func:`prove_unchanged` found unchanged."""

    entities: frozenset[str] = frozenset()
    """Ids of entities that are the same in both (same kind, same content)."""
    old_relations: frozenset[int] = frozenset()
    """Numbers of old relations with an identical new one (paired one to one)."""
    new_relations: frozenset[int] = frozenset()


@dataclass
class _Side:
    """One stored dossier as this module reads it."""

    dossier: Dossier
    blob: bytes
    """Every record, entities then relations, as stored."""
    starts: array[int]
    """Where each record starts in ``blob`` (and where the last ends)."""
    crcs: array[int]
    paths: list[str]
    """The store's table of location paths (a location holds its number)."""
    catalog: Catalog
    entities: int
    store_mtime: int
    places: list[Place | None] = field(default_factory=list)
    """Where each record's item starts (entities, then relations), once needed."""
    texts: dict[str, _Text | None] = field(default_factory=dict)
    """YAML files read so far, by path as shown (None: not to be trusted)."""

    @property
    def relations(self) -> int:
        return len(self.starts) - 1 - self.entities

    def record(self, number: int) -> bytes:
        return self.blob[self.starts[number] : self.starts[number + 1]]

    def relation_key(self, number: int) -> bytes | None:
        """A relation's from, to and kind as stored (what pairs relations)."""
        at = self.entities + number
        match = _RELATION_HEAD.match(self.blob, self.starts[at], self.starts[at + 1])
        return None if match is None else match.group(0)

    def place(self, number: int) -> Place | None:
        """Where record ``number``'s item starts, as the record says."""
        if not self.places:
            self.places = _places(self)
        return self.places[number]


class _Text:
    """A YAML file's lines, and where the text of each item that starts in it ends."""

    def __init__(self, data: bytes, starts: list[tuple[int, int]]) -> None:
        self.lines = data.split(b"\n")
        self.stars = b"*" in data
        self.ends: dict[int, int] = {}
        """Start line -> the line (1-based) after the last of the item's text."""
        count = len(self.lines)
        for number, (line, _) in enumerate(starts):
            following = next((s for s in starts[number + 1 :] if s[0] > line), None)
            if following is None:
                self.ends[line] = count + 1
                continue
            next_line, next_col = following
            lead = self.lines[next_line - 1][: next_col - 1] if next_line <= count else b""
            # The next item's first line belongs to this one too, unless it holds only
            # the dash that starts the next item (block style, by far the usual).
            self.ends[line] = next_line if lead.strip(b" ") == b"-" else next_line + 1

    def span(self, line: int) -> list[bytes] | None:
        """The lines of the item that starts on ``line``; None if they may hold an
        alias (or no item starts there)."""
        end = self.ends.get(line)
        if end is None:
            return None
        lines = self.lines[line - 1 : end - 1]
        if self.stars and any(b"*" in text for text in lines):
            return None
        return lines


def _side(dossier: Dossier) -> _Side | None:
    """The store behind a dossier read from the cache (None for one loaded from its
    files, or one whose store was found damaged: the YAML answers for it then).

    With :meth:`Catalog.of`, every use of the store's and :mod:`.lazy`'s private
    layout is in this function."""
    entities = dossier.entities
    if not isinstance(entities, EntityMap):
        return None
    stored: Any = entities._stored
    if stored._fallback is not None:
        return None
    store: Any = stored._store
    starts: array[int] = store._offsets
    if not starts:
        return None
    try:
        with store._opened() as descriptor:
            blob = store._read(store._data + starts[0], starts[-1] - starts[0], descriptor)
            store_mtime = os.fstat(descriptor).st_mtime_ns
    except (StoreCorruptError, OSError):  # (records are decoded and compared instead)
        return None
    if starts[0]:
        starts = array("Q", (offset - starts[0] for offset in starts))
    return _Side(
        dossier,
        blob,
        starts,
        store._crcs,
        list(store.header["paths"]),
        Catalog.of(dossier),
        store.entities,
        store_mtime,
    )


def prove_unchanged(old: Dossier, new: Dossier) -> Proven:
    """The items of ``old`` and ``new`` certain to be the same (see the module's
    docstring); nothing when either was not read from the load cache."""
    a, b = _side(old), _side(new)
    if a is None or b is None:
        return Proven()
    same: set[str] = set()
    doubtful: list[tuple[str, int, int]] = []
    a_codes, b_codes, b_number = a.catalog.codes, b.catalog.codes, b.catalog.number_of
    a_crcs, b_crcs = a.crcs, b.crcs
    for n, entity_id in enumerate(a.catalog.ids):
        m = b_number.get(entity_id)
        if m is None or b_codes[m] != a_codes[n]:
            continue
        if a_crcs[n] == b_crcs[m] and a.record(n) == b.record(m):
            same.add(entity_id)
        else:
            doubtful.append((entity_id, n, m))
    old_same, new_same, relation_doubts = _same_relations(a, b)
    for entity_id, n, m in doubtful:
        if _same_text(a, n, b, m):
            same.add(entity_id)
    for n, m in relation_doubts:
        if _same_text(a, a.entities + n, b, b.entities + m):
            old_same.add(n)
            new_same.add(m)
    return Proven(frozenset(same), frozenset(old_same), frozenset(new_same))


def _same_relations(a: _Side, b: _Side) -> tuple[set[int], set[int], list[tuple[int, int]]]:
    """Relations paired by (from, to, kind) in order: those with the same record, and the
    pairs whose text is to be compared."""
    waiting: dict[bytes, list[int]] = {}
    for m in range(b.relations):
        key = b.relation_key(m)
        if key is not None:
            waiting.setdefault(key, []).append(m)
    for queue in waiting.values():
        queue.reverse()  # (popped from the end: the first one first)
    old_same: set[int] = set()
    new_same: set[int] = set()
    doubts: list[tuple[int, int]] = []
    for n in range(a.relations):
        key = a.relation_key(n)
        pending = waiting.get(key) if key is not None else None
        if not pending:
            continue
        m = pending.pop()
        na, mb = a.entities + n, b.entities + m
        if a.crcs[na] == b.crcs[mb] and a.record(na) == b.record(mb):
            old_same.add(n)
            new_same.add(m)
        else:
            doubts.append((n, m))
    return old_same, new_same, doubts


def _same_text(a: _Side, n: int, b: _Side, m: int) -> bool:
    """Whether record ``n`` of ``a`` and ``m`` of ``b`` have the same YAML text."""
    a_span = _span(a, n)
    if a_span is None:
        return False
    b_span = _span(b, m)
    return b_span is not None and a_span == b_span


def _span(side: _Side, number: int) -> list[bytes] | None:
    place = side.place(number)
    if place is None:
        return None
    text = _text(side, place[0])
    return None if text is None else text.span(place[1])


def _places(side: _Side) -> list[Place | None]:
    """Where every record's item starts (None where the record does not say plainly)."""
    blob, starts, paths = side.blob, side.starts, side.paths
    ids = side.catalog.ids
    places: list[Place | None] = []
    entity_head, relation_tail = _ENTITY_HEAD.match, _RELATION_TAIL.fullmatch
    for n in range(side.entities):
        match = entity_head(blob, starts[n], starts[n + 1])
        if match is None or match.group(1) != ids[n].encode():
            places.append(None)
            continue
        path, line, col = match.group(2, 3, 4)
        places.append((paths[int(path)], int(line), int(col)) if int(path) < len(paths) else None)
    for n in range(side.entities, len(starts) - 1):
        end = starts[n + 1]
        at = blob.rfind(b"[", starts[n], end - 4)
        match = relation_tail(blob, at, end) if at >= 0 else None
        if match is None or int(match.group(1)) >= len(paths):
            places.append(None)
            continue
        places.append((paths[int(match.group(1))], int(match.group(2)), int(match.group(3))))
    return places


def _text(side: _Side, path: str) -> _Text | None:
    if path not in side.texts:
        data = _read_text(path, side.store_mtime)
        if data is None:
            side.texts[path] = None
        else:
            starts = [(p[1], p[2]) for p in side.places if p is not None and p[0] == path]
            dossier = side.dossier
            for loc in (dossier.info.loc, *(stop.loc for stop in dossier.tour)):
                if loc.path == path:
                    starts.append((loc.line, loc.col))
            starts.sort()
            side.texts[path] = _Text(data, starts)
    return side.texts[path]


def _read_text(path: str, store_mtime: int) -> bytes | None:
    """The file's bytes, if they are certainly what the store was made from and its
    lines are numbered as YAML numbers them."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if info.st_mtime_ns > store_mtime:  # changed since the store was written
            return None
        chunks = []
        while chunk := os.read(descriptor, 1 << 24):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) != info.st_size:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # (a lone CR is a line break to YAML)
    if data.startswith(b"%") or (b"%" in data and b"\n%" in data) or _other_breaks(data):
        return None
    return data


def _other_breaks(data: bytes) -> bool:
    """Whether ``data`` holds a NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR."""
    for last, whole in _OTHER_BREAKS:
        at, seen = data.find(last), 0
        while at >= 0:
            if data.startswith(whole, at - len(whole) + 1):
                return True
            seen += 1
            if seen > 64:  # (a text full of that byte: one search for the sequence)
                return whole in data
            at = data.find(last, at + 1)
    return False


__all__ = ["Catalog", "Place", "Proven", "prove_unchanged"]
