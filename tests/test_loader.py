"""The loader on valid input: what the model holds, and how text is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.content import (
    Actor,
    ActorKind,
    Index,
    Issue,
    PartialDate,
    Severity,
    Stance,
    check_dossier,
    load_dossier,
    parse_date,
)

from .conftest import FIXTURES, fixture_dossier


def write(tmp_path: Path, text: str, name: str = "d.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """\
dossier: {id: t, title: T, summary: S, as_of: 2020}
"""


def test_small_fixture_model() -> None:
    d = fixture_dossier("small")
    assert d.info.title == "Small test dossier"
    assert d.info.as_of == PartialDate(2020, 5)
    assert [a.id for a in d.actors] == ["north", "south", "north-leader", "analyst"]
    north = d.get("north")
    assert isinstance(north, Actor)
    assert north.actor_kind is ActorKind.STATE
    assert north.aliases == ("Norden", "Север")
    border = d.get("border")
    assert isinstance(border, Issue)
    assert [(p.actor, p.stance) for p in border.positions] == [
        ("north", Stance.FOR),
        ("south", Stance.AGAINST),
    ]
    assert border.positions[0].position == "Yes"  # YAML 1.1 would make it True
    assert border.positions[0].refs[0].quote == "the line should move"
    assert d.assessments[0].arguments[0].refs[0].paras == (1, 2)
    assert d.events[0].date == PartialDate(2020, 4, 2)
    assert d.relations[0].kind == "leads"
    assert [stop.target for stop in d.tour] == ["no-deal", "border"]


def test_locations_point_at_the_item() -> None:
    d = fixture_dossier("small")
    south = d.get("south")
    assert south is not None
    assert south.loc.path.endswith("dossier.yaml")
    assert (south.loc.line, south.loc.col) == (18, 5)


def test_index_backlinks_and_search() -> None:
    index = Index(fixture_dossier("small"))
    roles = {(b.owner, b.role) for b in index.backlinks_of("north")}
    assert ("border", "positions") in roles
    assert ("north-leader", "part of") in roles
    assert ("no-deal", "about") in roles
    assert ("talks", "events") in roles
    assert [r.kind for r in index.relations_of("north")] == ["leads"]
    assert [e.id for e in index.matching("север")] == ["north"]
    assert [e.id for e in index.matching("land", kind="actor")] == ["north", "south"]


def test_yaml_11_scalars_stay_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + """\
actors:
  - {id: "no", name: yes, kind: other, role: on, summary: "1e3", aliases: [null-ish, "010"]}
""",
    )
    actor = load_dossier(path, use_cache=False).actors[0]
    assert (actor.id, actor.name, actor.role, actor.summary) == ("no", "yes", "on", "1e3")
    assert actor.aliases == ("null-ish", "010")


def test_unquoted_id_no_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "actors:\n  - id: no\n    name: N\n    kind: other\n")
    assert load_dossier(path, use_cache=False).actors[0].id == "no"


def test_merge_keys_work(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + """\
x-templates:
  state: &state {kind: state, tags: [member]}
actors:
  - {<<: *state, id: a, name: A}
  - <<: *state
    id: b
    name: B
    kind: group
""",
    )
    a, b = load_dossier(path, use_cache=False).actors
    assert (a.actor_kind, a.tags) == (ActorKind.STATE, ("member",))
    assert b.actor_kind is ActorKind.GROUP  # an explicit key wins over the merged one


def test_control_and_bidi_characters_are_removed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE + 'actors:\n  - {id: a, name: "A\\e[31mred\\x07\\u202eevil\\u0085", kind: other}\n',
    )
    assert load_dossier(path, use_cache=False).actors[0].name == "A[31mredevil"


def test_markup_is_kept_literally(tmp_path: Path) -> None:
    path = write(
        tmp_path, BASE + 'actors:\n  - {id: a, name: "[bold]x[/] [@click=app.quit]", kind: other}\n'
    )
    assert load_dossier(path, use_cache=False).actors[0].name == "[bold]x[/] [@click=app.quit]"


def test_extensions_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE + "actors:\n  - {id: a, name: A, kind: other, x-colour: red, x-list: [1, {k: v}]}\n",
    )
    actor = load_dossier(path, use_cache=False).actors[0]
    assert actor.extensions == (("x-colour", "red"), ("x-list", ("1", (("k", "v"),))))


def test_sections_split_across_files_concatenate_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, BASE, "00-dossier.yaml")
    write(tmp_path, "actors:\n  - {id: b, name: B, kind: other}\n", "20-more.yml")
    write(tmp_path, "actors:\n  - {id: a, name: A, kind: other}\n", "10-actors.yaml")
    write(tmp_path, "not: [yaml", ".hidden.yaml")
    d = load_dossier(tmp_path, use_cache=False)
    assert [a.id for a in d.actors] == ["a", "b"]
    assert len(d.files) == 3


def test_quotes_are_checked_against_the_text_file() -> None:
    result = check_dossier(FIXTURES / "small", use_cache=False)
    assert result.ok
    assert result.diagnostics == ()


def test_missing_text_file_is_a_note_not_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + """\
sources:
  - {id: s, title: S, paragraphs: 2, text_file: nowhere.txt}
actors:
  - id: a
    name: A
    kind: other
    refs: [{source: s, para: 1, quote: "anything"}, {source: s, para: 2, quote: "else"}]
""",
    )
    result = check_dossier(path, use_cache=False)
    assert result.ok
    (note,) = result.diagnostics
    assert note.severity is Severity.NOTE
    assert "not there" in note.message and "2 quote(s)" in note.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017", PartialDate(2017)),
        ("2017-04", PartialDate(2017, 4)),
        ("2016-02-29", PartialDate(2016, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: PartialDate) -> None:
    assert parse_date(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize(
    "text", ["2017-02-29", "2017-13", "2017-00", "17-01-01", "2017/01", "0000"]
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_partial_dates_sort_before_the_days_inside_them() -> None:
    dates = [
        PartialDate(2017, 4, 20),
        PartialDate(2017),
        PartialDate(2016, 12),
        PartialDate(2017, 4),
    ]
    assert [str(d) for d in sorted(dates)] == ["2016-12", "2017", "2017-04", "2017-04-20"]


# -- the quick ways of reading give exactly what the careful ones do (issue 18) -----

CORPUS = Path(__file__).parent / "corpus"
SOURCES = "sources: [{id: s, title: S, paragraphs: 3}]\n"
TRICKY: dict[str, str] = {
    "alias-across-items": BASE
    + SOURCES
    + """\
actors:
  - {id: a1, name: A, kind: person, refs: &r [{source: s, para: 1, quote: q}]}
  - {id: a2, name: &n B, kind: person, refs: *r, aliases: [*n]}
""",
    "syntax-error-after-items": BASE
    + "actors:\n  - {id: a1, name: A, kind: person}\n  - {id: a2, name: [B\n",
    "section-key-twice": BASE
    + "actors: [{id: a1, name: A, kind: person}]\nactors: [{id: a2, name: B, kind: person}]\n",
    "second-document": BASE + "actors: [{id: a1, name: A, kind: person}]\n---\nx: 1\n",
    "crlf": (BASE + SOURCES + "actors:\n  - id: a1\n    name: A\n    kind: person\n").replace(
        "\n", "\r\n"
    ),
    "raw-bidi-and-escapes": BASE
    + 'actors:\n  - {id: a1, name: "A\u202eB", kind: person, role: "x\\ty\\u0085"}\n',
    "extensions-everywhere": BASE
    + SOURCES
    + """\
x-top: {a: [1, {b: c}]}
issues:
  - id: i1
    title: T
    summary: S
    x-i: [1, 2]
    positions:
      - {actor: a1, stance: for, x-p: ~, refs: [{source: s, para: [1, 2], x-r: 1}]}
actors: [{id: a1, name: A, kind: person, x-a: {k: v}}]
""",
    "merge-keys": BASE
    + "x-t: &t {kind: state}\nactors:\n  - {<<: *t, id: a1, name: A}\n  - <<: [*t]\n    id: a2\n"
    + "    name: B\n",
    "nulls-and-empties": BASE
    + "actors:\n  - {id: a1, name: A, kind: person, role: ~, aliases: [A, ~, '', B], tags: ~,"
    + " see_also: [], summary: ''}\n",
    "tags": BASE
    + "actors:\n  - {id: a1, name: !!str 5, kind: person}\n  - {id: a2, name: B, kind: !x other}\n"
    + "events: !!seq [{id: e1, title: E, date: !!str 2020}]\n",
    "paras": BASE
    + SOURCES
    + "actors:\n  - id: a1\n    name: A\n    kind: person\n    refs:\n"
    + "      - {source: s, para: '3'}\n      - {source: s, para: 007}\n"
    + "      - {source: s, para: 0}\n      - {source: s, para: [2, 9]}\n"
    + "      - {source: a1, para: 1}\n",
    "link-before-id": BASE
    + "actors:\n  - {name: A, part_of: a2, id: a1, kind: person}\n"
    + "  - {id: a2, name: B, kind: person, part_of: a1}\n",
    "nested-too-deep": BASE
    + "actors:\n  - {id: a1, name: A, kind: person, x-deep: "
    + "[" * 70
    + "]" * 70
    + "}\n",
    "null-word-ids": BASE + "actors:\n  - {id: 'null', name: A, kind: person}\n"
    "  - {id: null, name: B, kind: person}\nrelations: [{from: 'null', to: 'null', kind: k}]\n",
    "dossier-twice-and-unknown": BASE + BASE + "stuff: 1\nactors: ~\nevents: {a: 1}\n",
    "empty": "",
}


def _results(path: Path) -> tuple[object, ...]:
    result = check_dossier(path, use_cache=False)
    entities = list(result.dossier.entities.items()) if result.dossier else None
    return result.dossier, entities, result.diagnostics


def _read_every_way(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """``path`` read as usual, without reading files as they are parsed, and with
    neither that nor the fast path for records (the careful converters only)."""
    from tui.content.assemble import _Assembler
    from tui.content.fields import Reader

    results = [_results(path)]
    with monkeypatch.context() as patch:
        patch.setattr(_Assembler, "stream_file", lambda *args: False)
        results.append(_results(path))
        patch.setattr(Reader, "read_record", Reader.record)
        results.append(_results(path))
    return results


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_quick_reading_matches_careful_reading(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usual, whole, careful = _read_every_way(write(tmp_path, TRICKY[name]), monkeypatch)
    assert usual == careful
    assert whole == careful


@pytest.mark.parametrize(
    "folder",
    [
        *sorted(p for p in CORPUS.iterdir() if p.is_dir()),
        FIXTURES / "small",
        FIXTURES / "hostile",
        *sorted(p for p in (FIXTURES.parent.parent / "content").iterdir() if p.is_dir()),
    ],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_quick_reading_matches_careful_reading_on_every_dossier(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usual, whole, careful = _read_every_way(folder, monkeypatch)
    assert usual == careful
    assert whole == careful


def test_quick_reading_matches_careful_reading_on_a_synthetic_dossier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.synth import write_synthetic

    folder = write_synthetic(tmp_path / "heavy", 40, profile="heavy")
    usual, whole, careful = _read_every_way(folder, monkeypatch)
    assert usual[0] is not None
    assert usual == careful
    assert whole == careful


def test_files_that_cannot_need_cleaning_are_told_apart() -> None:
    """Every character ``clean_text`` removes is either refused by YAML when written
    as it is, or makes :func:`scalars_are_clean` say the file needs cleaning."""
    from tui.content.text import clean_text
    from tui.content.yamlsafe import ComposeError, compose, scalars_are_clean

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    kept = set(clean_text(every))
    removed = [c for c in every if c not in kept]
    assert removed  # controls and direction marks
    for char in removed:
        text = f"k: a{char}b\n"
        try:
            compose(text, "t.yaml", [])
        except ComposeError:
            continue  # YAML does not allow it written as it is
        assert not scalars_are_clean(text.encode()), f"U+{ord(char):04X}"
        assert not scalars_are_clean(f'k: "\\u{ord(char):04x}"\n'.encode())


@pytest.mark.parametrize("damage", ["too big", "not UTF-8", "not YAML"])
def test_a_skipped_file_is_one_error_and_one_note_not_a_cascade(
    damage: str, tmp_path: Path
) -> None:
    """Links into a file that could not be read are counted in one note, not reported
    as thousands of 'does not exist' errors (issue 19)."""
    from bench.synth import write_synthetic

    folder = tmp_path / "d"
    write_synthetic(folder, 200)
    actors = folder / "actors.yaml"
    limit = None
    if damage == "too big":
        limit = max(other.stat().st_size for other in folder.iterdir())
        actors.write_bytes(actors.read_bytes() + b"#" * limit)  # (only it over the limit)
    elif damage == "not UTF-8":
        actors.write_bytes(actors.read_bytes() + b"\xff")
    else:
        actors.write_bytes(actors.read_bytes() + b"\n  - [unclosed\n")
    result = check_dossier(folder, use_cache=False, max_file_size=limit)
    errors = [d for d in result.diagnostics if d.is_error]
    notes = [d for d in result.diagnostics if not d.is_error]
    assert len(errors) == 1 and errors[0].location.path.endswith("actors.yaml"), errors[:3]
    (note,) = notes
    count = int(note.message.split()[0])
    assert count > 200 and "actors.yaml were not checked" in note.message
    assert result.diagnostics.index(note) == result.diagnostics.index(errors[0]) + 1


def test_links_to_an_item_with_errors_of_its_own_are_one_note_not_a_cascade(
    tmp_path: Path,
) -> None:
    """An item left out for an error of its own (a misspelt kind) is still there to be
    linked to: the links naming it are counted in one note at the item, not reported as
    naming nothing. A link that wants another kind of item, or names nothing at all, is
    still an error."""
    path = tmp_path / "d.yaml"
    path.write_text(
        "dossier: {id: d, title: T, summary: S, as_of: 2020}\n"
        "actors:\n"
        "  - {id: a, name: A, kind: stat}\n"  # rejected: the kind
        "  - {id: b, name: B, kind: state, part_of: a}\n"
        "  - {id: c, name: C, kind: state, part_of: a, see_also: [a]}\n"
        "  - {id: e, name: E, kind: state, part_of: j}\n"  # j is an issue
        "  - {id: f, name: F, kind: state, part_of: nowhere}\n"
        "issues:\n"
        "  - {id: j, summary: no title}\n"  # rejected: no title
    )
    result = check_dossier(path, use_cache=False)
    said = [(d.location.line, d.is_error, d.message) for d in result.diagnostics]
    assert said == [
        (3, False, "3 links to 'a' were not checked: it has errors of its own"),
        (3, True, said[1][2]),
        (6, True, "'j' is an issue, but 'part_of' must name an actor"),
        (7, True, "'part_of' names 'nowhere', which does not exist"),
        (9, True, said[4][2]),
    ], said
    assert "'kind'" in said[1][2] and "'title'" in said[4][2]


def test_links_to_nothing_are_errors_when_every_file_was_read(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "dossier: {id: d, title: T, summary: S, as_of: 2020}\n"
        "actors:\n  - {id: a, name: A, kind: state, part_of: nowhere}\n"
    )
    (error,) = check_dossier(path, use_cache=False).errors
    assert "'nowhere', which does not exist" in error.message


def test_a_source_text_with_no_numbered_paragraphs_is_an_error_not_a_crash(
    tmp_path: Path,
) -> None:
    (tmp_path / "s.txt").write_text("hello world, with no [N] at the start of a line\n")
    (tmp_path / "d.yaml").write_text(
        "dossier: {id: d, title: T, summary: S, as_of: 2020}\n"
        "sources:\n  - {id: s, title: S, text_file: s.txt}\n"
        "actors:\n  - {id: a, name: A, kind: state, refs: [{source: s, para: 1, quote: hello}]}\n"
    )
    (error,) = check_dossier(tmp_path, use_cache=False).errors
    assert "quote not found in paragraph 1" in error.message
