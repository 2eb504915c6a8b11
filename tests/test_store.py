"""The load cache's store: a stored dossier reads exactly like a loaded one, and a damaged,
cut, foreign or unwritable entry is noticed, never trusted, and never costs the load."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest

from bench.synth import write_synthetic
from tui.content import LoadResult, check_dossier
from tui.content import cache as cache_module
from tui.content.bundled import default_dossier
from tui.content.lazy import EntityMap, catalog_of, derived_of, names_of
from tui.content.store import PREFIX, StoreFile, derived, encode

from .conftest import FIXTURES


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.store"))


def loaded_and_stored(path: Path, cache_dir: Path) -> tuple[LoadResult, LoadResult]:
    """The dossier at ``path`` loaded from its files, then read back from its store."""
    loaded = check_dossier(path, cache_dir=cache_dir)
    stored = check_dossier(path, cache_dir=cache_dir)
    assert loaded.dossier is not None and stored.dossier is not None
    assert not isinstance(loaded.dossier.entities, EntityMap)
    assert isinstance(stored.dossier.entities, EntityMap), "the second load was not a hit"
    return loaded, stored


def assert_same(loaded: LoadResult, stored: LoadResult) -> None:
    """Everything a screen can ask of a dossier and its index answers the same."""
    a, b = loaded.dossier, stored.dossier
    assert a is not None and b is not None and loaded.index and stored.index
    assert (a.info, a.root, a.files, a.tour, a.notes) == (b.info, b.root, b.files, b.tour, b.notes)
    assert loaded.diagnostics == stored.diagnostics and loaded.files == stored.files
    for name in ("sources", "actors", "issues", "assessments", "events"):
        assert list(getattr(a, name)) == list(getattr(b, name)), name
        assert catalog_of(getattr(a, name)) == catalog_of(getattr(b, name)), name
    assert list(a.entities) == list(b.entities)
    assert all(a.entities[k] == b.entities[k] == b.get(k) for k in a.entities)
    assert list(a.relations) == list(b.relations) and list(a.links) == list(b.links)
    assert a == b
    assert list(names_of(a)) == list(names_of(b))
    assert derived_of(a) == derived_of(b) == derived(a)
    for entity_id in a.entities:
        for question in ("backlinks_of", "relations_of", "links_from", "fields_to", "neighbours"):
            assert getattr(loaded.index, question)(entity_id) == getattr(stored.index, question)(
                entity_id
            ), (question, entity_id)
        assert loaded.index.search_key(entity_id) == stored.index.search_key(entity_id)
        fields = ("actor", "by", "about", "actors", "issues", "part_of", "see_also", "related")
        assert loaded.index.owners(entity_id, *fields) == stored.index.owners(entity_id, *fields)
    for query, kind in (("a", None), ("japan", "actor"), ("", "issue")):
        assert loaded.index.matching(query, kind) == stored.index.matching(query, kind)
    assert stored.index.backlinks_of("no such id") == ()


@pytest.mark.parametrize("name", ["bundled", "small", "hostile", "dates.yaml", "line-breaks.yaml"])
def test_a_stored_dossier_reads_like_the_loaded_one(name: str, tmp_path: Path) -> None:
    path = default_dossier() if name == "bundled" else FIXTURES / name
    if not check_dossier(path, use_cache=False).ok:
        pytest.skip(f"{name} is not a valid dossier: nothing to store")
    assert_same(*loaded_and_stored(path, tmp_path / "cache"))


def test_a_synthetic_heavy_dossier_reads_like_the_loaded_one(tmp_path: Path) -> None:
    write_synthetic(tmp_path / "d", 60, profile="heavy")
    assert_same(*loaded_and_stored(tmp_path / "d", tmp_path / "cache"))


def test_a_failed_load_is_stored_with_its_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("dossier: {id: d, title: T, summary: S, as_of: 2020}\nactors: [{id: x}]\n")
    first = check_dossier(path, cache_dir=tmp_path / "c")
    second = check_dossier(path, cache_dir=tmp_path / "c")
    assert not first.ok and first.errors
    assert (second.dossier, second.diagnostics, second.files) == (
        None,
        first.diagnostics,
        first.files,
    )


# -- damage --------------------------------------------------------------------
@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    target = tmp_path / "dossier"
    shutil.copytree(default_dossier(), target)
    return target


def reference(path: Path) -> LoadResult:
    return check_dossier(path, use_cache=False)


def damage(entry: Path, at: int) -> None:
    """Flip one byte of ``entry`` in place (the file stays the same length)."""
    with open(entry, "r+b") as handle:
        handle.seek(at)
        byte = handle.read(1)
        handle.seek(at)
        handle.write(bytes([byte[0] ^ 0x20]))


def record_place(entry: Path, number: int) -> int:
    """Where record ``number`` of ``entry`` starts in the file."""
    store = StoreFile(entry, cache_module.FORMAT_VERSION)
    return store._data + store._offsets[number]


def test_a_damaged_record_is_noticed_when_read_and_the_files_answer(
    bundled_copy: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "c"
    expected = reference(bundled_copy)
    assert expected.dossier is not None
    check_dossier(bundled_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    last = len(expected.dossier.entities) - 1
    victim = list(expected.dossier.entities)[last]
    stored = check_dossier(bundled_copy, cache_dir=cache_dir)
    assert isinstance(stored.dossier and stored.dossier.entities, EntityMap)
    # A letter of its title changes case (while the store is open, as on a bad disk):
    # the record still reads as JSON, only its CRC says it is not what was written.
    label = expected.dossier.entities[victim].label.encode()
    damage(entry, entry.read_bytes().index(label, record_place(entry, last)) + 2)
    damaged = entry.read_bytes()
    assert stored.dossier is not None and stored.index is not None
    assert stored.dossier.get(victim) == expected.dossier.get(victim)
    assert list(stored.dossier.entities.values()) == list(expected.dossier.entities.values())
    assert stored.index.backlinks_of(victim) == expected.index.backlinks_of(victim)  # type: ignore[union-attr]
    assert_same(expected, stored)  # (every item and link, now answered from the files)
    # The damaged entry is gone, and a sound one was written in its place.
    (rebuilt,) = entries(cache_dir)
    assert rebuilt.read_bytes() != damaged
    sound = StoreFile(rebuilt, cache_module.FORMAT_VERSION)
    assert all(sound.record(n) for n in range(sound.entities + sound.relations))
    again = check_dossier(bundled_copy, cache_dir=cache_dir)
    assert isinstance(again.dossier and again.dossier.entities, EntityMap)
    assert_same(expected, again)


@pytest.mark.parametrize("part", ["prefix", "header", "catalog", "a record"])
def test_damage_found_on_opening_is_a_miss_and_the_entry_is_written_again(
    part: str, bundled_copy: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "c"
    check_dossier(bundled_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    store = StoreFile(entry, cache_module.FORMAT_VERSION)
    catalog_at = store._data + store.header["sections"]["catalog"][0]
    at = {"prefix": 3, "header": PREFIX.size + 10, "catalog": catalog_at + 7}.get(part)
    damage(entry, record_place(entry, 0) + 3 if at is None else at)
    result = check_dossier(bundled_copy, cache_dir=cache_dir)
    assert_same(reference(bundled_copy), result)  # (a damaged record is read from the files)
    if part != "a record":  # (a record is checked only when read: see the test above)
        assert not isinstance(result.dossier.entities, EntityMap), "a damaged store was used"  # type: ignore[union-attr]
        assert isinstance(
            check_dossier(bundled_copy, cache_dir=cache_dir).dossier.entities,  # type: ignore[union-attr]
            EntityMap,
        ), "the entry was not written again"


@pytest.mark.parametrize("keep", [0, 10, PREFIX.size + 5, "half", "all but one"])
def test_a_truncated_entry_is_a_miss(keep: int | str, bundled_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    check_dossier(bundled_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    data = entry.read_bytes()
    size = {"half": len(data) // 2, "all but one": len(data) - 1}.get(str(keep), keep)
    entry.write_bytes(data[: int(size)])
    result = check_dossier(bundled_copy, cache_dir=cache_dir)
    assert not isinstance(result.dossier and result.dossier.entities, EntityMap)
    assert_same(reference(bundled_copy), result)
    again = check_dossier(bundled_copy, cache_dir=cache_dir)  # (written again: a hit)
    assert isinstance(again.dossier and again.dossier.entities, EntityMap)
    assert_same(reference(bundled_copy), again)
    assert len(entries(cache_dir)) == 1


def test_an_entry_of_another_format_version_is_a_miss(bundled_copy: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    loaded = check_dossier(bundled_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    assert loaded.dossier is not None
    entry.write_bytes(
        encode(
            loaded.dossier, loaded.index, loaded.diagnostics, loaded.files, [], "dossier-store-0"
        )
    )
    result = check_dossier(bundled_copy, cache_dir=cache_dir)
    assert not isinstance(result.dossier and result.dossier.entities, EntityMap)
    assert isinstance(
        check_dossier(bundled_copy, cache_dir=cache_dir).dossier.entities,  # type: ignore[union-attr]
        EntityMap,
    )


def test_a_pickle_in_the_cache_is_never_unpickled(bundled_copy: Path, tmp_path: Path) -> None:
    """The old format ran code when read (pickle): a planted one is neither read nor kept."""
    cache_dir = tmp_path / "c"
    check_dossier(bundled_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    witness = tmp_path / "ran"

    class Planted:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.mkdir, (str(witness),))

    planted = pickle.dumps(Planted())
    entry.write_bytes(planted)
    (cache_dir / "0123.pickle").write_bytes(planted)
    assert check_dossier(bundled_copy, cache_dir=cache_dir).ok
    assert not witness.exists()
    assert not list(cache_dir.glob("*.pickle")), "an old-format entry was kept"


def test_a_read_only_cache_only_costs_speed(
    bundled_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "c"
    cache_dir.mkdir()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # (root ignores a folder's mode)
    monkeypatch.setattr(Path, "unlink", refuse)
    for _ in range(2):
        assert_same(reference(bundled_copy), reference_like(bundled_copy, cache_dir))
    assert entries(cache_dir) == []


def reference_like(path: Path, cache_dir: Path) -> LoadResult:
    """A load through the cache, with the index the comparison needs."""
    result = check_dossier(path, cache_dir=cache_dir)
    assert result.dossier is not None and result.index is not None
    return result


def test_a_damaged_entry_in_a_read_only_cache_is_not_used(
    bundled_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "c"
    check_dossier(bundled_copy, cache_dir=cache_dir)
    (entry,) = entries(cache_dir)
    entry.write_bytes(entry.read_bytes()[:-7])

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    assert_same(reference(bundled_copy), reference_like(bundled_copy, cache_dir))


def test_a_full_disk_only_costs_speed_and_leaves_nothing_behind(
    bundled_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "c"
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 3])  # type: ignore[attr-defined]
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    assert_same(reference(bundled_copy), reference_like(bundled_copy, cache_dir))
    assert list(cache_dir.iterdir()) == [], "a half-written file was left in the cache"
    monkeypatch.undo()
    assert_same(reference(bundled_copy), loaded_and_stored(bundled_copy, cache_dir)[1])
