"""Search latency of a backend over a fixed mix of queries."""

from __future__ import annotations

import time
from typing import Callable

from service.search.base import SearchBackend, SearchQuery

__all__ = ["QUERY_MIX", "measure_search", "percentile"]

#: A fixed mix: free text, filters, facets, sorts and a deep page.
QUERY_MIX = (
    SearchQuery(q="velo"),
    SearchQuery(q="qualité de l'air"),
    SearchQuery(q="stationnement velos", sort="-modified"),
    SearchQuery(q="budget", filters={"format": ("CSV",)}),
    SearchQuery(filters={"theme": ("Transports",)}),
    SearchQuery(filters={"keyword": ("velo",), "license": ("Licence Ouverte / Open Licence version 2.0",)}),
    SearchQuery(q="ecoles", sort="title"),
    SearchQuery(sort="-modified", page=40, page_size=50),
    SearchQuery(q="donnees publiees", page=5),
    SearchQuery(q="subventions associations"),
)


def measure_search(backend: SearchBackend, *, rounds: int = 20) -> list[float]:
    """Milliseconds of each search of the query mix, ``rounds`` times over, after one warm-up pass."""
    for query in QUERY_MIX:
        backend.search(query)
    latencies = []
    for _ in range(rounds):
        for query in QUERY_MIX:
            start = time.perf_counter()
            backend.search(query)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def measure_cold_search(open_backend: Callable[[], SearchBackend], *, rounds: int = 3) -> list[float]:
    """Milliseconds of each query of the mix asked for the first time: a fresh backend per round,
    warmed up as a gunicorn worker is (its index built), but with no match, record or answer cached."""
    latencies = []
    for _ in range(rounds):
        backend = open_backend()
        backend.warm_up()
        for query in QUERY_MIX:
            start = time.perf_counter()
            backend.search(query)
            latencies.append((time.perf_counter() - start) * 1000)
        backend.close()
    return latencies


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
