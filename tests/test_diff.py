"""``dossier diff``: pairs of dossiers that differ in one way each, what the diff says
about them (items, the exact lines, the exit status), its three formats with hostile
content, ``--git REV``, and the fast path over the load cache agreeing with the slow one.

The pairs are built in ``tmp_path`` from :data:`BASE`, a small dossier with one item of
each kind that can be removed without breaking a link (:data:`REMOVABLE`), edited by
exact text replacement (each replaced text must occur exactly once, so a change to
:data:`BASE` cannot make a test pass vacuously).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from html import escape as html_escape
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tui.authoring.diff import as_json, main, render_markdown, render_text
from tui.content import Dossier, check_dossier, diffing, diffprints
from tui.content.bundled import default_dossier
from tui.content.diffing import DossierDiff, FieldChange, ItemChange, Status, compare
from tui.content.diffprints import UNKNOWN
from tui.content.diffscan import Catalog, StoredItems, prove_unchanged
from tui.content.fieldchanges import plain
from tui.content.lazy import EntityMap

MEMO = """\
[1] The north says the line should move to the river.

[2] The south says it will "never" accept a new line.

[3] Nobody expects a deal.
"""
SOURCE = "  - id: cable\n    title: A cable\n"
ACTOR = "  - id: observer\n    name: Carl Observer\n    kind: person\n"
ISSUE = "  - id: fisheries\n    title: Fishing rights\n    summary: Who fishes where.\n"
ASSESSMENT = (
    "  - id: second-look\n    title: A second look\n    by: analyst\n"
    "    verdict: Too early to say.\n    confidence: low\n"
)
EVENT = "  - id: summit\n    title: The summit\n    date: 2020-06\n    status: scheduled\n"
REMOVABLE = {
    "source": ("cable", "A cable", SOURCE),
    "actor": ("observer", "Carl Observer", ACTOR),
    "issue": ("fisheries", "Fishing rights", ISSUE),
    "assessment": ("second-look", "A second look", ASSESSMENT),
    "event": ("summit", "The summit", EVENT),
}
"""Per kind: an item nobody links to (id, label, its YAML)."""

BASE = f"""\
dossier:
  id: isles
  title: The isles
  summary: Two states and a border.
  as_of: 2020-05

sources:
  - id: memo
    title: A memo
    paragraphs: 3
    text_file: sources/memo.txt
{SOURCE}
actors:
  - id: north
    name: Northland
    kind: state
  - id: south
    name: Southland
    kind: state
  - id: north-leader
    name: Ada North
    kind: person
    part_of: north
  - id: analyst
    name: Bea Analyst
    kind: person
{ACTOR}
issues:
  - id: frontier
    title: The border line
    summary: Where the border runs.
    question: Should the line move south?
    status: open
    refs: [{{source: memo, para: 1}}]
    positions:
      - actor: north
        stance: for
        position: Yes.
        refs: [{{source: memo, para: 1, quote: "the line should move"}}]
      - actor: south
        stance: against
        position: Never.
        refs: [{{source: memo, para: 2}}]
{ISSUE}
assessments:
  - id: no-deal
    title: No deal soon
    by: analyst
    verdict: Nothing will move this year.
    confidence: high
    horizon: A year.
    about: [frontier, north, south]
    arguments:
      - claim: Both sides are dug in.
        refs: [{{source: memo, para: [1, 2]}}]
{ASSESSMENT}
events:
  - id: talks
    title: Border talks
    date: 2020-04-02
    status: held
    actors: [north, south]
    issues: [frontier]
{EVENT}
relations:
  - {{from: north-leader, to: north, kind: leads}}
  - {{from: south, to: north, kind: borders, summary: A long river.}}

tour:
  - {{target: no-deal, caption: Start with the verdict.}}
  - {{target: frontier, caption: Then the issue.}}
  - {{target: talks, caption: And the talks.}}
"""


# -- helpers ---------------------------------------------------------------------------
def edited(text: str, *replacements: tuple[str, str]) -> str:
    """``text`` with each (old, new) replaced; each old text must occur exactly once."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def write(folder: Path, text: str, memo: str = MEMO) -> Path:
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "memo.txt").write_text(memo, encoding="utf-8")
    (folder / "dossier.yaml").write_text(text, encoding="utf-8")
    return folder


def pair(tmp_path: Path, old_text: str, new_text: str) -> tuple[Path, Path]:
    return write(tmp_path / "old", old_text), write(tmp_path / "new", new_text)


def load(path: Path, use_cache: bool = False) -> Dossier:
    result = check_dossier(path, use_cache=use_cache)
    assert result.dossier is not None, [str(d) for d in result.diagnostics]
    return result.dossier


def diff_of(tmp_path: Path, old_text: str, new_text: str) -> DossierDiff:
    old, new = pair(tmp_path, old_text, new_text)
    return compare(load(old), load(new))


def items(diff: DossierDiff) -> list[tuple[str, str, str, str | None]]:
    """Each item as (kind, id, status, old id)."""
    return [(item.kind, item.id, item.status.value, item.old_id) for item in diff.items]


def texts(diff: DossierDiff) -> list[str]:
    return [change.text for item in diff.items for change in item.changes]


def cli(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(arg) for arg in argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_base_is_valid_and_the_same_as_itself(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, BASE, BASE)
    assert diff.same and diff.items == () and diff.renames == {}


# -- items added and removed -------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(REMOVABLE))
def test_item_added_and_removed(tmp_path: Path, kind: str) -> None:
    entity_id, label, block = REMOVABLE[kind]
    without = edited(BASE, (block, ""))
    added = diff_of(tmp_path / "added", without, BASE)
    assert items(added) == [(kind, entity_id, "added", None)]
    assert added.items[0].label == label and added.items[0].changes == ()
    assert added.change_of(entity_id) is added.items[0]
    removed = diff_of(tmp_path / "removed", BASE, without)
    assert items(removed) == [(kind, entity_id, "removed", None)]
    assert removed.items[0].label == label
    assert removed.change_of(entity_id) is None  # (not in the new dossier)


# -- fields --------------------------------------------------------------------------------
STANCE = (
    "      - actor: north\n        stance: for",
    "      - actor: north\n        stance: mixed",
)


def test_stance_change_is_one_line_naming_actor_and_issue(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, BASE, edited(BASE, STANCE))
    assert items(diff) == [("issue", "frontier", "changed", None)]
    (change,) = diff.items[0].changes
    assert change.text == "Northland on The border line: for -> mixed"
    assert (change.field, change.old, change.new) == ("positions[north].stance", "for", "mixed")


@pytest.mark.parametrize(
    ("replacement", "line", "field"),
    [
        (
            ("verdict: Nothing will move this year.", "verdict: Something will move."),
            'verdict: "Nothing will move this year." -> "Something will move."',
            "verdict",
        ),
        (("confidence: high", "confidence: low"), "confidence: high -> low", "confidence"),
        (
            ("horizon: A year.", "horizon: Five years."),
            'horizon: "A year." -> "Five years."',
            "horizon",
        ),
        (("    horizon: A year.\n", ""), 'horizon removed (was "A year.")', "horizon"),
        (
            ("about: [frontier, north, south]", "about: [frontier, north]"),
            "about: removed south",
            "about",
        ),
    ],
    ids=["verdict", "confidence", "horizon", "horizon-removed", "about"],
)
def test_assessment_field_changes(
    tmp_path: Path, replacement: tuple[str, str], line: str, field: str
) -> None:
    diff = diff_of(tmp_path, BASE, edited(BASE, replacement))
    assert items(diff) == [("assessment", "no-deal", "changed", None)]
    assert [(c.field, c.text) for c in diff.items[0].changes] == [(field, line)]


CLAIM = "      - claim: Talks are stalled.\n        refs: [{source: memo, para: 3}]\n"
CLAIMS_END = "        refs: [{source: memo, para: [1, 2]}]\n"


def test_claim_added_and_removed(tmp_path: Path) -> None:
    more = edited(BASE, (CLAIMS_END, CLAIMS_END + CLAIM))
    added = diff_of(tmp_path / "added", BASE, more)
    assert items(added) == [("assessment", "no-deal", "changed", None)]
    assert texts(added) == ['claim added: "Talks are stalled."']
    assert added.items[0].changes[0].new == {
        "claim": "Talks are stalled.",
        "refs": [{"source": "memo", "paras": [3], "quote": None}],
        "extensions": [],
    }
    removed = diff_of(tmp_path / "removed", more, BASE)
    assert texts(removed) == ['claim removed: "Talks are stalled."']


def test_citation_moved_to_another_paragraph(tmp_path: Path) -> None:
    new = edited(
        BASE,
        ("        refs: [{source: memo, para: 2}]", "        refs: [{source: memo, para: 3}]"),
        ("    refs: [{source: memo, para: 1}]\n", "    refs: [{source: memo, para: [1, 3]}]\n"),
    )
    diff = diff_of(tmp_path, BASE, new)
    assert items(diff) == [("issue", "frontier", "changed", None)]
    assert texts(diff) == [
        "citation moved: memo ¶1 -> ¶1, ¶3",
        "Southland on The border line: citation moved: memo ¶2 -> ¶3",
    ]
    moved = diff.items[0].changes[1]
    assert moved.field == "positions[south].refs"
    assert (moved.old["paras"], moved.new["paras"]) == ([2], [3])


def test_citation_with_quote_moved_when_the_source_gains_a_paragraph(tmp_path: Path) -> None:
    memo = "[1] A new first paragraph.\n\n" + re.sub(
        r"\[(\d)\]", lambda m: f"[{int(m.group(1)) + 1}]", MEMO
    )
    new_text = edited(
        BASE,
        ("    paragraphs: 3", "    paragraphs: 4"),
        ('para: 1, quote: "the line should move"', 'para: 2, quote: "the line should move"'),
    )
    old = write(tmp_path / "old", BASE)
    new = write(tmp_path / "new", new_text, memo)
    diff = compare(load(old), load(new))
    assert items(diff) == [
        ("source", "memo", "changed", None),
        ("issue", "frontier", "changed", None),
    ]
    assert texts(diff) == [
        "paragraphs: 3 -> 4",
        "Northland on The border line: citation moved: memo ¶1 -> ¶2",
    ]


def test_actor_and_event_fields(tmp_path: Path) -> None:
    new = edited(
        BASE,
        (
            "    name: Bea Analyst\n    kind: person\n",
            "    name: Bea Analyst\n    kind: organization\n",
        ),
        ("    date: 2020-04-02\n    status: held", "    date: 2020-04-03\n    status: cancelled"),
    )
    diff = diff_of(tmp_path, BASE, new)
    assert items(diff) == [
        ("actor", "analyst", "changed", None),
        ("event", "talks", "changed", None),
    ]
    assert texts(diff) == [
        "kind: person -> organization",
        "date: 2020-04-02 -> 2020-04-03",
        "status: held -> cancelled",
    ]


# -- renames -------------------------------------------------------------------------------
def renamed_everywhere(text: str, old_id: str, new_id: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(old_id)}(?![\w-])", new_id, text)


@pytest.mark.parametrize(
    ("kind", "old_id", "new_id", "label"),
    [
        ("actor", "north", "northland", "Northland"),
        ("issue", "frontier", "boundary", "The border line"),
    ],
)
def test_renamed_id_is_one_item_and_links_to_it_are_no_change(
    tmp_path: Path, kind: str, old_id: str, new_id: str, label: str
) -> None:
    new = renamed_everywhere(BASE, old_id, new_id)
    assert new.count(new_id) >= 3  # (linked to from elsewhere, by other kinds of item)
    diff = diff_of(tmp_path, BASE, new)
    assert items(diff) == [(kind, new_id, "renamed", old_id)]
    assert diff.items[0].label == label and diff.items[0].changes == ()
    assert diff.renames == {old_id: new_id}
    assert diff.change_of(new_id) is diff.items[0]
    assert diff.items[0].headline == f"{kind} {old_id} -> {new_id} ({label}): renamed"


def test_renamed_id_with_other_changes_too_is_removed_and_added(tmp_path: Path) -> None:
    new = edited(BASE, ("  - id: observer\n    name: Carl", "  - id: watcher\n    name: Carla"))
    diff = diff_of(tmp_path, BASE, new)
    assert items(diff) == [
        ("actor", "watcher", "added", None),
        ("actor", "observer", "removed", None),
    ]
    assert diff.renames == {}


def test_rename_and_real_changes_in_items_linking_to_it(tmp_path: Path) -> None:
    """Only the real changes are reported: links in a position, a ``part_of``, an
    ``about`` list read through the rename."""
    new = edited(
        BASE,
        STANCE,
        ("name: Ada North", "name: Ada Northe"),
        ("confidence: high", "confidence: low"),
    )
    diff = diff_of(tmp_path, BASE, renamed_everywhere(new, "north", "northland"))
    assert items(diff) == [
        ("actor", "northland", "renamed", "north"),
        ("actor", "north-leader", "changed", None),
        ("issue", "frontier", "changed", None),
        ("assessment", "no-deal", "changed", None),
    ]
    assert texts(diff) == [
        'name: "Ada North" -> "Ada Northe"',
        "Northland on The border line: for -> mixed",
        "confidence: high -> low",
    ]


def test_renames_of_an_item_and_of_one_linking_to_it(tmp_path: Path) -> None:
    """The leader links to the issue, which comes later: the leader's rename is found
    in a second round, once the issue's is known."""
    old = edited(BASE, ("    part_of: north\n", "    part_of: north\n    see_also: [frontier]\n"))
    new = renamed_everywhere(renamed_everywhere(old, "frontier", "boundary"), "north-leader", "ada")
    diff = diff_of(tmp_path, old, new)
    assert items(diff) == [
        ("actor", "ada", "renamed", "north-leader"),
        ("issue", "boundary", "renamed", "frontier"),
    ]
    assert diff.renames == {"north-leader": "ada", "frontier": "boundary"}


# -- relations and the tour ------------------------------------------------------------------
NEW_RELATION = "  - {from: analyst, to: south, kind: advises}\n"
RELATIONS_END = "  - {from: south, to: north, kind: borders, summary: A long river.}\n"


def test_relation_added_removed_and_changed(tmp_path: Path) -> None:
    more = edited(BASE, (RELATIONS_END, RELATIONS_END + NEW_RELATION))
    added = diff_of(tmp_path / "added", BASE, more)
    assert items(added) == [("relation", "analyst advises south", "added", None)]
    assert added.items[0].label == "Bea Analyst advises Southland"
    removed = diff_of(tmp_path / "removed", more, BASE)
    assert items(removed) == [("relation", "analyst advises south", "removed", None)]
    changed = diff_of(tmp_path / "changed", BASE, edited(BASE, ("A long river.", "A short river.")))
    assert items(changed) == [("relation", "south borders north", "changed", None)]
    assert texts(changed) == ['summary: "A long river." -> "A short river."']


TOUR = (
    "  - {target: no-deal, caption: Start with the verdict.}\n"
    "  - {target: frontier, caption: Then the issue.}\n"
    "  - {target: talks, caption: And the talks.}\n"
)


@pytest.mark.parametrize(
    ("tour", "lines"),
    [
        (
            TOUR.replace("Start with the verdict.", "Begin here."),
            ['stop 1 (No deal soon): caption "Start with the verdict." -> "Begin here."'],
        ),
        (
            TOUR + "  - {target: summit, caption: What comes next.}\n",
            ["stop 4 added: The summit: What comes next."],
        ),
        (
            TOUR.replace("  - {target: frontier, caption: Then the issue.}\n", ""),
            ["stop 2 removed: The border line: Then the issue."],
        ),
        ("".join(TOUR.splitlines(keepends=True)[::-1]), ["stops reordered"]),
    ],
    ids=["caption", "added", "removed", "reordered"],
)
def test_tour_changes(tmp_path: Path, tour: str, lines: list[str]) -> None:
    diff = diff_of(tmp_path, BASE, edited(BASE, (TOUR, tour)))
    assert items(diff) == [("tour", "tour", "changed", None)]
    assert texts(diff) == lines


def test_dossier_section_change(tmp_path: Path) -> None:
    diff = diff_of(tmp_path, BASE, edited(BASE, ("  as_of: 2020-05", "  as_of: 2020-07")))
    assert items(diff) == [("dossier", "isles", "changed", None)]
    assert texts(diff) == ["as_of: 2020-05 -> 2020-07"]


def test_where_items_are_written_is_no_change(tmp_path: Path) -> None:
    """Items moved to another file, comments and blank lines: the same dossier."""
    old, _ = pair(tmp_path, BASE, BASE)
    new = tmp_path / "split"
    head, _, rest = BASE.partition("actors:\n")
    write(new, "# the dossier's own section, then the sources\n\n" + head)
    (new / "rest.yaml").write_text("actors:\n" + rest, encoding="utf-8")
    assert compare(load(old), load(new)).same


# -- the command: text, exit status ---------------------------------------------------------
def test_text_output_grouped_by_item(tmp_path: Path) -> None:
    new_text = edited(
        renamed_everywhere(BASE, "observer", "carl"),
        STANCE,
        ("confidence: high", "confidence: low"),
        (ISSUE, ""),
        (RELATIONS_END, RELATIONS_END + NEW_RELATION),
    )
    old, new = pair(tmp_path, BASE, new_text)
    code, out, err = cli(old, new)
    assert (code, err) == (1, "")
    assert out == (
        "actors:\n"
        "  > observer -> carl  Carl Observer\n"
        "issues:\n"
        "  ~ frontier  The border line\n"
        "      Northland on The border line: for -> mixed\n"
        "  - fisheries  Fishing rights\n"
        "assessments:\n"
        "  ~ no-deal  No deal soon\n"
        "      confidence: high -> low\n"
        "relations:\n"
        "  + analyst advises south  Bea Analyst advises Southland\n"
        f"{old} -> {new}: 1 added, 1 removed, 2 changed, 1 renamed\n"
    )


def test_bundled_dossier_against_itself_and_a_copy(tmp_path: Path) -> None:
    bundled = default_dossier()
    code, out, err = cli(bundled, bundled)
    assert (code, err) == (0, "")
    assert out.endswith(": no differences\n") and out.count("\n") == 1
    copy = shutil.copytree(bundled, tmp_path / "copy")
    assert cli(bundled, copy, "--format", "json")[0] == 0


def test_missing_path_exits_2(tmp_path: Path) -> None:
    old, _ = pair(tmp_path, BASE, BASE)
    code, out, err = cli(old, tmp_path / "nowhere")
    assert (code, out) == (2, "")
    assert "nowhere: error: no such file or folder" in err
    assert "dossier diff: " in err and "has 1 error" in err


def test_dossier_with_errors_exits_2_printing_them_as_file_line_col(tmp_path: Path) -> None:
    old, new = pair(tmp_path, BASE, edited(BASE, ("confidence: high", "confidence: sure")))
    code, out, err = cli(old, new)
    assert (code, out) == (2, "")
    line = BASE.splitlines().index("    confidence: high") + 1
    assert re.search(rf"^{re.escape(str(new / 'dossier.yaml'))}:{line}:\d+: error: ", err, re.M)
    # (The assessment is left out for it; the link to it is counted in a note.)
    assert re.search(rf"^{re.escape(str(new / 'dossier.yaml'))}:\d+:\d+: note: ", err, re.M)
    assert re.search(rf"^dossier diff: {re.escape(str(new))} has 1 error$", err, re.M)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_wrong_number_of_paths_exits_2(
    tmp_path: Path, count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = pair(tmp_path, BASE, BASE)
    with pytest.raises(SystemExit) as exit:
        cli(*[old] * count)
    assert exit.value.code == 2
    assert "give two dossiers, OLD and NEW" in capsys.readouterr().err


def test_wrong_arguments_exit_2_from_the_dossier_command(tmp_path: Path) -> None:
    old, _ = pair(tmp_path, BASE, BASE)
    done = subprocess.run(
        [sys.executable, "-m", "tui", "diff", str(old)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "give two dossiers" in done.stderr and done.stdout == ""


# -- formats -----------------------------------------------------------------------------------
def test_json_has_the_documented_shape(tmp_path: Path) -> None:
    old, new = pair(tmp_path, BASE, renamed_everywhere(edited(BASE, STANCE), "north", "nl"))
    code, out, _ = cli(old, new, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"version", "old", "new", "same", "counts", "items"}
    assert (data["version"], data["old"], data["new"], data["same"]) == (
        1,
        str(old),
        str(new),
        False,
    )
    assert data["counts"] == {"added": 0, "removed": 0, "changed": 1, "renamed": 1}
    renamed, changed = data["items"]
    assert renamed == {
        "kind": "actor",
        "id": "nl",
        "status": "renamed",
        "label": "Northland",
        "old_id": "north",
        "changes": [],
    }
    assert changed["kind"] == "issue" and changed["old_id"] is None
    assert changed["changes"] == [
        {
            "field": "positions[nl].stance",
            "text": "Northland on The border line: for -> mixed",
            "old": "for",
            "new": "mixed",
        }
    ]
    same = json.loads(cli(old, old, "--format", "json")[1])
    assert same["same"] is True and same["items"] == []


HOSTILE = "# heading [link](x) <script>alert(1)</script> @mention #12 `tick` ``two`` *em* | pipe"
ESCAPES = "red \x1b[31mRED\x1b[0m csi \x9b2J bell \x07 nul-free"


def hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    """OLD without the observer, NEW with it named :data:`HOSTILE`, and the analyst
    renamed to a name full of terminal escapes."""
    yaml_escapes = ESCAPES.replace("\x1b", "\\e").replace("\x9b", "\\x9b").replace("\x07", "\\a")
    new_text = edited(
        BASE,
        ("name: Carl Observer", f"name: '{HOSTILE}'"),
        ("name: Bea Analyst", f'name: "{yaml_escapes}"'),
    )
    return pair(tmp_path, edited(BASE, (ACTOR, "")), new_text)


def inline_tokens(text: str) -> Iterator[Any]:
    for token in MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(text):
        yield token
        yield from token.children or ()


def test_markdown_makes_no_markup_of_content(tmp_path: Path) -> None:
    old, new = hostile_pair(tmp_path)
    code, out, _ = cli(old, new, "--format", "markdown")
    assert code == 1
    kinds = [token.type for token in inline_tokens(out)]
    assert kinds.count("heading_open") == 2  # (its own: the title and "Actors")
    for forbidden in ("link_open", "image", "html_inline", "html_block", "em_open", "s_open"):
        assert forbidden not in kinds
    assert "table_open" not in kinds
    codes = {token.content for token in inline_tokens(out) if token.type == "code_inline"}
    assert codes == {str(old), str(new), "observer", "analyst"}
    assert "@mention" not in out and "#12" not in out  # (no mention, no issue link)
    html = MarkdownIt("commonmark").render(out)
    shown = HOSTILE.replace("@", "@\u2060").replace("#", "#\u2060")
    assert html_escape(shown, quote=False) in html  # (the label reads as written)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", out)


def test_text_output_has_no_terminal_escapes(tmp_path: Path) -> None:
    old, new = hostile_pair(tmp_path)
    code, out, _ = cli(old, new)
    assert code == 1
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", out)
    assert "RED" in out and "csi" in out and "bell" in out
    assert f"  + observer  {HOSTILE}\n" in out  # (plain text: nothing to escape)
    json_out = cli(old, new, "--format", "json")[1]
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", json_out.replace("\n", ""))


def test_renderers_clean_escapes_the_loader_let_through() -> None:
    """The loader already drops control characters; the renderers do not count on it."""
    change = FieldChange("summary", f"summary: {ESCAPES}\nsecond line", ESCAPES, None)
    item = ItemChange("actor", "analyst", Status.CHANGED, f"Bea {ESCAPES}", None, (change,))
    diff = DossierDiff((item,))
    for render in (render_text, render_markdown):
        out = render(diff, "old\x1b]0;title\x07", "new\x9b")
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", out), render.__name__
        assert "RED" in out and "second line" in out
    text = render_text(diff, "old", "new").splitlines()
    assert text[2] == "      summary: red [31mRED[0m csi 2J bell nul-free second line"
    data = json.dumps(as_json(diff, "old", "new"))
    assert "\x1b" not in data and json.loads(data)["items"][0]["label"] == f"Bea {ESCAPES}"


def test_escapes_in_paths_and_diagnostics_are_cleaned(tmp_path: Path) -> None:
    old, _ = pair(tmp_path, BASE, BASE)
    code, out, err = cli(old, tmp_path / "no\x1b[31mwhere")
    assert code == 2
    assert "\x1b" not in out + err and "where" in err


# -- --git REV ---------------------------------------------------------------------------------
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not on PATH: --git is not tested")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding BASE as ``isles/``, committed."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    top = tmp_path / "repo"
    write(top / "isles", BASE)
    git(top, "init", "-q")
    commit(top)
    return top


def git(top: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run([GIT, "-C", str(top), *args], check=True, capture_output=True, timeout=60)


def commit(top: Path) -> None:
    git(top, "add", "-A")
    git(
        top,
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.org",
        "commit",
        "-q",
        "--no-gpg-sign",
        "-m",
        "a version",
    )


@needs_git
def test_git_rev_against_the_working_tree(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = repo / "isles"
    assert cli("--git", "HEAD", folder)[:2] == (0, f"HEAD:isles -> {folder}: no differences\n")
    (folder / "dossier.yaml").write_text(edited(BASE, STANCE), encoding="utf-8")
    with_cache = cli("--git", "HEAD", folder)
    code, out, err = cli("--git", "HEAD", folder, "--no-cache")
    assert (code, err) == (1, "")
    assert "      Northland on The border line: for -> mixed\n" in out
    assert out.endswith(f"HEAD:isles -> {folder}: 1 changed\n")

    # The revision's copy is read back from a cache of its own: compared by records.
    def refused(self: object, dossier: Dossier) -> None:
        raise AssertionError("compared item by item")

    monkeypatch.setattr(diffing.ModelItems, "__init__", refused)
    assert cli("--git", "HEAD", folder) == with_cache == (code, out, err)
    monkeypatch.undo()
    commit(repo)
    assert cli("--git", "HEAD~1", folder)[0] == 1
    assert cli("--git", "HEAD", folder)[0] == 0


@needs_git
def test_git_bad_revision_and_errors_at_the_revision_exit_2(repo: Path) -> None:
    folder = repo / "isles"
    code, out, err = cli("--git", "no-such-rev", folder)
    assert (code, out) == (2, "")
    assert "'no-such-rev' is not a revision" in err
    assert cli("--git=--upload-pack=x", folder)[0] == 2
    # A broken version committed, then fixed: the revision's errors name REV:PATH.
    (folder / "dossier.yaml").write_text(edited(BASE, ("confidence: high", "confidence: sure")))
    commit(repo)
    (folder / "dossier.yaml").write_text(BASE, encoding="utf-8")
    code, out, err = cli("--git", "HEAD", folder)
    assert (code, out) == (2, "")
    assert re.search(r"^HEAD:isles/dossier\.yaml:\d+:\d+: error: ", err, re.M), err
    assert "dossier diff: HEAD:isles has 1 error" in err


@needs_git
def test_git_with_two_paths_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(SystemExit) as exit:
        cli("--git", "HEAD", repo / "isles", repo / "isles")
    assert exit.value.code == 2


# -- the fast path over the load cache --------------------------------------------------------
def cached(path: Path) -> Dossier:
    """The dossier at ``path`` as read from the load cache (loaded once to fill it)."""
    load(path, use_cache=True)
    dossier = load(path, use_cache=True)
    assert isinstance(dossier.entities, EntityMap), "the second load should read the cache"
    return dossier


def bundled_pair(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled dossier, and a copy with a stance changed and lines added at the top
    of every file (so that every stored location differs)."""
    old = Path(shutil.copytree(default_dossier(), tmp_path / "old"))
    new = Path(shutil.copytree(default_dossier(), tmp_path / "new"))
    for file in sorted(new.glob("*.yaml")):
        file.write_text("# an edit\n\n" + file.read_text(encoding="utf-8"), encoding="utf-8")
    issues = new / "issues.yaml"
    issues.write_text(
        edited(
            issues.read_text(encoding="utf-8"),
            (
                "      - actor: breakthrough-media\n        stance: for",
                "      - actor: breakthrough-media\n        stance: mixed",
            ),
        ),
        encoding="utf-8",
    )
    return old, new


def test_fast_path_gives_the_same_answer_as_decoding_everything(tmp_path: Path) -> None:
    old_path, new_path = bundled_pair(tmp_path)
    old, new = cached(old_path), cached(new_path)
    proven = prove_unchanged(old, new)
    # Every location moved: only the text can prove items unchanged, and it must.
    assert proven.old_entities == proven.new_entities == ("breakthrough",)
    assert proven.old_relations == proven.new_relations == ()
    fast = compare(old, new)
    assert items(fast) == [("issue", "breakthrough", "changed", None)]
    assert fast == compare(old, new, use_stores=False)
    assert fast == compare(load(old_path), load(new_path))


def test_fast_path_on_the_small_pairs_agrees(tmp_path: Path) -> None:
    new_text = edited(
        BASE,
        ("confidence: high", "confidence: low"),
        (ISSUE, ""),
        (RELATIONS_END, RELATIONS_END + NEW_RELATION),
        (TOUR, TOUR.replace("Then the issue.", "Next.")),
    )
    new_text = renamed_everywhere(new_text, "north", "northland")
    old_path, new_path = pair(tmp_path, BASE, new_text)
    old, new = cached(old_path), cached(new_path)
    fast = compare(old, new)
    assert fast == compare(old, new, use_stores=False)
    assert len(fast.items) == 5


FLOW = """\
dossier: {id: flow, title: Flow, summary: S, as_of: 2020}
actors: [{id: a, name: A, kind: state,
    role: first}, {id: b, name: B, kind: state}, {id: c, name: C,
    kind: state}]
"""


def test_an_item_ending_on_the_line_the_next_begins(tmp_path: Path) -> None:
    """Flow style: an item's text runs into the line the next item starts on."""
    old = cached(write(tmp_path / "old", FLOW))
    new = cached(write(tmp_path / "new", edited(FLOW, ("role: first", "role: second"))))
    diff = compare(old, new)
    assert items(diff) == [("actor", "a", "changed", None)]
    assert texts(diff) == ['role: "first" -> "second"']


def test_fingerprints_are_kept_beside_the_store_and_checked(tmp_path: Path) -> None:
    old_path, new_path = pair(tmp_path, BASE, edited(BASE, STANCE))
    old, new = cached(old_path), cached(new_path)
    assert items(compare(old, new)) == [("issue", "frontier", "changed", None)]
    stored = StoredItems.of(old)
    assert stored is not None
    store_path = Path(stored._store.path)
    prints_path = store_path.with_suffix(diffprints.SUFFIX)
    made = prints_path.read_bytes()
    assert diffprints.prints_of(stored) == diffprints._make_prints(stored)
    assert UNKNOWN not in diffprints.prints_of(stored).entities
    # A damaged file is not used: made again, the same.
    prints_path.write_bytes(made[:-1] + bytes([made[-1] ^ 1]))
    assert diffprints.prints_of(stored) == diffprints._make_prints(stored)
    assert prints_path.read_bytes() == made
    # Fingerprints of another store (another version of the dossier) are not used.
    other = StoredItems.of(new)
    assert other is not None
    prints_path.write_bytes(Path(other._store.path).with_suffix(diffprints.SUFFIX).read_bytes())
    assert diffprints.prints_of(stored) == diffprints._make_prints(stored)
    # Fingerprints whose store the cache pruned go with it.
    store_path.unlink()
    diffprints._prune(prints_path.parent)
    assert not prints_path.exists()


def test_a_file_rewritten_with_the_same_bytes_keeps_its_fingerprints(tmp_path: Path) -> None:
    """Only the bytes count: a file touched, or rewritten unchanged by a checkout or an
    editor (a newer modification time than the store's), is still fingerprinted, so the
    diff stays on its fast path."""
    old_path, new_path = pair(tmp_path, BASE, edited(BASE, STANCE))
    old, new = cached(old_path), cached(new_path)
    later = time.time() + 3600
    for file in (old_path / "dossier.yaml", new_path / "dossier.yaml"):
        file.write_bytes(file.read_bytes())
        os.utime(file, (later, later))
    for dossier in (old, new):
        stored = StoredItems.of(dossier)
        assert stored is not None
        prints = diffprints.prints_of(stored)
        assert UNKNOWN not in prints.entities + prints.relations
        assert prints.lasting
    assert prove_unchanged(old, new).old_entities  # (the unchanged items proven so)
    assert items(compare(old, new)) == [("issue", "frontier", "changed", None)]


def test_a_file_edited_after_the_load_checked_it_is_left_to_the_records(
    tmp_path: Path,
) -> None:
    """The file changes between a warm load's check of its bytes and the fingerprints
    being made: its items are not fingerprinted from the new text (which would pass the
    stored version off as the edited one), the diff is that of the versions loaded, and
    nothing is kept beside the store, so a later diff makes them anew."""
    old_path, new_path = pair(tmp_path, BASE, edited(BASE, STANCE))
    old, new = cached(old_path), cached(new_path)
    # new's file now says what old's does, line for line: digests of it would match old's.
    (new_path / "dossier.yaml").write_text(BASE, encoding="utf-8")
    stored = StoredItems.of(new)
    assert stored is not None
    prints = diffprints.prints_of(stored)
    assert set(prints.entities) == {UNKNOWN} and not prints.lasting
    assert not Path(stored._store.path).with_suffix(diffprints.SUFFIX).exists()
    diff = compare(old, new)
    assert items(diff) == [("issue", "frontier", "changed", None)]
    assert diff == compare(old, new, use_stores=False)
    # Back to the bytes the store was made from: fingerprinted, and kept.
    (new_path / "dossier.yaml").write_text(edited(BASE, STANCE), encoding="utf-8")
    assert UNKNOWN not in diffprints.prints_of(stored).entities
    assert Path(stored._store.path).with_suffix(diffprints.SUFFIX).exists()


def test_only_items_that_differ_are_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item whose text changed but not its content (a comment, another quoting) and
    items that only link to a renamed one are compared by their records, not decoded."""
    new_text = edited(
        renamed_everywhere(renamed_everywhere(BASE, "analyst", "bea"), "north-leader", "ada"),
        ("    title: A memo\n", "    title: 'A memo'  # quoted now\n"),
        STANCE,
        ("A long river.", "A short river."),
    )
    old, new = cached(write(tmp_path / "old", BASE)), cached(write(tmp_path / "new", new_text))
    decoded: list[object] = []
    entity, relation = StoredItems.entity, StoredItems.relation

    def counted(self: StoredItems, entity_id: str) -> Any:
        decoded.append(entity_id)
        return entity(self, entity_id)

    def counted_relation(self: StoredItems, number: int) -> Any:
        decoded.append(number)
        return relation(self, number)

    monkeypatch.setattr(StoredItems, "entity", counted)
    monkeypatch.setattr(StoredItems, "relation", counted_relation)
    diff = compare(old, new)
    assert items(diff) == [
        ("actor", "ada", "renamed", "north-leader"),
        ("actor", "bea", "renamed", "analyst"),
        ("issue", "frontier", "changed", None),
        ("relation", "south borders north", "changed", None),
    ]
    assert decoded == ["frontier", "frontier", 1, 1]  # (not relation 0: ada leads north)
    assert diff == compare(old, new, use_stores=False)


def test_text_with_an_alias_is_never_proven_the_same(tmp_path: Path) -> None:
    """An alias may bring text in from elsewhere: the item is decoded and compared."""
    anchored = edited(BASE, ("    summary: Where the border runs.", "    summary: &s Where."))
    aliased = edited(anchored, ("    summary: Who fishes where.", "    summary: *s"))
    changed = edited(aliased, ("    summary: &s Where.", "    summary: &s There."))
    old, new = cached(write(tmp_path / "old", aliased)), cached(write(tmp_path / "new", changed))
    proven = prove_unchanged(old, new)
    assert proven.new_entities == ("frontier", "fisheries")
    diff = compare(old, new)
    assert items(diff) == [
        ("issue", "frontier", "changed", None),
        ("issue", "fisheries", "changed", None),
    ]
    assert diff == compare(old, new, use_stores=False)


def test_store_layout_canary(tmp_path: Path) -> None:
    """:mod:`tui.content.diffscan` and :mod:`~tui.content.diffprints` read the store's
    private layout: record offsets and checksums, the head of each record (kind, id,
    location; a relation's location at its end), the codec's field order. If the store
    changes, this fails before the fast path goes wrong."""
    path = Path(shutil.copytree(default_dossier(), tmp_path / "bundled"))
    stored, fresh = cached(path), load(path)
    items = StoredItems.of(stored)
    assert items is not None
    read = diffprints._places(items)
    assert read is not None
    places, keys, _ = read
    entities = list(fresh.entities.values())
    relations = list(fresh.relations)
    locs = [entity.loc for entity in entities] + [relation.loc for relation in relations]
    assert places == [(loc.path, loc.line, loc.col) for loc in locs]
    assert len(keys) == len(relations) and UNKNOWN not in keys
    for entity in entities:
        assert items.entity(entity.id) == entity
        assert items.entity_key(entity.id, None) == items.entity_key(entity.id, None)
    for n, relation in enumerate(relations):
        assert items.relation(n) == relation
        assert items.relation_ends(n) == (relation.from_id, relation.kind, relation.to_id)
    prints = diffprints.prints_of(items)
    assert UNKNOWN not in prints.entities + prints.relations
    assert Catalog.of(stored) == Catalog.of(fresh)


def test_record_keys_agree_with_plain(tmp_path: Path) -> None:
    """Keys from records are equal exactly when :func:`plain` of the models is: the
    bundled dossier against a copy with one actor renamed everywhere and one stance
    changed, every item of one against its counterpart in the other."""
    old_path = Path(shutil.copytree(default_dossier(), tmp_path / "old"))
    new_path = Path(shutil.copytree(default_dossier(), tmp_path / "new"))
    for file in new_path.glob("*.yaml"):
        text = renamed_everywhere(file.read_text(encoding="utf-8"), "putin", "v-putin")
        file.write_text(text.replace("stance: for", "stance: mixed", 1), encoding="utf-8")
    a, b = StoredItems.of(cached(old_path)), StoredItems.of(cached(new_path))
    assert a is not None and b is not None
    old, new = load(old_path), load(new_path)
    rename = {"putin": "v-putin"}.get
    agreed = Counter()
    for entity_id in old.entities:
        new_id = rename(entity_id) or entity_id
        for drop_id in (False, True):
            by_record = a.entity_key(entity_id, rename, drop_id) == b.entity_key(
                new_id, None, drop_id
            )
            by_model = plain(old.entities[entity_id], rename, drop_id=drop_id) == plain(
                new.entities[new_id], None, drop_id=drop_id
            )
            assert by_record == by_model, (entity_id, drop_id)
            agreed[by_model] += 1
    assert agreed[True] > 90 and agreed[False] >= 2  # (the stance, and putin without drop_id)


def test_the_diff_command_is_in_the_completion_tree() -> None:
    from tui.completion import command_tree

    (node,) = [node for node in command_tree().commands if node.path == ("diff",)]
    options = {name: option.takes for option in node.options for name in option.names}
    assert options["--format"] is not None
    assert options["--format"].words == ("text", "markdown", "json")
    assert "--git" in options and "--no-cache" in options


def test_fields_written_otherwise_agree_with_the_schema() -> None:
    from tui.content.fieldchanges import WRITTEN_AS
    from tui.content.schema import ACTOR, ASSESSMENT, EVENT, ISSUE, SOURCE

    specs = [spec for record in (SOURCE, ACTOR, ISSUE, ASSESSMENT, EVENT) for spec in record.fields]
    assert {spec.attr: spec.name for spec in specs if spec.attr != spec.name} == WRITTEN_AS
