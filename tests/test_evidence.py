"""The Evidence view: what cites what, grouped; paragraphs read safely; quotes highlighted."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tui.app import DossierApp
from tui.content import Dossier, Source, load_dossier
from tui.content.evidence import (
    Citation,
    CitedSource,
    citations_of,
    excerpt,
    gather_evidence,
    group_by_source,
    locate_quote,
    quote_home,
    read_source_text,
    reflow,
)
from tui.screens import EvidenceScreen
from tui.screens.evidence import QUOTE_STYLE, EvidencePane

from .conftest import FIXTURES, fixture_dossier
from .on_screen import screen_text

AppFactory = Callable[..., DossierApp]

PARA_1 = "The north says the line should move to the river."
PARA_2 = "The south says it will “never” accept a new line."


def shape(groups: list[CitedSource]) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Groups as (source, [(paragraph, [what cites it])]) for exact comparison."""
    return [
        (g.source_id, [(p.number, [describe(c) for c in p.citations]) for p in g.paragraphs])
        for g in groups
    ]


def describe(citation: Citation) -> str:
    if citation.kind == "position":
        return f"position {citation.owner}/{citation.other}"
    if citation.kind == "claim":
        return f"claim {citation.owner}#{citation.number}"
    return f"{citation.kind} {citation.owner}"


def memo(dossier: Dossier) -> Source:
    source = dossier.get("memo")
    assert isinstance(source, Source)
    return source


def with_text_file(dossier: Dossier, text_file: str | None, root: Path | None = None) -> Dossier:
    """The dossier with memo's ``text_file`` replaced (as the loader would never allow)."""
    source = replace(memo(dossier), text_file=text_file)
    return replace(
        dossier,
        root=root or dossier.root,
        sources=tuple(source if s.id == "memo" else s for s in dossier.sources),
        entities={**dossier.entities, "memo": source},
    )


def copy_small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", folder)
    return folder


def pane_lines(app: DossierApp) -> list[str]:
    return [line.text.plain for line in app.screen.query_one(EvidencePane).lines]


# -- gathering and grouping -------------------------------------------------------
def test_an_actor_gathers_its_positions_and_the_claims_about_it() -> None:
    dossier = fixture_dossier("small")
    groups = group_by_source(dossier, citations_of(dossier, dossier.get("north")))
    assert shape(groups) == [
        ("memo", [(1, ["position border/north", "claim no-deal#1"]), (2, ["claim no-deal#1"])])
    ]


def test_an_issue_gathers_every_position_and_the_claims_about_it() -> None:
    dossier = fixture_dossier("small")
    groups = group_by_source(dossier, citations_of(dossier, dossier.get("border")))
    assert shape(groups) == [
        (
            "memo",
            [
                (1, ["position border/north", "claim no-deal#1"]),
                (2, ["position border/south", "claim no-deal#1"]),
            ],
        )
    ]


def test_the_whole_dossier_and_a_source_gather_every_citation() -> None:
    dossier = fixture_dossier("small")
    everything = citations_of(dossier, None)
    assert [describe(c) for c in everything] == [
        "position border/north",
        "position border/south",
        "claim no-deal#1",
    ]
    assert citations_of(dossier, dossier.get("memo")) == everything
    assert citations_of(dossier, dossier.get("analyst")) == []
    assert citations_of(dossier, dossier.get("talks")) == []


def test_sources_follow_the_dossier_and_paragraphs_ascend(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").write_text(
        "dossier: {id: order, title: Order, summary: s, as_of: 2020}\n"
        "sources:\n"
        "  - {id: first, title: First, paragraphs: 9}\n"
        "  - {id: second, title: Second, paragraphs: 9}\n"
        "actors:\n"
        "  - id: a\n"
        "    name: A\n"
        "    kind: state\n"
        "    refs:\n"
        "      - {source: second, para: 5}\n"
        "      - {source: first, para: [7, 2], quote: q}\n"
        "      - {source: second, para: 1}\n"
        "  - {id: b, name: B, kind: state}\n"
        "  - {id: c, name: C, kind: state}\n"
        "relations:\n"
        "  - {from: b, to: a, kind: knows, refs: [{source: first, para: 2}]}\n"
        "  - {from: b, to: c, kind: knows, refs: [{source: first, para: 3}]}\n",
        encoding="utf-8",
    )
    dossier = load_dossier(tmp_path, use_cache=False)
    groups = group_by_source(dossier, citations_of(dossier, dossier.get("a")))
    assert shape(groups) == [
        ("first", [(2, ["item a", "relation b"]), (7, ["item a"])]),
        ("second", [(1, ["item a"]), (5, ["item a"])]),
    ]


def test_a_paragraph_lists_at_most_the_limit_and_counts_the_rest() -> None:
    dossier = fixture_dossier("small")
    groups = group_by_source(dossier, citations_of(dossier, None), limit=1)
    first = groups[0].paragraphs[0]
    assert (first.number, len(first.citations), first.more) == (1, 1, 1)


# -- quotes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("paragraph", "quote", "found"),
    [
        (PARA_1, "the line should move", "the line should move"),
        (PARA_1, "THE LINE  should\nmove", "the line should move"),
        (PARA_2, 'will "never" accept', "will “never” accept"),
        ("Spaced   out  words here.", "out words", "out  words"),
        ("Ends with it.", "it.", "it."),
        (PARA_1, "the line should stay", None),
        (PARA_1, "   ", None),
    ],
)
def test_quotes_are_found_as_the_loader_checks_them(
    paragraph: str, quote: str, found: str | None
) -> None:
    span = locate_quote(paragraph, quote)
    assert (paragraph[span[0] : span[1]] if span else None) == found


def test_exact_case_is_preferred_to_a_case_insensitive_match() -> None:
    assert locate_quote("Move. move.", "move") == (6, 10)
    assert locate_quote("Move. move.", "MOVE") == (0, 4)


def test_a_quote_belongs_to_the_first_cited_paragraph_that_has_it() -> None:
    ref = fixture_dossier("small").issues[0].positions[0].refs[0]  # ¶1, "the line should move"
    paragraphs = {1: PARA_1, 2: PARA_2}
    assert quote_home(ref, paragraphs) == 1
    assert quote_home(replace(ref, paras=(2, 1)), paragraphs) == 1
    assert quote_home(replace(ref, paras=(2,)), paragraphs) is None
    assert quote_home(replace(ref, quote=None), paragraphs) is None
    assert quote_home(ref, {}) is None


def test_long_paragraphs_are_cut_around_the_quote() -> None:
    text = "a" * 3000 + "QUOTE" + "b" * 3000
    shown, spans = excerpt(text, [(3000, 3005)], limit=100)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert [shown[s:e] for s, e in spans] == ["QUOTE"]
    assert excerpt("short", [(0, 1)]) == ("short", [(0, 1)])


def test_paragraph_text_loses_terminal_controls_and_extra_whitespace() -> None:
    assert reflow("  a\x1b[31m red\n\n  line\u202e \x07") == "a[31m red line"


# -- reading the text copies ------------------------------------------------------
def test_the_text_copy_is_read_and_reflowed() -> None:
    dossier = fixture_dossier("small")
    text = read_source_text(dossier, memo(dossier))
    assert (text.problem, dict(text.paragraphs)) == (
        "",
        {1: PARA_1, 2: PARA_2, 3: "Nobody expects a deal."},
    )
    assert dict(read_source_text(dossier, memo(dossier), wanted={2, 9}).paragraphs) == {2: PARA_2}


def test_a_missing_text_copy_gives_no_paragraphs(tmp_path: Path) -> None:
    folder = copy_small(tmp_path)
    (folder / "sources" / "memo.txt").unlink()
    dossier = load_dossier(folder, use_cache=False)
    text = read_source_text(dossier, memo(dossier))
    assert (dict(text.paragraphs), text.problem) == ({}, "the text copy is not there")


def test_a_text_copy_outside_the_folder_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_small(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("[1] the line should move: secret\n", encoding="utf-8")
    (folder / "sources" / "link.txt").symlink_to(secret)
    opened: list[Path] = []
    real_open = os.open

    def spy(path: str | Path, *args: int, **kwargs: int) -> int:
        opened.append(Path(path).resolve())
        return real_open(path, *args, **kwargs)

    dossier = fixture_dossier("small")
    monkeypatch.setattr(os, "open", spy)
    for text_file in ("../secret.txt", str(secret), "sources/link.txt", "sources/../../secret.txt"):
        moved = with_text_file(dossier, text_file, root=folder)
        text = read_source_text(moved, memo(moved))
        assert dict(text.paragraphs) == {}, text_file
        assert text.problem == "the text copy is outside the dossier folder"
    assert secret.resolve() not in opened
    read_source_text(dossier, memo(dossier))
    assert opened == [(FIXTURES / "small" / "sources" / "memo.txt").resolve()]  # the spy works


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_bytes(b"[1] \xff\xfe not utf-8"), "the text copy is not valid UTF-8"),
        (lambda p: p.mkdir(), "the text copy is not a regular file"),
        (lambda p: os.mkfifo(p), "the text copy is not a regular file"),
        (lambda p: p.write_text("[1] " + "x" * 100), "the text copy is 104 bytes, over the limit"),
    ],
    ids=["not-utf8", "directory", "fifo", "too-large"],
)
def test_an_unreadable_text_copy_gives_no_paragraphs_and_a_reason(
    tmp_path: Path, make: Callable[[Path], object], problem: str
) -> None:
    folder = copy_small(tmp_path)
    target = folder / "sources" / "odd.txt"
    make(target)
    dossier = with_text_file(fixture_dossier("small"), "sources/odd.txt", root=folder)
    text = read_source_text(dossier, memo(dossier), max_size=50)
    assert dict(text.paragraphs) == {}
    assert text.problem.startswith(problem)


def test_the_size_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = fixture_dossier("small")
    monkeypatch.setenv("DOSSIER_MAX_FILE_SIZE", "20")
    text = read_source_text(dossier, memo(dossier))
    assert dict(text.paragraphs) == {}
    assert "over the limit of 20 bytes" in text.problem


def test_gathering_reads_only_the_cited_paragraphs_of_sources_with_a_copy() -> None:
    dossier = fixture_dossier("small")
    evidence = gather_evidence(dossier, dossier.get("south"))
    assert [describe(c) for c in evidence.citations] == ["position border/south", "claim no-deal#1"]
    assert shape(list(evidence.sources)) == shape(
        group_by_source(dossier, citations_of(dossier, dossier.get("south")))
    )
    assert {k: dict(v.paragraphs) for k, v in evidence.texts.items()} == {
        "memo": {1: PARA_1, 2: PARA_2}
    }
    hostile = fixture_dossier("hostile")
    assert gather_evidence(hostile, None).texts == {}  # its source names no text copy


# -- the view ---------------------------------------------------------------------
async def open_evidence(app: DossierApp, pilot: Pilot[None], entity_id: str | None = None) -> None:
    if entity_id is not None:
        app.open_entity(entity_id)
        await pilot.pause()
    await pilot.press("e")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, EvidenceScreen)


async def test_the_paragraph_is_shown_with_the_quote_highlighted(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_evidence(app, pilot)  # from Northland
        assert pane_lines(app) == [
            "Evidence for Northland",
            "2 citations of 2 paragraphs in 1 source",
            "",
            "→ A memo  source",
            f"  ¶1  {PARA_1}",
            "    → The border line · position of Northland: + for — Yes",
            "        “the line should move”",
            "    → No deal soon · claim 1: Both sides are dug in.",
            f"  ¶2  {PARA_2}",
            "    → No deal soon · claim 1: Both sides are dug in.",
        ]
        paragraph = app.screen.query_one(EvidencePane).lines[4].text
        marked = [
            paragraph.plain[s.start : s.end] for s in paragraph.spans if s.style == QUOTE_STYLE
        ]
        assert marked == ["the line should move"]
        assert PARA_1 in screen_text(app)


async def test_without_the_text_copy_the_citations_and_quotes_still_show(
    tmp_path: Path, make_app: AppFactory
) -> None:
    folder = copy_small(tmp_path)
    (folder / "sources" / "memo.txt").unlink()
    dossier = load_dossier(folder, use_cache=False)
    app = make_app(dossier)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_evidence(app, pilot, "border")
        lines = pane_lines(app)
        assert lines[3:] == [
            "→ A memo  source",
            "  (the text copy is not there)",
            "  ¶1",
            "    → Northland · position: + for — Yes",
            "        “the line should move”",
            "    → No deal soon · claim 1: Both sides are dug in.",
            "  ¶2",
            "    → Southland · position: − against — Never.",
            "    → No deal soon · claim 1: Both sides are dug in.",
        ]
        assert app.is_running


async def test_a_text_copy_outside_the_folder_shows_nothing(
    tmp_path: Path, make_app: AppFactory
) -> None:
    (tmp_path / "secret.txt").write_text("[1] the line should move: SECRET\n", encoding="utf-8")
    dossier = with_text_file(fixture_dossier("small"), "../secret.txt", root=copy_small(tmp_path))
    app = make_app(dossier)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_evidence(app, pilot)
        text = "\n".join(pane_lines(app))
        assert "SECRET" not in text
        assert "(the text copy is outside the dossier folder)" in text


async def test_an_assessment_walks_verdict_claims_quotes_paragraphs(
    make_app: AppFactory,
) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_evidence(app, pilot, "no-deal")
        assert pane_lines(app) == [
            "Why do we believe “No deal soon”?",
            "Verdict: Nothing will move this year.",
            "Confidence: ▮▮▮ high",
            "→ by Bea Analyst",
            "",
            "Claim 1: Both sides are dug in.",
            "  → A memo  ¶1, ¶2",
            f"    ¶1  {PARA_1}",
            f"    ¶2  {PARA_2}",
        ]


async def test_a_quote_not_in_the_text_is_shown_apart(tmp_path: Path, make_app: AppFactory) -> None:
    folder = copy_small(tmp_path)
    dossier = load_dossier(folder, use_cache=False)
    memo_text = folder / "sources" / "memo.txt"  # edited after loading, so the loader passed it
    memo_text.write_text(memo_text.read_text().replace("should move", "must move"))
    app = make_app(dossier)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_evidence(app, pilot)
        lines = pane_lines(app)
        assert lines[4:7] == [
            "  ¶1  The north says the line must move to the river.",
            "    → The border line · position of Northland: + for — Yes",
            "        “the line should move”  (not found in the text copy)",
        ]
        paragraph = app.screen.query_one(EvidencePane).lines[4].text
        assert not [s for s in paragraph.spans if s.style == QUOTE_STYLE]


async def test_without_an_item_the_whole_dossier_is_shown(make_app: AppFactory) -> None:
    app = make_app("small")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(EvidenceScreen(app.dossier, app.index, None))
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = pane_lines(app)
        assert lines[:2] == [
            "Evidence in Small test dossier",
            "3 citations of 2 paragraphs in 1 source",
        ]
        assert lines[5] == "    → The border line · position of Northland: + for — Yes"
        app.open_entity("talks")
        await pilot.pause()
        await open_evidence(app, pilot)
        assert pane_lines(app) == ["Evidence for Border talks", "Nothing here cites a source."]


@pytest.mark.parametrize("name", ["small", "hostile", "bundled", "heavy"])
def test_citations_found_through_the_index_are_those_of_a_pass_over_everything(
    name: str, tmp_path: Path
) -> None:
    """The index finds the items that can cite an item (so a stored dossier decodes only
    them); what it finds, and its order, is what a pass over every item finds."""
    from bench.synth import write_synthetic
    from tui.content import Index, load_dossier
    from tui.content.bundled import default_dossier

    if name == "heavy":
        write_synthetic(tmp_path / "d", 40, profile="heavy")
        dossier = load_dossier(tmp_path / "d", use_cache=False)
    elif name == "bundled":
        dossier = load_dossier(default_dossier(), use_cache=False)
    else:
        dossier = fixture_dossier(name)
    index = Index(dossier)
    for entity in dossier.entities.values():
        assert citations_of(dossier, entity, index) == citations_of(dossier, entity), entity.id
