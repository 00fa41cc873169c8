"""The memory-bounded LRU cache behind the search caches."""

from __future__ import annotations

from service.search.caches import SizedLru


def test_the_least_recently_used_go_first_beyond_the_budget():
    cache = SizedLru(max_bytes=20, size_of=len)
    cache.put("a", "x" * 10)
    cache.put("b", "y" * 10)
    assert cache.get("a") == "x" * 10  # now b is the least recently used
    cache.put("c", "z" * 10)
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    assert len(cache) == 2


def test_replacing_a_value_counts_its_new_size_only():
    cache = SizedLru(max_bytes=20, size_of=len)
    cache.put("a", "x" * 10)
    cache.put("a", "x" * 15)
    cache.put("b", "y" * 5)
    assert cache.get("a") == "x" * 15 and cache.get("b") == "y" * 5


def test_a_value_larger_than_the_budget_is_not_kept():
    cache = SizedLru(max_bytes=20, size_of=len)
    cache.put("a", "x" * 10)
    cache.put("huge", "h" * 21)
    assert cache.get("huge") is None and cache.get("a") == "x" * 10
