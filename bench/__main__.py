"""``python -m bench [--size N] [--engine]``: measure, then write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from bench.backends import BackendResult, measure_backend, sqlite_factory, temporary_directory
from bench.corpus import benchmark_records

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--size", type=int, default=20_000, help="records to index (default %(default)s)")
    parser.add_argument("--engine", action="store_true", help="also measure the Elasticsearch backend on a test engine")
    parser.add_argument("--output", type=Path, default=REPORT)
    args = parser.parse_args()

    t0 = time.perf_counter()
    records = benchmark_records(args.size)
    print(f"{len(records)} records mapped from DCAT in {time.perf_counter() - t0:.1f} s")
    results = []
    with temporary_directory() as tmp:
        results.append(measure_backend("sqlite (embedded, file)", sqlite_factory(Path(tmp)), records))
        if args.engine:
            results.append(_measure_engine(Path(tmp), records))
    for result in results:
        print(_row(result))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(_report(results, args.size), encoding="utf-8")
    print(f"wrote {args.output}")


def _measure_engine(tmp: Path, records) -> BackendResult:
    from elasticsearch import Elasticsearch

    from service.search.elasticsearch_ import ElasticsearchBackend
    from tests.engine.opensearch import start_compat_proxy, start_engine

    engine = start_engine(tmp / "engine", heap="1g")
    proxy_url, stop_proxy = start_compat_proxy(engine.url)
    try:
        make = lambda: ElasticsearchBackend(Elasticsearch(proxy_url, request_timeout=120), prefix="bench")  # noqa: E731
        return measure_backend(f"elasticsearch (OpenSearch {engine.version}, 1 node, via test proxy)", make, records)
    finally:
        stop_proxy()
        engine.stop()


def _row(r: BackendResult) -> str:
    return (
        f"| {r.name} | {r.records} | {r.index_seconds:.1f} | {r.records_per_second:,.0f} | "
        f"{r.median:.1f} | {r.percentile(95):.1f} | {r.percentile(99):.1f} |"
    )


def _report(results: list[BackendResult], size: int) -> str:
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        "# Benchmarks",
        "",
        "Regenerate with `python -m bench --engine` (needs Java and Maven for the test engine).",
        f"Machine: {machine}, {_memory()}.",
        "",
        "## Search backends: same records, same run",
        "",
        f"{size} records mapped from DCAT (udata-like sample data, ~2.5 distributions each) are indexed as one",
        "portal harvest, then a fixed mix of 10 queries (free text, filters, facets, sorts, a deep page) runs",
        "20 times in-process. Every search also computes the six facets.",
        "",
        "| backend | records | index s | records/s | search p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
        *[_row(r) for r in results],
        "",
    ]
    if len(results) > 1:
        base, engine = results
        lines += [
            f"Ratios in this run: the engine indexes at {engine.records_per_second / base.records_per_second:.2f}× "
            f"the embedded store's rate; its median search takes {engine.median / base.median:.2f}× as long "
            "(the engine pays an HTTP round trip through the test proxy per search; the embedded store none).",
            "",
        ]
    return "\n".join(lines)


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kb = int(meminfo.readline().split()[1])
        return f"{kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        return "memory unknown"


if __name__ == "__main__":
    main()
