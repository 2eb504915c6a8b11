"""The field-by-field half of :mod:`.diffing`: what changed inside one item.

:func:`entity_changes` compares two versions of an entity (or of the dossier's own
section) field by field, and :func:`relation_changes` two versions of a relation. Most
fields are compared as values (``verdict: "Durable" -> "Fragile"``) or as lists (``see_also:
added x; removed y``); the fields a reader thinks of as parts of the item get their own
rules: an issue's positions are known by their actor (``Putin on The islands: against ->
mixed``), an assessment's arguments by their claim (``claim added: ...``), refs by source,
paragraphs and quote (``citation moved: valdai ¶3 -> ¶4``), extension fields by key.

Ids in the old version are read through the renames (``rename(old_id)`` gives the new
id, or None), so a link to a renamed item is no change. Where a thing is written
(``loc``) never is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from .dates import PartialDate
from .diffscan import ID_FIELDS, Catalog, Rename
from .model import Argument, Position, Ref, Relation
from .text import shorten

_OWN_RULES = frozenset({"loc", "id", "refs", "positions", "arguments", "extensions"})
WRITTEN_AS = {"actor_kind": "kind"}
"""Entity attributes whose field is written otherwise in the YAML (the schema's ``attr``;
a test holds the two the same)."""


@dataclass(frozen=True)
class FieldChange:
    """One change inside an item."""

    field: str
    """Where, as a path: ``verdict``, ``positions[putin].stance``, ``arguments[2].refs``,
    ``extensions.x-capital``, ``tour[3].caption``."""
    text: str
    """The change in one line, as a person says it (content as written: uncleaned)."""
    old: Any = None
    """The value before, as plain JSON data (None when added)."""
    new: Any = None
    """The value after, as plain JSON data (None when removed)."""


class Labels:
    """Names of items for the lines that mention them, old and new (their id when
    they have no other name), read from the catalogs: nothing is decoded."""

    def __init__(self, old: Catalog, new: Catalog) -> None:
        self._old = old
        self._new = new

    def old(self, entity_id: str) -> str:
        return self._old.label(entity_id) or self._new.label(entity_id) or entity_id

    def new(self, entity_id: str) -> str:
        return self._new.label(entity_id) or self._old.label(entity_id) or entity_id


def _mapped(rename: Rename, value: str) -> str:
    if rename is None:
        return value
    return rename(value) or value


def plain(value: Any, rename: Rename, *, drop_id: bool = False) -> Any:
    """``value`` (a model object, tuple, enum, date ...) as hashable plain data, without
    locations, with ids read through ``rename``; with ``drop_id``, without the
    top-level object's own ``id`` (what a rename may change)."""
    if is_dataclass(value) and not isinstance(value, type):
        parts: list[tuple[str, Any]] = []
        for f in fields(value):
            name = f.name
            if name == "loc" or (drop_id and name == "id"):
                continue
            item = getattr(value, name)
            if name in ID_FIELDS and rename is not None:
                item = _map_ids(item, rename)
            parts.append((name, plain(item, rename)))
        return (type(value).__name__, tuple(parts))
    if isinstance(value, tuple | list):
        return tuple(plain(item, rename) for item in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate):
        return str(value)
    return value


def _map_ids(value: Any, rename: Rename) -> Any:
    if isinstance(value, str):
        return _mapped(rename, value)
    if isinstance(value, tuple):
        return tuple(_mapped(rename, item) if isinstance(item, str) else item for item in value)
    return value


def as_json(value: Any) -> Any:
    """A field's value as JSON data: lists, strings, numbers, None, objects."""
    if isinstance(value, Ref):
        return {"source": value.source, "paras": list(value.paras), "quote": value.quote}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in fields(value) if f.name != "loc"}
    if isinstance(value, tuple | list):
        return [as_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate | date):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def show(value: Any) -> str:
    """A value in a change's line: text quoted and shortened, the rest as written."""
    if value is None:
        return "(none)"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return f'"{shorten(value)}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    return shorten(str(value))


def _show_id_or_text(name: str, value: Any) -> str:
    """Ids and enums bare (``confidence: low -> high``), text quoted."""
    if name in ID_FIELDS and isinstance(value, str):
        return value
    return show(value)


# -- entities --------------------------------------------------------------------------
def entity_changes(
    old: Any, new: Any, rename: Rename, labels: Labels, *, known_different: bool = False
) -> tuple[FieldChange, ...]:
    """The changes from ``old`` to ``new``, two versions of one entity (or both the
    dossier's own section), the old one's links read through ``rename``
    (``known_different``: the caller has compared them already, and they differ)."""
    if not known_different and plain(old, rename) == plain(new, None):
        return ()
    changes: list[FieldChange] = []
    for f in fields(new):
        name = f.name
        before, after = getattr(old, name), getattr(new, name)
        if name == "refs":
            changes += ref_changes(before, after, rename, "refs", "")
        elif name == "positions":
            changes += _position_changes(before, after, rename, labels, new.label)
        elif name == "arguments":
            changes += _argument_changes(before, after, rename)
        elif name == "extensions":
            changes += extension_changes(before, after, "")
        elif name not in _OWN_RULES:
            if name in ID_FIELDS:
                before = _map_ids(before, rename)
            written = WRITTEN_AS.get(name, name)
            changes += value_changes(written, before, after, written)
    if not changes:  # (no rule above saw it: say so rather than nothing)
        changes.append(FieldChange("", "changed", as_json(old), as_json(new)))
    return tuple(changes)


def relation_changes(
    old: Relation, new: Relation, rename: Rename, labels: Labels
) -> tuple[FieldChange, ...]:
    """The changes between two versions of a relation (same ends and kind)."""
    changes: list[FieldChange] = []
    if old.summary != new.summary:
        changes += value_changes("summary", old.summary, new.summary, "summary")
    changes += ref_changes(old.refs, new.refs, rename, "refs", "")
    changes += extension_changes(old.extensions, new.extensions, "")
    return tuple(changes)


def value_changes(
    name: str, before: Any, after: Any, path: str, prefix: str = ""
) -> list[FieldChange]:
    """A plain field: a value (``role: "a" -> "b"``) or a list (``tags: added x``)."""
    if before == after:  # (plain values: text, numbers, enums, dates, tuples of them)
        return []
    lead = f"{prefix}{name}"
    if isinstance(before, tuple) and isinstance(after, tuple):
        return [_list_change(lead, before, after, path)]
    if before is None:
        text = f"{lead} added: {_show_id_or_text(name, after)}"
    elif after is None:
        text = f"{lead} removed (was {_show_id_or_text(name, before)})"
    else:
        text = f"{lead}: {_show_id_or_text(name, before)} -> {_show_id_or_text(name, after)}"
    return [FieldChange(path, text, as_json(before), as_json(after))]


def _list_change(
    lead: str, before: tuple[Any, ...], after: tuple[Any, ...], path: str
) -> FieldChange:
    gone = [item for item in before if item not in after]
    came = [item for item in after if item not in before]
    parts = []
    if came:
        parts.append("added " + ", ".join(_bare(item) for item in came))
    if gone:
        parts.append("removed " + ", ".join(_bare(item) for item in gone))
    if not parts:
        parts.append(
            "reordered" if sorted(map(str, before)) == sorted(map(str, after)) else "changed"
        )
    return FieldChange(path, f"{lead}: {'; '.join(parts)}", as_json(before), as_json(after))


def _bare(item: Any) -> str:
    return shorten(str(item))


def extension_changes(
    before: Sequence[tuple[str, Any]], after: Sequence[tuple[str, Any]], prefix: str
) -> list[FieldChange]:
    """``x-`` fields added, removed or changed, by key."""
    old, new = dict(before), dict(after)
    changes: list[FieldChange] = []
    for key in [*new, *(k for k in old if k not in new)]:
        if key in old and key in new and plain(old[key], None) == plain(new[key], None):
            continue
        path = (
            f"{prefix.rstrip(': ').replace(' ', '_')}extensions.{key}"
            if prefix
            else f"extensions.{key}"
        )
        changes += value_changes(key, old.get(key), new.get(key), path, prefix)
    if not changes and list(old) != list(new):
        changes.append(
            FieldChange(
                f"{prefix}extensions", f"{prefix}extension fields reordered", list(old), list(new)
            )
        )
    return changes


# -- refs, positions, arguments ----------------------------------------------------------
def _where(ref: Ref) -> str:
    paras = ", ".join(f"¶{p}" for p in ref.paras)
    return f"{ref.source} {paras}".rstrip()


def _ref_text(ref: Ref) -> str:
    quote = f' "{shorten(ref.quote)}"' if ref.quote else ""
    return _where(ref) + quote


def _ref_key(ref: Ref) -> tuple[str, tuple[int, ...], str | None]:
    return (ref.source, ref.paras, ref.quote)


def ref_changes(
    before: Sequence[Ref], after: Sequence[Ref], rename: Rename, path: str, prefix: str
) -> list[FieldChange]:
    """Citations added, removed, moved (same source and quote, other paragraphs), their
    quote changed, or only reordered."""
    old = [Ref(_mapped(rename, r.source), r.paras, r.quote, r.loc) for r in before]
    new = list(after)
    if [_ref_key(r) for r in old] == [_ref_key(r) for r in new]:
        return []
    left = list(old)
    right: list[Ref] = []
    for ref in new:  # the same citation on both sides: no change
        match = next((r for r in left if _ref_key(r) == _ref_key(ref)), None)
        if match is None:
            right.append(ref)
        else:
            left.remove(match)
    changes: list[FieldChange] = []
    pairings: list[Callable[[Ref, Ref], bool]] = [
        lambda a, b: a.source == b.source and a.quote is not None and a.quote == b.quote,
        lambda a, b: a.source == b.source and a.paras == b.paras,
        lambda a, b: a.source == b.source,
    ]
    for same in pairings:
        for ref in list(right):
            match = next((r for r in left if same(r, ref)), None)
            if match is None:
                continue
            left.remove(match)
            right.remove(ref)
            quote = f"quote {show(match.quote)} -> {show(ref.quote)}"
            if match.paras != ref.paras:
                paras = ", ".join(f"¶{p}" for p in ref.paras)
                text = f"{prefix}citation moved: {_where(match)} -> {paras}"
                if match.quote != ref.quote:
                    text += f", {quote}"
            else:
                text = f"{prefix}citation {_where(ref)}: {quote}"
            changes.append(FieldChange(path, text, as_json(match), as_json(ref)))
    for ref in right:
        changes.append(
            FieldChange(path, f"{prefix}citation added: {_ref_text(ref)}", None, as_json(ref))
        )
    for ref in left:
        changes.append(
            FieldChange(path, f"{prefix}citation removed: {_ref_text(ref)}", as_json(ref), None)
        )
    if not changes:
        changes.append(
            FieldChange(path, f"{prefix}citations reordered", as_json(list(old)), as_json(new))
        )
    return changes


def _position_changes(
    before: Sequence[Position],
    after: Sequence[Position],
    rename: Rename,
    labels: Labels,
    issue: str,
) -> list[FieldChange]:
    """Positions are known by their actor: ``Putin on The islands: against -> mixed``."""
    old = {_mapped(rename, p.actor): p for p in before}
    new = {p.actor: p for p in after}
    changes: list[FieldChange] = []
    for actor, position in new.items():
        lead = f"{labels.new(actor)} on {issue}: "
        path = f"positions[{actor}]"
        earlier = old.get(actor)
        if earlier is None:
            changes.append(
                FieldChange(
                    path, f"{lead}position added ({position.stance.value})", None, as_json(position)
                )
            )
            continue
        if earlier.stance != position.stance:
            changes.append(
                FieldChange(
                    f"{path}.stance",
                    f"{lead}{earlier.stance.value} -> {position.stance.value}",
                    earlier.stance.value,
                    position.stance.value,
                )
            )
        if earlier.position != position.position:
            changes += value_changes(
                "position", earlier.position, position.position, f"{path}.position", lead
            )
        changes += ref_changes(earlier.refs, position.refs, rename, f"{path}.refs", lead)
        changes += extension_changes(earlier.extensions, position.extensions, lead)
    for actor, position in old.items():
        if actor not in new:
            changes.append(
                FieldChange(
                    f"positions[{actor}]",
                    f"{labels.old(actor)} on {issue}: position removed "
                    f"(was {position.stance.value})",
                    as_json(position),
                    None,
                )
            )
    kept_old = [a for a in old if a in new]
    kept_new = [a for a in new if a in old]
    if kept_old != kept_new:
        changes.append(FieldChange("positions", "positions reordered", kept_old, kept_new))
    if not changes and len(before) != len(after):  # (an actor given twice)
        changes.append(
            FieldChange("positions", "positions changed", as_json(before), as_json(after))
        )
    return changes


def _argument_changes(
    before: Sequence[Argument], after: Sequence[Argument], rename: Rename
) -> list[FieldChange]:
    """Arguments are known by their claim: a claim reworded is one removed, one added."""
    old = {a.claim: a for a in before}
    new = {a.claim: a for a in after}
    changes: list[FieldChange] = []
    for number, (claim, argument) in enumerate(new.items(), start=1):
        earlier = old.get(claim)
        if earlier is None:
            changes.append(
                FieldChange(
                    f"arguments[{number}]", f"claim added: {show(claim)}", None, as_json(argument)
                )
            )
            continue
        lead = f"claim {show(claim)}: "
        changes += ref_changes(
            earlier.refs, argument.refs, rename, f"arguments[{number}].refs", lead
        )
        changes += extension_changes(earlier.extensions, argument.extensions, lead)
    for claim, argument in old.items():
        if claim not in new:
            changes.append(
                FieldChange("arguments", f"claim removed: {show(claim)}", as_json(argument), None)
            )
    kept_old = [c for c in old if c in new]
    kept_new = [c for c in new if c in old]
    if kept_old != kept_new:
        changes.append(FieldChange("arguments", "claims reordered", kept_old, kept_new))
    if not changes and len(before) != len(after):  # (a claim given twice)
        changes.append(FieldChange("arguments", "claims changed", as_json(before), as_json(after)))
    return changes


__all__ = [
    "ID_FIELDS",
    "WRITTEN_AS",
    "FieldChange",
    "Labels",
    "Rename",
    "as_json",
    "entity_changes",
    "plain",
    "ref_changes",
    "relation_changes",
    "show",
    "value_changes",
]
