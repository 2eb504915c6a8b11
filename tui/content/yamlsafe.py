"""Turn the bytes of one YAML file into a node tree, safely and with positions.

Only *parsing and composition* happen here (text -> nodes with line/column marks); nothing is
constructed, so no tag can build an object, include a file or run code. Implicit
tag resolution (YAML 1.1's ``yes`` -> True, ``2017-04-20`` -> date, ...) is switched
off: every scalar stays the text the author wrote, and the loader interprets it
per field. That is both what the format promises and cheaper than PyYAML's
resolver.

Composition is ours, from the parser's events, and iterative: libyaml's own
composer recurses in C and can crash the process on very deep nesting, while
this one counts depth exactly and stops at :data:`MAX_DEPTH`. It also builds
nodes as tuples, which is several times cheaper than PyYAML's node objects.

A whole file is composed at once by :func:`compose`; :func:`compose_sections` hands
over a file's list sections one composed item at a time instead, which is cheaper
for a large file, and leaves anything unusual to :func:`compose`.

Every node is a 4-tuple ``(value, tag, style, start_mark)``, read by index (see
:data:`Node`): a scalar is a plain :class:`tuple` (the most numerous node, so the
cheapest to make: a tuple display is one allocation, a tuple subclass two), a mapping
a :class:`MappingNode` and a list a :class:`SequenceNode`; ``type(node)`` tells them
apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Generator, Iterator
from typing import Any, TypeAlias

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from .errors import Diagnostic, Location
from .limits import DEFAULT_MAX_FILE_SIZE

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

UTF8_BOM = b"\xef\xbb\xbf"
"""The byte order mark some editors put first; :func:`decode` drops it."""


MAX_DEPTH = 64
"""Deepest nesting of collections accepted; the format itself needs about 6."""


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser as _Parser

    USING_LIBYAML = True
else:  # pragma: no cover - exercised only where PyYAML was built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        """PyYAML's pure-Python event parser."""

        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)

    USING_LIBYAML = False


class _Loader(_Parser):
    """The event parser; composition is ours (see :func:`compose`)."""

    def close(self) -> None:
        self.dispose()


def decode(data: bytes, display: str, diagnostics: list[Diagnostic]) -> str | None:
    """UTF-8 bytes to text (a leading BOM is dropped); None with a diagnostic if not UTF-8."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]  # editors do not show it, so positions ignore it too
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        diagnostics.append(
            Diagnostic(
                Location(display, line, col),
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8",
            )
        )
        return None


Node: TypeAlias = tuple[Any, ...]
"""A composed YAML node, ``(value, tag, style, start_mark)``.

``value`` is the text of a scalar, the list of nodes of a list, or for a mapping the
flat list of its key and value nodes, ``[key, value, key, value, ...]`` (read it with
:func:`mapping_pairs`). ``tag`` is :data:`STR_TAG`, :data:`SEQ_TAG` or :data:`MAP_TAG`
(these very objects, so ``is`` tells an untagged node, even from one tagged ``!!str``)
unless the author wrote a tag; then it is that tag, as the parser gives it
(``tag:yaml.org,2002:str`` for ``!!str``, ``!`` for ``!``). ``style`` is ``""`` for a
plain scalar (and for collections).
``start_mark`` has the 0-based ``line``, ``column`` and ``index`` where the node
starts. A scalar is a plain ``tuple``; collections are the subclasses below."""


class MappingNode(tuple):  # type: ignore[type-arg]
    """A mapping node: its value is the flat list of its key and value nodes.

    Flat, as the parser gives them: a large dossier's mappings hold close to a
    million pairs, and pairing them up when a mapping is read (``zip`` of one iterator
    with itself, which reuses its result tuple) costs nothing, while making and
    keeping a 2-tuple per pair while composing costs about a tenth of composition."""

    __slots__ = ()


class SequenceNode(tuple):  # type: ignore[type-arg]
    """A list node: its value is a list of nodes."""

    __slots__ = ()


_RAW_BIDI = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")
"""U+202A-U+202E and U+2066-U+2069 (direction overrides and isolates) in UTF-8."""


def scalars_are_clean(data: bytes) -> bool:
    """Whether no scalar of ``data`` can hold a character
    :func:`~tui.content.text.clean_text` removes (so none needs cleaning), provided the
    file parses: what is read of a file that turns out not to is undone.

    YAML refuses a file holding a raw control character other than tab, line feed,
    carriage return and NEL (libyaml and PyYAML's own reader both stop with an error),
    so of the characters ``clean_text`` removes only carriage return, NEL and the
    direction controls can be in such a file as they are; and only the escapes of a
    double-quoted scalar, each starting with a backslash, make characters that are not
    in the file. Each test here is a C-speed search of the bytes for one fixed string
    (megabytes in a millisecond or so): five times faster than searching the text for
    any of ``clean_text``'s characters, and far faster than one search per scalar.
    """
    return (
        b"\\" not in data
        and b"\r" not in data
        and b"\xc2\x85" not in data  # NEL
        and _RAW_BIDI.search(data) is None
    )


def mapping_pairs(node: Node) -> Iterator[tuple[Node, Node]]:
    """The (key node, value node) pairs of the mapping ``node``, in order."""
    flat = iter(node[0])
    return zip(flat, flat, strict=False)


def size(node: Node) -> int:
    """How many items a collection node has (pairs, for a mapping)."""
    return len(node[0]) // 2 if type(node) is MappingNode else len(node[0])


_new = tuple.__new__


class ComposeError(Exception):
    """The file could not be composed; its diagnostic has been recorded."""


def _reader_diagnostic(exc: yaml.reader.ReaderError, text: str, display: str) -> Diagnostic:
    """A character YAML does not allow (a raw control character, say), where it is."""
    if USING_LIBYAML:  # libyaml counts bytes of the UTF-8 text
        prefix = text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore")
    else:
        prefix = text[: exc.position]
    line = prefix.count("\n") + 1
    col = len(prefix) - (prefix.rfind("\n") + 1) + 1
    offending = text[len(prefix) : len(prefix) + 1]
    what = f"U+{ord(offending):04X}" if offending else "a character"
    return Diagnostic(
        Location(display, line, col),
        f"the control character {what} is not allowed in a YAML file",
        "remove it; text cannot contain control characters",
    )


def _syntax_diagnostic(exc: yaml.YAMLError, text: str, display: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_diagnostic(exc, text, display)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    if mark is not None and context_mark is not None and mark.index >= len(text.rstrip()):
        # "found unexpected end of stream": the useful place is where the unclosed
        # thing (a quote, a bracket) was opened.
        mark = context_mark
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    hint = ""
    at_tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
    if at_tab or "tab character" in problem:
        message = "YAML syntax error: a tab character where YAML expects spaces"
        hint = "YAML does not allow tabs for indentation: use spaces"
    elif "mapping values are not allowed" in message:
        hint = "quote text that contains ': ' (for example \"a: b\")"
    elif "exceeded maximum nesting depth" in message:
        message = f"nesting is deeper than {MAX_DEPTH} levels"
        hint = "a dossier needs only a few levels; this looks like a generated or damaged file"
    if mark is None:
        return Diagnostic(Location(display), message, hint)
    return Diagnostic(Location(display, mark.line + 1, mark.column + 1), message, hint)


def _fail(diagnostics: list[Diagnostic], display: str, mark: Any, message: str, hint: str) -> None:
    diagnostics.append(Diagnostic(Location(display, mark.line + 1, mark.column + 1), message, hint))
    raise ComposeError


def _compose_node(
    get_event: Callable[[], Any],
    event: Any,
    anchors: dict[str, Node],
    levels: int,
    diagnostics: list[Diagnostic],
    display: str,
) -> Node:
    """The node that starts with ``event``, read from ``get_event`` up to its end.

    Without recursion, so nesting depth is checked exactly and cannot exhaust the
    stack: ``levels`` is how many more collections may be open at once (those around
    the node already count). Anchors are looked up and registered in ``anchors``.
    """
    stack: list[tuple[list[Any], Any]] = []
    """(the parent's items, the start event) of each collection being composed"""
    items: list[Any] = []
    append = items.append  # rebound with ``items``: a bound method saves a lookup per node
    node: Node
    while True:
        cls = event.__class__
        # Scalars are two events in three, so they are tested first and built as a
        # bare tuple display (one allocation, where a tuple subclass needs two).
        if cls is ScalarEvent:
            tag = event.tag
            node = (
                event.value,
                STR_TAG if tag is None else tag,  # ('!' too is written: it is a tag)
                event.style or "",
                event.start_mark,
            )
            if event.anchor is not None:
                anchors[event.anchor] = node
            append(node)
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            children = items
            items, start = stack.pop()
            append = items.append
            mark = start.start_mark
            if start.__class__ is MappingStartEvent:
                node = _new(MappingNode, (children, start.tag or MAP_TAG, "", mark))
            else:
                node = _new(SequenceNode, (children, start.tag or SEQ_TAG, "", mark))
            anchor = start.anchor
            if anchor is not None:
                # Registered at the end: an alias inside its own anchor is undefined,
                # so no node can contain itself.
                anchors[anchor] = node
            append(node)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            if len(stack) >= levels:
                _fail(
                    diagnostics, display, event.start_mark,
                    f"nesting is deeper than {MAX_DEPTH} levels",
                    "a dossier needs only a few levels; "
                    "this looks like a generated or damaged file",
                )  # fmt: skip
            stack.append((items, event))
            items = []
            append = items.append
        elif cls is AliasEvent:
            target = anchors.get(event.anchor)
            if target is None:
                _fail(
                    diagnostics, display, event.start_mark,
                    f"the alias *{event.anchor} has no anchor before it",
                    "define the anchor (&name) before using the alias (*name); "
                    "an anchor cannot contain its own alias",
                )  # fmt: skip
            append(target)
        if not stack:
            return items[0]  # type: ignore[no-any-return]
        event = get_event()


_NODE_EVENTS = (ScalarEvent, MappingStartEvent, SequenceStartEvent, AliasEvent)


def compose(
    text: str, display: str, diagnostics: list[Diagnostic], data: bytes | None = None
) -> Node | None:
    """Compose ``text`` into a node tree (None for an empty file).

    Raises :class:`ComposeError` after recording a diagnostic when the text is not
    acceptable YAML. ``data``, if given, is ``text`` as UTF-8 (without a BOM): libyaml
    parses bytes, so handing it those spares encoding the whole text once more.
    """
    loader = _Loader(data if data is not None and USING_LIBYAML else text)
    get_event = loader.get_event
    anchors: dict[str, Node] = {}
    items: list[Node] = []
    documents = 0
    try:
        while True:
            event: Any = get_event()
            if event is None:
                break
            if event.__class__ in _NODE_EVENTS:
                items.append(
                    _compose_node(get_event, event, anchors, MAX_DEPTH, diagnostics, display)
                )
            elif event.__class__ is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    _fail(
                        diagnostics, display, event.start_mark,
                        "a second YAML document in one file",
                        "put one document in each file (remove the extra '---')",
                    )  # fmt: skip
    except yaml.YAMLError as exc:
        diagnostics.append(_syntax_diagnostic(exc, text, display))
        raise ComposeError from None
    finally:
        loader.close()
    return items[0] if items else None


class NotStreamableError(Exception):
    """A file :func:`compose_sections` leaves to :func:`compose` (which says what is
    wrong with it, if anything is)."""


ITEM, LIST_END, PAIR = 0, 1, 2
"""What :func:`compose_sections` yields (the first member of each triple)."""


def compose_sections(
    source: str | bytes, display: str, diagnostics: list[Diagnostic], lists: Container[str]
) -> Generator[tuple[int, Node, Any], None, None]:
    """The sections of a file as it is parsed, each list item as soon as it is composed.

    For a file that is one mapping of sections, this yields, in file order, for a
    section named in ``lists`` written as a list: ``(ITEM, key node, item node)`` for
    each item, then ``(LIST_END, key node, number of items)``; for any other section,
    ``(PAIR, key node, value node)``. Only one item is ever composed at a time, and
    the consumer is done with it before the next is read: composing the whole file
    first (:func:`compose`) keeps millions of nodes alive at once, and making,
    keeping and then freeing them costs a fifth of composing the file.

    Anything else raises :class:`NotStreamableError`, possibly after some sections were
    yielded: a YAML error, a file that is not one untagged mapping, a key given twice,
    a merge key, a key or list with a tag or an anchor, a second document. So does
    nesting deeper than :data:`MAX_DEPTH` or an alias with no anchor, which also
    raise :class:`ComposeError` after recording their diagnostic. The consumer is then
    to undo what it did with what it was given and :func:`compose` the file instead:
    what is yielded is exactly what the pairs and list items of its tree would be.
    ``source``: the file's UTF-8 bytes without a BOM (or its text).
    """
    if isinstance(source, bytes) and not USING_LIBYAML:  # pragma: no cover
        source = source.decode("utf-8")
    loader = _Loader(source)
    get_event = loader.get_event
    anchors: dict[str, Node] = {}
    keys: set[str] = set()
    try:
        if get_event().__class__ is not StreamStartEvent:
            raise NotStreamableError
        if get_event().__class__ is not DocumentStartEvent:
            raise NotStreamableError
        event: Any = get_event()
        if event.__class__ is not MappingStartEvent or event.tag or event.anchor is not None:
            raise NotStreamableError
        while True:
            event = get_event()
            if event.__class__ is MappingEndEvent:
                break
            if event.__class__ is not ScalarEvent or event.tag or event.anchor is not None:
                raise NotStreamableError
            key: str = event.value
            style: str = event.style or ""
            if key in keys or (key == "<<" and not style):
                raise NotStreamableError
            keys.add(key)
            key_node = (key, STR_TAG, style, event.start_mark)
            event = get_event()
            if (
                key in lists
                and event.__class__ is SequenceStartEvent
                and not event.tag
                and event.anchor is None
            ):
                count = 0
                while (event := get_event()).__class__ is not SequenceEndEvent:
                    count += 1
                    # the root mapping and the list are open around an item
                    item = _compose_node(
                        get_event, event, anchors, MAX_DEPTH - 2, diagnostics, display
                    )
                    yield ITEM, key_node, item
                yield LIST_END, key_node, count
            else:
                value = _compose_node(
                    get_event, event, anchors, MAX_DEPTH - 1, diagnostics, display
                )
                yield PAIR, key_node, value
        if get_event().__class__ is not DocumentEndEvent:
            raise NotStreamableError
        if get_event().__class__ is not StreamEndEvent or get_event() is not None:
            raise NotStreamableError
    except yaml.YAMLError:
        raise NotStreamableError from None
    finally:
        loader.close()


__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "ITEM",
    "LIST_END",
    "MAP_TAG",
    "MAX_DEPTH",
    "PAIR",
    "SEQ_TAG",
    "STR_TAG",
    "USING_LIBYAML",
    "UTF8_BOM",
    "ComposeError",
    "MappingNode",
    "Node",
    "NotStreamableError",
    "SequenceNode",
    "compose",
    "compose_sections",
    "decode",
    "mapping_pairs",
    "scalars_are_clean",
    "size",
]
