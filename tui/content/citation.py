"""Plain-text citations of an item, for copying into notes and papers."""

from __future__ import annotations

from .model import Assessment, Dossier, Entity, Issue, Ref, Source


def _source_line(dossier: Dossier, ref: Ref) -> str:
    source = dossier.get(ref.source)
    paras = ", ".join(f"¶{n}" for n in ref.paras)
    if not isinstance(source, Source):
        return f"{ref.source}, {paras}"
    details = [d for d in (source.author, source.publisher) if d]
    if source.date is not None:
        details.append(str(source.date))
    where = f"{source.title} ({', '.join(details)})" if details else source.title
    return f"{where}, {paras}"


def refs_of(entity: Entity) -> list[Ref]:
    """The refs that support ``entity``: its own, then those of its claims or positions."""
    refs = list(entity.refs)
    if isinstance(entity, Assessment):
        refs += [r for argument in entity.arguments for r in argument.refs]
    elif isinstance(entity, Issue):
        refs += [r for position in entity.positions for r in position.refs]
    return refs


def citation_text(dossier: Dossier, entity: Entity) -> str:
    """``entity`` as a citation: its title, the dossier, then each source and quote."""
    lines = [f"{entity.label} ({dossier.info.title}, as of {dossier.info.as_of})"]
    seen: set[tuple[str, tuple[int, ...], str | None]] = set()
    for ref in refs_of(entity):
        key = (ref.source, ref.paras, ref.quote)
        if key in seen:
            continue
        seen.add(key)
        line = _source_line(dossier, ref)
        if ref.quote:
            line += f': "{ref.quote}"'
        lines.append(f"  {line}")
    if len(lines) == 1:
        lines.append("  (no sources cited for this item)")
    return "\n".join(lines)
