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

Every node is a 4-tuple ``(value, tag, style, start_mark)`` (see :class:`Node`): a
scalar is a plain :class:`tuple` (the most numerous node, so the cheapest to make: a
tuple display is one allocation, a tuple subclass two), a mapping a
:class:`MappingNode` and a list a :class:`SequenceNode`. Tell them apart with
``type(node)`` (or :func:`is_scalar`); read them by index, or with :data:`VALUE`,
:data:`TAG`, :data:`STYLE` and :data:`MARK`.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
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
"""A composed YAML node, ``(value, tag, style, start_mark)``: ``value`` is the text of a
scalar, the list of nodes of a list, or the list of (key node, value node) pairs of a
mapping; ``tag`` is :data:`STR_TAG`, :data:`SEQ_TAG` or :data:`MAP_TAG` (these very
objects, so ``is`` tells the usual case) unless the author wrote an explicit tag;
``style`` is ``""`` for a plain scalar (and for collections); ``start_mark`` has the
0-based ``line``, ``column`` and ``index`` where the node starts. A scalar is a plain
``tuple``; collections are the subclasses below."""

VALUE, TAG, STYLE, MARK = 0, 1, 2, 3
"""Indexes of a node's fields."""


class MappingNode(tuple):  # type: ignore[type-arg]
    """A mapping node: its value is a list of (key node, value node) pairs."""

    __slots__ = ()


class SequenceNode(tuple):  # type: ignore[type-arg]
    """A list node: its value is a list of nodes."""

    __slots__ = ()


def is_scalar(node: Node) -> bool:
    """Whether ``node`` is a scalar (a plain tuple, not a collection's subclass)."""
    return type(node) is tuple


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


def compose(
    text: str, display: str, diagnostics: list[Diagnostic], data: bytes | None = None
) -> Node | None:
    """Compose ``text`` into a node tree (None for an empty file).

    Builds nodes straight from the parser's events, without recursion, so nesting
    depth is checked exactly and cannot exhaust the stack. Raises
    :class:`ComposeError` after recording a diagnostic when the text is not
    acceptable YAML. ``data``, if given, is ``text`` as UTF-8 (without a BOM): libyaml
    parses bytes, so handing it those spares encoding the whole text once more.
    """
    loader = _Loader(data if data is not None and USING_LIBYAML else text)
    get_event = loader.get_event
    anchors: dict[str, Node] = {}
    stack: list[tuple[list[Any], type[Node], str, Any, str | None]] = []
    items: list[Any] = []
    append = items.append  # rebound with ``items``: a bound method saves a lookup per node
    documents = 0
    node: Node
    kind: type[Node]
    try:
        while True:
            event: Any = get_event()
            if event is None:
                break
            cls = event.__class__
            # Scalars are two events in three, so they are tested first and built as
            # a bare tuple display (one allocation, where a tuple subclass needs two).
            if cls is ScalarEvent:
                tag = event.tag
                node = (
                    event.value,
                    STR_TAG if tag is None or tag == "!" else tag,
                    event.style or "",
                    event.start_mark,
                )
                if event.anchor is not None:
                    anchors[event.anchor] = node
                append(node)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                children = items
                items, kind, tag, mark, anchor = stack.pop()
                append = items.append
                if kind is MappingNode:
                    pairs = iter(children)
                    node = _new(
                        MappingNode,
                        (list(zip(pairs, pairs, strict=False)), tag or MAP_TAG, "", mark),
                    )
                else:
                    node = _new(SequenceNode, (children, tag or SEQ_TAG, "", mark))
                if anchor is not None:
                    # Registered at the end: an alias inside its own anchor is undefined,
                    # so no node can contain itself.
                    anchors[anchor] = node
                append(node)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    _fail(
                        diagnostics, display, event.start_mark,
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        "a dossier needs only a few levels; "
                        "this looks like a generated or damaged file",
                    )  # fmt: skip
                kind = MappingNode if cls is MappingStartEvent else SequenceNode
                stack.append((items, kind, event.tag, event.start_mark, event.anchor))
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
            elif cls is DocumentStartEvent:
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


__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "MAP_TAG",
    "MARK",
    "MAX_DEPTH",
    "SEQ_TAG",
    "STR_TAG",
    "STYLE",
    "TAG",
    "USING_LIBYAML",
    "UTF8_BOM",
    "VALUE",
    "ComposeError",
    "MappingNode",
    "Node",
    "SequenceNode",
    "compose",
    "decode",
    "is_scalar",
]
