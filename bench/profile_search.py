"""Where a first-time search spends its time on the embedded backend: ``python -m bench.profile_search DB``.

Runs the benchmark's distinct queries once under cProfile against an existing database (a
``python -m bench`` harvest, or ``fedcat harvest``) and prints the share of the main steps.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time

from bench.backends import distinct_queries, percentile
from service.search.tantivy_ import TantivyBackend

#: function name fragments → the step they belong to
STEPS = {
    "search' of 'tantivy": "tantivy: match, score and collect the page",
    "aggregate' of 'tantivy": "tantivy: facet aggregations",
    "fast_field_values": "tantivy: fast fields (row ids, clusters)",
    "rows_by_rowid": "SQLite: the page's records (read and decode)",
    "doc_freq": "tantivy: exact-word checks (typo tolerance)",
}


def main(database: str, count: int = 1000) -> None:
    backend = TantivyBackend(database)
    backend.warm_up()
    queries = distinct_queries(count, seed=99)
    profiler = cProfile.Profile()
    latencies = []
    for query in queries:
        start = time.perf_counter()
        profiler.enable()
        backend.search(query)
        profiler.disable()
        latencies.append((time.perf_counter() - start) * 1000)
    stats = pstats.Stats(profiler)
    total = sum(latencies)
    print(f"{count} queries, p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, {total:.0f} ms in all")
    for fragment, step in STEPS.items():
        spent = sum(v[3] for k, v in stats.stats.items() if fragment in f"{k[0]}:{k[2]}" or fragment in k[2])
        print(f"  {step}: {1000 * spent / count:.2f} ms per query ({100 * 1000 * spent / total:.0f} %)")
    stats.sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
