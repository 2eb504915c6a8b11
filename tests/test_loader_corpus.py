"""The corpus of bad (and a few good) dossiers, each with the diagnostic it must produce.

Every folder under ``tests/corpus/`` is one case: a small dossier (usually one or
two ``.yaml`` files) and an ``expect.txt`` the loader ignores, which lists, one per
line, every diagnostic the case must produce, in the loader's own compiler style::

    # comments start with '#'
    dossier.yaml:8:12: error: fragment of the message
      hint: fragment of the hint
    load: notes.yaml            (optional: load this file instead of the folder)

``FILE`` is relative to the case folder (``.`` is the folder itself). ``LINE:COL``
are 1-based (``0:0`` is the whole file); ``LINE`` alone skips the column, and ``*``
accepts any position inside the file (for the few failures that have no single
right place). A fragment may contain ``...`` between parts that must appear in
that order (for example around a path that depends on the working folder).

The expectations are exact: the case must produce those diagnostics and no other,
and the dossier loads if and only if no error is expected. Hostile inputs that are
binary, huge or generated (bad bytes, size limits, deep nesting, alias bombs) are
written at run time into ``tmp_path`` by the generators below, with their
expectations in the same notation.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

import pytest

from tui.content import Severity, check_dossier

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).resolve().parent.parent

BASE = """\
dossier:
  id: corpus
  title: Corpus case
  summary: A dossier with exactly one problem.
  as_of: 2024-01-01
"""
"""The valid dossier section every generated case starts from (lines 1-5)."""

DEFAULT_SECONDS = 20.0
"""A hang guard, not a speed test (speed is measured in bench/): any case still
running after this long is stuck in a loop or an expansion it should have refused."""
HANG_SECONDS = 30
"""A case loaded in a child interpreter that still runs after this long is killed."""

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_EXPECT_LINE = re.compile(
    r"^(?P<file>[^:\s]+):(?P<line>\d+|\*)(?::(?P<col>\d+))?: "
    r"(?P<severity>error|warning|note): (?P<message>.+)$"
)


# -- expectations ---------------------------------------------------------------


@dataclass
class Expected:
    file: str
    line: int | None
    """None: any line >= 1 (``*``)."""
    col: int | None
    """None: the column is not checked."""
    severity: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        line = "*" if self.line is None else str(self.line)
        col = "" if self.col is None else f":{self.col}"
        hint = f"\n  hint: {self.hint}" if self.hint is not None else ""
        return f"{self.file}:{line}{col}: {self.severity}: {self.message}{hint}"


def parse_expect(text: str) -> tuple[str | None, list[Expected]]:
    """``expect.txt`` text -> (file to load or None for the folder, expectations)."""
    load: str | None = None
    expected: list[Expected] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("load: "):
            load = line.removeprefix("load: ").strip()
            continue
        if line.startswith((" ", "\t")) and line.strip().startswith("hint: "):
            assert expected, f"expect line {number}: a hint must follow a diagnostic"
            expected[-1].hint = line.strip().removeprefix("hint: ")
            continue
        match = _EXPECT_LINE.match(line)
        assert match, f"expect line {number} is not FILE:LINE[:COL]: SEVERITY: TEXT: {raw!r}"
        expected.append(
            Expected(
                file=match["file"],
                line=None if match["line"] == "*" else int(match["line"]),
                col=None if match["col"] is None else int(match["col"]),
                severity=match["severity"],
                message=match["message"],
            )
        )
    return load, expected


def contains_in_order(text: str, pattern: str) -> bool:
    """True when the parts of ``pattern`` between '...' occur in ``text`` in order."""
    position = 0
    for part in (p.strip() for p in pattern.split("...")):
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


# -- what the loader reported ------------------------------------------------------


@dataclass(frozen=True)
class Found:
    path: Path
    line: int
    col: int
    severity: str
    message: str
    hint: str

    def __str__(self) -> str:
        hint = f"\n      hint: {self.hint}" if self.hint else ""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message!r}{hint}"


def found_from_dicts(items: list[dict[str, object]], cwd: Path) -> list[Found]:
    return [
        Found(
            path=(cwd / str(item["path"])).resolve(),
            line=int(str(item["line"])),
            col=int(str(item["col"])),
            severity=str(item["severity"]),
            message=str(item["message"]),
            hint=str(item["hint"]),
        )
        for item in items
    ]


def matches(expected: Expected, found: Found, root: Path) -> bool:
    if found.path != (root / expected.file).resolve() or found.severity != expected.severity:
        return False
    if expected.line is None:
        if found.line < 1:
            return False
    elif found.line != expected.line:
        return False
    if expected.col is not None and found.col != expected.col:
        return False
    if not contains_in_order(found.message, expected.message):
        return False
    return expected.hint is None or contains_in_order(found.hint, expected.hint)


# -- running a case -----------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    diagnostics: list[Found]
    seconds: float


class TooSlow(BaseException):
    """Raised in the loader when a case runs past its time (a BaseException, so that no
    ``except OSError``/``except Exception`` in the loader can swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the load after ``seconds``: a slow or hanging case fails fast."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load_in_process(path: Path, max_file_size: int | None, seconds: float) -> Outcome:
    start = time.perf_counter()
    try:
        with time_limit(seconds):
            result = check_dossier(path, use_cache=False, max_file_size=max_file_size)
    except TooSlow:
        pytest.fail(f"the loader was still running after {seconds} s (too slow, or a hang)")
    elapsed = time.perf_counter() - start
    diagnostics = found_from_dicts([d.as_dict() for d in result.diagnostics], Path.cwd())
    return Outcome(result.dossier is not None, diagnostics, elapsed)


_CHILD = """\
import json, sys, time
from pathlib import Path
from tui.content import check_dossier
size = int(sys.argv[2]) if sys.argv[2] else None
start = time.perf_counter()
result = check_dossier(Path(sys.argv[1]), use_cache=False, max_file_size=size)
seconds = time.perf_counter() - start
print(json.dumps({"ok": result.dossier is not None, "seconds": seconds,
                  "diagnostics": [d.as_dict() for d in result.diagnostics]}))
"""


def load_in_child(path: Path, max_file_size: int | None, seconds: float) -> Outcome:
    """Load in a separate interpreter: a crash (segfault) fails this case, not the suite."""
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(path),
                "" if max_file_size is None else str(max_file_size),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the loader was still running after {HANG_SECONDS} s (a hang)")
    assert proc.returncode == 0, (
        f"the loader crashed (exit status {proc.returncode}):\n{proc.stderr[-3000:]}"
    )
    data = json.loads(proc.stdout)
    return Outcome(
        bool(data["ok"]), found_from_dicts(data["diagnostics"], REPO), float(data["seconds"])
    )


def assert_outcome(
    name: str, outcome: Outcome, expected: list[Expected], root: Path, seconds: float
) -> None:
    found = outcome.diagnostics
    listing = "\n".join(f"    {f}" for f in found) or "    (none)"

    # Every diagnostic is one clean line: nothing from the content can reach the terminal.
    for f in found:
        assert f.message.strip(), f"{name}: empty message\n{listing}"
        for text in (f.message, f.hint):
            assert "\n" not in text and not _CONTROL.search(text), (
                f"{name}: a diagnostic must be one line without control characters: {text!r}"
            )
        assert f.line >= 0 and f.col >= 0 and (f.line > 0 or f.col == 0), (
            f"{name}: bad position {f}"
        )

    unmatched = list(found)
    missing = []
    for exp in expected:
        hit = next((f for f in unmatched if matches(exp, f, root)), None)
        if hit is None:
            missing.append(exp)
        else:
            unmatched.remove(hit)
    assert not missing, (
        f"{name}: expected diagnostic(s) not produced:\n"
        + "\n".join(f"    {m}" for m in missing)
        + f"\n  the loader reported:\n{listing}"
    )
    assert not unmatched, (
        f"{name}: unexpected extra diagnostic(s):\n"
        + "\n".join(f"    {u}" for u in unmatched)
        + f"\n  the loader reported:\n{listing}"
    )
    errors_expected = sum(1 for e in expected if e.severity == Severity.ERROR.value)
    errors_found = sum(1 for f in found if f.severity == Severity.ERROR.value)
    assert errors_found == errors_expected, (
        f"{name}: {errors_found} errors, expected {errors_expected}"
    )
    assert outcome.ok == (errors_expected == 0), (
        f"{name}: the dossier {'loaded' if outcome.ok else 'did not load'}, "
        f"expected {'it to load' if errors_expected == 0 else 'None (invalid)'}"
    )
    assert outcome.seconds < seconds, f"{name}: took {outcome.seconds:.2f} s (limit {seconds} s)"


# -- generated cases ------------------------------------------------------------------


Builder = Callable[[Path, pytest.MonkeyPatch], Path]
"""Writes a generated case into the given folder; returns the path to load."""


@dataclass(frozen=True)
class Generated:
    """A case written at run time: ``build(dir, monkeypatch)`` returns the path to load."""

    name: str
    build: Builder
    expect: str
    max_file_size: int | None = None
    isolate: bool = False
    """Load in a child interpreter (inputs that could crash the process)."""
    seconds: float = DEFAULT_SECONDS
    after: Callable[[Path], None] | None = None
    """An extra check once loaded, given the case folder."""


GENERATED: list[Generated] = []


def generated(
    expect: str,
    *,
    max_file_size: int | None = None,
    isolate: bool = False,
    seconds: float = DEFAULT_SECONDS,
    after: Callable[[Path], None] | None = None,
) -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        name = build.__name__.removeprefix("gen_").replace("_", "-")
        GENERATED.append(Generated(name, build, expect, max_file_size, isolate, seconds, after))
        return build

    return register


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def actor_named(name: bytes) -> bytes:
    """BASE plus one actor whose name (line 8, from column 11) is ``name``."""
    return BASE.encode() + b"actors:\n  - id: japan\n    name: " + name + b"\n    kind: state\n"


@generated(
    """\
dossier.yaml:8:20: error: the file is not valid UTF-8 (byte 0xe9)
  hint: save the file as UTF-8
"""
)
def gen_non_utf8_latin1(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", actor_named("Japon café".encode("latin-1")))
    return d


@generated(
    """\
# A UTF-8 byte-order mark at the start must not shift the reported byte or column.
dossier.yaml:8:20: error: the file is not valid UTF-8 (byte 0xe9)
"""
)
def gen_non_utf8_after_bom(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", b"\xef\xbb\xbf" + actor_named("Japon café".encode("latin-1")))
    return d


@generated(
    """\
# Columns count characters, as everywhere else: 'Япония ' is 7 characters (13 bytes).
dossier.yaml:8:18: error: the file is not valid UTF-8 (byte 0xff)
"""
)
def gen_non_utf8_after_multibyte(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", actor_named("Япония ".encode() + b"\xff"))
    return d


@generated(
    """\
# A raw ESC byte in the file (not an escape in quotes): refused where it is.
dossier.yaml:8:13: error: control character
"""
)
def gen_raw_control_character(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", actor_named(b"Ja\x1b[31mpan"))
    return d


@generated(
    """\
dossier.yaml:0:0: error: the file is ... bytes, over the limit of 64 bytes
  hint: --max-file-size ... DOSSIER_MAX_FILE_SIZE
""",
    max_file_size=64,
)
def gen_file_over_size_limit(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", BASE)
    return d


@generated(
    """\
big.yaml:0:0: error: the file is 9.0 MiB, over the limit of 8.0 MiB
  hint: raise the limit with --max-file-size or $DOSSIER_MAX_FILE_SIZE
"""
)
def gen_file_over_default_size_limit(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", BASE)
    with (d / "big.yaml").open("wb") as f:
        f.truncate(9 * 1024 * 1024)  # sparse: costs nothing to write, must not be read
    return d


@generated(
    """\
actors.yaml:0:0: error: over the limit of 1.0 KiB
  hint: DOSSIER_MAX_FILE_SIZE
"""
)
def gen_file_over_size_limit_from_environment(d: Path, mp: pytest.MonkeyPatch) -> Path:
    mp.setenv("DOSSIER_MAX_FILE_SIZE", "1K")
    write(d, "dossier.yaml", BASE)
    actors = "".join(f"  - {{id: a{i}, name: Actor {i}, kind: other}}\n" for i in range(60))
    write(d, "actors.yaml", "actors:\n" + actors)
    return d


def nested(name: str, line: str, deep: str, why: str = "") -> None:
    """Register ``gen_<name>``: BASE with an ``x-deep`` field of ``deep``, expecting a
    nesting error at ``line`` of dossier.yaml (each loaded in a process of its own)."""

    def build(d: Path, mp: pytest.MonkeyPatch) -> Path:
        write(d, "dossier.yaml", BASE + "x-deep:" + deep)
        return d

    build.__name__ = f"gen_{name}"
    generated(f"{why}dossier.yaml:{line}: error: nesting\n", isolate=True)(build)


nested(
    "deep_flow_sequence",
    "6",
    " " + "[" * 30_000 + "]" * 30_000 + "\n",
    why="# libyaml's composer would overflow the C stack: the loader must refuse it first.\n",
)
nested("deep_flow_mapping", "6", " " + "{a: " * 30_000 + "}" * 30_000 + "\n")
nested("deep_block_sequence", "7", "\n" + "- " * 30_000 + "x\n")
nested(
    "deep_block_indented",
    "*",
    "\n" + "".join("  " * i + "- k:\n" for i in range(2_000)) + "  " * 2_000 + "- leaf\n",
)


def _laughs(alias_list: Callable[[int], str]) -> str:
    lines = ["x-lol:", "  l0: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha, ha]"]
    lines += [f"  l{i}: &l{i} {alias_list(i)}" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


@generated(
    """\
# Ten levels of ten aliases: 10**10 items if expanded. Must stop fast.
dossier.yaml:*: error: too many items after expanding aliases
""",
)
def gen_billion_laughs(d: Path, mp: pytest.MonkeyPatch) -> Path:
    bomb = _laughs(lambda i: "[" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    actors = "actors:\n  - id: japan\n    name: Japan\n    kind: state\n    tags: *l9\n"
    write(d, "dossier.yaml", BASE + bomb + actors)
    return d


@generated(
    """\
dossier.yaml:*: error: too many items after expanding aliases
""",
)
def gen_billion_laughs_merge_keys(d: Path, mp: pytest.MonkeyPatch) -> Path:
    lines = ["x-lol:", "  l0: &l0 {" + ", ".join(f"k{j}: v" for j in range(10)) + "}"]
    lines += [
        f"  l{i}: &l{i} {{<<: [" + ", ".join([f"*l{i - 1}"] * 10) + "]}" for i in range(1, 10)
    ]
    actors = "actors:\n  - <<: *l9\n    id: japan\n    name: Japan\n    kind: state\n"
    write(d, "dossier.yaml", BASE + "\n".join(lines) + "\n" + actors)
    return d


@generated(
    """\
# The number is 9 written with 10,000 leading zeros: no crash (Python refuses to
# convert strings of more than 4,300 digits); it is paragraph 9, outside 'memo'.
dossier.yaml:16:15: error: paragraph 9 is outside 'memo', which has 3 paragraphs
"""
)
def gen_huge_integer_leading_zeros(d: Path, mp: pytest.MonkeyPatch) -> Path:
    body = (
        "sources:\n  - id: memo\n    title: Memo\n    paragraphs: 3\n"
        "actors:\n  - id: japan\n    name: Japan\n    kind: state\n    refs:\n"
        "      - source: memo\n        para: " + "0" * 10_000 + "9\n"
    )
    write(d, "dossier.yaml", BASE + body)
    return d


@generated(
    """\
.:0:0: error: no .yaml or .yml files in this folder
  hint: a dossier is a folder of .yaml/.yml files
"""
)
def gen_empty_folder(d: Path, mp: pytest.MonkeyPatch) -> Path:
    return d


@generated(
    """\
nowhere:0:0: error: no such file or folder
"""
)
def gen_path_does_not_exist(d: Path, mp: pytest.MonkeyPatch) -> Path:
    return d / "nowhere"


@generated(
    """\
.:0:0: error: no .yaml or .yml files in this folder
  hint: this folder holds several dossiers; name one: alpha, beta
"""
)
def gen_folder_of_dossiers(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "alpha/dossier.yaml", BASE)
    write(d, "beta/dossier.yaml", BASE)
    return d


@generated(
    """\
.:0:0: error: cannot read the folder: Permission denied
"""
)
def gen_unreadable_folder(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", BASE)
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self == d:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    mp.setattr(Path, "iterdir", iterdir)
    return d


@generated(
    """\
actors.yaml:0:0: error: cannot read the file: Permission denied
"""
)
def gen_unreadable_file(d: Path, mp: pytest.MonkeyPatch) -> Path:
    write(d, "dossier.yaml", BASE)
    write(d, "actors.yaml", "actors: []\n")
    real_open = os.open

    def refusing_open(path: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if Path(path).name == "actors.yaml":  # (chmod 0 would not stop root)
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    mp.setattr(os, "open", refusing_open)
    return d


def _no_marker(d: Path) -> None:
    assert not (d / "pwned").exists(), "a !!python tag ran code"


@generated(
    """\
dossier.yaml:10:11: error: the tag '!!python/object/apply:os.system' is not allowed
""",
    after=_no_marker,
)
def gen_python_tag_runs_nothing(d: Path, mp: pytest.MonkeyPatch) -> Path:
    marker = d / "pwned"
    body = (
        "actors:\n  - id: japan\n    name: Japan\n    kind: state\n"
        f"    tags: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    write(d, "dossier.yaml", BASE + body)
    return d


@generated(
    """\
# Issue 20: an x- value was not checked for tags; nothing was constructed then
# either, but a dossier carrying one must not be valid.
dossier.yaml:6:9: error: the tag '!!python/object/apply:os.system' is not allowed
""",
    after=_no_marker,
)
def gen_python_tag_in_extension_runs_nothing(d: Path, mp: pytest.MonkeyPatch) -> Path:
    marker = d / "pwned"
    write(d, "dossier.yaml", BASE + f"x-evil: !!python/object/apply:os.system ['touch {marker}']\n")
    return d


@generated(
    """\
# A text copy is read like a YAML file: the size limit applies to it too.
dossier.yaml:9:16: error: over the limit of 1.0 MiB
""",
    max_file_size=1024 * 1024,
)
def gen_text_file_over_size_limit(d: Path, mp: pytest.MonkeyPatch) -> Path:
    body = (
        "sources:\n  - id: memo\n    title: Memo\n    text_file: memo.txt\n"
        "actors:\n  - id: japan\n    name: Japan\n    kind: state\n    refs:\n"
        "      - source: memo\n        para: 1\n        quote: anything\n"
    )
    write(d, "dossier.yaml", BASE + body)
    write(d, "memo.txt", "[1] " + "word " * 500_000 + "\n")
    return d


_MISSES = 2_000
_MISS_HEAD = (
    "sources:\n  - id: memo\n    title: Memo\n    text_file: memo.txt\n"
    "actors:\n  - id: japan\n    name: Japan\n    kind: state\n    refs:\n"
)
_MISS_REF = '      - {{source: memo, para: 1, quote: "not in the text {i}"}}\n'
_MISS_FIRST_LINE = 6 + _MISS_HEAD.count("\n")
_MISS_COL = _MISS_REF.format(i=0).index('"') + 1


@generated(
    "\n".join(
        f"dossier.yaml:{_MISS_FIRST_LINE + i}:{_MISS_COL}: "
        f"error: quote not found in paragraph 1 of 'memo'"
        for i in range(_MISSES)
    ),
)
def gen_many_missing_quotes_long_text(d: Path, mp: pytest.MonkeyPatch) -> Path:
    """2,000 quotes that match nothing, against a 2.5 MB text: checking must stay linear."""
    refs = "".join(_MISS_REF.format(i=i) for i in range(_MISSES))
    write(d, "dossier.yaml", BASE + _MISS_HEAD + refs)
    paragraph = "The envoys met again and agreed on nothing at all. " * 20
    write(d, "memo.txt", "".join(f"[{n}] {paragraph}\n\n" for n in range(1, 2_401)))
    return d


# -- the corpus test --------------------------------------------------------------------


def _static_cases() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_dir())


STATIC = _static_cases()
CASES: list[object] = [
    *(pytest.param(p, id=p.name) for p in STATIC),
    *(pytest.param(g, id=g.name) for g in GENERATED),
]


def test_corpus_is_large_and_every_case_has_expectations() -> None:
    assert len(STATIC) + len(GENERATED) >= 40
    for case in STATIC:
        assert (case / "expect.txt").is_file(), f"{case.name} has no expect.txt"
    names = [p.name for p in STATIC] + [g.name for g in GENERATED]
    assert len(names) == len(set(names)), "two cases share a name"


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(
    case: Path | Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if isinstance(case, Path):
        load, expected = parse_expect((case / "expect.txt").read_text(encoding="utf-8"))
        root, target = case, case / load if load else case
        outcome = load_in_process(target, None, DEFAULT_SECONDS)
        assert_outcome(case.name, outcome, expected, root, DEFAULT_SECONDS)
        return
    root = tmp_path / "case"
    root.mkdir()
    target = case.build(root, monkeypatch)
    load, expected = parse_expect(case.expect)
    assert load is None
    loader = load_in_child if case.isolate else load_in_process
    outcome = loader(target, case.max_file_size, case.seconds)
    assert_outcome(case.name, outcome, expected, root, case.seconds)
    if case.after is not None:
        case.after(root)


# -- positive cases: what the loaded model holds -------------------------------------------


def _load_ok(name: str):  # type: ignore[no-untyped-def]
    result = check_dossier(CORPUS / name, use_cache=False)
    assert result.dossier is not None, "\n".join(str(d) for d in result.diagnostics)
    return result


def _strings(value: object) -> Iterator[str]:
    """Every string inside a loaded model value (dataclasses, tuples, dicts)."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def test_merge_keys_still_work() -> None:
    dossier = _load_ok("ok-merge-keys").dossier
    japan, russia = dossier.actors
    assert (japan.id, japan.name, japan.actor_kind.value) == ("japan", "Japan", "state")
    assert japan.tags == ("member",)
    # An explicit key beats the merged one.
    assert (russia.id, russia.actor_kind.value, russia.tags) == ("russia", "group", ("member",))


def test_yaml_11_scalars_stay_text() -> None:
    dossier = _load_ok("ok-yaml11-scalars-stay-text").dossier
    (actor,) = dossier.actors
    assert (actor.id, actor.role, actor.aliases) == ("no", "on", ("yes", "off", "010", "1e3"))
    (issue,) = dossier.issues
    assert (issue.id, issue.title, issue.summary) == ("yes", "Yes", "null-ish")
    (position,) = issue.positions
    assert (position.actor, position.position) == ("no", "Yes")


def test_extension_values_apply_merge_keys() -> None:
    (actor,) = _load_ok("ok-extension-merge-keys").dossier.actors
    # The value's own keys first, then what is merged in that it does not have.
    assert actor.extensions == (("x-style", (("size", "3"), ("colour", "red"))),)


def test_an_empty_optional_field_is_absent() -> None:
    dossier = _load_ok("ok-empty-means-absent").dossier
    (source,) = dossier.sources
    assert (source.author, source.date, source.paragraphs, source.text_file) == (None,) * 4
    (actor,) = dossier.actors
    assert (actor.role, actor.summary, actor.part_of, actor.tags) == (None, None, None, ())
    assert actor.aliases == ("Nippon",)
    assert actor.refs[0].quote is None
    (issue,) = dossier.issues
    assert (issue.status, issue.question, issue.positions[0].position) == (None, None, None)
    assert (dossier.events, dossier.relations, dossier.tour) == ((), (), ())


def test_control_characters_are_removed_at_load() -> None:
    dossier = _load_ok("ok-control-characters-removed").dossier
    (actor,) = dossier.actors
    assert actor.name == "Ja[31mpan[0m"
    assert actor.summary == "Clear[2J screen 1m and reversed text"
    assert actor.aliases == ("]0;titleNippon",)
    for text in _strings(dossier):
        visible = text.replace("\n", "").replace("\t", "")
        assert not _CONTROL.search(visible), f"control character left in {text!r}"


def test_missing_text_file_is_a_note_and_the_dossier_loads() -> None:
    result = _load_ok("ok-missing-text-file")
    (note,) = result.diagnostics
    assert note.severity is Severity.NOTE
    assert result.errors == ()
    assert result.dossier.sources[0].text_file == "sources/memo.txt"


def test_quotes_match_despite_spacing_and_typographic_marks() -> None:
    result = _load_ok("ok-quotes-match")
    assert result.diagnostics == ()
