"""Checks that need the whole dossier: links, paragraphs, quotes, ``part_of`` cycles."""

from __future__ import annotations

import difflib
from collections import defaultdict
from pathlib import Path

from .errors import Diagnostic, Location, Severity
from .fields import PendingLink, Reader
from .model import Actor, Entity, Link, Ref, Source
from .quotes import normalise, paragraphs_of, resolve_inside

MAX_SUGGESTIONS = 50
"""Nearest-id hints are computed for this many dangling links; the rest are plain."""
_ARTICLE = {"actor": "an", "issue": "an", "assessment": "an", "event": "an", "source": "a"}


def cross_check(reader: Reader, entities: dict[str, Entity], root: Path) -> tuple[Link, ...]:
    """Run every whole-dossier check, adding diagnostics to ``reader``; return the links."""
    links = _check_links(reader, entities)
    _check_refs(reader, entities, root)
    _check_part_of(reader, entities)
    return links


def _check_links(reader: Reader, entities: dict[str, Entity]) -> tuple[Link, ...]:
    out = reader.diagnostics
    ids: list[str] | None = None
    suggestions = 0
    links: list[Link] = []
    for pending in reader.links:
        target = entities.get(pending.target)
        if target is None:
            hint = ""
            if suggestions < MAX_SUGGESTIONS:
                suggestions += 1
                ids = ids if ids is not None else list(entities)
                hint = _nearest(pending, ids, entities)
            out.append(
                Diagnostic(
                    pending.loc,
                    f"'{pending.field}' names '{pending.target}', which does not exist",
                    hint,
                )
            )
        elif pending.kind is not None and target.kind != pending.kind:
            out.append(
                Diagnostic(
                    pending.loc,
                    f"'{pending.target}' is {_ARTICLE[target.kind]} {target.kind}, "
                    f"but '{pending.field}' must name {_ARTICLE[pending.kind]} {pending.kind}",
                )
            )
        elif pending.owner:
            links.append(Link(pending.owner, pending.field, pending.target))
    return tuple(links)


def _nearest(pending: PendingLink, ids: list[str], entities: dict[str, Entity]) -> str:
    pool = ids
    if pending.kind is not None:
        pool = [i for i in ids if entities[i].kind == pending.kind]
    close = difflib.get_close_matches(pending.target, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _check_refs(reader: Reader, entities: dict[str, Entity], root: Path) -> None:
    out = reader.diagnostics
    by_source: dict[str, list[tuple[Ref, Location | None]]] = defaultdict(list)
    for ref, para_loc, quote_loc in reader.refs:
        source = entities.get(ref.source)
        if not isinstance(source, Source):
            continue  # reported as a bad link
        if source.paragraphs is not None:
            for para in ref.paras:
                if para > source.paragraphs:
                    out.append(
                        Diagnostic(
                            para_loc,
                            f"paragraph {para} is outside '{source.id}', "
                            f"which has {source.paragraphs} paragraphs",
                        )
                    )
        if ref.quote is not None:
            by_source[source.id].append((ref, quote_loc))
    for entity in entities.values():
        if isinstance(entity, Source) and entity.text_file:
            _check_quotes(reader, entity, by_source.get(entity.id, []), root)


def _check_quotes(
    reader: Reader, source: Source, quoted: list[tuple[Ref, Location | None]], root: Path
) -> None:
    out = reader.diagnostics
    assert source.text_file is not None
    path = resolve_inside(root, source.text_file)
    if path is None:
        out.append(
            Diagnostic(
                source.loc,
                f"text_file '{source.text_file}' of '{source.id}' is outside the dossier folder",
                "give a path relative to the dossier folder, inside it",
            )
        )
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        if not quoted:
            return
        out.append(
            Diagnostic(
                source.loc,
                f"text_file '{source.text_file}' of '{source.id}' is not there, "
                f"so {len(quoted)} quote(s) citing it were not checked",
                "put a [N]-numbered plain-text copy of the source at that path to check them",
                Severity.NOTE,
            )
        )
        return
    except (OSError, UnicodeDecodeError) as exc:
        out.append(Diagnostic(source.loc, f"cannot read text_file '{source.text_file}': {exc}"))
        return
    paragraphs = {n: normalise(p) for n, p in paragraphs_of(text).items()}
    for ref, quote_loc in quoted:
        assert ref.quote is not None
        wanted = normalise(ref.quote)
        if any(wanted in paragraphs.get(n, "") for n in ref.paras):
            continue
        where = ", ".join(str(n) for n in ref.paras)
        elsewhere = [n for n, p in paragraphs.items() if wanted in p]
        hint = (
            f"it is in paragraph {elsewhere[0]}"
            if elsewhere
            else "quotes must be exact (spacing and quote marks may differ)"
        )
        out.append(
            Diagnostic(
                quote_loc or ref.loc,
                f"quote not found in paragraph {where} of '{source.id}'",
                hint,
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
