"""The diff benchmark (issue 19): ``dossier diff A B`` against ``dossier validate A``.

Two heavy synthetic dossiers of :data:`N` actors (:mod:`bench.synth`) are written to a
temporary folder: ``a`` as generated, and ``b`` a copy edited the way an author edits,
in 1% of its items (actors, issues, assessments and events; :func:`edit_copy`):

- a stance changed, a citation moved (a ``para:`` number), a position dropped (issues);
- a verdict reworded, the confidence or horizon changed, a claim added or removed
  (assessments);
- a summary rewritten, a role changed (actors); a date or status changed (events);
- an id renamed everywhere it is written (any kind);
- an item added after another one, or an item nobody links to removed.

Edits that add or remove lines sit in the middle of the files, so every item after
them moves down or up: the locations of most items differ between ``a`` and ``b``,
as they do after a real edit. Both dossiers are loaded once to fill a cache folder,
then ``dossier diff a b`` and ``dossier validate a`` run as whole processes, taking
turns, best of :data:`RUNS`. The bar: the diff takes at most :data:`BAR` times the
validate. One untimed ``dossier diff --format json`` run first checks that the diff
finds what was edited (its counts per kind of change); it also makes each dossier's
fingerprints (:mod:`tui.content.diffprints`), which are part of a warm cache for a diff
as the stores are for any load. Printed for information: ``compare()`` in process with
the fingerprints and decoding every item, and what making the fingerprints costs.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.search import alternate, timed
from bench.synth import write_synthetic
from bench.terminal import REPO_ROOT, TerminalError, child_env, dossier_command
from tui.content import Dossier

N = 10_000
QUICK_N = 1_000
RUNS = 5
BAR = 2.0
"""``dossier diff A B`` warm at most this many times ``dossier validate A`` warm."""
FRACTION = 0.01
"""The share of items edited."""
SEED = 19

_ITEM = re.compile(r"  - id: ([a-z0-9-]+)$")
_ID = re.compile(r"(?<![\w-])(?:actor|issue|assessment|event)-\d+(?![\w-])")
_STANCES = ("for", "against", "mixed", "neutral", "unclear")
_CONFIDENCES = ("low", "moderate", "high")
_EDITS = {
    "actor": ("summary", "role", "rename", "add", "remove"),
    "issue": ("stance", "citation", "drop-position", "rename", "remove"),
    "assessment": ("verdict", "confidence", "horizon", "add-claim", "drop-claim", "citation"),
    "event": ("date", "status", "rename", "add", "remove"),
}
"""The edits tried on each kind of item, in turn (one edit per item picked)."""


@dataclass
class Expected:
    """What the edits should show in the diff: items per status."""

    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class _Item:
    """One item of a section file: its lines (the first is ``  - id: ...``)."""

    id: str
    lines: list[str]


@dataclass
class _File:
    """A section file read as a header and items (other files are kept as text)."""

    head: list[str]
    items: list[_Item]

    def text(self) -> str:
        lines = list(self.head)
        for item in self.items:
            lines.extend(item.lines)
        return "\n".join(lines) + "\n"


def _read_sections(folder: Path) -> dict[str, _File]:
    files: dict[str, _File] = {}
    for path in sorted(folder.glob("*.yaml")):
        head: list[str] = []
        items: list[_Item] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _ITEM.match(line)
            if match:
                items.append(_Item(match.group(1), [line]))
            elif items:
                items[-1].lines.append(line)
            else:
                head.append(line)
        files[path.name] = _File(head, items)
    return files


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the block that starts at ``lines[start]``: the next line indented
    ``indent`` or less."""
    end = start + 1
    while end < len(lines) and (len(lines[end]) - len(lines[end].lstrip(" "))) > indent:
        end += 1
    return end


def _replace_field(item: _Item, key: str, value: str) -> bool:
    """Set top-level field ``key`` of ``item`` to a one-line ``value`` (its folded
    continuation lines dropped); False when the item has no such field."""
    for number, line in enumerate(item.lines):
        if line.startswith(f"    {key}:"):
            end = _block_end(item.lines, number, 4)
            item.lines[number:end] = [f"    {key}: {value}"]
            return True
    return False


class _Editor:
    """Edits the sections of one copy; see the module's docstring."""

    def __init__(self, files: dict[str, _File], rng: random.Random) -> None:
        self.files = files
        self.rng = rng
        self.where: dict[str, tuple[_File, int]] = {}
        for section in files.values():
            for number, item in enumerate(section.items):
                self.where[item.id] = (section, number)
        text = "\n".join(section.text() for section in files.values())
        self.mentions = Counter(_ID.findall(text))
        self.renames: dict[str, str] = {}
        self.added = 0

    def item(self, item_id: str) -> _Item:
        section, number = self.where[item_id]
        return section.items[number]

    def edit(self, kind: str, item_id: str, edit: str) -> str | None:
        """Make ``edit`` on the item; the status it shows in the diff, or None when this
        item cannot take it (the caller tries the next item)."""
        item = self.item(item_id)
        r = self.rng
        if edit == "rename":
            self.renames[item_id] = f"{item_id}-renamed"
            return "renamed"
        if edit == "remove":
            if self.mentions[item_id] != 1:  # something links to it
                return None
            item.lines.clear()
            return "removed"
        if edit == "add":
            self.added += 1
            new_id = f"{kind}-added-{self.added}"
            if kind == "actor":
                new = [
                    f"  - id: {new_id}",
                    f"    name: Added actor {self.added}",
                    "    kind: group",
                ]
            else:
                new = [
                    f"  - id: {new_id}",
                    f"    title: Added event {self.added}",
                    "    date: 2019-03-04",
                    "    status: held",
                ]
            item.lines.extend(new)
            return "added"
        if edit in ("summary", "verdict"):
            done = _replace_field(item, edit, f"Rewritten {edit} number {r.randrange(10**6)}.")
        elif edit == "role":
            done = _replace_field(item, "role", f"acting envoy {r.randrange(1000)}")
        elif edit == "horizon":
            done = _replace_field(item, "horizon", f"to {2026 + r.randrange(20)}")
        elif edit == "confidence":
            done = self._cycle(item, "    confidence: ", _CONFIDENCES)
        elif edit == "stance":
            done = self._cycle(item, "        stance: ", _STANCES)
        elif edit == "status":
            done = self._cycle(item, "    status: ", ("held", "cancelled"))
        elif edit == "date":
            done = self._earlier_date(item)
        elif edit == "citation":
            done = self._move_citation(item)
        elif edit == "drop-position":
            done = self._drop_last(item, "      - actor: ", minimum=2)
        elif edit == "drop-claim":
            done = self._drop_last(item, "      - claim: ", minimum=2)
        elif edit == "add-claim":
            done = self._add_claim(item)
        else:
            raise ValueError(edit)
        return "changed" if done else None

    def _cycle(self, item: _Item, prefix: str, values: tuple[str, ...]) -> bool:
        for number, line in enumerate(item.lines):
            if line.startswith(prefix) and line[len(prefix) :] in values:
                now = values.index(line[len(prefix) :])
                item.lines[number] = prefix + values[(now + 1) % len(values)]
                return True
        return False

    def _earlier_date(self, item: _Item) -> bool:
        for number, line in enumerate(item.lines):
            if line.startswith("    date: ") and line[10:14].isdigit():
                if line.endswith("02-29"):
                    return False
                item.lines[number] = f"    date: {int(line[10:14]) - 1}{line[14:]}"
                return True
        return False

    def _move_citation(self, item: _Item) -> bool:
        for number, line in enumerate(item.lines):
            stripped = line.strip()
            if stripped.startswith("para: ") and stripped[6:].isdigit():
                para = int(stripped[6:]) % 50 + 1
                item.lines[number] = line[: line.index("para: ") + 6] + str(para)
                return True
        return False

    def _drop_last(self, item: _Item, prefix: str, minimum: int) -> bool:
        starts = [n for n, line in enumerate(item.lines) if line.startswith(prefix)]
        if len(starts) < minimum:
            return False
        start = starts[-1]
        del item.lines[start : _block_end(item.lines, start, 6)]
        return True

    def _add_claim(self, item: _Item) -> bool:
        starts = [n for n, line in enumerate(item.lines) if line.startswith("      - claim: ")]
        if not starts:
            return False
        end = _block_end(item.lines, starts[-1], 6)
        claim = f"      - claim: An added claim, number {self.rng.randrange(10**6)}."
        item.lines[end:end] = [claim, "        refs:", "          - {source: src, para: 7}"]
        return True


def edit_copy(source: Path, target: Path, fraction: float = FRACTION) -> Expected:
    """Write ``target``: the dossier at ``source`` with ``fraction`` of its actors,
    issues, assessments and events edited (see the module's docstring)."""
    rng = random.Random(SEED)
    files = _read_sections(source)
    editor = _Editor(files, rng)
    kinds = {
        kind: [item_id for item_id in editor.where if item_id.startswith(f"{kind}-")]
        for kind in _EDITS
    }
    expected = Expected()
    for kind, ids in kinds.items():
        wanted = max(len(_EDITS[kind]), round(len(ids) * fraction))
        candidates = rng.sample(ids, len(ids))
        made = 0
        for item_id in candidates:
            if made == wanted:
                break
            edits = _EDITS[kind]
            for turn in range(len(edits)):  # the next edit in turn, else any this item takes
                status = editor.edit(kind, item_id, edits[(made + turn) % len(edits)])
                if status is not None:
                    expected.counts[status] += 1
                    made += 1
                    break
    target.mkdir(parents=True)
    renames = editor.renames
    for name, section in files.items():
        text = section.text()
        if renames:
            text = _ID.sub(lambda match: renames.get(match.group(), match.group()), text)
        (target / name).write_text(text, encoding="utf-8")
    return expected


# -- running ---------------------------------------------------------------------------------
def _check(found: dict[str, int], expected: Expected) -> str | None:
    """What the diff missed or found too much of, or None when its counts are the edits'."""
    wrong = [
        f"{status}: {found.get(status, 0)} found, {expected.counts[status]} made"
        for status in ("added", "removed", "changed", "renamed")
        if found.get(status, 0) != expected.counts[status]
    ]
    return "; ".join(wrong) or None


def _in_process(old: Path, new: Path, cache: Path) -> list[str]:
    """``compare`` alone, in this process: with the fingerprints (best of 3), decoding
    every item (once), and what making the fingerprints costs, once per stored dossier."""
    from tui.content import check_dossier
    from tui.content.diffing import compare
    from tui.content.diffprints import _make_prints, prints_of
    from tui.content.diffscan import StoredItems, prove_unchanged

    def stored(path: Path) -> Dossier:
        check_dossier(path, cache_dir=cache)  # (this process's key: its working folder)
        dossier = check_dossier(path, cache_dir=cache).dossier
        assert dossier is not None
        return dossier

    a, b = stored(old), stored(new)
    notes = []
    items = StoredItems.of(a)
    assert items is not None
    start = time.perf_counter()
    _make_prints(items)
    made = time.perf_counter() - start
    prints_of(items)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        compare(a, b)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    compare(a, b, use_stores=False)
    slow = time.perf_counter() - start
    proven = prove_unchanged(a, b)
    assert proven.old_entities is not None
    assert proven.old_relations is not None
    notes += [
        f"compare() in process: {min(times) * 1000:,.0f} ms with the fingerprints (best of 3), "
        f"{slow * 1000:,.0f} ms decoding every item",
        f"fingerprints: made once per stored dossier (by the first diff), "
        f"{made * 1000:,.0f} ms for A; they leave {len(proven.old_entities):,} of "
        f"{len(a.entities):,} entities and {len(proven.old_relations):,} of "
        f"{len(a.relations):,} relations of A to compare",
    ]
    return notes


def run(*, quick: bool = False) -> None:
    """Print the table: ``dossier diff A B`` warm against ``dossier validate A`` warm."""
    n = QUICK_N if quick else N
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; two heavy synthetic "
        f"dossiers of {n:,} actors, {FRACTION:.0%} of their items edited"
    )
    print(
        f"Bar (issue 19): `dossier diff A B` warm <= {BAR}x `dossier validate A` warm; "
        f"whole processes taking turns, best of {RUNS}."
    )
    print()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dossier-bench-diff-") as name:
        temp = Path(name)
        old = write_synthetic(temp / "a", n, profile="heavy")
        expected = edit_copy(old, temp / "b")
        new = temp / "b"
        cache = temp / "cache"
        cache.mkdir()
        env = child_env(cache)
        command = dossier_command()
        diff = (*command, "diff", str(old), str(new))
        validate = (*command, "validate", str(old))
        print("| measure | ms | baseline | ratio | bar | verdict |")
        print("|:---|---:|---:|---:|:---|:---|")
        try:
            timed((*command, "validate", str(new)), env)  # fills the cache for both
            timed(validate, env)
            done = subprocess.run(
                [*diff, "--format", "json"], env=env, cwd=REPO_ROOT, capture_output=True
            )
            if done.returncode != 1:
                raise TerminalError(f"`dossier diff` exited {done.returncode}: {done.stderr!r}")
            found = json.loads(done.stdout)["counts"]
            wrong = _check(found, expected)
            notes.append(
                "the diff found "
                + ", ".join(f"{count:,} {status}" for status, count in found.items())
                + (f" (WRONG: {wrong})" if wrong else ", as edited")
            )
            diffs, validates = alternate([diff, validate], env, RUNS, ok=(0, 1))
            mine, base = min(diffs), min(validates)
            ratio = mine / base
            verdict = "PASS" if ratio <= BAR and wrong is None else "FAIL"
            print(
                f"| `dossier diff A B`, warm | {mine * 1000:,.0f} "
                f"| {base * 1000:,.0f} (validate A, warm) | {ratio:.2f}x | <= {BAR}x "
                f"| {verdict} |"
            )
            notes.append(
                "every run, ms: diff "
                + ", ".join(f"{value * 1000:,.0f}" for value in diffs)
                + "; validate "
                + ", ".join(f"{value * 1000:,.0f}" for value in validates)
            )
        except TerminalError as error:
            print("| `dossier diff A B`, warm | not measured | | | | FAIL |")
            notes.append(str(error))
        notes.extend(_in_process(old, new, cache))
    print()
    for note in notes:
        print(f"- {note}")
