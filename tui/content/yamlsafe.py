"""Turn the bytes of one YAML file into a node tree, safely and with positions.

Only *composition* happens here (text -> nodes with line/column marks); nothing is
constructed, so no tag can build an object, include a file or run code. Implicit
tag resolution (YAML 1.1's ``yes`` -> True, ``2017-04-20`` -> date, ...) is switched
off: every scalar stays the text the author wrote, and the loader interprets it
per field. That is both what the format promises and cheaper than PyYAML's
resolver.

Hostile input is refused before it can hurt: oversized files, bytes that are not
UTF-8, and nesting deep enough to exhaust the C stack of libyaml's composer.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Diagnostic, Location

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024
"""Largest YAML file read by default, in bytes (``--max-file-size`` raises it)."""

MAX_DEPTH = 64
"""Deepest nesting of collections accepted; the format itself needs about 6."""

_BRACKET_VALUE = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_DEEP_BLOCK = re.compile(rf"^[ \-?:]{{{MAX_DEPTH},}}", re.MULTILINE)


class _Composer:
    """Mixin that keeps every scalar a string and every collection untyped."""

    def resolve(self, kind: type[Node], value: object, implicit: object) -> str:
        if kind is ScalarNode:
            return STR_TAG
        if kind is SequenceNode:
            return SEQ_TAG
        return MAP_TAG

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _Loader(_Composer, CParser):
        """libyaml's parser and composer with our no-op resolver."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)

        def close(self) -> None:
            self.dispose()

    USING_LIBYAML = True
else:  # pragma: no cover - exercised only where PyYAML was built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(_Composer, Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        """PyYAML's pure-Python parser and composer with our no-op resolver."""

        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

        def close(self) -> None:
            self.dispose()

    USING_LIBYAML = False


def decode(data: bytes, display: str, diagnostics: list[Diagnostic]) -> str | None:
    """UTF-8 bytes to text (a leading BOM is dropped); None with a diagnostic if not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.append(
            Diagnostic(
                Location(display, line, col),
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8",
            )
        )
        return None


def _flow_depth_bound(text: str) -> int:
    """An upper bound on flow-collection nesting: brackets anywhere, quoted or not."""
    brackets = _NOT_BRACKETS.sub("", text)
    if not brackets:
        return 0
    return max(itertools.accumulate(map(_BRACKET_VALUE.__getitem__, brackets)))


def _exact_depth(text: str) -> tuple[int, Any]:
    """The real nesting depth from the event stream (the parser is not recursive)."""
    loader = _Loader(text)
    depth = deepest = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return deepest, None
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return depth, event.start_mark
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return deepest, None  # the composer will report the syntax error itself
    finally:
        loader.close()


def _too_deep(text: str, display: str, diagnostics: list[Diagnostic]) -> bool:
    """Refuse nesting deeper than MAX_DEPTH before the recursive composer sees it."""
    if _flow_depth_bound(text) <= MAX_DEPTH and _DEEP_BLOCK.search(text) is None:
        return False
    _, mark = _exact_depth(text)
    if mark is None:
        return False
    diagnostics.append(
        Diagnostic(
            Location(display, mark.line + 1, mark.column + 1),
            f"nesting is deeper than {MAX_DEPTH} levels",
            "a dossier needs only a few levels; this looks like a generated or damaged file",
        )
    )
    return True


def _syntax_diagnostic(exc: yaml.YAMLError, text: str, display: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
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
    elif "expected a single document" in message:
        hint = "put one document in each file (remove the extra '---')"
    elif "found undefined alias" in message:
        hint = "define the anchor (&name) before using the alias (*name)"
    elif "mapping values are not allowed" in message:
        hint = "quote text that contains ': ' (for example \"a: b\")"
    if mark is None:
        return Diagnostic(Location(display), message, hint)
    return Diagnostic(Location(display, mark.line + 1, mark.column + 1), message, hint)


class ComposeError(Exception):
    """The file could not be composed; its diagnostic has been recorded."""


def compose(text: str, display: str, diagnostics: list[Diagnostic]) -> Node | None:
    """Compose ``text`` into a node tree (None for an empty file).

    Raises :class:`ComposeError` after recording a diagnostic when the text is not
    acceptable YAML.
    """
    if _too_deep(text, display, diagnostics):
        raise ComposeError
    loader = _Loader(text)
    try:
        root: Node | None = loader.get_single_node()
    except yaml.YAMLError as exc:
        diagnostics.append(_syntax_diagnostic(exc, text, display))
        raise ComposeError from None
    except RecursionError:
        diagnostics.append(
            Diagnostic(Location(display), f"nesting is deeper than {MAX_DEPTH} levels")
        )
        raise ComposeError from None
    finally:
        loader.close()
    return root


__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "MAP_TAG",
    "MAX_DEPTH",
    "SEQ_TAG",
    "STR_TAG",
    "USING_LIBYAML",
    "ComposeError",
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "compose",
    "decode",
]
