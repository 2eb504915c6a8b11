"""Node -> value converters for each field type of :mod:`tui.content.schema`.

Every converter either returns a clean Python value or records a diagnostic at the
node's position and returns ``None``; conversion goes on, so one run reports every
problem. Links are not resolved here: they are recorded in :class:`Reader.links`
and checked once every file has been read.

Records are read twice over, in effect. :meth:`Reader.read_record` first tries a
*fast path* (the ``_fast_*`` functions): it handles only what well-formed content
holds (the usual tags, no merge keys, no key given twice, no unknown field, values
of the right shape) and gives up, raising :class:`_FastPathError`, at the first
thing out of the ordinary. The record is then read again from its start by the
careful converters (:meth:`Reader.record`), which say what is wrong, after everything
the fast path changed (links, refs and diagnostics appended, alias budget spent) has
been undone. So the fast path never decides what an author is told; where it
finishes, it produces what the careful converters would have, without their
generality (merged keys, checks that build the list of choices on every call, a
cleaning search per text, a ``Location`` made in Python per node): the careful path
was half of the time of a cold load of a large dossier.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from .dates import parse_date
from .errors import Location
from .model import Argument, Position, Ref
from .reader import (
    _NULLS,
    NON_TEXT_START,
    NodeReader,
    PendingLink,
    RefPlaces,
    kind_name,
    reads_as_non_text,
)
from .schema import ID_PATTERN, NESTED, SECTIONS, FieldSpec, FieldType, RecordSpec
from .text import clean_text, shorten, slug, suggest
from .yamlsafe import MAP_TAG, SEQ_TAG, STR_TAG, MappingNode, Node, SequenceNode, mapping_pairs

_ID_RE = re.compile(ID_PATTERN)
_MAX_DIGITS = 9
_T = TypeVar("_T")
_new = tuple.__new__


@dataclass
class Reader(NodeReader):
    """A :class:`NodeReader` that converts mappings into the schema's records."""

    valid_ids: set[str] = field(default_factory=set)
    """Texts the fast path found to be valid ids (never a null word such as 'null'),
    so that each is matched against the id pattern once, not once per mention."""
    numbers: dict[str, int] = field(default_factory=dict)
    """Texts the fast path read as paragraph numbers or counts, and their values."""

    def read_record(self, node: Node, spec: RecordSpec) -> dict[str, Any] | None:
        """What :meth:`record` returns for ``node``, by the fast path when it can, with
        the same diagnostics, links and refs recorded (see the module's docstring)."""
        plan = _PLANS.get(spec.name)
        if plan is None or plan.spec is not spec:
            return self.record(node, spec)
        links, refs, diagnostics = len(self.links), len(self.refs), len(self.diagnostics)
        budget = self.budget
        try:
            return _fast_record(self, node, plan)
        except _FastPathError:
            del self.links[links:], self.refs[refs:], self.diagnostics[diagnostics:]
            self.budget = budget
            return self.record(node, spec)

    def record(self, node: Node, spec: RecordSpec) -> dict[str, Any] | None:
        """Convert a mapping per ``spec``: attribute -> value, plus 'extensions'."""
        if node[1] is not MAP_TAG and not self.tag_ok(node):
            return None
        if type(node) is not MappingNode:
            what = "the dossier section" if spec.name == "dossier" else f"each {spec.name}"
            self.error(node, f"{what} must be a mapping of fields, not {kind_name(node)}")
            return None
        present: set[str] = set()
        values: dict[str, Any] = {}
        extensions: list[tuple[str, object]] = []
        for key, key_node, value_node in self.pairs(node, spec.name):
            field_spec = spec.field(key)
            if field_spec is None:
                if key.startswith("x-"):
                    extensions.append((key, self.plain(value_node, 0)))
                    continue
                known = [f.name for f in spec.fields]
                self.error(
                    key_node,
                    f"unknown field '{shorten(key)}' in {spec.name}",
                    suggest(key, known) or f"{spec.name} fields are: {', '.join(known)}",
                )
                continue
            present.add(field_spec.attribute)
            value = CONVERTERS[field_spec.field_type](self, value_node, field_spec)
            if value is not None:
                values[field_spec.attribute] = value
        missing = [f.name for f in spec.required if f.attribute not in present]
        if missing:
            names = ", ".join(f"'{m}'" for m in missing)
            self.error(node, f"{spec.name} is missing {names}")
            return None
        if any(f.attribute not in values for f in spec.required):
            return None  # a required field was given but was wrong: already reported
        if extensions:
            values["extensions"] = tuple(extensions)
        return values


# -- converters ----------------------------------------------------------------


def _text(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    value = r.text(node, spec)
    if value is None:
        return None
    value = clean_text(value)
    if spec.required and not value.strip():
        r.error(node, f"'{spec.name}' must not be empty")
        return None
    return value


def _id(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    value = r.text(node, spec)
    if value is None:
        return None
    if _ID_RE.fullmatch(value) is None:
        r.error(
            node,
            f"'{shorten(value)}' is not a valid id",
            f"ids use lowercase letters, digits and single hyphens, like '{slug(value)}'",
        )
        return None
    return value


def _link(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    value = _id(r, node, spec)
    if value is not None:
        r.links.append(PendingLink(r.owner, spec.name, value, spec.target, r.display, node[3]))
    return value


def _list_of(
    read_one: Callable[[Reader, Node, FieldSpec], _T | None],
) -> Callable[[Reader, Node, FieldSpec], tuple[_T, ...]]:
    """A list field whose items each read as ``read_one`` reads a single value."""

    def convert(r: Reader, node: Node, spec: FieldSpec) -> tuple[_T, ...]:
        values = [read_one(r, item, spec) for item in r.items(node, f"'{spec.name}'")]
        return tuple(value for value in values if value is not None)

    return convert


def _date(r: Reader, node: Node, spec: FieldSpec) -> object:
    value = r.scalar(node, spec)
    if value is None:
        return None
    try:
        if value != value.strip():  # (a JSON Schema pattern cannot ignore them)
            raise ValueError(f"{value!r} has spaces or line breaks around the date")
        return parse_date(value)
    except ValueError as exc:
        r.error(node, f"'{spec.name}': {exc}", "dates are YYYY, YYYY-MM or YYYY-MM-DD")
        return None


def _whole_number(r: Reader, node: Node, spec: FieldSpec) -> int | None:
    value = r.scalar(node, spec)
    if value is None:
        return None
    if not value.isdigit() or not value.isascii():
        digits = value.replace("_", "")
        hint = (
            f"write it without underscores: {digits}"
            if digits.isdecimal() and digits.isascii()
            else ""
        )
        r.error(node, f"'{spec.name}' must be a whole number, not {kind_name(node)}", hint)
        return None
    if node[2]:  # a quoted number is text to YAML, and to the JSON Schema
        r.error(
            node,
            f"'{spec.name}' must be a whole number, not the text {kind_name(node)}",
            f"write the number without quotes: {spec.name}: {shorten(value)}",
        )
        return None
    significant = value.lstrip("0") or "0"
    if len(significant) > _MAX_DIGITS:
        r.error(node, f"'{spec.name}' is too large ({len(significant)} digits)")
        return None
    number = int(significant)
    if number < 1:
        r.error(node, f"'{spec.name}' must be 1 or more")
        return None
    return number


def _enum(r: Reader, node: Node, spec: FieldSpec) -> object:
    value = r.scalar(node, spec)
    if value is None:
        return None
    assert spec.enum is not None
    choices = [m.value for m in spec.enum]
    if value not in choices:
        r.error(
            node,
            f"'{spec.name}' must be one of {', '.join(choices)}, not '{shorten(value)}'",
            suggest(value.lower(), choices),
        )
        return None
    return spec.enum(value)


def _paras(r: Reader, node: Node, spec: FieldSpec) -> tuple[int, ...] | None:
    if type(node) is SequenceNode:
        numbers = [_whole_number(r, item, spec) for item in r.items(node, "'para'")]
        if not numbers:
            r.error(node, "'para' needs at least one paragraph number")
            return None
        if None in numbers:
            return None
        return tuple(n for n in numbers if n is not None)
    number = _whole_number(r, node, spec)
    return None if number is None else (number,)


def _refs(r: Reader, node: Node, spec: FieldSpec) -> tuple[Ref, ...] | None:
    result = []
    for item in r.items(node, "'refs'"):
        values = r.record(item, NESTED[FieldType.REFS])
        if values is None:
            continue
        ref = Ref(values["source"], values["para"], values.get("quote"), r.loc(item))
        where = (  # (a key that is a list or a mapping was reported: it names no place)
            {k[0]: v for k, v in mapping_pairs(item) if type(k) is tuple}
            if type(item) is MappingNode
            else {}
        )
        para_mark = where["para"][3] if "para" in where else None
        quote_mark = where["quote"][3] if "quote" in where else None
        r.refs.append(RefPlaces(ref, r.display, para_mark, quote_mark))
        result.append(ref)
    return tuple(result)


def _nested(kind: FieldType, build: Callable[..., object]) -> Callable[..., object]:
    def convert(r: Reader, node: Node, spec: FieldSpec) -> tuple[object, ...]:
        result = []
        for item in r.items(node, f"'{spec.name}'"):
            values = r.record(item, NESTED[kind])
            if values is not None:
                result.append(build(loc=r.loc(item), **values))
        return tuple(result)

    return convert


def _position(**values: Any) -> object:
    values.setdefault("position", None)
    values.setdefault("refs", ())
    return Position(**values)


def _argument(**values: Any) -> object:
    values.setdefault("refs", ())
    return Argument(**values)


CONVERTERS: dict[FieldType, Callable[[Reader, Node, FieldSpec], Any]] = {
    FieldType.TEXT: _text,
    FieldType.ID: _id,
    FieldType.LINK: _link,
    FieldType.LINKS: _list_of(_link),
    FieldType.TEXTS: _list_of(_text),
    FieldType.DATE: _date,
    FieldType.COUNT: _whole_number,
    FieldType.ENUM: _enum,
    FieldType.PARAS: _paras,
    FieldType.REFS: _refs,
    FieldType.POSITIONS: _nested(FieldType.POSITIONS, _position),
    FieldType.ARGUMENTS: _nested(FieldType.ARGUMENTS, _argument),
}


# -- the fast path ---------------------------------------------------------------
#
# Each ``_fast_*`` converter returns what the careful converter of its field type
# would return for well-formed content, recording the same links and refs, and
# raises _FastPathError wherever the careful one would record a diagnostic (and in a
# few rare cases that are merely unusual, such as an explicit ``!!str`` tag). Nodes
# are read by index: (value, tag, style, start mark), see :mod:`.yamlsafe`; ``is``
# against STR_TAG, SEQ_TAG and MAP_TAG picks out the tags composition filled in.

FastConverter = Callable[["Reader", Node, FieldSpec], Any]


class _FastPathError(Exception):
    """The fast path met something it leaves to the careful converters."""


class _Plan(NamedTuple):
    """How the fast path reads one kind of record."""

    spec: RecordSpec
    fields: dict[str, tuple[str, FastConverter, FieldSpec]]
    """Key -> (model attribute, fast converter, field spec)."""
    required: tuple[str, ...]
    """The attributes of the required fields."""


def _fast_record(r: Reader, node: Node, plan: _Plan) -> dict[str, Any]:
    """:meth:`Reader.record` for a mapping with nothing out of the ordinary."""
    if type(node) is not MappingNode or node[1] is not MAP_TAG:
        raise _FastPathError
    flat = node[0]  # key, value, key, value, ...
    count = len(flat) >> 1
    if r.budget < count:  # the careful reader spends the same, and would complain
        raise _FastPathError
    r.budget -= count
    values: dict[str, Any] = {}
    extensions: list[tuple[str, object]] | None = None
    nulls = False
    fields = plan.fields
    pairs = iter(flat)
    for key_node, value_node in zip(pairs, pairs, strict=False):
        if type(key_node) is not tuple or key_node[1] is not STR_TAG:
            raise _FastPathError
        entry = fields.get(key_node[0])
        if entry is None:  # an extension, or a merge key or unknown field: careful path
            extensions = _fast_extension(r, key_node[0], value_node, extensions)
            continue
        attribute, convert, spec = entry
        if attribute in values:  # the same key twice (each key has its own attribute)
            raise _FastPathError
        value = convert(r, value_node, spec)
        values[attribute] = value
        if value is None:
            nulls = True
    for attribute in plan.required:
        if values.get(attribute) is None:
            raise _FastPathError
    if nulls:  # a field given as null is left out, as if it were not there
        values = {key: value for key, value in values.items() if value is not None}
    if extensions:
        values["extensions"] = tuple(extensions)
    return values


def _fast_extension(
    r: Reader, key: str, node: Node, extensions: list[tuple[str, object]] | None
) -> list[tuple[str, object]]:
    """``extensions`` with the ``x-`` field ``key`` added (raises _FastPathError for
    any other key)."""
    if not key.startswith("x-"):
        raise _FastPathError
    if extensions is None:
        extensions = []
    elif any(given == key for given, _ in extensions):
        raise _FastPathError
    before = len(r.diagnostics)
    extensions.append((key, r.plain(node, 0)))
    if len(r.diagnostics) != before:  # the value overspent the alias budget
        raise _FastPathError
    return extensions


def _fast_text(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    if type(node) is not tuple or node[1] is not STR_TAG:
        raise _FastPathError
    value: str = node[0]
    if not node[2]:
        if len(value) <= 4 and value in _NULLS:  # (no null word is longer)
            if spec.required:
                raise _FastPathError
            return None
        if value and value[0] in NON_TEXT_START and reads_as_non_text(value):
            raise _FastPathError
    if not r.clean:
        value = clean_text(value)
    # ``not value.strip()``, without copying a long text that has spaces at an end
    if spec.required and (not value or value.isspace()):
        raise _FastPathError
    return value


def _fast_id(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    if type(node) is not tuple or node[1] is not STR_TAG:
        raise _FastPathError
    value: str = node[0]
    if value in r.valid_ids:  # the same few ids are named over and over
        return value
    if not node[2] and value in _NULLS:
        if spec.required:
            raise _FastPathError
        return None
    if _ID_RE.fullmatch(value) is None:
        raise _FastPathError
    # A quoted 'null' or '2017' is an id, a plain one is not: such ids are not kept
    # in ``valid_ids`` (which any spelling of the text matches), and are checked here
    # each time.
    if value in _NULLS or reads_as_non_text(value):
        if not node[2]:
            raise _FastPathError
    else:
        r.valid_ids.add(value)
    return value


def _fast_link(r: Reader, node: Node, spec: FieldSpec) -> str | None:
    if type(node) is tuple and node[1] is STR_TAG and node[0] in r.valid_ids:
        value: str | None = node[0]  # the usual case, without a call to _fast_id
    else:
        value = _fast_id(r, node, spec)
        if value is None:
            return None
    r.links.append(_new(PendingLink, (r.owner, spec.name, value, spec.target, r.display, node[3])))
    return value


def _fast_items(r: Reader, node: Node) -> list[Node] | tuple[()]:
    """:meth:`Reader.items` for a list (or a null) with nothing out of the ordinary."""
    if type(node) is SequenceNode and node[1] is SEQ_TAG:
        items: list[Node] = node[0]
        if r.budget < len(items):
            raise _FastPathError
        r.budget -= len(items)
        return items
    if type(node) is tuple and node[1] is STR_TAG and not node[2] and node[0] in _NULLS:
        return ()
    raise _FastPathError


def _fast_list_of(read_one: FastConverter) -> FastConverter:
    """The fast path of :func:`_list_of` (items read by ``read_one``)."""

    def convert(r: Reader, node: Node, spec: FieldSpec) -> tuple[Any, ...]:
        values = [read_one(r, item, spec) for item in _fast_items(r, node)]
        if None in values:  # null items are left out, as the careful path does
            values = [value for value in values if value is not None]
        return tuple(values)

    return convert


def _fast_date(r: Reader, node: Node, spec: FieldSpec) -> object:
    if type(node) is not tuple or node[1] is not STR_TAG:
        raise _FastPathError
    value: str = node[0]
    if not node[2] and value in _NULLS:
        if spec.required:
            raise _FastPathError
        return None
    if value != value.strip():
        raise _FastPathError
    try:
        return parse_date(value)
    except ValueError:
        raise _FastPathError from None


def _fast_count(r: Reader, node: Node, spec: FieldSpec) -> int | None:
    """:func:`_whole_number` for the usual spelling: plain ASCII digits, no leading zero."""
    if type(node) is not tuple or node[1] is not STR_TAG or node[2]:
        raise _FastPathError
    value: str = node[0]
    number = r.numbers.get(value)
    if number is not None:
        return number
    if value.isdigit() and value.isascii() and value[0] != "0" and len(value) <= _MAX_DIGITS:
        number = r.numbers[value] = int(value)
        return number
    if value in _NULLS and not spec.required:
        return None
    raise _FastPathError


def _fast_enum(spec: FieldSpec) -> FastConverter:
    """The fast converter of the enumerated field ``spec``: a dict from text to member
    (the careful path builds the list of choices, then calls the enum, every time)."""
    assert spec.enum is not None
    members = {member.value: member for member in spec.enum}
    assert not members.keys() & _NULLS, "a choice that reads as null"

    def convert(r: Reader, node: Node, spec: FieldSpec) -> object:
        if type(node) is not tuple or node[1] is not STR_TAG:
            raise _FastPathError
        member = members.get(node[0])
        if member is not None:
            return member
        if not node[2] and node[0] in _NULLS and not spec.required:
            return None
        raise _FastPathError

    return convert


def _fast_paras(r: Reader, node: Node, spec: FieldSpec) -> tuple[int, ...] | None:
    if type(node) is SequenceNode:
        items = _fast_items(r, node)
        if not items:
            raise _FastPathError
        numbers = [_fast_count(r, item, spec) for item in items]
        if None in numbers:
            return None
        return tuple(numbers)  # type: ignore[arg-type]
    number = _fast_count(r, node, spec)
    return None if number is None else (number,)


def _fast_refs(r: Reader, node: Node, spec: FieldSpec) -> tuple[Ref, ...]:
    """:func:`_refs` for well-formed refs.

    Refs are the most numerous records (more than half of all in a large dossier), so
    they get a reader of their own: one pass over each ref's keys both finds its three
    fields and notes where its para and quote are, where the careful path reads the
    record, then builds a dict of its keys to find those places.
    """
    result = []
    display = r.display
    for item in _fast_items(r, node):
        if type(item) is not MappingNode or item[1] is not MAP_TAG:
            raise _FastPathError
        flat = item[0]
        count = len(flat) >> 1
        if r.budget < count:
            raise _FastPathError
        r.budget -= count
        source_node = para_node = quote_node = None
        extensions: list[tuple[str, object]] | None = None
        pairs = iter(flat)
        for key_node, value_node in zip(pairs, pairs, strict=False):
            if type(key_node) is not tuple or key_node[1] is not STR_TAG:
                raise _FastPathError
            key = key_node[0]
            if key == "source" and source_node is None:
                source_node = value_node
            elif key == "para" and para_node is None:
                para_node = value_node
            elif key == "quote" and quote_node is None:
                quote_node = value_node
            else:  # an x- field (read, but a ref keeps none), or a key given twice
                extensions = _fast_extension(r, key, value_node, extensions)
        if source_node is None or para_node is None:
            raise _FastPathError
        # Read in this order, not the file's: that can change neither the links
        # recorded (a ref has one) nor whether the alias budget runs out (a sum).
        # The usual source (a known id) and para (a number met before) are read here
        # without a call: there are more refs than any other record.
        if (
            type(source_node) is tuple
            and source_node[1] is STR_TAG
            and source_node[0] in r.valid_ids
        ):
            source = source_node[0]
            link = (r.owner, _REF_SOURCE.name, source, _REF_SOURCE.target, display, source_node[3])
            r.links.append(_new(PendingLink, link))
        else:
            source = _fast_link(r, source_node, _REF_SOURCE)
        if (
            type(para_node) is tuple
            and para_node[1] is STR_TAG
            and not para_node[2]
            and (number := r.numbers.get(para_node[0])) is not None
        ):
            paras: tuple[int, ...] | None = (number,)
        else:
            paras = _fast_paras(r, para_node, _REF_PARA)
        quote = None if quote_node is None else _fast_text(r, quote_node, _REF_QUOTE)
        if source is None or paras is None:
            raise _FastPathError
        mark = item[3]
        ref = Ref(source, paras, quote, _new(Location, (display, mark.line + 1, mark.column + 1)))
        quote_mark = None if quote_node is None else quote_node[3]
        r.refs.append(_new(RefPlaces, (ref, display, para_node[3], quote_mark)))
        result.append(ref)
    return tuple(result)


def _fast_nested(kind: FieldType, build: Callable[..., object]) -> FastConverter:
    """The fast path of :func:`_nested`."""

    def convert(r: Reader, node: Node, spec: FieldSpec) -> tuple[object, ...]:
        plan = _PLANS[NESTED[kind].name]
        return tuple(
            build(loc=r.loc(item), **_fast_record(r, item, plan)) for item in _fast_items(r, node)
        )

    return convert


_FAST: dict[FieldType, FastConverter] = {
    FieldType.TEXT: _fast_text,
    FieldType.ID: _fast_id,
    FieldType.LINK: _fast_link,
    FieldType.LINKS: _fast_list_of(_fast_link),
    FieldType.TEXTS: _fast_list_of(_fast_text),
    FieldType.DATE: _fast_date,
    FieldType.COUNT: _fast_count,
    FieldType.PARAS: _fast_paras,
    FieldType.REFS: _fast_refs,
    FieldType.POSITIONS: _fast_nested(FieldType.POSITIONS, _position),
    FieldType.ARGUMENTS: _fast_nested(FieldType.ARGUMENTS, _argument),
}


def _plan(spec: RecordSpec) -> _Plan:
    fields: dict[str, tuple[str, FastConverter, FieldSpec]] = {}
    for field_spec in spec.fields:
        kind = field_spec.field_type
        convert = _fast_enum(field_spec) if kind is FieldType.ENUM else _FAST[kind]
        fields[field_spec.name] = (field_spec.attribute, convert, field_spec)
    assert len({attribute for attribute, _, _ in fields.values()}) == len(fields)
    return _Plan(spec, fields, tuple(f.attribute for f in spec.required))


_PLANS: dict[str, _Plan] = {
    spec.name: _plan(spec) for spec in (*SECTIONS.values(), *NESTED.values())
}
"""The fast path's plan of every record of the schema, by record name."""

_REF_SOURCE, _REF_PARA, _REF_QUOTE = NESTED[FieldType.REFS].fields
assert (_REF_SOURCE.name, _REF_PARA.name, _REF_QUOTE.name) == ("source", "para", "quote")
