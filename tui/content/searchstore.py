"""The search index on disk, beside the load cache, for ``dossier search``.

``dossier search`` answers a query without loading the dossier's model: the first run
on a dossier loads it, builds its :class:`~tui.content.search.SearchIndex` and writes it
as ``<key>.search`` in the load cache's folder (the key is the model's pickle's: the
hash of the YAML files' bytes); later runs read the YAML files' bytes (for the key),
then this file, and scan.

The file is never unpickled: it cannot run code when read. It is

- 16 bytes of :data:`MAGIC`, the header's length (4 bytes, little-endian), the header:
  JSON with the format version, the machine's byte order, the text files the index
  depends on (with their hashes, checked as :func:`tui.content.cache.lookup` checks
  the pickle's), the payload's length and blake2b digest, and a table of sections
  (name -> offset, length in the payload);
- the payload: raw sections. Each part's folded blob, its ``starts`` and ``units``
  (``array('I').tobytes()``); the units' columns: strings with few distinct values
  (kind, field, path, stance, item, sources) as a JSON table plus an index per unit,
  the others (where, text) as one UTF-8 blob plus offsets; line and col as arrays.

Anything that does not add up (magic, version, lengths, digest, indices) means the file
is not used, and ``dossier search`` builds and writes it again. Units are decoded only
for the hits shown.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast, overload

from . import cache as _cache
from .errors import Location
from .lazy import dossier_catalog
from .model import Dossier
from .search import _WORD_BYTE, BODY, LABEL, Part, Query, SearchIndex, Unit

MAGIC = b"dossier-search\n\0"
FORMAT = 1
"""Bump when the layout or what a unit holds changes: older files are rebuilt."""
SUFFIX = ".search"
_PREFIX = struct.Struct("<16sI")
_MAX_HEADER = 1 << 24
_TABLES = ("kind", "field", "path", "stance", "item", "sources")
"""Unit columns stored as a table of distinct values and an index per unit."""
_STRINGS = ("where", "text")
"""Unit columns stored as a UTF-8 blob and offsets."""
_NO_STANCE = ""


class StoreError(Exception):
    """A ``.search`` file that cannot be used (why, for tests and debugging)."""


def _ints(values: Sequence[int] | Iterator[int]) -> bytes:
    return array("I", values).tobytes()


def _table(values: Sequence[str]) -> tuple[bytes, bytes]:
    """``values`` as a JSON list of the distinct ones and each one's index."""
    numbers: dict[str, int] = {}
    indices = array("I", (numbers.setdefault(value, len(numbers)) for value in values))
    return json.dumps(list(numbers), ensure_ascii=False).encode(), indices.tobytes()


def _strings(values: Sequence[str]) -> tuple[bytes, bytes]:
    """``values`` as one UTF-8 blob and the offsets of each (one more than values)."""
    encoded = [value.encode("utf-8", "surrogatepass") for value in values]
    offsets = array("I", [0])
    total = 0
    for data in encoded:
        total += len(data)
        offsets.append(total)
    return b"".join(encoded), offsets.tobytes()


def encode(
    index: SearchIndex, labels: dict[str, str], dependencies: list[list[str | None]]
) -> bytes:
    """The whole file for ``index`` (``labels``: each item's name or title)."""
    units = index.units
    sections: dict[str, bytes] = {}
    for name, part in zip(("label", "body"), index.parts, strict=True):
        sections[f"{name}.blob"] = part.blob
        sections[f"{name}.starts"] = part.starts.tobytes()
        sections[f"{name}.units"] = _ints(part.units)
    columns: dict[str, list[str]] = {
        "kind": [u.kind for u in units],
        "field": [u.field for u in units],
        "path": [u.loc.path for u in units],
        "stance": [u.stance or _NO_STANCE for u in units],
        "item": [u.item for u in units],
        "sources": [json.dumps(u.sources, ensure_ascii=False) for u in units],
        "where": [u.where for u in units],
        "text": [u.text for u in units],
    }
    for name in _TABLES:
        sections[f"{name}.table"], sections[f"{name}.of"] = _table(columns[name])
    for name in _STRINGS:
        sections[f"{name}.blob"], sections[f"{name}.offsets"] = _strings(columns[name])
    sections["line"] = _ints(u.loc.line for u in units)
    sections["col"] = _ints(u.loc.col for u in units)
    sections["ascii"] = bytes(u.text.isascii() for u in units)
    items: list[str] = json.loads(sections["item.table"])
    sections["labels"] = json.dumps([labels.get(i, i) for i in items], ensure_ascii=False).encode()
    table: dict[str, list[int]] = {}
    pieces: list[bytes] = []
    offset = 0
    for name, data in sections.items():
        padding = -offset % 8  # (each section aligned: quicker to copy)
        pieces.append(bytes(padding))
        offset += padding
        table[name] = [offset, len(data)]
        pieces.append(data)
        offset += len(data)
    payload = b"".join(pieces)
    header = json.dumps(
        {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "itemsize": array("I").itemsize,
            "units": len(units),
            "dependencies": dependencies,
            "payload": len(payload),
            "digest": hashlib.blake2b(payload, digest_size=32).hexdigest(),
            "sections": table,
        }
    ).encode()
    return _PREFIX.pack(MAGIC, len(header)) + header + payload


class _Digester:
    """The payload's blake2b digest, worked out in a thread (hashlib lets go of the GIL
    for large data): the scan runs meanwhile, and nothing it found is used before the
    digest is known to match (:meth:`StoredIndex.sound`)."""

    def __init__(self, payload: memoryview) -> None:
        import threading

        self._payload = payload
        self._digest: str | None = None
        self._thread = threading.Thread(target=self._work, name="search-digest", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        self._digest = hashlib.blake2b(self._payload, digest_size=32).hexdigest()

    def result(self) -> str | None:
        self._thread.join()
        return self._digest


class _Columns:
    """The raw sections of a read file, checked."""

    def __init__(self, data: bytes) -> None:
        if len(data) < _PREFIX.size:
            raise StoreError("truncated")
        magic, size = _PREFIX.unpack_from(data)
        if magic != MAGIC or size > _MAX_HEADER or len(data) < _PREFIX.size + size:
            raise StoreError("not a search index, or truncated")
        try:
            header = json.loads(data[_PREFIX.size : _PREFIX.size + size])
        except (ValueError, RecursionError):
            raise StoreError("bad header") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise StoreError("another format")
        if header.get("byteorder") != sys.byteorder or header.get("itemsize") != 4:
            raise StoreError("written on another kind of machine")
        payload = memoryview(data)[_PREFIX.size + size :]
        if header.get("payload") != len(payload):
            raise StoreError("truncated or too long")
        self.digest = header.get("digest")
        self._digester = _Digester(payload)
        self.header = header
        self.payload = payload
        sections = header.get("sections")
        if not isinstance(sections, dict):
            raise StoreError("no sections")
        self.sections: dict[str, tuple[int, int]] = {}
        for name, place in sections.items():
            if not (isinstance(place, list) and len(place) == 2):
                raise StoreError(f"bad section {name!r}")
            start, length = place
            if not (isinstance(start, int) and isinstance(length, int)):
                raise StoreError(f"bad section {name!r}")
            if start < 0 or length < 0 or start + length > len(payload):
                raise StoreError(f"section {name!r} out of bounds")
            self.sections[name] = (start, length)
        count = header.get("units")
        if not isinstance(count, int) or count < 0:
            raise StoreError("bad unit count")
        self.count = count

    def sound(self) -> bool:
        """Whether the payload's digest is the header's (waits for it to be worked out)."""
        return self._digester.result() == self.digest

    def raw(self, name: str) -> memoryview:
        place = self.sections.get(name)
        if place is None:
            raise StoreError(f"no section {name!r}")
        start, length = place
        return self.payload[start : start + length]

    def ints(self, name: str, count: int | None = None, below: int | None = None) -> array[int]:
        """Section ``name`` as an array of unsigned 32-bit integers: ``count`` of them,
        the last below ``below``."""
        data = self.raw(name)
        if len(data) % 4:
            raise StoreError(f"section {name!r} is not a whole array")
        values = array("I")
        values.frombytes(data)
        if count is not None and len(values) != count:
            raise StoreError(f"section {name!r} has {len(values)} values, not {count}")
        if below is not None and values and values[-1] >= below:
            raise StoreError(f"section {name!r} points outside")  # (a cheap check; a
            # value out of range elsewhere raises IndexError when used, and is refused)
        return values

    def table(self, name: str) -> list[str]:
        try:
            values = json.loads(bytes(self.raw(name)))
        except (ValueError, RecursionError):
            raise StoreError(f"section {name!r} is not JSON") from None
        if not isinstance(values, list):
            raise StoreError(f"section {name!r} is not a list")
        return values  # (of strings: the digest says the file is as written)


@dataclass
class _Strings:
    """A column of strings as one UTF-8 blob and offsets."""

    blob: bytes
    offsets: array[int]

    def bytes_at(self, number: int) -> bytes:
        return self.blob[self.offsets[number] : self.offsets[number + 1]]

    def __getitem__(self, number: int) -> str:
        return self.bytes_at(number).decode("utf-8", "replace")


class StoredUnits(Sequence[Unit]):
    """The units of a stored index, each decoded when asked for."""

    def __init__(self, columns: _Columns) -> None:
        count = self.size = columns.count
        self.tables: dict[str, list[str]] = {}
        self.of: dict[str, array[int]] = {}
        for name in _TABLES:
            self.tables[name] = columns.table(f"{name}.table")
            self.of[name] = columns.ints(f"{name}.of", count, len(self.tables[name]))
        self.strings: dict[str, _Strings] = {}
        for name in _STRINGS:
            blob = bytes(columns.raw(f"{name}.blob"))
            offsets = columns.ints(f"{name}.offsets", count + 1)
            self.strings[name] = _Strings(blob, offsets)
        self.line = columns.ints("line", count)
        self.col = columns.ints("col", count)
        self.ascii = bytes(columns.raw("ascii"))
        if len(self.ascii) != count:
            raise StoreError("section 'ascii' has the wrong length")
        self.labels = columns.table("labels")
        if len(self.labels) != len(self.tables["item"]):
            raise StoreError("section 'labels' has the wrong length")

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, number: int) -> Unit: ...
    @overload
    def __getitem__(self, number: slice) -> Sequence[Unit]: ...
    def __getitem__(self, number: int | slice) -> Unit | Sequence[Unit]:
        if isinstance(number, slice):
            return [self[n] for n in range(*number.indices(self.size))]
        if not -self.size <= number < self.size:
            raise IndexError(number)
        number %= self.size
        tables, of = self.tables, self.of
        stance = tables["stance"][of["stance"][number]]
        sources = json.loads(tables["sources"][of["sources"][number]])
        return Unit(
            item=tables["item"][of["item"][number]],
            kind=tables["kind"][of["kind"][number]],
            field=tables["field"][of["field"][number]],
            where=self.strings["where"][number],
            loc=Location(tables["path"][of["path"][number]], self.line[number], self.col[number]),
            text=self.strings["text"][number],
            stance=stance or None,
            sources=tuple(str(s) for s in sources) if isinstance(sources, list) else (),
        )

    def label(self, number: int) -> str:
        """The name or title of unit ``number``'s item."""
        return self.labels[self.of["item"][number]]


class StoredIndex:
    """A search index read from disk: :attr:`index` searches as any
    :class:`SearchIndex` does, its units decoded when used; :meth:`ranked` is the
    quick way to all the hits of a query without filters."""

    def __init__(self, data: bytes) -> None:
        columns = self._columns = _Columns(data)
        self.units = StoredUnits(columns)
        parts = []
        for name in ("label", "body"):
            blob = bytes(columns.raw(f"{name}.blob"))
            starts = columns.ints(f"{name}.starts", below=len(blob) + 1)
            units = columns.ints(f"{name}.units", len(starts), self.units.size)
            parts.append(Part(blob, starts, cast("list[int]", units)))
        self.parts = (parts[0], parts[1])
        self.index = SearchIndex.from_parts(self.units, self.parts)
        dependencies = columns.header.get("dependencies")
        self.dependencies: list[tuple[str, str | None]] = []
        if isinstance(dependencies, list):
            for entry in dependencies:
                if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str):
                    self.dependencies.append(
                        (entry[0], entry[1] if isinstance(entry[1], str) else None)
                    )
                else:
                    raise StoreError("bad dependencies")

    def sound(self) -> bool:
        """Whether the file's digest matched: call before using anything read from it
        (the digest is worked out in a thread while the first search runs)."""
        return self._columns.sound()

    def ranked(self, query: Query) -> list[int]:
        """The numbers of the units matching ``query`` (words and phrases, no filters),
        in :meth:`SearchIndex.search`'s order with no limit: the same hits, found
        without decoding a unit. Raises :class:`StoreError` (or IndexError) on data
        that does not add up."""
        needles = [term.encode() for term in query.terms]
        if not needles:
            return []
        first, *others = sorted(needles, key=len, reverse=True)
        lengths = {len(needle) for needle in needles}
        spread = len(needles) + 1
        count = max(len(self.units), 1)
        item_of = self.units.of["item"]
        word = _WORD_BYTE
        keys: list[int] = []
        for which, part in ((LABEL, self.parts[LABEL]), (BODY, self.parts[BODY])):
            blob, starts, numbers = part.blob, part.starts, part.units
            find, size, last = blob.find, len(blob), len(starts) - 1
            labelled: set[int] | None = set() if which == LABEL else None
            offset = find(first)
            while offset >= 0:
                position = bisect_right(starts, offset) - 1
                start = starts[position]
                end = starts[position + 1] - 1 if position < last else size
                if end < offset + len(first) or position < 0:
                    raise StoreError("unit offsets out of order")
                if others and not all(find(other, start, end) >= 0 for other in others):
                    offset = find(first, end)
                    continue
                number = numbers[position]
                if labelled is not None:
                    item = item_of[number]
                    if item in labelled:
                        offset = find(first, end)
                        continue
                    labelled.add(item)
                # The rank of SearchIndex._rank, as one integer.
                starting = (
                    1
                    if offset == start
                    or blob[offset - 1] not in word
                    or _starts_word(blob, first, start, offset + 1, end)
                    else 0
                )
                for other in others:
                    starting += _starts_word(blob, other, start, start, end)
                exact = 0 if end - start in lengths else 1
                keys.append(((which * 2 + exact) * spread + spread - 1 - starting) * count + number)
                offset = find(first, end)
        keys.sort()
        return [key % count for key in keys]


def _starts_word(blob: bytes, needle: bytes, start: int, since: int, end: int) -> bool:
    """Whether ``needle`` occurs at the start of a word in the unit ``blob[start:end]``,
    at ``since`` or later."""
    offset = blob.find(needle, since, end)
    while offset >= 0:
        if offset == start or blob[offset - 1] not in _WORD_BYTE:
            return True
        offset = blob.find(needle, offset + 1, end)
    return False


def path_for(key: str, cache_dir: Path | None = None) -> Path | None:
    """Where the index for cache ``key`` lives (None: the cache is switched off)."""
    root = _cache.cache_root(cache_dir)
    return None if root is None else root / f"{key}{SUFFIX}"


def read(
    key: str, cache_dir: Path | None = None, max_size: int | None = None
) -> StoredIndex | None:
    """The stored index for ``key``, if there is one whose text files are unchanged;
    None otherwise (it is then built and written again). Its digest is being checked
    meanwhile: ask :meth:`StoredIndex.sound` before using what it finds."""
    path = path_for(key, cache_dir)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        stored = StoredIndex(data)
    except (OSError, StoreError, ValueError, IndexError):
        return None
    if not _cache.unchanged(stored.dependencies, max_size):
        return None
    return stored


def write(
    key: str,
    index: SearchIndex,
    dossier: Dossier,
    dependencies: list[Path],
    cache_dir: Path | None = None,
    max_size: int | None = None,
) -> None:
    """Write the index for ``key`` atomically; a failure only means the next search
    builds it again."""
    labels = {e.id: e.label for e in dossier_catalog(dossier).values()}  # (nothing decoded)
    hashes = _cache.file_hashes(dependencies, max_size)
    data = encode(index, labels, [[path, digest] for path, digest in hashes])
    path = path_for(key, cache_dir)
    if path is None:
        return
    _cache.write_atomically(path, data)
