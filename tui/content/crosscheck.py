"""Checks that need the whole dossier: links, paragraphs, quotes, ``part_of`` cycles."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import Diagnostic, Location, Severity
from .fields import Reader
from .model import Actor, Entity, Link, Source
from .quotes import normalise, paragraphs_of, resolve_inside
from .reader import PendingLink, RefPlaces
from .safefile import FileRefusedError, read_regular_file
from .text import printable_path, shorten

MAX_SUGGESTIONS = 50
"""Nearest-id hints are computed for this many dangling links; the rest are plain."""
_new = tuple.__new__
_ARTICLE = {"actor": "an", "issue": "an", "assessment": "an", "event": "an", "source": "a"}


@dataclass(frozen=True)
class TextFiles:
    """Where source text copies are looked for, and how large one may be."""

    root: Path
    """The dossier folder; text files must stay inside it."""
    max_size: int
    locations: dict[str, Location]
    """Source id -> location of its ``text_file`` value, for diagnostics."""


class Rejected(NamedTuple):
    """An item left out of the dossier for errors of its own."""

    kind: str
    loc: Location


def cross_check(
    reader: Reader,
    entities: dict[str, Entity],
    texts: TextFiles,
    skipped: Sequence[str] = (),
    rejected: Mapping[str, Rejected] | None = None,
) -> tuple[Link, ...]:
    """Run every whole-dossier check, adding diagnostics to ``reader``; return the links.

    When files were ``skipped`` (not read: each has its error already), a link to an
    item that does not exist may well name one defined there: such links are counted in
    one note instead of an error each (a skipped 9 MiB file made 11,000 errors). Links
    to an item ``rejected`` for errors of its own (a misspelt ``kind``) are not errors
    either: the item is there, and its errors say what to fix; each such item gets one
    note counting them."""
    links = _check_links(reader, entities, bool(skipped), rejected or {})
    if skipped and reader.unchecked_links:
        count = reader.unchecked_links
        files = ", ".join(printable_path(name) for name in dict.fromkeys(skipped))
        where = next(  # (beside the first skipped file's own error, which comes first)
            (d.location for d in reader.diagnostics if d.location.path == skipped[0]),
            Location(skipped[0], 1, 1),
        )
        reader.diagnostics.append(
            Diagnostic(
                where,
                f"{count} link{'s' if count != 1 else ''} into items that may be defined in "
                f"{files} {'were' if count != 1 else 'was'} not checked",
                "they are checked once the file can be read",
                Severity.NOTE,
            )
        )
    _check_refs(reader, entities, texts)
    _check_part_of(reader, entities)
    return links


def _check_links(
    reader: Reader,
    entities: dict[str, Entity],
    files_skipped: bool,
    rejected: Mapping[str, Rejected],
) -> tuple[Link, ...]:
    out = reader.diagnostics
    reader.unchecked_links = 0
    into_rejected: Counter[str] = Counter()
    ids: list[str] | None = None
    suggestions = 0
    links: list[Link] = []
    append = links.append
    # A large dossier has hundreds of thousands of links, nearly all good: the loop
    # unpacks each pending link once, finds its target's kind in a dict made for it
    # (an entity's kind is a class attribute, slower to reach), and makes the Link
    # with tuple.__new__ (what the named tuple's own constructor does, less a call).
    kind_of = {entity_id: entity.kind for entity_id, entity in entities.items()}.get
    for pending in reader.links:
        owner, field, target_id, kind, _, _ = pending
        target_kind = kind_of(target_id)
        if target_kind is None and rejected and target_id in rejected:
            target_kind = rejected[target_id].kind
            if kind is None or target_kind == kind:
                into_rejected[target_id] += 1
                continue
        if target_kind is None and files_skipped:
            reader.unchecked_links += 1
        elif target_kind is None:
            hint = ""
            if suggestions < MAX_SUGGESTIONS:
                suggestions += 1
                ids = ids if ids is not None else list(entities)
                hint = _nearest(pending, ids, entities)
            out.append(
                Diagnostic(
                    pending.loc,
                    f"'{field}' names '{shorten(target_id)}', which does not exist",
                    hint,
                )
            )
        elif kind is not None and target_kind != kind:
            out.append(
                Diagnostic(
                    pending.loc,
                    f"'{target_id}' is {_ARTICLE[target_kind]} {target_kind}, "
                    f"but '{field}' must name {_ARTICLE[kind]} {kind}",
                )
            )
        elif owner:
            append(_new(Link, (owner, field, target_id)))
    for target_id, count in into_rejected.items():
        out.append(
            Diagnostic(
                rejected[target_id].loc,
                f"{count} link{'s' if count != 1 else ''} to '{shorten(target_id)}' "
                f"{'were' if count != 1 else 'was'} not checked: it has errors of its own",
                "they are checked once it is fixed",
                Severity.NOTE,
            )
        )
    return tuple(links)


def _nearest(pending: PendingLink, ids: list[str], entities: dict[str, Entity]) -> str:
    pool = ids
    if pending.kind is not None:
        pool = [i for i in ids if entities[i].kind == pending.kind]
    close = difflib.get_close_matches(pending.target, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _check_refs(reader: Reader, entities: dict[str, Entity], texts: TextFiles) -> None:
    out = reader.diagnostics
    sources = {e.id: e for e in entities.values() if isinstance(e, Source)}
    # Quotes are gathered only for the sources that have a text copy to check them in.
    by_source: dict[str, list[RefPlaces]] = {s: [] for s, e in sources.items() if e.text_file}
    for places in reader.refs:
        ref = places.ref
        source = sources.get(ref.source)
        if source is None:
            continue  # not a source: reported as a bad link
        limit = source.paragraphs
        if limit is not None:
            for para in ref.paras:
                if para > limit:
                    out.append(
                        Diagnostic(
                            places.para_loc,
                            f"paragraph {para} is outside '{source.id}', "
                            f"which has {source.paragraphs} paragraphs",
                        )
                    )
        if ref.quote is not None and source.id in by_source:
            by_source[source.id].append(places)
    for entity in entities.values():
        if isinstance(entity, Source) and entity.text_file:
            _check_quotes(reader, entity, by_source.get(entity.id, []), texts)


def _read_text_file(reader: Reader, source: Source, texts: TextFiles, quoted: int) -> str | None:
    """The text copy of ``source``, or None (with a diagnostic where one is due)."""
    out = reader.diagnostics
    assert source.text_file is not None
    where = texts.locations.get(source.id, source.loc)
    name = f"text_file '{shorten(source.text_file)}' of '{source.id}'"
    path = resolve_inside(texts.root, source.text_file)
    if path is None:
        out.append(
            Diagnostic(
                where,
                f"{name} is outside the dossier folder",
                "give a path relative to the dossier folder, inside it",
            )
        )
        return None
    try:
        return read_regular_file(path, texts.max_size).decode("utf-8-sig")
    except FileRefusedError as refused:
        out.append(Diagnostic(where, f"{name} {refused.reason}", refused.hint))
    except FileNotFoundError:
        if quoted:
            out.append(
                Diagnostic(
                    where,
                    f"{name} is not there, so {quoted} quote(s) citing it were not checked",
                    "put a [N]-numbered plain-text copy of the source at that path to check them",
                    Severity.NOTE,
                )
            )
    except UnicodeDecodeError:
        out.append(Diagnostic(where, f"{name} is not valid UTF-8", "save it as UTF-8"))
    except OSError as exc:
        out.append(Diagnostic(where, f"cannot read {name}: {exc.strerror}"))
    return None


def _check_quotes(
    reader: Reader, source: Source, quoted: list[RefPlaces], texts: TextFiles
) -> None:
    text = _read_text_file(reader, source, texts, len(quoted))
    if text is None:
        return
    paragraphs = {n: normalise(p) for n, p in paragraphs_of(text).items()}
    searched = 0
    for places in quoted:
        ref = places.ref
        assert ref.quote is not None
        wanted = normalise(ref.quote)
        if any(wanted in paragraphs.get(n, "") for n in ref.paras):
            continue
        where = ", ".join(str(n) for n in ref.paras)
        hint = "quotes must be exact (spacing and quote marks may differ)"
        if searched < MAX_SUGGESTIONS:  # searching the whole text is costly: only the first few
            searched += 1
            elsewhere = next((n for n, p in paragraphs.items() if wanted in p), None)
            if elsewhere is not None:
                hint = f"it is in paragraph {elsewhere}"
        reader.diagnostics.append(
            Diagnostic(
                places.quote_loc, f"quote not found in paragraph {where} of '{source.id}'", hint
            )
        )


def _check_part_of(reader: Reader, entities: dict[str, Entity]) -> None:
    """An actor may not be part of itself, directly or through others."""
    reported: set[str] = set()
    for entity in entities.values():
        if not isinstance(entity, Actor) or entity.part_of is None:
            continue
        seen = [entity.id]
        current = entities.get(entity.part_of)
        while isinstance(current, Actor) and current.id not in reported:
            if current.id in seen:
                cycle = [*seen[seen.index(current.id) :], current.id]
                reported.update(cycle)
                reader.diagnostics.append(
                    Diagnostic(
                        entities[current.id].loc,
                        f"'part_of' makes a loop: {' -> '.join(cycle)}",
                        "an actor cannot contain itself",
                    )
                )
                break
            seen.append(current.id)
            current = entities.get(current.part_of) if current.part_of else None
