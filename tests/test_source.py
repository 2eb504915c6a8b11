"""``dossier source add`` / ``show``: the text comes in numbered as the loader counts,
the entry goes in without touching a byte of the rest, and nothing is overwritten."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tui.authoring.new import create_dossier
from tui.authoring.source import main
from tui.content import check_dossier
from tui.content.bundled import default_dossier

ARTICLE = "The first paragraph,\nwrapped.\n\nThe islands matter, it says.\n\n\nA third.\n"


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    import datetime

    folder = tmp_path / "mine"
    create_dossier(folder, "mine", datetime.date(2024, 1, 1))
    (tmp_path / "article.txt").write_text(ARTICLE)
    return folder


def run(*argv: str | Path) -> tuple[int, str]:
    out = io.StringIO()
    return main([str(a) for a in argv], out), out.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_add_numbers_the_text_and_inserts_only_the_entry(dossier: Path) -> None:
    before = snapshot(dossier)
    status, said = run("add", dossier.parent / "article.txt", "--id", "my-article", dossier)
    assert status == 0 and "3 paragraphs" in said
    after = snapshot(dossier)
    text = after.pop("sources/my-article.txt").decode()
    assert text == (
        "[1] The first paragraph, wrapped.\n\n[2] The islands matter, it says.\n\n[3] A third.\n"
    )
    changed = [name for name in after if after[name] != before.get(name)]
    assert changed == ["sources.yaml"]
    old, new = before["sources.yaml"].decode(), after["sources.yaml"].decode()
    entry = (
        '  - id: my-article\n    title: "article"\n    paragraphs: 3\n'
        "    text_file: sources/my-article.txt\n"
    )
    assert entry in new and new.replace(entry, "", 1) == old  # every other byte kept
    assert "#" in old  # (the starter's comments were there to keep)
    assert check_dossier(dossier, use_cache=False).ok


def test_the_numbering_is_the_one_quotes_are_checked_against(dossier: Path) -> None:
    run("add", dossier.parent / "article.txt", "--id", "my-article", "--title", "A", dossier)
    actors = dossier / "actors.yaml"
    original = actors.read_text()

    def cite(para: int) -> bool:
        ref = f'{{source: my-article, para: {para}, quote: "islands matter"}}'
        actors.write_text(original.replace("    refs:\n", f"    refs:\n      - {ref}\n", 1))
        return check_dossier(dossier, use_cache=False).ok

    assert "    refs:\n" in original
    assert not cite(1) and cite(2)  # (valid again at the end)
    status, shown = run("show", "my-article", "--para", "2", dossier)
    assert status == 0 and shown == "¶2 The islands matter, it says.\n\n"
    assert run("show", "my-article", "--para", "9", dossier)[0] == 1


def test_a_text_numbered_already_is_kept_as_it_is(dossier: Path) -> None:
    numbered = "[1] One.\n[2] Two,\ngoing on.\n"
    (dossier.parent / "n.txt").write_text(numbered)
    assert run("add", dossier.parent / "n.txt", "--id", "numbered", dossier)[0] == 0
    assert (dossier / "sources" / "numbered.txt").read_text() == numbered


@pytest.mark.parametrize("clash", ["text exists", "id exists", "bad id", "flow style"])
def test_nothing_is_overwritten_or_half_done(clash: str, dossier: Path) -> None:
    source_id = "my-article"
    if clash == "text exists":
        (dossier / "sources" / "my-article.txt").write_text("mine, keep it")
    elif clash == "id exists":
        source_id = check_dossier(dossier, use_cache=False).dossier.sources[0].id  # type: ignore[union-attr]
    elif clash == "bad id":
        source_id = "Not An Id"
    else:
        sources = dossier / "sources.yaml"
        sources.write_text(f"sources: [{{id: s, title: S}}]\n# {sources.read_text()[:0]}")
    before = snapshot(dossier)
    assert run("add", dossier.parent / "article.txt", "--id", source_id, dossier)[0] == 1
    assert snapshot(dossier) == before


def test_the_bundled_dossier_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    before = snapshot(default_dossier())
    assert run("add", tmp_path / "a.txt", "--id", "x-article", default_dossier())[0] == 1
    assert snapshot(default_dossier()) == before


def test_a_dossier_without_sources_gets_a_sources_file(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "dossier.yaml").write_text("dossier: {id: d, title: T, summary: S, as_of: 2020}\n")
    (tmp_path / "a.txt").write_text(ARTICLE)
    assert run("add", tmp_path / "a.txt", "--id", "art", "--title", "Art", folder)[0] == 0
    loaded = check_dossier(folder, use_cache=False)
    assert loaded.dossier is not None and loaded.dossier.sources[0].paragraphs == 3
