"""The search part of docs/benchmarks.md from ``bench.search_only`` figures: ``python -m bench.search_report FIGURES.json``.

``write_section`` replaces the report's "Search on the embedded engine" section (up to the
relevance table) with the rendered figures and leaves the rest of the report as it is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.report import TARGETS, _search_row, _target_row, relevance_section

SEARCH_TARGETS = [t for t in TARGETS if t[0].startswith(("search", "suggest", "full reindex", "HTTP", "private RSS"))]
SECTION = "## Search on the embedded engine (SQLite records + tantivy index)"
NEXT_SECTION = "## Relevance (judged queries, nDCG@10)"


def render(f: dict) -> list[str]:
    """Targets, latencies and HTTP figures of one search-only run."""
    s = f["search_embedded"]
    lines = [
        f"Measured by `python -m bench.search_only{' --engine' if 'search_engine' in f else ''}` on {f['machine']}, with"
        f" {f['records']:,} datasets of the benchmark catalogue stored and indexed directly (no Turtle rendering).",
        "",
        "| what | measured | target | met |", "|---|---|---|---|",
        *[_target_row(f, *target) for target in SEARCH_TARGETS],
        "",
        "| backend, in-process | queries | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|",
        _search_row("embedded: distinct queries, each the first time (the targets)", s["first"]),
        _search_row("embedded: suggest, distinct prefixes", s["suggest"]),
        _search_row("embedded: repeated mix of 10 (secondary)", s["repeated"]),
        *_engine_rows(f),
        "",
        f"Storing and indexing the {f['records']:,} records in one write: {f['store_and_index_seconds']:.0f} s;"
        f" full reindex from SQLite: {s['reindex_seconds']:.1f} s.",
    ]
    return lines + _http_lines(f)


def _engine_rows(f: dict) -> list[str]:
    e = f.get("search_engine")
    if not e:
        return []
    engine = f"Elasticsearch backend (OpenSearch {f.get('engine_version')}, test proxy), one HTTP round trip each"
    return [
        _search_row(f"{engine}: the same distinct queries", e["first"]),
        _search_row(f"{engine}: suggest, the same prefixes", e["suggest"]),
        _search_row(f"{engine}: repeated mix of 10 (secondary)", e["repeated"]),
    ]


def _http_lines(f: dict) -> list[str]:
    lines = []
    for key, what in (("http", "deployed settings"), ("http_one_client", "one worker, one client")):
        h = f.get(key)
        if h:
            lines += ["", f"Over HTTP ({what}: {h['workers']} gthread worker(s), wrk -c{h['concurrency']} for {h['seconds']} s over"
                      f" 5,000 distinct queries): {h['requests_per_second']:.0f} req/s, p50 {h['p50_ms']:.1f} ms, p90"
                      f" {h['p90_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms, {h['requests']:,} requests, {h['errors']} errors."
                      f" Per worker: RSS {h['worker_rss_idle_mib']:.0f} MiB idle → {h['worker_rss_after_mib']:.0f} MiB after;"
                      f" private part {h['worker_private_idle_mib']:.0f} → {h['worker_private_after_mib']:.0f} MiB (the rest is"
                      " shared: libraries and the memory-mapped index)."]
    return lines


def write_section(f: dict, report: Path) -> None:
    """Replace the report's embedded-search section with these figures (the rest of the report kept)."""
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    body = "\n".join([SECTION, "", *render(f), "", ""])
    if SECTION in text and NEXT_SECTION in text:
        head, rest = text.split(SECTION, 1)
        text = head + body + NEXT_SECTION + rest.split(NEXT_SECTION, 1)[1]
    else:
        text = text + ("\n" if text else "") + body
    report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    print("\n".join(render(json.loads(Path(sys.argv[1]).read_text())) + relevance_section()))
