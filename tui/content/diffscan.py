"""The store side of :mod:`.diffing`: two dossiers from the load cache compared without
decoding the items they hold the same.

Decoding an item costs a tenth of a millisecond or more, and so does reading it: two
10,000-actor dossiers hold 74,000 items and 80 MB of text, when an edit touches a few
hundred items. Two things make the comparison cost what the edit touches instead:

1. **Fingerprints** (:mod:`.diffprints`): a digest of every item's YAML text, made once
   per stored dossier and kept beside its store. Items whose digests are the same in
   both dossiers are the same; :func:`prove` finds the others with a few set operations.
2. **Records as keys** (:class:`StoredItems`). An item whose digest differs is read from
   its record (JSON) and reduced to a key: every value but its locations, the ids it
   links to read through the renames. Equal keys are the same content (an item that
   only links to a renamed item, say, or whose text was only reformatted); only items
   whose keys differ are decoded into the model, to say what changed.

The store's layout is read here and in :mod:`.diffprints` only: record offsets and
checksums, the head of each record, the codec's field order; with a canary test in
``tests/test_diff.py``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from .codec import ENTITY_CLASSES
from .diffprints import UNKNOWN, Prints, prints_of
from .lazy import EntityMap
from .model import Argument, Dossier, Entity, Position, Ref, Relation
from .store import KINDS, StoreCorruptError

Rename = Callable[[str], "str | None"] | None
"""Old id -> new id for renamed items (None: no renames to apply)."""
ID_FIELDS = frozenset(
    {
        "see_also",
        "part_of",
        "related",
        "about",
        "actors",
        "issues",
        "by",
        "actor",
        "source",
        "from_id",
        "to_id",
        "target",
    }
)
"""Fields of the model whose values are ids (or tuples of ids)."""

_CODES = {kind: code for code, kind in KINDS.items()}
_DAMAGED = (StoreCorruptError, ValueError, TypeError, KeyError, IndexError, OSError)
"""What reading a record that is not sound raises (the model answers for it then)."""


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
    """What :func:`prove` left to compare: everything else is the same in both."""

    old_entities: tuple[str, ...] | None = None
    """Ids of the old dossier's entities not proved the same, in its order (None: none
    was proved, every entity is to be compared)."""
    new_entities: tuple[str, ...] | None = None
    old_relations: tuple[int, ...] | None = None
    """Numbers of the old dossier's relations not proved to have an identical new one."""
    new_relations: tuple[int, ...] | None = None


# -- keys: records without their locations --------------------------------------------------
_SKIP, _ID, _IDS, _NESTED, _VALUE = range(5)
_NESTED_CLASSES: dict[str, type] = {"refs": Ref, "positions": Position, "arguments": Argument}


def _layout(cls: type) -> tuple[tuple[int, type | None], ...]:
    """How each field of ``cls``, in the order the codec writes them, goes into a key."""
    rules: list[tuple[int, type | None]] = []
    for f in fields(cls):
        if f.name == "loc":
            rules.append((_SKIP, None))
        elif f.name == "id":
            rules.append((_ID, None))
        elif f.name in ID_FIELDS:
            rules.append((_IDS, None))
        elif f.name in _NESTED_CLASSES:
            rules.append((_NESTED, _NESTED_CLASSES[f.name]))
        else:
            rules.append((_VALUE, None))
    return tuple(rules)


def _frozen(value: Any) -> Any:
    if type(value) is list:
        return tuple([_frozen(item) for item in value])
    return value


def _renamed(value: Any, rename: Callable[[str], str | None]) -> Any:
    if type(value) is str:
        return rename(value) or value
    if type(value) is list:
        return tuple([(rename(v) or v) if type(v) is str else v for v in value])
    return value


Keyer = Callable[[list[Any], Rename, bool], tuple[Any, ...]]


def _keyer(cls: type) -> Keyer:
    """The function that makes keys of ``cls``'s records (see :func:`record_key`): the
    plain values, then the ids, the item's own id, and the nested items' keys."""
    layout = _layout(cls)
    size = len(layout)
    values_at = [n for n, (rule, _) in enumerate(layout) if rule == _VALUE]
    ids_at = [n for n, (rule, _) in enumerate(layout) if rule == _IDS]
    own_at = [n for n, (rule, _) in enumerate(layout) if rule == _ID]
    nested_at = [(n, nested) for n, (rule, nested) in enumerate(layout) if nested is not None]
    nested_keyers = [(n, _keyer(nested)) for n, nested in nested_at]

    def key(values: list[Any], rename: Rename, drop_id: bool = False) -> tuple[Any, ...]:
        if len(values) != size:
            raise ValueError(f"{cls.__name__}: {len(values)} values for {size} fields")
        parts = [
            values[n] if type(values[n]) is not list else _frozen(values[n]) for n in values_at
        ]
        if rename is None:
            parts += [_frozen(values[n]) for n in ids_at]
        else:
            parts += [_renamed(values[n], rename) for n in ids_at]
        if not drop_id:
            parts += [values[n] for n in own_at]
        for n, keyer in nested_keyers:
            parts.append(tuple([keyer(item, rename, False) for item in values[n]]))
        return tuple(parts)

    return key


_KEYERS = {cls: _keyer(cls) for cls in (*ENTITY_CLASSES.values(), Relation)}


def record_key(cls: type, values: list[Any], rename: Rename, drop_id: bool = False) -> Any:
    """A record's values as a hashable key: locations left out, ids read through
    ``rename``; with ``drop_id``, without the item's own id. Two keys are equal exactly
    when :func:`tui.content.fieldchanges.plain` of the two decoded items is."""
    return _KEYERS[cls](values, rename, drop_id)


class StoredItems:
    """The items of one dossier read from the load cache, straight from their records:
    each record read and parsed once, decoded into the model only when asked."""

    def __init__(self, dossier: Dossier, stored: Any) -> None:
        self.dossier = dossier
        self._stored = stored
        self._store: Any = stored._store
        self.catalog = Catalog.of(dossier)
        self.relation_count: int = self._store.relations
        self._data: dict[int, Any] = {}
        self._decoder = json.JSONDecoder()

    @classmethod
    def of(cls, dossier: Dossier) -> StoredItems | None:
        """None for a dossier loaded from its files, or one whose store was found damaged
        (the model answers for it then)."""
        entities = dossier.entities
        if not isinstance(entities, EntityMap):
            return None
        stored: Any = entities._stored
        if stored._fallback is not None or not stored._store._offsets:
            return None
        return cls(dossier, stored)

    def prefetch(self, numbers: Iterable[int]) -> None:
        """Read these records (entities first, then relations) through one descriptor."""
        wanted = sorted(n for n in set(numbers) if n not in self._data)
        if not wanted:
            return
        store = self._store
        offsets, crcs, decode = store._offsets, store._crcs, self._decoder.raw_decode
        try:
            with store._opened() as descriptor:
                for n in wanted:
                    start, end = offsets[n], offsets[n + 1]
                    raw = store._read(store._data + start, end - start, descriptor)
                    if zlib.crc32(raw) != crcs[n]:
                        raise StoreCorruptError(f"record {n} is damaged")
                    # An entity's record is [entity, backlinks, ...]: only the entity is read.
                    text = raw.decode()
                    self._data[n] = decode(text, 1)[0] if n < store.entities else json.loads(text)
        except _DAMAGED:
            return  # (what was not read is read one by one, or answered by the model)

    def _record(self, number: int) -> Any:
        data = self._data.get(number)
        if data is None:
            self.prefetch((number,))
            data = self._data.get(number)
            if data is None:
                raise StoreCorruptError(f"record {number} cannot be read")
        return data

    def entity_key(self, entity_id: str, rename: Rename, drop_id: bool = False) -> Any:
        """The entity's key (kind and :func:`record_key`); a key equal to nothing when
        its record cannot be read."""
        try:
            kind, values = self._record(self.catalog.number_of[entity_id])
            return (kind, record_key(ENTITY_CLASSES[kind], values, rename, drop_id))
        except _DAMAGED:
            return object()

    def entity(self, entity_id: str) -> Entity:
        try:
            entity: Entity = self._store.codec.read_entity(
                self._record(self.catalog.number_of[entity_id])
            )
        except _DAMAGED:
            return self.dossier.entities[entity_id]
        return entity

    def relation_key(self, number: int, rename: Rename) -> Any:
        try:
            return record_key(Relation, self._record(self._store.entities + number), rename)
        except _DAMAGED:
            return object()

    def relation(self, number: int) -> Relation:
        try:
            relation: Relation = self._store.codec.read(
                Relation, self._record(self._store.entities + number)
            )
        except _DAMAGED:
            return self.dossier.relations[number]
        return relation

    def relation_ends(self, number: int) -> tuple[str, str, str]:
        """(from, kind, to) of relation ``number``."""
        try:
            from_id, to_id, kind = self._record(self._store.entities + number)[:3]
        except _DAMAGED:
            relation = self.dossier.relations[number]
            return relation.from_id, relation.kind, relation.to_id
        return str(from_id), str(kind), str(to_id)


# -- proving -----------------------------------------------------------------------------------
def prove(old: StoredItems, new: StoredItems) -> Proven:
    """The items of two stored dossiers whose fingerprints differ (or are unknown)."""
    a, b = prints_of(old), prints_of(new)
    old_open, new_open = _open(a.entities, b.entities)
    old_entities = tuple(old.catalog.ids[n] for n in old_open)
    new_entities = tuple(new.catalog.ids[n] for n in new_open)
    old_keys, new_keys = a.relation_keys, b.relation_keys
    if len(set(old_keys)) == len(old_keys) and len(set(new_keys)) == len(new_keys):
        # Each pair of ends and kind once on each side (as good as always): pairing by
        # key is then matching the digests (the same text has the same ends and kind).
        return Proven(old_entities, new_entities, *_open(a.relations, b.relations))
    return Proven(old_entities, new_entities, *_paired_in_order(a, b))


def _open(old: list[bytes], new: list[bytes]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The positions of the digests only in ``old`` and only in ``new`` (and of every
    :data:`UNKNOWN`), each in order. Sets and dicts of bytes do the work, in C: a few
    milliseconds for 30,000 items."""
    old_set, new_set = set(old), set(new)
    old_only, new_only = old_set - new_set, new_set - old_set
    return _positions(old, old_only), _positions(new, new_only)


def _positions(digests: list[bytes], wanted: set[bytes]) -> tuple[int, ...]:
    found: set[int] = set()
    if wanted:
        at = dict(zip(digests, range(len(digests)), strict=True))
        found.update(at[digest] for digest in wanted)
    if UNKNOWN in digests:
        found.update(n for n, digest in enumerate(digests) if digest == UNKNOWN)
    return tuple(sorted(found))


def _paired_in_order(a: Prints, b: Prints) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Relations paired by key in order (the first with the first); the numbers of those
    without an identical partner, old and new."""
    waiting: dict[bytes, list[int]] = {}
    for m in range(len(b.relation_keys) - 1, -1, -1):  # (popped from the end: first first)
        waiting.setdefault(b.relation_keys[m], []).append(m)
    old_same: set[int] = set()
    new_same: set[int] = set()
    for n, key in enumerate(a.relation_keys):
        queue = waiting.get(key) if key != UNKNOWN else None
        if queue:
            m = queue.pop()
            if a.relations[n] == b.relations[m] != UNKNOWN:
                old_same.add(n)
                new_same.add(m)
    return (
        tuple(n for n in range(len(a.relations)) if n not in old_same),
        tuple(m for m in range(len(b.relations)) if m not in new_same),
    )


def prove_unchanged(old: Dossier, new: Dossier) -> Proven:
    """The items of ``old`` and ``new`` certain to be the same; nothing when either was
    not read from the load cache."""
    a, b = StoredItems.of(old), StoredItems.of(new)
    if a is None or b is None:
        return Proven()
    return prove(a, b)


__all__ = [
    "ID_FIELDS",
    "Catalog",
    "Proven",
    "Rename",
    "StoredItems",
    "prove",
    "prove_unchanged",
    "record_key",
]
