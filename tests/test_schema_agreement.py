"""The JSON Schema (``dossier schema``) and the loader agree (issue 20, item 1).

Editors check a dossier file against the schema while it is written (the YAML
language server; ``check-jsonschema`` in CI), and ``dossier validate`` checks it with
the loader. An author must not see red squiggles on a valid dossier, nor a schema
error where the loader has nothing to say. So, for every case of the loader's corpus
(the folders of ``tests/corpus`` and the generated cases), each of its files is read
the way those tools read YAML and validated against the schema, and:

- when the loader finds the dossier valid, no file has a schema error;
- every schema error is where the loader reports an error too: inside the YAML node
  the schema complains about (a node repeated by an alias: where it is written).

The converse does not hold and is not tested: the loader checks what a schema cannot
say (links and ids across files, paragraph ranges, quotes, impossible dates).

The tools read YAML 1.2, not PyYAML's YAML 1.1: ``yes`` is text, ``2024-06-12`` is
text, ``1945`` and ``true`` are not. Two readings are tried: the YAML 1.2 core
schema exactly (the language server), and a more lenient one that also takes
``1_000`` and ``0b101`` for numbers (ruamel.yaml, which check-jsonschema uses; it
also keeps dates as text).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tui.content import Diagnostic, check_dossier, json_schema
from tui.content.limits import DEFAULT_MAX_FILE_SIZE
from tui.content.loader import dossier_files

from .test_loader_corpus import CORPUS, GENERATED, Generated, parse_expect

# -- reading YAML the way editors' tools do ----------------------------------------

_NULL = r"~|null|Null|NULL|"
_BOOL = r"true|True|TRUE|false|False|FALSE"
_CORE_INT = r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
_CORE_FLOAT = (
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_LENIENT_INT = r"[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)"
_LENIENT_FLOAT = (
    r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?)"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_TAG = "tag:yaml.org,2002:"


def _reading(name: str, int_pattern: str, float_pattern: str) -> type[yaml.SafeLoader]:
    """A safe YAML loader resolving plain scalars with these patterns (no timestamps:
    a date stays text, as the tools keep it)."""

    class Reading(yaml.SafeLoader):
        pass

    Reading.__name__ = name
    Reading.yaml_implicit_resolvers = {}
    # (add_implicit_resolver keys its table by first characters; None: any)
    for tag, pattern in (
        ("null", _NULL),
        ("bool", _BOOL),
        ("int", int_pattern),
        ("float", float_pattern),
        ("merge", "<<"),
    ):
        Reading.add_implicit_resolver(_TAG + tag, re.compile(f"^(?:{pattern})$"), None)
    Reading.add_constructor(_TAG + "int", _construct_int)
    Reading.add_constructor(_TAG + "float", _construct_float)
    return Reading


def _construct_int(loader: Any, node: ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(text[:2].lower(), 10)
    digits = (text[2:] if base != 10 else text).lstrip("0") or "0"
    if len(digits) > 1000:  # beyond Python's conversion limit: any huge number will do
        return sign * 10**1000
    return sign * int(digits, base)


def _construct_float(loader: Any, node: ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).replace("_", "")
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


READINGS = {
    "yaml-1.2-core": _reading("Core12", _CORE_INT, _CORE_FLOAT),
    "lenient-numbers": _reading("Lenient12", _LENIENT_INT, _LENIENT_FLOAT),
}

MAX_TREE_ITEMS = 200_000
"""A tree bigger than this (aliases expanded) is one no tool reads either."""


class UnreadableError(Exception):
    """A tool could not read the file as data at all (bad YAML, a tag it does not
    know, an alias bomb): the loader must then have an error in it."""


def _as_json(value: Any, budget: list[int], depth: int = 0) -> Any:
    """``value`` as JSON data (keys as text), refusing trees no tool would expand."""
    budget[0] -= 1
    if budget[0] < 0 or depth > 200:
        raise UnreadableError("too big once aliases are expanded")
    if isinstance(value, dict):
        return {str(k): _as_json(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v, budget, depth + 1) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    raise UnreadableError(f"not JSON data: {type(value).__name__}")


def read_as_tool(text: str, reading: type[yaml.SafeLoader]) -> tuple[Any, Node | None]:
    """The file's data as a tool validates it, and its node tree (for positions)."""
    try:
        data = yaml.load(text, Loader=reading)  # a SafeLoader: nothing is constructed
        nodes = yaml.compose(text, Loader=reading)
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise UnreadableError(str(exc)) from None
    return _as_json(data, [MAX_TREE_ITEMS]), nodes


# -- where a schema error is ---------------------------------------------------------


def _child(node: Node, key: str | int, seen: frozenset[int] = frozenset()) -> Node | None:
    """The node at ``key`` under ``node``, looking into merged mappings (``<<``)."""
    if isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    if not isinstance(node, MappingNode) or id(node) in seen:
        return None
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == _TAG + "merge":
            merged += value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        elif isinstance(key_node, ScalarNode) and key_node.value == str(key):
            return value_node  # type: ignore[no-any-return]
    for source in merged:
        found = _child(source, key, seen | {id(node)})
        if found is not None:
            return found
    return None


def span_of(root: Node, path: list[str | int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (line, col) start and end, 1-based, of the node at ``path``, or of its
    nearest ancestor when it has none (a key merged in, or an empty value)."""
    node, spans = root, [root]
    for key in path:
        found = _child(node, key)
        if found is None:
            break
        node = found
        spans.append(node)
    for candidate in reversed(spans):
        start, end = candidate.start_mark, candidate.end_mark
        if (start.line, start.column) != (end.line, end.column):
            return (start.line + 1, start.column + 1), (end.line + 1, end.column + 1)
    return (1, 1), (10**9, 0)


# -- the cases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    target: Path
    """What the loader is given (a folder or a file)."""


def _static_cases() -> Iterator[Case]:
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        load, _ = parse_expect((folder / "expect.txt").read_text(encoding="utf-8"))
        yield Case(folder.name, folder / load if load else folder)


STATIC = list(_static_cases())


def _files_of(target: Path) -> list[Path]:
    files, _ = dossier_files(target)
    return files


def check_agreement(case: Case, reading: type[yaml.SafeLoader]) -> None:
    """The agreement property for one case, in one reading (see the module docstring)."""
    result = check_dossier(case.target, use_cache=False)
    errors = [d for d in result.diagnostics if d.is_error]
    validator = jsonschema.Draft202012Validator(json_schema())
    problems: list[str] = []
    for path in _files_of(case.target):
        located = [d for d in errors if Path(d.location.path).resolve() == path.resolve()]
        try:
            if path.stat().st_size > DEFAULT_MAX_FILE_SIZE:
                raise UnreadableError("over the size limit")
            text = path.read_bytes().decode("utf-8")
            data, root = read_as_tool(text, reading)
        except (UnreadableError, UnicodeDecodeError, OSError) as exc:
            if not located:
                problems.append(f"{path.name}: the tools cannot read it ({exc}); the loader can")
            continue
        for error in validator.iter_errors(data):
            where = list(error.absolute_path)
            if root is None:  # an empty file: the loader says so at 1:1
                start, end = (1, 1), (1, 1)
            else:
                start, end = span_of(root, where)
            if not any(_inside(d, start, end) for d in located):
                problems.append(
                    f"{path.name}: schema error at {'/'.join(map(str, where)) or '(root)'} "
                    f"({start[0]}:{start[1]} to {end[0]}:{end[1]}): {error.message[:160]}; "
                    f"the loader has no error there"
                )
    assert not problems, (
        f"{case.name}: the schema and the loader disagree:\n  "
        + "\n  ".join(problems)
        + "\n  the loader reported:\n    "
        + ("\n    ".join(str(d) for d in result.diagnostics) or "(nothing)")
    )


FILE_WIDE = ("too many items after expanding aliases",)
"""Errors after which the loader reads no more of the file: they stand for any place
in it (as an error on line 0 does)."""


def _inside(diagnostic: Diagnostic, start: tuple[int, int], end: tuple[int, int]) -> bool:
    where = (diagnostic.location.line, diagnostic.location.col)
    if diagnostic.location.line == 0 or diagnostic.message.startswith(FILE_WIDE):
        return True
    return start <= where <= end


@pytest.mark.parametrize("reading", sorted(READINGS))
@pytest.mark.parametrize("case", STATIC, ids=lambda c: c.name)
def test_schema_agrees_with_the_loader_on_the_corpus(case: Case, reading: str) -> None:
    check_agreement(case, READINGS[reading])


NO_FILE = frozenset({"path-does-not-exist"})
"""Generated cases that make no file at all (about the path given)."""
ABOUT_CONTENT = [
    g for g in GENERATED if not g.isolate and g.max_file_size is None and g.name not in NO_FILE
]
"""The generated cases about what a file says. Left out: those loaded in a child
interpreter (inputs that could crash the process) and those about reading files
(size limits, a missing path), which have no content for a schema to judge."""


@pytest.mark.parametrize("reading", sorted(READINGS))
@pytest.mark.parametrize("generated", ABOUT_CONTENT, ids=lambda g: g.name)
def test_schema_agrees_with_the_loader_on_generated_cases(
    generated: Generated, reading: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "case"
    root.mkdir()
    target = generated.build(root, monkeypatch)
    assert target.exists(), f"{generated.name} makes no file: add it to NO_FILE"
    check_agreement(Case(generated.name, target), READINGS[reading])


# -- the cases of the issue, and what was decided for each ----------------------------

HEAD = """\
dossier: {id: d, title: T, summary: S, as_of: 2024-01-01}
sources: [{id: memo, title: Memo, paragraphs: 3}]
events: [{id: e, title: E, date: 2017}]
"""

DECISIONS: dict[str, tuple[bool, bool]] = {
    # an actor's fields: (the loader accepts it, the schema accepts it)
    "name: 1945": (False, False),  # a number: quote it
    "name: true": (False, False),  # a boolean: quote it
    "role: 1.5": (False, False),
    'name: "1945"': (True, True),
    "name: no": (True, True),  # text in YAML 1.2
    "name: 2017-04-27": (True, True),  # text in YAML 1.2, and to check-jsonschema
    "summary:": (True, True),  # empty counts as absent
    "role: null": (True, True),
    "role: ~": (True, True),
    "aliases: [A, ~]": (True, True),
    "refs: [{source: memo, para: 3}]": (True, True),
    'refs: [{source: memo, para: "3"}]': (False, False),  # text where a number goes
    "refs: [{source: memo, para: [1, 3]}]": (True, True),
    "x-ext: {a: 1, b: [2, {c: 3}]}": (True, True),
    # What a schema cannot say (the value of an x- field is anything): refused by the
    # loader only. (The tools' YAML readers report a key given twice themselves.)
    "x-ext: {a: 1, a: 2}": (False, True),
    "x-ext: !!str text": (False, True),
}


@pytest.mark.parametrize("fields", sorted(DECISIONS))
def test_loader_and_schema_decide_each_case_of_the_issue_as_documented(
    fields: str, tmp_path: Path
) -> None:
    path = tmp_path / "d.yaml"
    name = "" if fields.startswith("name:") else "    name: A\n"
    path.write_text(f"{HEAD}actors:\n  - id: a\n    kind: state\n{name}    {fields}\n")
    loader_ok = check_dossier(path, use_cache=False).dossier is not None
    data, _ = read_as_tool(path.read_text(), READINGS["yaml-1.2-core"])
    schema_ok = not list(jsonschema.Draft202012Validator(json_schema()).iter_errors(data))
    assert (loader_ok, schema_ok) == DECISIONS[fields]


def _bundled_and_fixtures() -> list[Path]:
    from tui.content.bundled import bundled_dossiers

    from .conftest import FIXTURES

    found = [*bundled_dossiers().values(), FIXTURES / "small", FIXTURES / "hostile"]
    return [*found, *sorted(FIXTURES.glob("*.yaml"))]


@pytest.mark.parametrize("target", _bundled_and_fixtures(), ids=lambda p: p.name)
def test_schema_accepts_every_valid_dossier_we_ship(target: Path) -> None:
    assert check_dossier(target, use_cache=False).dossier is not None
    for reading in READINGS.values():
        check_agreement(Case(target.name, target), reading)
