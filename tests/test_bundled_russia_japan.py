"""The bundled Russia-Japan dossier: complete, valid, and faithful to its source.

The source article is not shipped. Where the developers' copy exists
(``../shared/seed/article.txt`` beside the repository), every quote is checked
against it and the dossier's own prose is checked for copied sentences.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tui.content import Index, check_dossier, load_dossier
from tui.content.bundled import bundled_dossiers, default_dossier

from .conftest import REPO

ARTICLE = REPO.parent / "shared" / "seed" / "article.txt"
DOSSIER = bundled_dossiers()["russia-japan"]
needs_article = pytest.mark.skipif(
    not ARTICLE.exists(), reason="the source article is not on this machine"
)


def test_it_is_the_default() -> None:
    assert default_dossier() == DOSSIER


def test_counts_meet_the_brief() -> None:
    d = load_dossier(DOSSIER, use_cache=False)
    assert len(d.actors) >= 14
    assert len(d.issues) >= 10
    assert len(d.events) >= 6
    assert len(d.tour) >= 8
    main = d.get("kistanov-no-breakthrough")
    assert main is not None
    assert len(main.arguments) >= 10  # type: ignore[attr-defined]
    assert all(arg.refs for arg in main.arguments)  # type: ignore[attr-defined]
    article = d.sources[0]
    assert article.paragraphs == 12
    assert article.text_file and not (DOSSIER / article.text_file).exists()


def test_every_position_claim_and_event_cites_a_paragraph() -> None:
    d = load_dossier(DOSSIER, use_cache=False)
    for issue in d.issues:
        assert issue.question, issue.id
        assert issue.status is not None, issue.id
        for position in issue.positions:
            assert position.refs, (issue.id, position.actor)
    for assessment in d.assessments:
        for argument in assessment.arguments:
            assert argument.refs, (assessment.id, argument.claim)
    for event in d.events:
        assert event.refs, event.id
        assert event.status is not None, event.id


def test_every_issue_and_actor_is_reachable() -> None:
    d = load_dossier(DOSSIER, use_cache=False)
    index = Index(d)
    for entity in (*d.actors, *d.issues):
        assert index.neighbours(entity.id), f"{entity.id} is linked to nothing"


def test_quotes_are_short() -> None:
    d = load_dossier(DOSSIER, use_cache=False)
    refs = [r for e in d.entities.values() for r in e.refs]
    refs += [r for i in d.issues for p in i.positions for r in p.refs]
    refs += [r for a in d.assessments for g in a.arguments for r in g.refs]
    quotes = [r.quote for r in refs if r.quote]
    assert quotes
    assert all(len(q.split()) <= 25 for q in quotes)


@needs_article
def test_every_quote_is_in_its_paragraph(tmp_path: Path) -> None:
    copy = tmp_path / "russia-japan"
    shutil.copytree(DOSSIER, copy)
    d = load_dossier(copy, use_cache=False)
    text_file = copy / str(d.sources[0].text_file)
    text_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLE, text_file)
    result = check_dossier(copy, use_cache=False)
    assert result.ok, [str(x) for x in result.diagnostics]
    assert result.diagnostics == ()  # no note: every quote was checked, and matched


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


@needs_article
def test_no_sentence_of_the_article_is_copied_outside_quotes() -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    body = "\n".join(line for line in article.splitlines() if line.startswith("["))
    words = _words(body)
    run = 10
    article_runs = {tuple(words[i : i + run]) for i in range(len(words) - run + 1)}
    for path in sorted(DOSSIER.glob("*.yaml")):
        prose = "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if "quote:" not in line and "title:" not in line
        )
        found = _words(prose)
        copied = [
            " ".join(found[i : i + run])
            for i in range(len(found) - run + 1)
            if tuple(found[i : i + run]) in article_runs
        ]
        assert not copied, f"{path.name} repeats the article: {copied[:3]}"
