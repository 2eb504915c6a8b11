"""tui's one cache type: least recently used goes first, and the memo over it."""

from __future__ import annotations

from tui.content.lru import LRUCache, memoized


def test_the_least_recently_used_entry_goes_when_full() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.set("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)
    cache.set("a", 10)  # setting again replaces and refreshes
    cache.set("d", 4)
    assert (cache.get("a"), cache.get("c"), cache.get("d")) == (10, None, 4)
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None


def test_memoized_keeps_results_by_arguments_within_its_size() -> None:
    calls: list[tuple[int, int]] = []

    @memoized(2)
    def add(a: int, b: int) -> int | None:
        calls.append((a, b))
        return None if a < 0 else a + b

    assert add(1, 2) == 3 and add(1, 2) == 3
    assert add(2, 2) == 4 and add(3, 2) == 5  # (1, 2) is dropped: the size is 2
    assert add(1, 2) == 3
    assert add(-1, 0) is None and add(-1, 0) is None  # None is not kept
    assert add(1, b=2) == 3  # keyword arguments call through
    assert calls == [(1, 2), (2, 2), (3, 2), (1, 2), (-1, 0), (-1, 0), (1, 2)]
    assert add.__name__ == "add"
