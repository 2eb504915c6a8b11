"""Full-text search, the data layer (issue 17): folding, queries, ranking, snippets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import bundled_dossier, fixture_dossier
from tui.content.errors import Location
from tui.content.search import (
    SearchIndex,
    Unit,
    fold,
    fold_with_map,
    parse_query,
    snippet,
)


@pytest.fixture(scope="module")
def bundled() -> SearchIndex:
    return SearchIndex.of(bundled_dossier())


def found(index: SearchIndex, query: str) -> list[tuple[str, str]]:
    return [(hit.unit.item, hit.unit.field) for hit in index.search(query).hits]


@pytest.mark.parametrize(
    ("query", "item", "field"),
    [
        ("sanctions", "ukraine-sanctions", "title"),
        ("Курилы", "southern-kurils", "alias"),  # Russian
        ("北方領土", "southern-kurils", "alias"),  # Japanese, no word boundaries
        ("領土", "southern-kurils", "alias"),  # a part of a Japanese word
        ("ПУТИН", "putin", "alias"),  # case folded in Cyrillic
        ("sanct", "ukraine-sanctions", "title"),  # a prefix
        ('"peace treaty"', "peace-treaty", "title"),  # a phrase
        ("treaty peace", "peace-treaty", "title"),  # words in any order
    ],
)
def test_the_bundled_dossier_finds_words_in_any_script(
    bundled: SearchIndex, query: str, item: str, field: str
) -> None:
    assert found(bundled, query)[0] == (item, field)


def test_a_word_only_in_a_quote_or_a_tour_caption_is_found(bundled: SearchIndex) -> None:
    quotes = bundled.search("vigorous").hits
    assert quotes and all(hit.unit.field == "quote" for hit in quotes)
    assert quotes[0].unit.where.startswith("quote") and "¶" in quotes[0].unit.where
    captions = bundled.search("spine").hits
    assert captions and all(hit.unit.field == "caption" for hit in captions)
    assert captions[0].unit.where.startswith("tour caption, stop ")


def test_fields_are_said_the_way_a_person_would(bundled: SearchIndex) -> None:
    wheres = {hit.unit.where for hit in bundled.search("kind:issue stance:against").hits}
    assert any(" position on " in where and "'s " in where for where in wheres)
    claims = [
        h.unit.where for h in bundled.search("kind:assessment").hits if h.unit.field == "claim"
    ]
    assert claims and claims[0].startswith("claim 1 of ") and claims[0].endswith("assessment")


def test_names_come_first_one_per_item(bundled: SearchIndex) -> None:
    hits = bundled.search("putin").hits
    assert hits[0].unit.item == "putin" and hits[0].label
    labels = [hit.unit.item for hit in hits if hit.label]
    assert len(labels) == len(set(labels))  # his six aliases: one hit
    assert all(not hit.label for hit in hits[len(labels) :])


def test_accents_and_compatibility_forms_fold() -> None:
    assert fold("Café ＡＢＣ ﬁne Straße") == "cafe abc fine strasse"
    assert fold("ёлка") == fold("елка")
    assert fold("が") != fold("か")  # voicing marks are letters' parts, not accents
    assert fold("a\tb\nc\x1bd") == "a b c d"


@given(st.text(max_size=40))
def test_the_map_points_each_folded_character_at_its_source(text: str) -> None:
    folded, origins = fold_with_map(text)
    assert folded == fold(text)
    assert len(origins) == len(folded)
    assert origins == sorted(origins) and all(0 <= o < len(text) for o in origins)


@pytest.mark.parametrize(
    "query", ["", "   ", "*", '"', '""', "(", ")", "-", ":", "^", "NEAR(", "* - ( ) ^ :", "a:b:"]
)
def test_syntax_characters_never_raise_nor_match_everything(
    bundled: SearchIndex, query: str
) -> None:
    results = bundled.search(query)
    assert results.total < len(bundled.units) // 4


@given(st.text(max_size=30))
def test_any_query_is_answered(text: str) -> None:
    index = SearchIndex(
        [
            Unit(
                "a",
                "actor",
                "summary",
                "summary",
                Location("x.yaml", 1, 1),
                "Some text (here) * ok",
            )
        ]
    )
    index.search(text)


def test_an_empty_query_shows_nothing(bundled: SearchIndex) -> None:
    assert bundled.search("").hits == [] and bundled.search("").total == 0


def test_filters_narrow_and_unknown_keys_are_words(bundled: SearchIndex) -> None:
    assert {h.unit.kind for h in bundled.search("kind:actor japan").hits} == {"actor"}
    against = bundled.search("stance:against").hits
    assert against and all(hit.unit.stance == "against" for hit in against)
    assert parse_query("foo:bar").terms == ("foo:bar",)
    sourced = bundled.search("source:valdai-2017-kistanov islands").hits
    assert sourced and all("valdai-2017-kistanov" in hit.unit.sources for hit in sourced)


def test_hostile_text_is_found_and_snippets_are_one_literal_line() -> None:
    index = SearchIndex.of(fixture_dossier("hostile"))
    markup = index.search("[@click=app.quit]").hits
    assert markup and "[@click=app.quit]" in markup[0].unit.text
    (hit,) = index.search("pwned").hits
    line, spans = snippet(hit.unit.text, hit.spans(), 40)
    assert all(c.isprintable() for c in line)
    assert [line[s:e].casefold() for s, e in spans] == ["pwned"]
    assert index.search("עברית").hits


def test_snippets_cut_around_the_first_match() -> None:
    text = "word " * 40 + "needle in the middle " + "word " * 40
    unit = Unit("a", "actor", "summary", "summary", Location("x.yaml"), text)
    (hit,) = SearchIndex([unit]).search("needle").hits
    line, spans = snippet(text, hit.spans(), 30)
    assert len(line) == 30 and line.startswith("…") and line.endswith("…")
    assert [line[s:e] for s, e in spans] == ["needle"]


def test_the_limit_cuts_hits_and_the_total_counts_them() -> None:
    units = [Unit(f"i{n}", "actor", "summary", "summary", Location("x.yaml"), f"common {n}")
             for n in range(50)]  # fmt: skip
    results = SearchIndex(units).search("common", limit=10)
    assert len(results.hits) == 10 and results.total == 50 and results.complete


@pytest.mark.parametrize("typed", ["putin", "peace treaty", 'kind:actor "japan', "stance:for isl"])
def test_typing_gives_what_a_fresh_search_gives(typed: str) -> None:
    """Each answer while typing (narrowed from the last one, or kept from before) is the
    answer a fresh index gives to the same query."""
    dossier = bundled_dossier()
    typing = SearchIndex.of(dossier)
    steps = [typed[:end] for end in range(1, len(typed) + 1)]
    for query in [*steps, *reversed(steps)]:
        got = typing.search(query, limit=20)
        fresh = SearchIndex.of(dossier).search(query, limit=20)
        assert [h.unit for h in got.hits] == [h.unit for h in fresh.hits], query
        assert (got.total, got.complete) == (fresh.total, fresh.complete), query


def test_typing_past_a_search_that_stopped_early_gives_a_fresh_answer() -> None:
    """A narrower query after one that stopped at its cap: the units that one matched,
    then the rest of the text from where it stopped, give what a fresh scan gives."""
    words = ["mint", "minister", "ministry", "mine", "coast", "coastal", "mind"]
    units = [
        Unit(f"i{n}", "actor", field, field, Location("x.yaml"), f"{words[n % 7]} {n % 5} {n}")
        for n in range(6000)
        for field in (("name",) if n % 3 == 0 else ("summary",))
    ]  # fmt: skip
    typing = SearchIndex(units)
    for query in [
        "m",
        "mi",
        "min",
        "mini",
        "minis",
        "minist",
        "ministr",
        "ministry 59",
        "c",
        "co",
        "coast",
    ]:
        got = typing.search(query, limit=10)
        fresh = SearchIndex(units).search(query, limit=10)
        assert [h.unit for h in got.hits] == [h.unit for h in fresh.hits], query
        assert (got.total, got.complete) == (fresh.total, fresh.complete), query
    assert not typing.search("m", limit=10).complete  # the cap was reached on the way
