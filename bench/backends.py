"""Index throughput and search latency of every backend, on the same records, in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from service.search.base import SearchBackend, SearchQuery

__all__ = ["QUERY_MIX", "BackendResult", "measure_backend"]

#: A fixed mix: free text, filters, facets, sorts and a deep page.
QUERY_MIX = (
    SearchQuery(q="velo"),
    SearchQuery(q="qualité de l'air"),
    SearchQuery(q="stationnement velos", sort="-modified"),
    SearchQuery(q="budget", filters={"format": ("CSV",)}),
    SearchQuery(filters={"theme": ("Transports",)}),
    SearchQuery(filters={"keyword": ("velo",), "license": ("licence-ouverte-open-licence",)}),
    SearchQuery(q="ecoles", sort="title"),
    SearchQuery(sort="-modified", page=40, page_size=50),
    SearchQuery(q="donnees publiees", page=5),
    SearchQuery(q="subventions associations"),
)


@dataclass(frozen=True)
class BackendResult:
    """One backend's figures."""

    name: str
    records: int
    index_seconds: float
    latencies_ms: list[float]

    @property
    def records_per_second(self) -> float:
        return self.records / self.index_seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)


def measure_backend(name: str, make: Callable[[], SearchBackend], records, *, rounds: int = 20) -> BackendResult:
    """Index ``records`` as one portal harvest, then run the query mix ``rounds`` times."""
    backend = make()
    try:
        start = time.perf_counter()
        backend.replace_portal(records[0].portal_id, records, now=datetime.now(timezone.utc))
        index_seconds = time.perf_counter() - start
        for query in QUERY_MIX:  # warm caches once
            backend.search(query)
        latencies = []
        for _ in range(rounds):
            for query in QUERY_MIX:
                t0 = time.perf_counter()
                backend.search(query)
                latencies.append((time.perf_counter() - t0) * 1000)
    finally:
        backend.close()
    return BackendResult(name, len(records), index_seconds, latencies)


def sqlite_factory(directory: Path) -> Callable[[], SearchBackend]:
    """A file-backed SQLite store (as in production), in a temporary directory."""
    from service.search.sqlite import SqliteBackend

    return lambda: SqliteBackend(str(directory / "bench.db"))


def temporary_directory() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="fedcat-bench-")
