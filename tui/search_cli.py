"""``dossier search QUERY [PATH]``: every place a query matches, one line each.

Lines read ``path:line:col: kind id field: snippet`` (an editor or a grep-like tool
jumps to the YAML), or ``--format json`` for scripts. Exit 0 when something matched,
1 when nothing did, 2 on bad input (bad arguments, a missing path, an invalid dossier,
whose problems are printed to stderr as ``dossier validate`` prints them).

The first search of a dossier loads it and writes its index beside the load cache
(:mod:`tui.content.searchstore`); later ones read the YAML files' bytes (for the cache
key) and that index only, never the model, which makes a search quicker than a
``dossier validate``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from .cliargs import add_load_options
from .content import cache as _cache
from .content import searchstore
from .content.limits import default_max_file_size
from .content.loader import check_dossier, content_key, result_dependencies
from .content.search import Query, SearchIndex, Unit, match_spans, parse_query, snippet
from .content.text import clean_text, printable_path

WIDTH = 100
"""Characters of text shown around the first match."""
_ELLIPSIS = "…".encode()
_FLAT = bytes(b if 0x20 <= b < 0x7F else 0x20 for b in range(128)) + bytes(range(128, 256))
"""ASCII text as :func:`~tui.content.search.snippet` flattens it: controls as spaces."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``dossier search``'s arguments."""
    parser = argparse.ArgumentParser(
        prog="dossier search",
        description="Print every place QUERY matches as path:line:col: kind id field: snippet. "
        'QUERY is words (all must match, in any order, as prefixes or substrings), "quoted '
        'phrases" and the filters kind:KIND, stance:STANCE and source:ID. '
        "Exit 0 when something matched, 1 when nothing did, 2 on bad input.",
    )
    parser.add_argument("query", help="what to look for (quote it for the shell)")
    parser.add_argument(
        "path", nargs="?", type=Path, help="a dossier folder or file (default: the bundled one)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_load_options(parser)
    return parser


def line_of(unit: Unit, spans: Sequence[tuple[int, int]]) -> str:
    """One hit as printed: ``path:line:col: kind id field: snippet``."""
    text, _ = snippet(unit.text, spans, WIDTH)
    return clean_text(f"{unit.loc}: {unit.kind} {unit.item} {unit.field}: {text}")


def record_of(unit: Unit, label: str, spans: Sequence[tuple[int, int]]) -> dict[str, object]:
    """One hit for ``--format json`` (``spans``: offsets into ``text``, the snippet)."""
    text, shown = snippet(unit.text, spans, WIDTH)
    return {
        "path": unit.loc.path,
        "line": unit.loc.line,
        "col": unit.loc.col,
        "kind": unit.kind,
        "id": unit.item,
        "name": label,
        "field": unit.field,
        "where": unit.where,
        "text": text,
        "spans": [list(span) for span in shown],
    }


def _stored_lines(
    stored: searchstore.StoredIndex, numbers: Iterable[int], query: Query
) -> list[str]:
    """:func:`line_of` for each of ``numbers``, the same text made from the stored
    columns without decoding whole units (ASCII text; others the long way)."""
    units = stored.units
    paths = [printable_path(path) for path in units.tables["path"]]
    path_of, line_of_unit, col_of = units.of["path"], units.line, units.col
    kinds, kind_of = units.tables["kind"], units.of["kind"]
    items, item_of = units.tables["item"], units.of["item"]
    fields, field_of = units.tables["field"], units.of["field"]
    texts, ascii_text = units.strings["text"], units.ascii
    needles = [term.encode() for term in query.terms]
    lines: list[str] = []
    for number in numbers:
        if not ascii_text[number]:
            unit = units[number]
            lines.append(line_of(unit, match_spans(unit.text, query.terms)[0]))
            continue
        flat = texts.bytes_at(number).translate(_FLAT)
        size = len(flat)
        if size > WIDTH:
            folded = flat.lower()
            found = [offset for offset in map(folded.find, needles) if offset >= 0]
            first = min(found) if found else 0
            start = max(0, min(first - WIDTH // 4, size - WIDTH))
            end = min(size, start + WIDTH)
            shown = flat[start:end]
            if start > 0:
                shown = _ELLIPSIS + shown[1:]
            if end < size:
                shown = shown[:-1] + _ELLIPSIS
            flat = shown
        line, col = line_of_unit[number], col_of[number]
        path = paths[path_of[number]]
        place = path if line <= 0 else f"{path}:{line}" if col <= 0 else f"{path}:{line}:{col}"
        lines.append(
            f"{place}: {kinds[kind_of[number]]} {items[item_of[number]]} "
            f"{fields[field_of[number]]}: {flat.decode()}"
        )
    return lines


def _refuse(path: Path, diagnostics: Iterable[object], errors: int) -> int:
    for diagnostic in diagnostics:
        print(clean_text(str(diagnostic)), file=sys.stderr)
    plural = "" if errors == 1 else "s"
    print(f"dossier search: cannot search {printable_path(path)}: {errors} error{plural}",
          file=sys.stderr)  # fmt: skip
    return 2


def _write(lines: list[str], out: TextIO) -> None:
    if lines:
        out.write("\n".join(lines))
        out.write("\n")


def search(argv: Sequence[str], out: TextIO | None = None) -> int:
    """``dossier search``: 0 when something matched, 1 when nothing did, 2 on bad input
    (``out``: standard output unless given)."""
    out = sys.stdout if out is None else out
    args = build_parser().parse_args(argv)
    query = parse_query(args.query)
    if query.empty:
        print(f"dossier search: nothing to search for in {args.query!r}: "
              "give a word with a letter or a digit", file=sys.stderr)  # fmt: skip
        return 2
    from .content.bundled import default_dossier

    path: Path = args.path or default_dossier()
    max_size = default_max_file_size() if args.max_file_size is None else args.max_file_size
    use_cache = not args.no_cache and _cache.cache_root() is not None
    key = None
    if use_cache:
        key = content_key(path, max_size)
        if key is not None:
            stored = searchstore.read(key, max_size=max_size)
            if stored is not None:
                try:
                    status = _answer_stored(stored, query, args.format, out)
                except (searchstore.StoreError, IndexError, KeyError, ValueError):
                    status = None  # (a file that does not add up: built again below)
                if status is not None:
                    return status
    result = check_dossier(path, use_cache=use_cache, max_file_size=max_size)
    dossier = result.dossier
    if dossier is None:
        return _refuse(path, result.diagnostics, len(result.errors))
    index = SearchIndex.of(dossier)
    if key is not None:
        searchstore.write(key, index, dossier, result_dependencies(result), max_size=max_size)
    hits = index.search(query, limit=None).hits
    if args.format == "json":
        labels = {entity.id: entity.label for entity in dossier.entities.values()}
        records = [record_of(h.unit, labels.get(h.unit.item, h.unit.item), h.spans()) for h in hits]
        json.dump(records, out, indent=2)
        out.write("\n")
    else:
        _write([line_of(hit.unit, hit.spans()) for hit in hits], out)
    return 0 if hits else 1


def _answer_stored(
    stored: searchstore.StoredIndex, query: Query, form: str, out: TextIO
) -> int | None:
    """Print the hits of ``query`` in a stored index and return the exit status; None
    (and nothing printed) when the file's digest does not match."""
    filtered = query.kind is not None or query.stance is not None or query.source is not None
    if filtered or form == "json":
        if not stored.sound():
            return None
        hits = stored.index.search(query, limit=None).hits
        if form == "json":
            units = stored.units
            labels = dict(zip(units.tables["item"], units.labels, strict=True))
            records = [
                record_of(h.unit, labels.get(h.unit.item, h.unit.item), h.spans()) for h in hits
            ]
            json.dump(records, out, indent=2)
            out.write("\n")
        else:
            _write([line_of(hit.unit, hit.spans()) for hit in hits], out)
        return 0 if hits else 1
    numbers = stored.ranked(query)  # (while the digest is worked out)
    lines = _stored_lines(stored, numbers, query)
    if not stored.sound():
        return None
    _write(lines, out)
    return 0 if numbers else 1
