"""``python -m bench.search_only``: the search targets at 80,000 datasets without the HTTP harvest.

The store is filled straight from the benchmark's generator (``simulators.sample_data.generate``,
the datasets the udata simulator serves), each mapped to a record and normalised as a harvest
does, then indexed by the embedded backend. Measures distinct first-time queries, suggestions,
a full reindex, and HTTP under gunicorn (deployed workers at concurrency 16, and one worker for
one client) with the workers' memory. Used when the full ``python -m bench`` cannot run (it
renders the whole catalogue as Turtle first).

``--engine`` also stores the same records in the Elasticsearch backend on the engine the tests
start (OpenSearch, behind the tests' compatibility proxy) and runs the same distinct queries and
prefixes through it; ``--no-http`` leaves out the gunicorn runs; ``--report`` writes the search
section of docs/benchmarks.md from the figures (``bench.search_report``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.__main__ import REPORT, machine, search_figures
from bench.http_load import measure_http
from mappings.normalise import normalise
from mappings.record import Agent, Concept, Distribution, Record, make_record_id
from simulators.sample_data import generate


def records(size: int) -> list[Record]:
    """The generator's datasets as normalised records of the ``datagouv`` portal."""
    out = []
    for dataset in generate("datagouv", size):
        guid = f"https://www.data.gouv.fr/datasets/{dataset.slug}"
        record = Record(
            record_id=make_record_id("datagouv", guid), portal_id="datagouv", guid=guid, title=dataset.title,
            source_uri=guid, description=dataset.description, keywords=dataset.keywords,
            themes=(Concept(dataset.theme),), publisher=Agent(name=dataset.publisher), license=Concept(dataset.license),
            issued=dataset.issued.isoformat(), modified=dataset.modified.isoformat(), bbox=dataset.bbox,
            distributions=tuple(Distribution(access_url=r.url, title=r.title, format=r.format, byte_size=r.byte_size) for r in dataset.resources),
            harvested_at="2026-12-01T00:00:00+00:00",
        )
        out.append(normalise(record))
    return out


def main(argv: list[str] | None = None) -> dict:
    """Measure, print the figures, keep them as JSON (and in the report with ``--report``)."""
    args = _parser().parse_args(argv)
    figures: dict = {"size": args.size, "machine": machine()}
    stored = records(args.size)
    with tempfile.TemporaryDirectory(prefix="fedcat-search-") as tmp:
        database = Path(tmp) / "bench.db"
        figures.update(embedded_figures(database, stored, quick=args.quick))
        if args.engine:
            figures.update(engine_figures(Path(tmp), stored, quick=args.quick))
        if not args.no_http:
            http = measure_http(database, seconds=args.http_seconds)
            figures["http"] = http.__dict__ if http else None
            one = measure_http(database, seconds=args.http_seconds, concurrency=1, workers=1)
            figures["http_one_client"] = one.__dict__ if one else None
    args.output.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps(figures, indent=1))
    if args.report:
        from bench.search_report import write_section

        write_section(figures, REPORT)
        print(f"wrote the search section of {REPORT}")
    return figures


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.search_only")
    parser.add_argument("--size", type=int, default=80_000)
    parser.add_argument("--http-seconds", type=int, default=20)
    parser.add_argument("--engine", action="store_true", help="also the Elasticsearch backend on the test engine, same queries")
    parser.add_argument("--no-http", action="store_true", help="leave out the gunicorn runs")
    parser.add_argument("--quick", action="store_true", help="fewer queries (a check that it runs)")
    parser.add_argument("--report", action="store_true", help="write the search section of docs/benchmarks.md")
    parser.add_argument("--output", type=Path, default=Path("/tmp/fedcat-search-only.json"))
    return parser


def embedded_figures(database: Path, stored: list[Record], *, quick: bool) -> dict:
    """Store and index the records in the embedded backend, then searches, suggestions and a full reindex."""
    from service.search.tantivy_ import TantivyBackend

    backend = TantivyBackend(str(database))
    started = time.perf_counter()
    stats = backend.replace_portal("datagouv", stored, now=datetime.now(timezone.utc))
    figures = {"store_and_index_seconds": time.perf_counter() - started, "records": stats.created}
    print(f"{stats.created} records stored and indexed in {figures['store_and_index_seconds']:.0f} s", flush=True)
    figures["search_embedded"] = search_figures(backend, rounds=5 if quick else 20, quick=quick)
    started = time.perf_counter()
    backend.reindex()
    figures["search_embedded"]["reindex_seconds"] = time.perf_counter() - started
    backend.close()
    print(json.dumps(figures["search_embedded"]), flush=True)
    return figures


def engine_figures(tmp: Path, stored: list[Record], *, quick: bool) -> dict:
    """The same records and the same distinct queries and prefixes on the Elasticsearch backend (test engine)."""
    from elasticsearch import Elasticsearch

    from service.search.elasticsearch_ import ElasticsearchBackend
    from tests.engine.opensearch import start_compat_proxy, start_engine

    engine = start_engine(tmp / "engine", heap="1g")
    proxy_url, stop_proxy = start_compat_proxy(engine.url)
    try:
        backend = ElasticsearchBackend(Elasticsearch(proxy_url, request_timeout=300), prefix="bench-search")
        started = time.perf_counter()
        backend.replace_portal("datagouv", stored, now=datetime.now(timezone.utc))
        figures = {"engine_store_seconds": time.perf_counter() - started, "engine_version": engine.version}
        figures["search_engine"] = search_figures(backend, rounds=5 if quick else 10, quick=quick)
        backend.close()
        print(json.dumps(figures["search_engine"]), flush=True)
        return figures
    finally:
        stop_proxy()
        engine.stop()


if __name__ == "__main__":
    main()
