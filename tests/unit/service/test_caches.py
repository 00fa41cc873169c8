"""The memory-bounded LRU cache behind the search caches."""

from __future__ import annotations

import threading
import pytest

from service.caches import SizedLru
from tests.polling import wait_until


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


class MissCountingLru(SizedLru):
    """Counts the look-ups that found nothing: how a test knows every thread has asked."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.misses = 0
        self._count_lock = threading.Lock()

    def get(self, key):
        value = super().get(key)
        if value is None:
            with self._count_lock:
                self.misses += 1
        return value


def test_threads_asking_for_the_same_missing_value_compute_it_once():
    cache = MissCountingLru(max_bytes=100, size_of=len)
    calls = []

    def slow():
        calls.append(1)
        # the computing thread missed twice (before and under its lock), each other thread once:
        # all four have asked before the answer exists
        wait_until(lambda: cache.misses >= 5)
        return "answer"

    threads = [threading.Thread(target=lambda: cache.get_or_compute("q", slow)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and cache.get("q") == "answer"


def test_a_failed_computation_is_not_kept():
    cache = SizedLru(max_bytes=100, size_of=len)

    def fail():
        raise ValueError("store down")

    with pytest.raises(ValueError):
        cache.get_or_compute("q", fail)
    assert cache.get_or_compute("q", lambda: "fine") == "fine"
