"""A dossier read from the store (:mod:`.store`) as it is asked for.

:func:`open_stored` gives a :class:`~.model.Dossier` and an :class:`~.index.Index` that
behave exactly like the ones a load builds, but hold only what the first screen needs:
the catalog (every entity's id, label and kind), the dossier's own section, its tour
and its diagnostics. Its entity sections (``actors``, ``issues`` ...), ``entities``,
``relations`` and ``links`` are sequences and mappings that decode an item from its
record the first time it is asked for, and keep the last :data:`KEPT` of them; the
index reads an item's backlinks, relations and links from the same record.

So code written for a loaded dossier works unchanged; what it must not do, to stay
fast on a big one, is walk a whole section when it needs one item (``get``) or only
names (:func:`catalog_of`).

A record found damaged while the app runs (the file changed under it, a bad disk) is
never used: the dossier is loaded from its YAML files once (``reload``) and every later
question is answered from that load.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, overload

from .errors import Diagnostic
from .index import Backlink, Index, entity_names, search_key_of
from .model import Dossier, DossierInfo, Entity, Link, Relation, TourStop
from .store import KINDS, SECTION_KINDS, StoreCorruptError, StoreFile, derived

E = TypeVar("E", bound=Entity)
KEPT = 4096
"""Decoded items kept per dossier (the rest are decoded again when asked for)."""


class CatalogEntry(NamedTuple):
    """What lists and the palette show of an entity, without decoding it."""

    id: str
    kind: str
    label: str


class _Record(NamedTuple):
    entity: Entity
    backlinks: tuple[Backlink, ...]
    relations: tuple[int, ...]
    fields_to: tuple[tuple[str, str], ...]
    self_fields: frozenset[str]

    @property
    def links_from(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(target for _, target in self.fields_to))


class Stored:
    """One open store and what has been decoded from it."""

    def __init__(self, store: StoreFile, reload: Callable[[], tuple[Dossier, Index] | None]):
        self._store = store
        self._reload = reload
        self._fallback: tuple[Dossier, Index] | None = None
        self._fallback_numbers: dict[Relation, int] | None = None
        catalog = store.section("catalog")
        self.ids: list[str] = catalog["ids"]
        self.labels: list[str] = catalog["labels"]
        self.kinds: str = catalog["kinds"]
        self.sections: dict[str, list[int]] = catalog["sections"]
        if not (len(self.ids) == len(self.labels) == len(self.kinds) == store.entities):
            raise StoreCorruptError("the catalog does not add up")
        self.number_of: dict[str, int] = {entity_id: n for n, entity_id in enumerate(self.ids)}
        self._records: dict[int, _Record] = {}
        self._relations: dict[int, Relation] = {}
        self._names: list[list[str]] | None = None
        self._derived: dict[str, list[Any]] | None = None
        self._folded: list[str] | None = None
        self._links: tuple[Link, ...] | None = None

    # -- records ----------------------------------------------------------------
    def record(self, number: int) -> _Record:
        record = self._records.get(number)
        if record is not None:
            return record
        if self._fallback is not None:
            return self._from_fallback(number)
        try:  # (damage found at any step of decoding: the YAML answers from now on)
            entity_data, backlinks, relations, fields_to, self_fields = self._store.record(number)
            entity = self._store.codec.read_entity(entity_data)
            record = _Record(
                entity,
                tuple(Backlink(owner, field) for owner, field in backlinks),
                tuple(relations),
                tuple((field, target) for field, target in fields_to),
                frozenset(self_fields),
            )
        except (StoreCorruptError, ValueError, TypeError, KeyError, IndexError):
            return self._recover(number)
        _keep(self._records, number, record)
        return record

    def relation(self, number: int) -> Relation:
        relation = self._relations.get(number)
        if relation is not None:
            return relation
        if self._fallback is not None:
            return self._fallback[0].relations[number]
        try:
            data = self._store.record(self._store.entities + number)
            relation = self._store.codec.read(Relation, data)
        except (StoreCorruptError, ValueError, TypeError, KeyError, IndexError):
            self._use_fallback()
            return self.relation(number)
        _keep(self._relations, number, relation)
        return relation

    def names(self) -> list[list[str]]:
        """Each entity's names (label, id, aliases), in catalog order."""
        if self._names is None:
            try:
                self._names = self._store.section("names")
                if len(self._names) != len(self.ids):
                    raise StoreCorruptError("the names do not add up")
            except StoreCorruptError:
                entities = self._use_fallback()[0].entities
                self._names = [entity_names(entities[entity_id]) for entity_id in self.ids]
        return self._names

    def derived(self) -> dict[str, list[Any]]:
        """Counts and dates of every item (:func:`.store.derived`)."""
        if self._derived is None:
            try:
                self._derived = self._store.section("derived")
                if not isinstance(self._derived, dict):
                    raise StoreCorruptError("the derived section is not a table")
            except StoreCorruptError:
                self._derived = derived(self._use_fallback()[0])
        return self._derived

    def folded(self) -> list[str]:
        """What the filter matches per entity (:meth:`Index.search_key`'s text)."""
        if self._folded is None:
            self._folded = [search_key_of(names) for names in self.names()]
        return self._folded

    def links(self) -> tuple[Link, ...]:
        if self._links is None:
            ids = self.ids
            try:
                self._links = tuple(
                    Link(ids[o], f, ids[t]) for o, f, t in self._store.section("links")
                )
            except (StoreCorruptError, ValueError, TypeError, IndexError):
                self._links = tuple(self._use_fallback()[0].links)
        return self._links

    # -- when the store lets us down ---------------------------------------------
    def _use_fallback(self) -> tuple[Dossier, Index]:
        if self._fallback is None:
            # Never again: the entry goes (the reload writes a sound one in its place).
            with contextlib.suppress(OSError):
                self._store.path.unlink(missing_ok=True)
            loaded = self._reload()
            if loaded is None:
                raise StoreCorruptError(
                    f"{self._store.path} is damaged and the dossier no longer loads"
                )
            self._fallback = loaded
            self._records.clear()
            self._relations.clear()
        return self._fallback

    def _recover(self, number: int) -> _Record:
        self._use_fallback()
        return self._from_fallback(number)

    def _from_fallback(self, number: int) -> _Record:
        dossier, index = self._use_fallback()
        entity_id = self.ids[number]
        entity = dossier.entities.get(entity_id)
        if entity is None:
            raise StoreCorruptError(f"{entity_id!r} is no longer in the dossier")
        if self._fallback_numbers is None:  # (by value: the load may be a stored one)
            numbers = {r: n for n, r in reversed(list(enumerate(dossier.relations)))}
            self._fallback_numbers = numbers
        record = _Record(
            entity,
            index.backlinks_of(entity_id),
            tuple(self._fallback_numbers[r] for r in index.relations_of(entity_id)),
            index.fields_to(entity_id),
            index.self_link_fields(entity_id),
        )
        _keep(self._records, number, record)
        return record


def _keep(kept: dict[int, Any], number: int, value: object) -> None:
    if len(kept) >= KEPT:
        del kept[next(iter(kept))]  # the oldest (dicts keep insertion order)
    kept[number] = value


T = TypeVar("T")


class _ReadSequence(Sequence[T]):
    """A sequence read from the store: equal to any sequence of equal items (a loaded
    dossier's tuples included), so a stored dossier compares equal to the loaded one."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class EntitySection(_ReadSequence[E]):
    """One of a dossier's entity sections (``actors`` ...), decoded item by item."""

    def __init__(self, stored: Stored, numbers: list[int]) -> None:
        self._stored = stored
        self._numbers = numbers

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, index: int) -> E: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[E]: ...
    def __getitem__(self, index: int | slice) -> E | Sequence[E]:
        if isinstance(index, slice):
            return EntitySection(self._stored, self._numbers[index])
        return self._stored.record(self._numbers[index]).entity  # type: ignore[return-value]

    def __iter__(self) -> Iterator[E]:
        record = self._stored.record
        for number in self._numbers:
            yield record(number).entity  # type: ignore[misc]

    @property
    def catalog(self) -> list[CatalogEntry]:
        """Each item's id, kind and label, without decoding any."""
        ids, labels, kinds = self._stored.ids, self._stored.labels, self._stored.kinds
        return [CatalogEntry(ids[n], KINDS[kinds[n]], labels[n]) for n in self._numbers]


class EntityMap(Mapping[str, Entity]):
    """``Dossier.entities``: every entity by id, in the dossier's order, decoded when
    asked for."""

    def __init__(self, stored: Stored) -> None:
        self._stored = stored

    def __getitem__(self, entity_id: str) -> Entity:
        return self._stored.record(self._stored.number_of[entity_id]).entity

    def get(self, entity_id: str, default: Any = None) -> Any:
        number = self._stored.number_of.get(entity_id)
        return default if number is None else self._stored.record(number).entity

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._stored.number_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored.ids)

    def __len__(self) -> int:
        return len(self._stored.ids)


class StoredRelations(_ReadSequence[Relation]):
    """``Dossier.relations``, decoded relation by relation."""

    def __init__(self, stored: Stored, count: int) -> None:
        self._stored = stored
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Relation: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Relation]: ...
    def __getitem__(self, index: int | slice) -> Relation | Sequence[Relation]:
        if isinstance(index, slice):
            return tuple(self[n] for n in range(self._count)[index])
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._stored.relation(index % self._count)


class StoredLinks(_ReadSequence[Link]):
    """``Dossier.links``: read whole, from their own section, the first time used."""

    def __init__(self, stored: Stored) -> None:
        self._stored = stored

    def __len__(self) -> int:
        return len(self._stored.links())

    @overload
    def __getitem__(self, index: int) -> Link: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Link]: ...
    def __getitem__(self, index: int | slice) -> Link | Sequence[Link]:
        return self._stored.links()[index]

    def __iter__(self) -> Iterator[Link]:
        return iter(self._stored.links())


class StoredIndex(Index):
    """The :class:`Index` of a stored dossier: each answer read from the item's record."""

    def __init__(self, dossier: Dossier, stored: Stored) -> None:  # (no pass over links)
        self.dossier = dossier
        self._stored = stored

    def _record(self, entity_id: str) -> _Record | None:
        number = self._stored.number_of.get(entity_id)
        return None if number is None else self._stored.record(number)

    def backlinks_of(self, entity_id: str) -> tuple[Backlink, ...]:
        record = self._record(entity_id)
        return () if record is None else record.backlinks

    def self_link_fields(self, entity_id: str) -> frozenset[str]:
        record = self._record(entity_id)
        return frozenset() if record is None else record.self_fields

    def file_order(self, entity_id: str) -> int:
        return self._stored.number_of[entity_id]

    def relations_of(self, entity_id: str) -> tuple[Relation, ...]:
        record = self._record(entity_id)
        if record is None:
            return ()
        return tuple(self._stored.relation(n) for n in record.relations)

    def links_from(self, entity_id: str) -> tuple[str, ...]:
        record = self._record(entity_id)
        return () if record is None else record.links_from

    def fields_to(self, entity_id: str) -> tuple[tuple[str, str], ...]:
        record = self._record(entity_id)
        return () if record is None else record.fields_to

    def search_key(self, entity_id: str) -> str:
        number = self._stored.number_of.get(entity_id)
        return "" if number is None else self._stored.folded()[number]

    def matching(self, query: str, kind: str | None = None) -> list[Entity]:
        words = query.lower().split()
        stored = self._stored
        code = None if kind is None else {v: k for k, v in KINDS.items()}.get(kind)
        return [
            stored.record(n).entity
            for n, key in enumerate(stored.folded())
            if (code is None or stored.kinds[n] == code) and all(word in key for word in words)
        ]


@dataclass(frozen=True)
class StoredLoad:
    """What a store holds: a load's dossier and index (None if it failed), its
    diagnostics and the files it read."""

    dossier: Dossier | None
    index: Index | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]


def open_stored(
    path: Path,
    format_version: str,
    accept: Callable[[dict[str, Any]], bool],
    reload: Callable[[], tuple[Dossier, Index] | None],
) -> StoredLoad | None:
    """The load stored at ``path``; None when ``accept`` refuses its header (its text
    files changed); :class:`~.store.StoreCorruptError` when it is not a sound store (see
    :class:`~.store.StoreFile`). ``reload`` loads the dossier from its files, should a
    record turn out damaged later."""
    store = StoreFile(path, format_version)
    try:
        header = store.header
        if not accept(header):
            return None
        codec = store.codec
        diagnostics = tuple(codec.read_diagnostic(d) for d in header["diagnostics"])
        files = tuple(header["files"])
        if not header["valid"]:
            return StoredLoad(None, None, diagnostics, files)
        stored = Stored(store, reload)
        sections = {
            name: EntitySection[Entity](stored, stored.sections[name]) for name in SECTION_KINDS
        }
        dossier = Dossier(
            info=codec.read(DossierInfo, header["info"]),
            root=Path(header["root"]),
            files=files,
            relations=StoredRelations(stored, store.relations),
            tour=tuple(codec.read(TourStop, stop) for stop in header["tour"]),
            links=StoredLinks(stored),
            notes=tuple(codec.read_diagnostic(d) for d in header["notes"]),
            entities=EntityMap(stored),
            **sections,  # type: ignore[arg-type]
        )
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise StoreCorruptError(f"the header does not add up: {error}") from error
    return StoredLoad(dossier, StoredIndex(dossier, stored), diagnostics, files)


def names_of(dossier: Dossier) -> Iterator[tuple[CatalogEntry, list[str]]]:
    """Every entity's catalog entry and names (label, id, aliases), in the dossier's
    order, without decoding a stored one."""
    entities = dossier.entities
    if isinstance(entities, EntityMap):
        stored = entities._stored
        ids, labels, kinds = stored.ids, stored.labels, stored.kinds
        for n, names in enumerate(stored.names()):
            yield CatalogEntry(ids[n], KINDS[kinds[n]], labels[n]), names
        return
    for entity in entities.values():
        yield CatalogEntry(entity.id, entity.kind, entity.label), entity_names(entity)


class Reordered(_ReadSequence[E]):
    """The items of ``section`` in the order of ``order`` (indices into it), each read
    from the section when asked for."""

    def __init__(self, section: Sequence[E], order: Sequence[int]) -> None:
        self._section = section
        self._order = order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> E: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[E]: ...
    def __getitem__(self, index: int | slice) -> E | Sequence[E]:
        if isinstance(index, slice):
            return Reordered(self._section, self._order[index])
        return self._section[self._order[index]]

    @property
    def catalog(self) -> list[CatalogEntry]:
        entries = catalog_of(self._section)
        return [entries[n] for n in self._order]


def dossier_catalog(dossier: Dossier) -> dict[str, CatalogEntry]:
    """Every entity's catalog entry by id, in the dossier's order, none decoded."""
    entities = dossier.entities
    if isinstance(entities, EntityMap):
        stored = entities._stored
        ids, labels, kinds = stored.ids, stored.labels, stored.kinds
        return {
            entity_id: CatalogEntry(entity_id, KINDS[kinds[n]], labels[n])
            for n, entity_id in enumerate(ids)
        }
    return {e.id: CatalogEntry(e.id, e.kind, e.label) for e in entities.values()}


def catalog_of(section: Sequence[Entity]) -> list[CatalogEntry]:
    """Each item's id, kind and label: from the catalog for a stored section, from the
    items themselves for a loaded one."""
    if isinstance(section, EntitySection | Reordered):
        return section.catalog
    return [CatalogEntry(e.id, e.kind, e.label) for e in section]


def derived_of(dossier: Dossier) -> dict[str, list[Any]]:
    """:func:`.store.derived` of ``dossier``: read from its store if it has one (nothing
    decoded), else worked out."""
    if isinstance(dossier.entities, EntityMap):
        return dossier.entities._stored.derived()
    return derived(dossier)


__all__ = [
    "KEPT",
    "CatalogEntry",
    "EntityMap",
    "EntitySection",
    "Reordered",
    "StoredIndex",
    "StoredLoad",
    "catalog_of",
    "derived_of",
    "dossier_catalog",
    "names_of",
    "open_stored",
]
