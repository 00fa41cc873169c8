"""``python -m bench.search_only``: the search targets at 80,000 datasets without the HTTP harvest.

The store is filled straight from the benchmark's generator (``simulators.sample_data.generate``,
the datasets the udata simulator serves), each mapped to a record and normalised as a harvest
does, then indexed by the embedded backend. Measures distinct first-time queries, suggestions,
a full reindex, and HTTP under gunicorn (deployed workers at concurrency 16, and one worker for
one client) with the workers' memory. Used when the full ``python -m bench`` cannot run (it
renders the whole catalogue as Turtle first).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.__main__ import machine, search_figures
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
    parser = argparse.ArgumentParser(prog="python -m bench.search_only")
    parser.add_argument("--size", type=int, default=80_000)
    parser.add_argument("--http-seconds", type=int, default=20)
    parser.add_argument("--output", type=Path, default=Path("/tmp/fedcat-search-only.json"))
    args = parser.parse_args(argv)
    from datetime import datetime, timezone

    from service.search.tantivy_ import TantivyBackend

    figures: dict = {"size": args.size, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="fedcat-search-") as tmp:
        database = Path(tmp) / "bench.db"
        backend = TantivyBackend(str(database))
        started = time.perf_counter()
        stats = backend.replace_portal("datagouv", records(args.size), now=datetime.now(timezone.utc))
        figures["store_and_index_seconds"] = time.perf_counter() - started
        figures["records"] = stats.created
        print(f"{stats.created} records stored and indexed in {figures['store_and_index_seconds']:.0f} s", flush=True)
        figures["search_embedded"] = search_figures(backend, rounds=20, quick=False)
        started = time.perf_counter()
        backend.reindex()
        figures["search_embedded"]["reindex_seconds"] = time.perf_counter() - started
        backend.close()
        print(json.dumps(figures["search_embedded"]), flush=True)
        http = measure_http(database, seconds=args.http_seconds)
        figures["http"] = http.__dict__ if http else None
        one = measure_http(database, seconds=args.http_seconds, concurrency=1, workers=1)
        figures["http_one_client"] = one.__dict__ if one else None
    args.output.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(json.dumps(figures, indent=1))
    return figures


if __name__ == "__main__":
    main()
