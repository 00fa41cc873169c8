"""An in-process token bucket per client: ``FEDCAT_RATE_LIMIT=600/minute``.

Each client IP has a bucket of N tokens that refills at N per period; a
request takes one token, and a client with none left is told how long to wait.
So a client may burst up to N requests, then goes on at the sustained rate.

State lives in the process: under gunicorn each worker counts on its own, so a
client can make up to N requests per period *per worker* (documented in
docs/reliability.md). Memory is bounded: at most ``max_clients`` buckets are
kept, the least recently seen dropped first (a dropped bucket was most likely
full again, which is the same as no bucket).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

__all__ = ["Rate", "RateLimiter"]

_PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_RATE = re.compile(r"\s*([1-9]\d*)\s*/\s*(second|minute|hour)\s*")


@dataclass(frozen=True)
class Rate:
    """``requests`` per ``period`` seconds."""

    requests: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"600/minute"`` → Rate(600, 60.0); empty or ``off`` → None; ValueError otherwise."""
        if text.strip().lower() in ("", "off", "none", "0"):
            return None
        match = _RATE.fullmatch(text.lower())
        if match is None:
            raise ValueError(f"rate {text!r} must look like 600/minute (per second, minute or hour)")
        return cls(int(match.group(1)), _PERIODS[match.group(2)])

    @property
    def per_second(self) -> float:
        """Tokens added back each second."""
        return self.requests / self.period


class RateLimiter:
    """Token buckets keyed by client; thread-safe.

    :param clock: monotonic seconds (tests pass a fake one).
    """

    def __init__(self, rate: Rate, *, max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 when allowed, else the seconds until a token is back."""
        with self._lock:
            now = self._clock()
            tokens, seen = self._buckets.pop(client, (float(self.rate.requests), now))
            tokens = min(float(self.rate.requests), tokens + (now - seen) * self.rate.per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return 0.0 if allowed else (1.0 - tokens) / self.rate.per_second

    def remaining(self, client: str) -> int:
        """Whole tokens ``client`` has left right now (for the ``RateLimit-Remaining`` header)."""
        with self._lock:
            tokens, seen = self._buckets.get(client, (float(self.rate.requests), self._clock()))
        return int(min(float(self.rate.requests), tokens + (self._clock() - seen) * self.rate.per_second))
