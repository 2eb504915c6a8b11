"""The load cache's file: a loaded dossier that is read in parts, never all at once.

Opening a big dossier from the cache must cost what the first screen shows, not what
the dossier holds, so an entry (``<key>.store`` in the cache folder, the key as
:func:`tui.content.cache.key_for` makes it) is laid out to be read piece by piece
with ``pread`` (the file's pages stay in the kernel's page cache, shared by every
process that reads it, and outside each one's own memory: the sessions of ``dossier
serve`` hold what they decoded, no more; a memory map would do as well until somebody
shortened the file in place, which turns a read into a SIGBUS):

- a fixed prefix (:data:`PREFIX`): :data:`MAGIC`, the whole file's length, the
  header's length and its CRC-32;
- the header, JSON: the format version, the text files the load depended on (with
  their hashes), the table of location paths, the dossier's own section (``info``),
  root, files, diagnostics and tour, counts, and where each section is (offset, length,
  CRC-32);
- sections, each JSON unless said: ``catalog`` (every entity's id, label and kind in
  the dossier's order, and each kind's list as catalog numbers: what the lists, counts
  and breadcrumb need), ``offsets`` (binary: where each record starts, and its CRC-32),
  ``names`` (what the filter matches: name, aliases and id, folded), ``links`` (every
  link, for the few views that walk them all);
- records, one per entity (the entity, who links to it, its relations' numbers, what
  it links to) and one per relation, each decoded only when asked for.

Nothing in it is code and nothing read runs code (JSON, :mod:`array`). Every piece is
checked before it is used: the length and the header when the file is opened (a
truncated or half-written file is refused at once), a section's and a record's CRC when
read. A file refused at opening is a cache miss (the dossier is loaded from its YAML
and the entry written again); a record found damaged later raises :class:`StoreCorruptError`,
which :mod:`.lazy` answers by loading the dossier from its YAML once for the rest of
the session.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .codec import Codec, Paths
from .errors import Diagnostic
from .index import Index, entity_names
from .model import Dossier

MAGIC = b"dossier-store\n\0\1"
PREFIX = struct.Struct("<16sQII")
"""Magic, the file's length, the header's length, the header's CRC-32."""
SUFFIX = ".store"
MAX_HEADER = 1 << 26
_KIND_CODES = {"source": "s", "actor": "a", "issue": "i", "assessment": "m", "event": "e"}
KINDS = {code: kind for kind, code in _KIND_CODES.items()}
"""Entity kind by the one-letter code the catalog keeps per entity."""
SECTION_KINDS = {
    "sources": "source",
    "actors": "actor",
    "issues": "issue",
    "assessments": "assessment",
    "events": "event",
}
"""A dossier's entity sections and the kind each holds."""


class StoreCorruptError(Exception):
    """A store (or part of one) that does not check out: it is never trusted."""


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def encode(
    dossier: Dossier | None,
    index: Index | None,
    diagnostics: Iterable[Diagnostic],
    files: Iterable[str],
    dependencies: list[tuple[str, str | None]],
    format_version: str,
    file_digests: Mapping[str, str] | None = None,
) -> bytes:
    """The store of a load: of a valid ``dossier`` (with its ``index``), or of a load
    that failed (no dossier: its diagnostics only). ``file_digests``, each YAML file's
    digest by its name as shown, go into the header as they are (``file_digests``)."""
    codec = Codec(Paths())
    header: dict[str, object] = {
        "format": format_version,
        "dependencies": dependencies,
        "files": list(files),
        "file_digests": dict(file_digests or {}),
        "diagnostics": [codec.write_diagnostic(d) for d in diagnostics],
        "valid": dossier is not None,
    }
    sections: dict[str, bytes] = {}
    records: list[bytes] = []
    if dossier is not None and index is not None:
        header.update(
            info=codec.write(dossier.info),
            root=str(dossier.root),
            notes=[codec.write_diagnostic(d) for d in dossier.notes],
            tour=[codec.write(stop) for stop in dossier.tour],
        )
        sections, records = _dossier_parts(dossier, index, codec)
    header["entities"] = len(dossier.entities) if dossier is not None else 0
    header["relations"] = len(dossier.relations) if dossier is not None else 0
    # Records come after the sections; their offsets count from the data's start.
    offsets = array("Q")
    crcs = array("I")
    position = sum(len(data) for data in sections.values())
    position += (len(records) + 1) * 8 + len(records) * 4
    for record in records:
        offsets.append(position)
        crcs.append(zlib.crc32(record))
        position += len(record)
    offsets.append(position)
    if sys.byteorder != "little":
        offsets.byteswap()
        crcs.byteswap()
    sections["offsets"] = offsets.tobytes() + crcs.tobytes()
    table: dict[str, list[int]] = {}
    at = 0
    for name, data in sections.items():
        table[name] = [at, len(data), zlib.crc32(data)]
        at += len(data)
    header["sections"] = table
    header["paths"] = codec.paths.paths  # (complete now: everything else is written)
    header_bytes = _json(header)
    body = b"".join([*sections.values(), *records])
    total = PREFIX.size + len(header_bytes) + len(body)
    prefix = PREFIX.pack(MAGIC, total, len(header_bytes), zlib.crc32(header_bytes))
    return b"".join([prefix, header_bytes, body])


def _dossier_parts(
    dossier: Dossier, index: Index, codec: Codec
) -> tuple[dict[str, bytes], list[bytes]]:
    """A valid dossier's JSON sections and its records (entities, then relations)."""
    entities = list(dossier.entities.values())
    catalog_ids = [entity.id for entity in entities]
    number_of = {entity_id: n for n, entity_id in enumerate(catalog_ids)}
    relation_number = {id(relation): n for n, relation in enumerate(dossier.relations)}
    records = [
        _json(
            [
                codec.write_entity(entity),
                [[b.owner, b.field] for b in index.backlinks_of(entity.id)],
                [relation_number[id(r)] for r in index.relations_of(entity.id)],
                [list(pair) for pair in index.fields_to(entity.id)],
                sorted(index.self_link_fields(entity.id)),
            ]
        )
        for entity in entities
    ]
    records.extend(_json(codec.write(relation)) for relation in dossier.relations)
    catalog = {
        "ids": catalog_ids,
        "labels": [entity.label for entity in entities],
        "kinds": "".join(_KIND_CODES[entity.kind] for entity in entities),
        "sections": {
            name: [number_of[e.id] for e in getattr(dossier, name)] for name in SECTION_KINDS
        },
    }
    sections = {
        "catalog": _json(catalog),
        "derived": _json(derived(dossier)),
        "names": _json([entity_names(entity) for entity in entities]),
        "links": _json([[number_of[o], f, number_of[t]] for o, f, t in dossier.links]),
    }
    return sections, records


def derived(dossier: Dossier) -> dict[str, list[Any]]:
    """What the analyst views sort and count by, per item of a section, worked out from
    every item (the views of a stored dossier read it instead of decoding them all):
    positions per issue and per actor, and each event's date."""
    by_actor = Counter(p.actor for issue in dossier.issues for p in issue.positions)
    return {
        "issue_positions": [len(issue.positions) for issue in dossier.issues],
        "actor_positions": [by_actor.get(actor.id, 0) for actor in dossier.actors],
        "event_dates": [[e.date.year, e.date.month, e.date.day] for e in dossier.events],
    }


class StoreFile:
    """A store: its header read and checked, everything else read on demand.

    Raises :class:`StoreCorruptError` from the constructor when the file is not a whole,
    sound store of ``format_version``, and from any later read of a damaged part.

    No descriptor is kept between reads: each opens the file, checks it is still the
    same file (:func:`_identity`), reads, and closes it (a few microseconds). A kept one
    would not survive what happens to descriptors in a pre-forked ``dossier serve``
    session (every one closed but its terminal's), nor a replaced entry, and would be
    one of the factory's descriptors in every session.
    """

    def __init__(self, path: Path, format_version: str) -> None:
        self.path = path
        self._identity: tuple[int, ...] | None = None
        with self._opened() as descriptor:
            info = os.fstat(descriptor)
            self._identity = _identity(info)
            self._open(descriptor, info.st_size, format_version)

    @contextlib.contextmanager
    def _opened(self) -> Iterator[int]:
        try:
            descriptor = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError as error:
            raise StoreCorruptError(f"cannot be opened: {error.strerror}") from error
        try:
            known = self._identity
            if known is not None and _identity(os.fstat(descriptor)) != known:
                raise StoreCorruptError("replaced or changed since it was opened")
            yield descriptor
        finally:
            os.close(descriptor)

    def _read(self, start: int, length: int, descriptor: int | None = None) -> bytes:
        if descriptor is None:
            with self._opened() as opened:
                return self._read(start, length, opened)
        try:
            data = os.pread(descriptor, length, start)
        except OSError as error:
            raise StoreCorruptError(f"cannot be read: {error.strerror}") from error
        if len(data) != length:
            raise StoreCorruptError("shorter than it says")
        return data

    def _open(self, descriptor: int, size: int, format_version: str) -> None:
        if size < PREFIX.size:
            raise StoreCorruptError("shorter than its prefix")
        prefix = self._read(0, PREFIX.size, descriptor)
        magic, total, header_length, header_crc = PREFIX.unpack(prefix)
        if magic != MAGIC:
            raise StoreCorruptError("not a store")
        if total != size:
            raise StoreCorruptError(f"{size} bytes where it says {total}: cut short or added to")
        if header_length > min(MAX_HEADER, size - PREFIX.size):
            raise StoreCorruptError("the header's length is wrong")
        header_bytes = self._read(PREFIX.size, header_length, descriptor)
        if zlib.crc32(header_bytes) != header_crc:
            raise StoreCorruptError("the header is damaged")
        header = _loads(header_bytes, "header")
        if not isinstance(header, dict) or header.get("format") != format_version:
            raise StoreCorruptError("another format version")
        self.header: dict[str, Any] = header
        self._data = PREFIX.size + header_length
        self.codec = Codec(Paths(header["paths"]))
        self.entities: int = header["entities"]
        self.relations: int = header["relations"]
        records = self.entities + self.relations
        raw = self.section_bytes("offsets", descriptor)
        if len(raw) != (records + 1) * 8 + records * 4:
            raise StoreCorruptError("the offsets section has the wrong length")
        self._offsets = array("Q")
        self._offsets.frombytes(raw[: (records + 1) * 8])
        self._crcs = array("I")
        self._crcs.frombytes(raw[(records + 1) * 8 :])
        if sys.byteorder != "little":
            self._offsets.byteswap()
            self._crcs.byteswap()
        if self._offsets and self._data + self._offsets[-1] != size:
            raise StoreCorruptError("the records do not end where the file does")

    def section_bytes(self, name: str, descriptor: int | None = None) -> bytes:
        """A section's bytes, checked against its CRC."""
        try:
            offset, length, crc = self.header["sections"][name]
        except (KeyError, TypeError, ValueError) as error:
            raise StoreCorruptError(f"no section {name!r}") from error
        data = self._read(self._data + offset, length, descriptor)
        if zlib.crc32(data) != crc:
            raise StoreCorruptError(f"the {name} section is damaged")
        return data

    def section(self, name: str) -> Any:
        """A JSON section (the ``offsets`` section as its bytes)."""
        data = self.section_bytes(name)
        return data if name == "offsets" else _loads(data, name)

    def record(self, number: int) -> Any:
        """Record ``number`` (entities first, in catalog order, then relations)."""
        start, end = self._offsets[number], self._offsets[number + 1]
        if not 0 <= start <= end:
            raise StoreCorruptError(f"record {number} has no place")
        data = self._read(self._data + start, end - start)
        if zlib.crc32(data) != self._crcs[number]:
            raise StoreCorruptError(f"record {number} is damaged")
        return _loads(data, f"record {number}")


def _identity(info: os.stat_result) -> tuple[int, ...]:
    """What tells a file from one written in its place: with no descriptor kept, an inode
    number can come back for the next file, so its size and time of change count too."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _loads(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise StoreCorruptError(f"the {what} is not JSON") from error


__all__ = ["KINDS", "SECTION_KINDS", "SUFFIX", "StoreCorruptError", "StoreFile", "encode"]
