"""``python -m bench``: measure harvest, search and export at data.gouv.fr scale, write docs/benchmarks.md.

    python -m bench                     # 80,000 datasets, embedded backend
    python -m bench --engine            # ... and the Elasticsearch backend on a test engine
    python -m bench --size 2000 --quick # a small run (what the CI smoke test checks)
    python -m bench --harvest-only      # the harvest, the naive baseline and the re-harvests alone (JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.backends import (
    distinct_queries,
    measure_first_time,
    measure_search,
    measure_suggest,
    percentile,
    suggest_prefixes,
)
from bench.catalogue import CachedUdataSimulator
from bench.export import measure_export, measure_export_ratios
from bench.http_load import measure_http

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> dict:
    """Run every measurement; returns the figures (also written to the report)."""
    args = _parser().parse_args(argv)
    figures: dict = {"size": args.size, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="fedcat-bench-") as tmp, CachedUdataSimulator(args.size) as portal:
        started = time.perf_counter()
        portal.prerender(revisions=(0, 1))  # 1: the catalogue with 1 % of its datasets changed (reharvest_figures)
        print(f"catalogue of {args.size} datasets ready in {time.perf_counter() - started:.0f} s", flush=True)
        database = Path(tmp) / "bench.db"
        figures["harvest_embedded"] = harvest(portal.url, "fedcat", str(database))
        figures["harvest_naive"] = harvest(portal.url, "naive", "-")
        figures.update(reharvest_figures(portal, str(database)))
        if args.harvest_only:
            print(json.dumps(figures, indent=2))
            return figures
        figures.update(embedded_figures(database, quick=args.quick))
        if args.engine:
            figures.update(engine_figures(portal.url, Path(tmp), quick=args.quick))
        if not args.quick:
            http = measure_http(database, seconds=args.http_seconds)
            figures["http"] = http.__dict__ if http else None
            one = measure_http(database, seconds=args.http_seconds, concurrency=1, workers=1)
            figures["http_one_client"] = one.__dict__ if one else None
        figures["export"] = measure_export(database, full=not args.quick).__dict__
        ratios = measure_export_ratios(database, walk=10 if args.quick else 100)
        figures["export_ratios"] = {**ratios.__dict__, "page_speedup": ratios.page_speedup, "full_speedup": ratios.full_speedup}
    print(json.dumps(figures, indent=2))
    if args.output:
        args.output.write_text(report(figures), encoding="utf-8")
        print(f"wrote {args.output}")
    return figures


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--size", type=int, default=80_000, help="datasets in the catalogue (default %(default)s)")
    parser.add_argument("--engine", action="store_true", help="also measure the Elasticsearch backend (test engine)")
    parser.add_argument("--quick", action="store_true", help="skip the HTTP load and the full export")
    parser.add_argument("--harvest-only", action="store_true", help="only the harvests (fedcat, naive, re-harvests); no report written")
    parser.add_argument("--http-seconds", type=int, default=20)
    parser.add_argument("--output", type=Path, default=REPORT, help="report to write (default %(default)s)")
    return parser


def harvest(url: str, mode: str, target: str) -> dict:
    """One harvest in its own process (its peak RSS is its own), timed end to end including the process start."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.harvest_worker", mode, url, "0", target],
        capture_output=True, text=True, env=env, check=True, timeout=7200,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["in_process_seconds"], figures["seconds"] = figures["seconds"], time.perf_counter() - started
    figures["per_second"] = figures["records"] / figures["seconds"]
    print(f"harvest {mode} → {target[:40]}: {figures['per_second']:.0f} datasets/s, peak {figures['tree_peak_rss_mib']:.0f} MiB with its workers", flush=True)
    return figures


def reharvest_figures(portal: CachedUdataSimulator, database: str) -> dict:
    """The catalogue harvested again unchanged, then with one dataset of every page changed (1 % at pages of 100)."""
    unchanged = harvest(portal.url, "fedcat", database)
    portal.revision += 1
    try:
        changed = harvest(portal.url, "fedcat", database)
    finally:
        portal.revision -= 1
    changed["changed_datasets"] = -(-portal.size // portal.page_size)
    return {"reharvest_unchanged": unchanged, "reharvest_changed": changed}


def _percentiles(latencies: list[float]) -> dict:
    return {"p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95), "p99_ms": percentile(latencies, 99), "n": len(latencies)}


def search_figures(backend, *, rounds: int, quick: bool, queries: int = 3000) -> dict:
    """In-process: distinct queries each asked once, autocompletions, and the repeated mix (secondary)."""
    first = measure_first_time(backend, distinct_queries(300 if quick else queries))
    suggest = measure_suggest(backend, suggest_prefixes(200 if quick else 1000))
    repeated = measure_search(backend, rounds=rounds)
    return {"first": _percentiles(first), "suggest": _percentiles(suggest), "repeated": _percentiles(repeated)}


def embedded_figures(database: Path, *, quick: bool) -> dict:
    """The embedded backend: searches, suggestions, and a full reindex from the record store."""
    backend = _embedded(database)
    figures = search_figures(backend, rounds=5 if quick else 20, quick=quick)
    started = time.perf_counter()
    backend.reindex()
    figures["reindex_seconds"] = time.perf_counter() - started
    backend.close()
    return {"search_embedded": figures}


def engine_figures(url: str, tmp: Path, *, quick: bool) -> dict:
    """Harvest and search on the Elasticsearch backend (OpenSearch test engine behind the test proxy)."""
    from elasticsearch import Elasticsearch

    from service.search.elasticsearch_ import ElasticsearchBackend
    from tests.engine.opensearch import start_compat_proxy, start_engine

    engine = start_engine(tmp / "engine", heap="1g")
    proxy_url, stop_proxy = start_compat_proxy(engine.url)
    try:
        figures = {"harvest_engine": harvest(url, "fedcat", proxy_url)}
        backend = ElasticsearchBackend(Elasticsearch(proxy_url, request_timeout=120), prefix="bench-harvest")
        figures["search_engine"] = search_figures(backend, rounds=5 if quick else 10, quick=quick, queries=1000)
        backend.close()
        figures["engine_version"] = engine.version
        return figures
    finally:
        stop_proxy()
        engine.stop()


def _embedded(database: Path):
    from service.search.tantivy_ import TantivyBackend

    return TantivyBackend(str(database))


def machine() -> str:
    """CPU model, cores, memory and Python version."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            memory = f"{int(meminfo.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = "memory unknown"
    return f"{model}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()}"


def report(f: dict) -> str:
    """docs/benchmarks.md from the figures."""
    from bench.report import render

    return render(f)


if __name__ == "__main__":
    main()
