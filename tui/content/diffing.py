"""What changed between two versions of a dossier, item by item (no I/O, no Textual).

:func:`compare` takes two loaded dossiers and says, per item, what a reader of the
dossier would call a change: an actor, issue, assessment, event or source added or
removed, a field of one changed (a stance, a verdict, the confidence, a claim added, a
citation moved to another paragraph ...), an id renamed, a relation added, removed or
changed, the tour or the dossier's own section edited. Where things are written (file,
line, the order of files) never counts.

A **rename** is an item removed and one of the same kind added whose content is the
same but for its id (and for links to other renamed items): it is reported once, as
``old -> new``, and links to it elsewhere are read through the rename, so an issue
whose positions name the renamed actor is not reported as changed.

The result, :class:`DossierDiff`, is plain data: a tuple of :class:`ItemChange` (kind,
id, status, label, the old id of a rename, and its :class:`FieldChange` list, each with
one line that says it), in the order the dossier lists its items (sources, actors,
issues, assessments, events, then relations and the tour), with a lookup by the new id
for the explorer. Its strings are content as written: cleaning them for a terminal or
escaping them for Markdown is for whoever shows them.

Two dossiers read from the load cache are compared without decoding the items that
:mod:`.diffscan` proves unchanged (the same YAML text, by its fingerprint, or the same
record but for locations and renamed links); a dossier loaded from its files is compared
item by item (:class:`ModelItems`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .diffscan import Catalog, Proven, Rename, StoredItems, prove
from .fieldchanges import (
    FieldChange,
    Labels,
    as_json,
    entity_changes,
    plain,
    relation_changes,
    show,
)
from .model import Dossier, Entity, Relation, TourStop
from .store import KINDS

ENTITY_KINDS = frozenset(KINDS.values())
RENAME_ROUNDS = 8
"""How many times renames found are fed back to find renames of items linking to them."""


class Status(StrEnum):
    """What happened to an item."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    RENAMED = "renamed"


@dataclass(frozen=True)
class ItemChange:
    """One item that differs between the two dossiers."""

    kind: str
    """``dossier``, ``source``, ``actor``, ``issue``, ``assessment``, ``event``,
    ``relation`` or ``tour``."""
    id: str
    """Its id in the new dossier (the old one if it was removed). A relation's is
    ``"FROM KIND TO"``; the tour's is ``tour``; the dossier's, the dossier's id."""
    status: Status
    label: str
    """Its name or title (in the new dossier; the old one if it was removed)."""
    old_id: str | None = None
    """The id it had before, when it was renamed."""
    changes: tuple[FieldChange, ...] = ()
    """What changed in it (empty when added, removed, or only renamed)."""

    @property
    def headline(self) -> str:
        """The item in one line: ``actor putin -> v-putin (Vladimir Putin): renamed``."""
        name = f"{self.old_id} -> {self.id}" if self.old_id is not None else self.id
        label = f" ({self.label})" if self.label and self.label != self.id else ""
        return f"{self.kind} {name}{label}: {self.status.value}"

    def lines(self) -> list[str]:
        """The headline, then one line per change: what a person reads."""
        return [self.headline, *(change.text for change in self.changes)]


@dataclass(frozen=True)
class DossierDiff:
    """Every difference between two dossiers; no items when they say the same."""

    items: tuple[ItemChange, ...]
    renames: Mapping[str, str] = field(default_factory=dict)
    """Old id -> new id of every renamed item."""
    by_new_id: Mapping[str, ItemChange] = field(default_factory=dict, compare=False)
    """The change of each added, changed or renamed entity, by its id in the new
    dossier (what :meth:`change_of` reads)."""

    @property
    def same(self) -> bool:
        return not self.items

    def change_of(self, new_id: str) -> ItemChange | None:
        """The change of the entity that has ``new_id`` in the new dossier; None when
        it is unchanged (or not in the new dossier)."""
        return self.by_new_id.get(new_id)

    def counts(self) -> dict[str, int]:
        """How many items per status (every status, in :class:`Status` order)."""
        counts = {status.value: 0 for status in Status}
        for item in self.items:
            counts[item.status.value] += 1
        return counts


class ModelItems:
    """The items of a dossier read from its model (:class:`.diffscan.StoredItems` reads
    a stored one's from their records; both answer the same questions alike)."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.catalog = Catalog.of(dossier)
        self.relation_count = len(dossier.relations)

    def prefetch(self, numbers: object) -> None:
        """Nothing to read ahead: the model is at hand."""

    def entity_key(self, entity_id: str, rename: Rename, drop_id: bool = False) -> Any:
        entity = self.dossier.entities[entity_id]
        return (entity.kind, plain(entity, rename, drop_id=drop_id))

    def entity(self, entity_id: str) -> Entity:
        return self.dossier.entities[entity_id]

    def relation_key(self, number: int, rename: Rename) -> Any:
        return plain(self.dossier.relations[number], rename)

    def relation(self, number: int) -> Relation:
        return self.dossier.relations[number]

    def relation_ends(self, number: int) -> tuple[str, str, str]:
        relation = self.dossier.relations[number]
        return relation.from_id, relation.kind, relation.to_id


Items = ModelItems | StoredItems


def compare(old: Dossier, new: Dossier, *, use_stores: bool = True) -> DossierDiff:
    """What changed from ``old`` to ``new``.

    When both come from the load cache, items are compared by their fingerprints and
    records (:mod:`.diffscan`) and only those that differ are decoded;
    ``use_stores=False`` decodes and compares every item (the answer is the same:
    tests compare the two ways)."""
    stored_old = StoredItems.of(old) if use_stores else None
    stored_new = StoredItems.of(new) if use_stores else None
    a: Items
    b: Items
    if stored_old is not None and stored_new is not None:
        a, b, proven = stored_old, stored_new, prove(stored_old, stored_new)
    else:
        a, b, proven = ModelItems(old), ModelItems(new), Proven()
    old_catalog, new_catalog = a.catalog, b.catalog
    labels = Labels(old_catalog, new_catalog)
    old_open = old_catalog.ids if proven.old_entities is None else proven.old_entities
    new_open = new_catalog.ids if proven.new_entities is None else proven.new_entities
    removed = _not_in(old_open, old_catalog, new_catalog)
    added = _not_in(new_open, new_catalog, old_catalog)
    doubtful = [new_catalog.number_of[i] for i in new_open]
    added_ids = set(added)
    a.prefetch(
        [*(old_catalog.number_of[i] for i in removed)]
        + [m for n in doubtful if (m := old_catalog.number_of.get(new_catalog.ids[n])) is not None]
    )
    b.prefetch(doubtful)
    renames = _renames(a, b, removed, added)
    renamed_from = {new_id: old_id for old_id, new_id in renames.items()}
    rename = renames.get
    items: list[ItemChange] = []
    info_changes = entity_changes(old.info, new.info, rename, labels)
    if info_changes:
        info = new.info
        items.append(ItemChange("dossier", info.id, Status.CHANGED, info.title, None, info_changes))
    by_code: dict[str, list[int]] = {code: [] for code in KINDS}
    for n in doubtful:
        by_code[new_catalog.codes[n]].append(n)
    gone: dict[str, list[int]] = {code: [] for code in KINDS}
    for entity_id in removed:
        if entity_id not in renames:
            n = old_catalog.number_of[entity_id]
            gone[old_catalog.codes[n]].append(n)
    for code, kind in KINDS.items():
        for n in by_code[code]:
            entity_id = new_catalog.ids[n]
            label = new_catalog.labels[n]
            if entity_id in added_ids:
                old_id = renamed_from.get(entity_id)
                status = Status.ADDED if old_id is None else Status.RENAMED
                items.append(ItemChange(kind, entity_id, status, label, old_id))
                continue
            if a.entity_key(entity_id, rename) == b.entity_key(entity_id, None):
                continue
            changes = entity_changes(
                a.entity(entity_id), b.entity(entity_id), rename, labels, known_different=True
            )
            if changes:
                items.append(ItemChange(kind, entity_id, Status.CHANGED, label, None, changes))
        for n in sorted(gone[code]):
            entity_id = old_catalog.ids[n]
            items.append(ItemChange(kind, entity_id, Status.REMOVED, old_catalog.labels[n]))
    items.extend(_relation_items(a, b, proven, rename, labels))
    tour = _tour_changes(old.tour, new.tour, rename, labels)
    if tour:
        items.append(ItemChange("tour", "tour", Status.CHANGED, "tour", None, tour))
    by_new_id = {
        item.id: item
        for item in items
        if item.kind in ENTITY_KINDS and item.status is not Status.REMOVED
    }
    return DossierDiff(tuple(items), renames, by_new_id)


def _not_in(ids: Sequence[str], catalog: Catalog, other: Catalog) -> list[str]:
    """Those of ``ids`` (of ``catalog``) that ``other`` lacks, or has for another kind of
    item, in their order."""
    codes, number, other_codes, other_number = (
        catalog.codes,
        catalog.number_of,
        other.codes,
        other.number_of,
    )
    return [
        i for i in ids if (m := other_number.get(i)) is None or other_codes[m] != codes[number[i]]
    ]


# -- renames -------------------------------------------------------------------------
def _renames(a: Items, b: Items, removed: list[str], added: list[str]) -> dict[str, str]:
    """Old id -> new id for each removed item whose content, read through the renames
    found so far, is that of an added item of the same kind. Items that link to a
    renamed item match once that rename is known, hence the rounds."""
    if not removed or not added:
        return {}
    renames: dict[str, str] = {}
    came = [(b.entity_key(entity_id, None, drop_id=True), entity_id) for entity_id in added]
    for _ in range(RENAME_ROUNDS):
        rename = renames.get
        taken = set(renames.values())
        waiting: dict[object, list[str]] = {}
        for key, entity_id in came:
            if entity_id not in taken:
                waiting.setdefault(key, []).append(entity_id)
        found = 0
        for entity_id in removed:
            if entity_id in renames:
                continue
            matches = waiting.get(a.entity_key(entity_id, rename, drop_id=True))
            if matches:
                renames[entity_id] = matches.pop(0)
                found += 1
        if not found:
            break
    return renames


# -- relations and the tour ------------------------------------------------------------
def _relation_items(
    a: Items,
    b: Items,
    proven: Proven,
    rename: Callable[[str], str | None],
    labels: Labels,
) -> list[ItemChange]:
    """Relations have no id: they are paired by (from, kind, to), read through the
    renames; pairs :mod:`.diffscan` proved the same are left out first."""
    olds = range(a.relation_count) if proven.old_relations is None else proven.old_relations
    news = range(b.relation_count) if proven.new_relations is None else proven.new_relations
    entities_old = len(a.catalog.ids)
    entities_new = len(b.catalog.ids)
    a.prefetch(entities_old + n for n in olds)
    b.prefetch(entities_new + m for m in news)
    waiting: dict[tuple[str, str, str], list[int]] = {}
    for n in olds:
        from_id, kind, to_id = a.relation_ends(n)
        key = (rename(from_id) or from_id, kind, rename(to_id) or to_id)
        waiting.setdefault(key, []).append(n)
    items: list[ItemChange] = []
    for m in news:
        key = b.relation_ends(m)
        label = _relation_label(key, labels.new)
        candidates = waiting.get(key)
        if not candidates:
            items.append(ItemChange("relation", " ".join(key), Status.ADDED, label))
            continue
        n = candidates.pop(0)
        if a.relation_key(n, rename) == b.relation_key(m, None):
            continue
        changes = relation_changes(a.relation(n), b.relation(m), rename, labels)
        if changes:
            items.append(
                ItemChange("relation", " ".join(key), Status.CHANGED, label, None, changes)
            )
    for numbers in waiting.values():
        for n in numbers:
            key = a.relation_ends(n)
            label = _relation_label(key, labels.old)
            items.append(ItemChange("relation", " ".join(key), Status.REMOVED, label))
    return items


def _relation_label(ends: tuple[str, str, str], label: Callable[[str], str]) -> str:
    from_id, kind, to_id = ends
    return f"{label(from_id)} {kind} {label(to_id)}"


def _tour_changes(
    old: Sequence[TourStop],
    new: Sequence[TourStop],
    rename: Callable[[str], str | None],
    labels: Labels,
) -> tuple[FieldChange, ...]:
    """Stops added, removed, recaptioned or moved; stops are known by their target."""
    before = [(rename(stop.target) or stop.target, stop) for stop in old]
    after = [(stop.target, stop) for stop in new]
    if [plain(stop, rename) for stop in old] == [plain(stop, None) for stop in new]:
        return ()
    changes: list[FieldChange] = []
    old_targets = [target for target, _ in before]
    new_targets = [target for target, _ in after]
    old_by_target = dict(before)
    for number, (target, stop) in enumerate(after, start=1):
        if target not in old_by_target:
            changes.append(
                FieldChange(
                    f"tour[{number}]",
                    f"stop {number} added: {labels.new(target)}: {stop.caption}",
                    None,
                    {"target": target, "caption": stop.caption},
                )
            )
            continue
        earlier = old_by_target[target]
        if earlier.caption != stop.caption:
            changes.append(
                FieldChange(
                    f"tour[{number}].caption",
                    f"stop {number} ({labels.new(target)}): caption "
                    f"{show(earlier.caption)} -> {show(stop.caption)}",
                    earlier.caption,
                    stop.caption,
                )
            )
        if earlier.extensions != stop.extensions:
            changes.append(
                FieldChange(
                    f"tour[{number}].extensions",
                    f"stop {number} ({labels.new(target)}): extension fields changed",
                    as_json(earlier.extensions),
                    as_json(stop.extensions),
                )
            )
    for number, (target, stop) in enumerate(before, start=1):
        if target not in new_targets:
            changes.append(
                FieldChange(
                    f"tour[{number}]",
                    f"stop {number} removed: {labels.old(target)}: {stop.caption}",
                    {"target": target, "caption": stop.caption},
                    None,
                )
            )
    kept_old = [t for t in old_targets if t in new_targets]
    kept_new = [t for t in new_targets if t in old_targets]
    if kept_old != kept_new:
        changes.append(FieldChange("tour", "stops reordered", kept_old, kept_new))
    if not changes:  # (the same targets twice over, say: still a change)
        changes.append(FieldChange("tour", "tour changed", old_targets, new_targets))
    return tuple(changes)


__all__ = ["DossierDiff", "FieldChange", "ItemChange", "Status", "compare"]
