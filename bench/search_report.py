"""The search part of docs/benchmarks.md from ``bench.search_only`` figures: ``python -m bench.search_report FIGURES.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.report import TARGETS, _search_row, _target_row, relevance_section

SEARCH_TARGETS = [t for t in TARGETS if t[0].startswith(("search", "suggest", "full reindex", "HTTP", "private RSS"))]


def render(f: dict) -> list[str]:
    """Targets, latencies and HTTP figures of one search-only run."""
    s = f["search_embedded"]
    lines = [
        f"Measured by `python -m bench.search_only` on {f['machine']}, with {f['records']:,} datasets of the benchmark",
        "catalogue stored and indexed directly (no Turtle rendering; see below), on a machine shared with other jobs.",
        "",
        "| what | measured | target | met |", "|---|---|---|---|",
        *[_target_row(f, *target) for target in SEARCH_TARGETS],
        "",
        "| embedded (SQLite + tantivy), in-process | queries | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|",
        _search_row("distinct queries, each the first time (the targets)", s["first"]),
        _search_row("suggest, distinct prefixes", s["suggest"]),
        _search_row("repeated mix of 10 (secondary)", s["repeated"]),
        "",
        f"Storing and indexing the {f['records']:,} records in one write: {f['store_and_index_seconds']:.0f} s;"
        f" full reindex from SQLite: {s['reindex_seconds']:.1f} s.",
    ]
    for key, what in (("http", "deployed settings"), ("http_one_client", "one worker, one client")):
        h = f.get(key)
        if h:
            lines += ["", f"Over HTTP ({what}: {h['workers']} gthread worker(s), wrk -c{h['concurrency']} for {h['seconds']} s over"
                      f" 5,000 distinct queries): {h['requests_per_second']:.0f} req/s, p50 {h['p50_ms']:.1f} ms, p90"
                      f" {h['p90_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms, {h['requests']:,} requests, {h['errors']} errors."
                      f" Per worker: RSS {h['worker_rss_idle_mib']:.0f} MiB idle → {h['worker_rss_after_mib']:.0f} MiB after;"
                      f" private part {h['worker_private_idle_mib']:.0f} → {h['worker_private_after_mib']:.0f} MiB (the rest is"
                      " shared: libraries and the memory-mapped index)."]
    return lines + relevance_section()


if __name__ == "__main__":
    print("\n".join(render(json.loads(Path(sys.argv[1]).read_text()))))
