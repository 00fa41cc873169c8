"""A least-recently-used cache bounded by the memory its values hold, shared by the threads of a worker."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

__all__ = ["SizedLru"]

V = TypeVar("V")


class SizedLru(Generic[V]):
    """The most recently used values, within a budget of ``max_bytes`` as ``size_of`` measures them.

    The least recently used go first; a value larger than the whole budget is not kept.
    """

    def __init__(self, max_bytes: int, size_of: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> V | None:
        """The value stored under ``key``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V) -> None:
        """Keep ``value`` under ``key``, forgetting the least recently used values beyond the budget."""
        size = self._size_of(value)
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            self._bytes += size - (previous[1] if previous is not None else 0)
            self._entries[key] = (value, size)
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value under ``key``, computed and kept when missing.

        Threads asking for the same missing key wait for the first one's answer instead of
        computing it too: after a write, every client of a popular query arrives at once.
        """
        value = self.get(key)
        if value is not None:
            return value
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        try:
            with computing:
                value = self.get(key)
                if value is None:
                    value = compute()
                    self.put(key, value)
                return value
        finally:
            with self._lock:
                self._computing.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
