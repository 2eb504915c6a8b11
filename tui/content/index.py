"""Derived lookups over a loaded dossier: backlinks, relations by entity, search keys.

Built once per loaded dossier (cheap: one pass over the links) and read often by
the screens.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from .model import Dossier, Entity, Relation

FIELD_ROLES: dict[str, str] = {
    "part_of": "part of",
    "actor": "positions",
    "related": "related issues",
    "by": "author of",
    "about": "about",
    "actors": "events",
    "issues": "events",
    "source": "cites",
    "see_also": "see also",
}
"""How a backlink's field reads from the target's side ("referenced by ... as X")."""


class Backlink(NamedTuple):
    """``owner`` points at the indexed entity through ``field``.

    A named tuple: a large dossier has a backlink per link (140,000 for 10,000 actors),
    and tuples are made and hashed several times faster than frozen dataclasses.
    """

    owner: str
    field: str

    @property
    def role(self) -> str:
        return FIELD_ROLES.get(self.field, self.field)


class Index:
    """Backlinks and search keys for one dossier."""

    cache_entry: Path | None = None
    """The load cache's entry for the dossier (set by the loader when it read or wrote
    one, even if writing failed): files beside it, such as the search index
    (:mod:`.searchstore`), are named by its key, its name less the suffix."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        backlinks: dict[str, dict[Backlink, None]] = defaultdict(dict)
        self._self_links: dict[str, set[str]] = {}
        """The fields through which an item points at itself (not backlinks)."""
        for link in dossier.links:
            if link.owner != link.target:
                backlinks[link.target][Backlink(link.owner, link.field)] = None
            else:
                self._self_links.setdefault(link.owner, set()).add(link.field)
        self._file_order: dict[str, int] | None = None
        self._fields_to: dict[str, tuple[tuple[str, str], ...]] | None = None
        self._backlinks = {k: tuple(v) for k, v in backlinks.items()}
        relations: dict[str, list[Relation]] = defaultdict(list)
        for relation in dossier.relations:
            relations[relation.from_id].append(relation)
            if relation.to_id != relation.from_id:
                relations[relation.to_id].append(relation)
        self._relations = {k: tuple(v) for k, v in relations.items()}
        outgoing: dict[str, dict[str, None]] = defaultdict(dict)
        for link in dossier.links:
            outgoing[link.owner][link.target] = None
        self._outgoing = {k: tuple(v) for k, v in outgoing.items()}
        self._search: dict[str, str] = {
            entity.id: _search_key(entity) for entity in dossier.entities.values()
        }

    def backlinks_of(self, entity_id: str) -> tuple[Backlink, ...]:
        """Who points at ``entity_id``, and through which field (file order)."""
        return self._backlinks.get(entity_id, ())

    def owners(self, entity_id: str, *fields: str) -> list[str]:
        """The ids of the items that point at ``entity_id`` through any of ``fields``,
        each once, in file order: what a detail pane lists (an actor's positions, an
        item's events and assessments) without a pass over every item of the dossier."""
        owners = dict.fromkeys(b.owner for b in self.backlinks_of(entity_id) if b.field in fields)
        if not self.self_link_fields(entity_id).isdisjoint(fields):  # (it points at itself)
            owners[entity_id] = None
            return sorted(owners, key=self.file_order)
        return list(owners)

    def self_link_fields(self, entity_id: str) -> frozenset[str]:
        """The fields through which ``entity_id`` points at itself (not backlinks)."""
        return frozenset(self._self_links.get(entity_id, ()))

    def file_order(self, entity_id: str) -> int:
        """Where ``entity_id`` comes in the dossier (its place in ``entities``)."""
        if self._file_order is None:
            self._file_order = {entity_id: n for n, entity_id in enumerate(self.dossier.entities)}
        return self._file_order[entity_id]

    def relations_of(self, entity_id: str) -> tuple[Relation, ...]:
        """Relations starting or ending at ``entity_id``."""
        return self._relations.get(entity_id, ())

    def links_from(self, entity_id: str) -> tuple[str, ...]:
        """Ids ``entity_id`` points at through its own fields (file order, no repeats)."""
        return self._outgoing.get(entity_id, ())

    def fields_to(self, entity_id: str) -> tuple[tuple[str, str], ...]:
        """(field, target) of each link of ``entity_id``'s own fields, file order, each
        pair once (worked out for every item the first time it is asked)."""
        if self._fields_to is None:
            pairs: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
            for link in self.dossier.links:
                pairs[link.owner][(link.field, link.target)] = None
            self._fields_to = {owner: tuple(p) for owner, p in pairs.items()}
        return self._fields_to.get(entity_id, ())

    def neighbours(self, entity_id: str) -> frozenset[str]:
        """Every id linked to ``entity_id`` either way, relations included."""
        ids = set(self.links_from(entity_id))
        ids.update(b.owner for b in self.backlinks_of(entity_id))
        for relation in self.relations_of(entity_id):
            ids.add(relation.to_id if relation.from_id == entity_id else relation.from_id)
        ids.discard(entity_id)
        return frozenset(ids)

    def search_key(self, entity_id: str) -> str:
        """Lower-case text a filter matches against: name, aliases and id."""
        return self._search.get(entity_id, "")

    def matching(self, query: str, kind: str | None = None) -> list[Entity]:
        """Entities whose search key contains every word of ``query``."""
        words = query.lower().split()
        result = []
        for entity in self.dossier.entities.values():
            if kind is not None and entity.kind != kind:
                continue
            key = self._search[entity.id]
            if all(word in key for word in words):
                result.append(entity)
        return result


def entity_names(entity: Entity) -> list[str]:
    """What an entity is called: its label, its id, then any aliases."""
    return [entity.label, entity.id, *getattr(entity, "aliases", ())]


def search_key_of(names: list[str]) -> str:
    """The text a filter matches for an entity of these ``names`` (lower case)."""
    return "\n".join(names).casefold()


def _search_key(entity: Entity) -> str:
    return search_key_of(entity_names(entity))
