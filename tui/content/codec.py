"""The model as plain JSON data and back, for the on-disk store (:mod:`.store`).

Every class of :mod:`.model` is written as a JSON list of its fields' values in field
order, each value converted by a rule chosen from the field's name (locations, refs,
enums, dates, nested positions and arguments, extension values). Reading builds the
object without calling its ``__init__``: a frozen dataclass's ``__init__`` sets every
field through ``object.__setattr__``, several times slower than filling the instance's
``__dict__`` at once, which is what unpickling did before.

A location's path is written as a number, an index into a table of paths kept once per
store (every item of a file shares it). JSON holds no code: nothing read runs anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from enum import StrEnum
from typing import Any, TypeVar

from .dates import PartialDate
from .errors import Diagnostic, Location, Severity
from .model import (
    Actor,
    ActorKind,
    Argument,
    Assessment,
    Confidence,
    DossierInfo,
    Entity,
    Event,
    EventStatus,
    Issue,
    IssueStatus,
    Position,
    Ref,
    Relation,
    Source,
    Stance,
    TourStop,
)

T = TypeVar("T")
Plain = Any
"""JSON data: lists, strings, numbers, None."""


class Paths:
    """The table of location paths of one store: each path written once, by number."""

    def __init__(self, paths: list[str] | None = None) -> None:
        self.paths: list[str] = list(paths or [])
        self._numbers = {path: n for n, path in enumerate(self.paths)}

    def number(self, path: str) -> int:
        number = self._numbers.get(path)
        if number is None:
            number = self._numbers[path] = len(self.paths)
            self.paths.append(path)
        return number


class Codec:
    """Writes and reads model objects against one :class:`Paths` table."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._writers: dict[type, list[tuple[int, Callable[[Any], Plain]]]] = {}
        self._fields: dict[type, list[str]] = {}
        self._readers: dict[type, list[tuple[str, Callable[[Plain], Any]]]] = {}
        """Per class, the fields whose JSON value needs converting, and how."""
        for cls in _CLASSES:
            names = [f.name for f in fields(cls)]
            rules = [self._rule(cls, name) for name in names]
            self._fields[cls] = names
            self._writers[cls] = [
                (n, write) for n, (write, _) in enumerate(rules) if write is not _as_json
            ]
            self._readers[cls] = [
                (name, read)
                for name, (_, read) in zip(names, rules, strict=True)
                if read is not _as_json
            ]

    # -- whole objects --------------------------------------------------------
    def write(self, obj: object) -> Plain:
        """``obj`` (a model object) as a JSON list.

        The values come from the instance's ``__dict__``, which holds the fields in
        field order (``__init__`` and :meth:`read` both set them so), and only those
        JSON cannot take as they are are converted: a store of 10,000 actors writes a
        million values, and a ``getattr`` and a call for each cost a second."""
        values = list(obj.__dict__.values())
        names = self._fields[type(obj)]
        if len(values) != len(names):  # (never, unless an attribute was added)
            values = [getattr(obj, name) for name in names]
        for n, write in self._writers[type(obj)]:
            values[n] = write(values[n])
        return values

    def read(self, cls: type[T], data: Plain) -> T:
        """The ``cls`` object written as ``data`` by :meth:`write`."""
        names = self._fields[cls]
        if len(data) != len(names):
            raise ValueError(f"{cls.__name__}: {len(data)} values for {len(names)} fields")
        values = dict(zip(names, data, strict=True))  # (in C: most values are as read)
        for name, read in self._readers[cls]:
            values[name] = read(values[name])
        obj = cls.__new__(cls)
        obj.__dict__.update(values)
        return obj

    def write_entity(self, entity: Entity) -> Plain:
        """An entity with its kind first, so it reads back as the right class."""
        return [entity.kind, self.write(entity)]

    def read_entity(self, data: Plain) -> Entity:
        kind, values = data
        return self.read(ENTITY_CLASSES[kind], values)

    def write_diagnostic(self, diagnostic: Diagnostic) -> Plain:
        return [
            self._write_loc(diagnostic.location),
            diagnostic.message,
            diagnostic.hint,
            diagnostic.severity.value,
        ]

    def read_diagnostic(self, data: Plain) -> Diagnostic:
        loc, message, hint, severity = data
        return Diagnostic(self._read_loc(loc), message, hint, Severity(severity))

    # -- field rules ----------------------------------------------------------
    def _write_loc(self, loc: Location) -> Plain:
        return [self.paths.number(loc.path), loc.line, loc.col]

    def _read_loc(self, data: Plain) -> Location:
        number, line, col = data
        return Location(self.paths.paths[number], line, col)

    def _rule(self, cls: type, name: str) -> tuple[Callable[[Any], Plain], Callable[[Plain], Any]]:
        """How field ``name`` of ``cls`` is written and read."""
        if name == "loc":
            return self._write_loc, self._read_loc
        if name == "refs":
            return (
                lambda refs: [self.write(ref) for ref in refs],
                lambda data: tuple(self.read(Ref, ref) for ref in data),
            )
        if name in _NESTED:
            nested = _NESTED[name]
            return (
                lambda items: [self.write(item) for item in items],
                lambda data: tuple(self.read(nested, item) for item in data),
            )
        # Tuples are written as JSON arrays, and an enum as its text (a StrEnum is a
        # str), as they are; they are made tuples and enums again when read.
        if name == "extensions":
            return _as_json, _read_extensions
        if name in ("date", "as_of"):
            return _write_date, _read_date
        enum = _ENUMS.get((cls, name))
        if enum is not None:
            return _as_json, _enum_reader(enum)
        if name in _TUPLES:
            return _as_json, tuple
        return _as_json, _as_json


def _as_json(value: Plain) -> Plain:
    """A value JSON takes as it is (text, numbers, None, tuples of them, StrEnums)."""
    return value


def _read_plain(data: Plain) -> object:
    if isinstance(data, list):
        return tuple(_read_plain(item) for item in data)
    return data


def _read_extensions(data: Plain) -> tuple[tuple[str, object], ...]:
    return tuple((key, _read_plain(value)) for key, value in data)


def _write_date(date: PartialDate | None) -> Plain:
    return None if date is None else [date.year, date.month, date.day]


def _read_date(data: Plain) -> PartialDate | None:
    return None if data is None else PartialDate(*data)


def _enum_reader(enum: type[StrEnum]) -> Callable[[Plain], Any]:
    def read(data: Plain) -> StrEnum | None:
        return None if data is None else enum(data)

    return read


ENTITY_CLASSES: dict[str, type[Entity]] = {
    cls.kind: cls for cls in (Source, Actor, Issue, Assessment, Event)
}
"""Entity classes by their ``kind``."""
_CLASSES: tuple[type, ...] = (
    *ENTITY_CLASSES.values(),
    Ref,
    Position,
    Argument,
    Relation,
    TourStop,
    DossierInfo,
)
_NESTED: dict[str, type] = {"positions": Position, "arguments": Argument}
_ENUMS: dict[tuple[type, str], type[StrEnum]] = {
    (Actor, "actor_kind"): ActorKind,
    (Position, "stance"): Stance,
    (Issue, "status"): IssueStatus,
    (Event, "status"): EventStatus,
    (Assessment, "confidence"): Confidence,
}
_TUPLES = frozenset(
    {"paras", "see_also", "aliases", "tags", "related", "about", "actors", "issues", "authors"}
)
"""Fields holding a tuple of plain values (ids, texts, paragraph numbers)."""

__all__ = ["ENTITY_CLASSES", "Codec", "Paths"]
