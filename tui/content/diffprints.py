"""Fingerprints of a stored dossier's items, for :mod:`.diffscan`: a digest of each
item's YAML text, made once per stored dossier and kept beside its store.

The text of an item is the lines from the one it starts on to the one the next item
starts on (that line too, unless all it holds before the next item is the ``-`` of a
list). It says everything the item holds and nothing of where it is, so an item whose
digest (blake2b, 128 bits, over its kind, id and text) is the same in both dossiers is
the same item, even when an edit above it moved it down; one whose digest differs is
left to the records (:class:`.diffscan.StoredItems`).

A text is digested only where it is certain to be what the stored locations point into:
its file's bytes, read now, are those the store was made from (their digest is the one
the store keeps for the file: a file edited since, even in the moment after a warm load
checked it, is told apart, and one only touched, or rewritten unchanged by a checkout,
is not); the file has no line break YAML counts that a newline does not
(a lone carriage return, NEL, the Unicode line and paragraph separators) and no ``%``
directive; an item whose text holds a ``*`` (an alias, which could bring in text from
elsewhere) gets :data:`UNKNOWN`, equal to nothing.

Making them reads every record's head and every YAML file (half a second for a
10,000-actor dossier); they are written as ``<key>.diffscan`` beside ``<key>.store``,
tied to it by its record checksums, so a later diff reads 33 bytes per item and no
text. Writing is best effort (a read-only cache makes them each time); fingerprints
whose store the cache pruned are removed when new ones are written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import file_digest, write_atomically
from .model import Dossier
from .store import StoreCorruptError

if TYPE_CHECKING:
    from .diffscan import StoredItems

SUFFIX = ".diffscan"
MAGIC = b"dossier-diffscan"
FORMAT = 3
"""Bump when what a digest covers or the file's layout changes: older files are rebuilt."""
DIGEST = 32
"""Characters of a digest (128 bits, in hex)."""
UNKNOWN = b"0" * DIGEST
"""The digest of an item whose text could not be digested: never equal to anything."""
_PREFIX = struct.Struct("<16sI")
_MAX_HEADER = 1 << 20
_STRING = rb'"(?:[^"\\]|\\.)*"'


@cache
def _patterns() -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    """The heads of an entity's and a relation's record, and a relation's tail (compiled
    when fingerprints are made, not when a diff starts)."""
    return (
        # [["actor",["putin",[path,line,col],
        re.compile(rb'\[\["[a-z]+",\["([^"\\]*)",\[(\d+),(\d+),(\d+)\],'),
        # a relation's from, to and kind, as JSON writes them
        re.compile(rb"\[" + _STRING + rb"," + _STRING + rb"," + _STRING + rb","),
        # its location, then no extension fields: [path,line,col],[]]
        re.compile(rb"\[(\d+),(\d+),(\d+)\],\[\]\]"),
    )


_OTHER_BREAKS = ((b"\x85", b"\xc2\x85"), (b"\xa8", b"\xe2\x80\xa8"), (b"\xa9", b"\xe2\x80\xa9"))
"""Line breaks in YAML besides CR and LF (NEL, LINE and PARAGRAPH SEPARATOR), each with
its last byte (found with ``memchr``, far quicker than the whole sequence)."""


@dataclass(frozen=True)
class Prints:
    """Digests of a stored dossier's items, in the store's order."""

    entities: list[bytes]
    relations: list[bytes]
    relation_keys: list[bytes]
    """A digest of each relation's from, to and kind as stored (what pairs relations)."""
    lasting: bool = field(default=True, compare=False)
    """Whether they may be kept: False when a file could not be read, or no longer held
    the bytes the store was made from (a passing state: the next diff makes them anew)."""


def prints_of(items: StoredItems) -> Prints:
    """The dossier's fingerprints: read from beside its store, else made and written
    there (when the cache folder can be written to)."""
    store = items._store
    path = Path(store.path).with_suffix(SUFFIX)
    identity = _identity(store)
    prints = _read_prints(path, identity, store.entities, store.relations)
    if prints is None:
        prints = _make_prints(items)
        if prints.lasting and write_atomically(path, _encode_prints(prints, identity)):
            _prune(path.parent)
    return prints


def _identity(store: Any) -> str:
    """What ties fingerprints to one store: its counts and every record's place and CRC."""
    offsets = zlib.crc32(store._offsets.tobytes())
    crcs = zlib.crc32(store._crcs.tobytes())
    return f"{FORMAT}:{store.entities}:{store.relations}:{offsets:08x}:{crcs:08x}"


def _encode_prints(prints: Prints, identity: str) -> bytes:
    # One digest a line, in hex: read back with one split (digests as raw bytes would
    # need one slice each).
    payload = b"\n".join((*prints.entities, *prints.relations, *prints.relation_keys))
    header = json.dumps(
        {"identity": identity, "payload": hashlib.blake2b(payload, digest_size=32).hexdigest()}
    ).encode()
    return _PREFIX.pack(MAGIC, len(header)) + header + payload


def _read_prints(path: Path, identity: str, entities: int, relations: int) -> Prints | None:
    """The fingerprints in ``path`` if they are whole and are those of this store."""
    try:
        data = path.read_bytes()
        magic, length = _PREFIX.unpack_from(data)
        if magic != MAGIC or length > _MAX_HEADER:
            return None
        header = json.loads(data[_PREFIX.size : _PREFIX.size + length])
        payload = data[_PREFIX.size + length :]
        if (
            not isinstance(header, dict)
            or header.get("identity") != identity
            or header.get("payload") != hashlib.blake2b(payload, digest_size=32).hexdigest()
        ):
            return None
    except (OSError, ValueError, struct.error):
        return None
    digests = payload.split(b"\n")
    if len(digests) != entities + 2 * relations or set(map(len, digests)) != {DIGEST}:
        return None
    relations_end = entities + relations
    return Prints(digests[:entities], digests[entities:relations_end], digests[relations_end:])


def _prune(folder: Path) -> None:
    """Remove fingerprints whose store the cache has pruned."""
    try:
        for path in folder.glob(f"*{SUFFIX}"):
            if not path.with_suffix(".store").exists():
                path.unlink(missing_ok=True)
    except OSError:
        return


def _make_prints(items: StoredItems) -> Prints:
    """Digest every item's text (see the module's docstring); :data:`UNKNOWN` where the
    text is not certain."""
    store = items._store
    entities, relations = store.entities, store.relations
    read = _places(items)
    if read is None:
        unknown = [UNKNOWN] * relations
        return Prints([UNKNOWN] * entities, unknown, unknown, lasting=False)
    places, keys, file_digests = read
    catalog = items.catalog
    # An entity's digest covers its kind and id too: the digests alone then say which
    # items are the same in both (a set of bytes is far quicker than one of tuples).
    heads = [
        f"{code}:{entity_id}\n".encode()
        for code, entity_id in zip(catalog.codes, catalog.ids, strict=True)
    ]
    digests, lasting = _text_digests(items.dossier, places, file_digests, heads)
    return Prints(digests[:entities], digests[entities:], keys, lasting)


Place = tuple[str, int, int]
"""Where an item starts: file (as shown), line, column."""


def _places(
    items: StoredItems,
) -> tuple[list[Place | None], list[bytes], dict[str, str]] | None:
    """Where each record's item starts (entities, then relations; None where the record
    does not say plainly), a digest of each relation's ends and kind, and the digest of
    each file the store was made from; None when the store cannot be read."""
    store = items._store
    entities, relations, offsets = store.entities, store.relations, store._offsets
    try:
        with store._opened() as descriptor:
            blob = store._read(store._data + offsets[0], offsets[-1] - offsets[0], descriptor)
    except StoreCorruptError:
        return None
    file_digests = store.header.get("file_digests")
    if not isinstance(file_digests, dict):
        file_digests = {}
    base = offsets[0]
    entity_head, relation_head, relation_tail = _patterns()
    paths: list[str] = list(store.header["paths"])
    places: list[Place | None] = []
    ids = items.catalog.ids
    for n in range(entities):
        match = entity_head.match(blob, offsets[n] - base, offsets[n + 1] - base)
        if match is None or match.group(1) != ids[n].encode() or int(match.group(2)) >= len(paths):
            places.append(None)
        else:
            places.append((paths[int(match.group(2))], int(match.group(3)), int(match.group(4))))
    keys: list[bytes] = []
    for n in range(entities, entities + relations):
        start, end = offsets[n] - base, offsets[n + 1] - base
        head = relation_head.match(blob, start, end)
        keys.append(UNKNOWN if head is None else _digest(head.group(0)))
        at = blob.rfind(b"[", start, end - 4)
        tail = relation_tail.fullmatch(blob, at, end) if at >= 0 else None
        if tail is None or int(tail.group(1)) >= len(paths):
            places.append(None)
        else:
            places.append((paths[int(tail.group(1))], int(tail.group(2)), int(tail.group(3))))
    return places, keys, file_digests


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST // 2).hexdigest().encode()


def _text_digests(
    dossier: Dossier, places: list[Place | None], file_digests: dict[str, str], heads: list[bytes]
) -> tuple[list[bytes], bool]:
    """The digest of each place's item text, file by file, and whether every file could
    be read as the store was made from it."""
    by_path: dict[str, list[tuple[int, int, int]]] = {}
    for number, place in enumerate(places):
        if place is not None:
            by_path.setdefault(place[0], []).append((place[1], place[2], number))
    for loc in (dossier.info.loc, *(stop.loc for stop in dossier.tour)):
        by_path.setdefault(loc.path, []).append((loc.line, loc.col, -1))  # (a boundary only)
    digests = [UNKNOWN] * len(places)
    lasting = True
    for path, starts in by_path.items():
        try:
            data = _read_text(path, file_digests.get(path))
        except _ChangedError:
            lasting = False
            continue
        if data is None:
            continue
        starts.sort()
        lines = data.split(b"\n")
        stars = b"*" in data
        count = len(lines)
        following = len(starts)  # index of the first start on a later line than this one
        for at in range(len(starts) - 1, -1, -1):
            line, _, number = starts[at]
            if at + 1 < len(starts) and starts[at + 1][0] > line:
                following = at + 1
            if number < 0:
                continue
            if following == len(starts):
                end = count + 1
            else:
                next_line, next_col, _ = starts[following]
                lead = lines[next_line - 1][: next_col - 1] if next_line <= count else b""
                # The next item's first line belongs to this one too, unless it holds only
                # the dash that starts the next item (block style, by far the usual).
                end = next_line if lead.strip(b" ") == b"-" else next_line + 1
            text = b"\n".join(lines[line - 1 : end - 1])
            if not (stars and b"*" in text):
                digests[number] = _digest(heads[number] + text if number < len(heads) else text)
    return digests, lasting


class _ChangedError(Exception):
    """A file cannot be read now, or its bytes are no longer those the store was made
    from."""


def _read_text(path: str, made_from: str | None) -> bytes | None:
    """The file's bytes, if they are what the store was made from (their digest is
    ``made_from``) and its lines are numbered as YAML numbers them; None if they are
    not numbered so (or the store has no digest of the file); :class:`_ChangedError` if the
    file cannot be read or its bytes are not the store's."""
    if made_from is None:
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        raise _ChangedError from None
    try:
        info = os.fstat(descriptor)
        chunks = []
        while chunk := os.read(descriptor, 1 << 24):
            chunks.append(chunk)
    except OSError:
        raise _ChangedError from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) != info.st_size or file_digest(data).hex() != made_from:
        raise _ChangedError
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # (a lone CR is a line break to YAML)
    if data.startswith(b"%") or (b"%" in data and b"\n%" in data) or _other_breaks(data):
        return None
    return data


def _other_breaks(data: bytes) -> bool:
    """Whether ``data`` holds a NEL, LINE SEPARATOR or PARAGRAPH SEPARATOR."""
    for last, whole in _OTHER_BREAKS:
        at, seen = data.find(last), 0
        while at >= 0:
            if data.startswith(whole, at - len(whole) + 1):
                return True
            seen += 1
            if seen > 64:  # (a text full of that byte: one search for the sequence)
                return whole in data
            at = data.find(last, at + 1)
    return False


__all__ = ["DIGEST", "SUFFIX", "UNKNOWN", "Place", "Prints", "prints_of"]
