"""DCAT export speed: Hydra pages of 100, ``fedcat export`` of the whole catalogue, and the catalogue walked page by page.

Cold figures are pages rendered for the first time since the last write (each page asked
once); warm ones are the same requests again, served from the export's page cache.
``fedcat export`` (:func:`service.export_stream.export_catalogue`) is timed with its
default worker processes and in one process, writing to nowhere.

:func:`measure_export_ratios` compares, in one run and page by page, the export's fast
path (profiles writing into a :class:`~mappings.profiles.sink.PageSink`, written out as
text) with the graph-built path (the same profiles into an rdflib graph, then
serialised): both read their records from the store, neither uses the page cache.

``python -m bench.export --size 80000`` fills a store straight from the benchmark's generator
(as ``bench.search_only`` does, no HTTP harvest) and prints the export figures alone.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench.backends import percentile
from mappings.profiles.base import build_catalog_graph, catalog_sink
from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.export_pool import export_workers
from service.export_stream import export_catalogue
from service.rdf_formats import format_for_extension, serialize, serialize_sink

__all__ = ["ExportRatios", "ExportResult", "main", "measure_export", "measure_export_ratios"]


@dataclass(frozen=True)
class ExportResult:
    """Milliseconds for one page, datasets per second for the whole catalogue (cold, then warm).

    ``export_*``: ``fedcat export`` in N-Triples (its default workers, then one process);
    ``full_*``: ``/catalog.nt`` walked page by page through the app.
    """

    page_ms_p50: float
    page_ms_max: float
    full_datasets_per_second: float
    full_seconds: float
    datasets: int
    page_ms_p50_warm: float = 0.0
    full_datasets_per_second_warm: float = 0.0
    page_ms_p99: float = 0.0
    pages: int = 0
    export_datasets_per_second: float = 0.0
    export_datasets_per_second_one_process: float = 0.0
    export_workers: int = 0


def measure_export(database: Path, *, full: bool = True, pages: int = 100) -> ExportResult:
    """Time ``/catalog.ttl`` pages through the app (in-process, as a harvester of fedcat would see them), and the full export.

    :param pages: cold Turtle pages timed, spread over the catalogue, each asked once.
    """
    settings = Settings(database=str(database), base_url="http://fedcat.bench")
    catalogue = Catalogue(settings, portals=[])
    client = create_app(catalogue=catalogue).test_client()
    client.get("/catalog.ttl?page=1&page_size=100")  # warm up (imports, vocabularies), a page not timed again
    numbers = _spread(pages, max(2, -(-catalogue.backend.count() // 100)))
    page_times, warm_times = _page_times(client, numbers), _page_times(client, numbers)
    exported = _export_rates(catalogue) if full else {}
    datasets, seconds = _walk(client) if full else (0, 0.0)
    warm_datasets, warm_seconds = _walk(client) if full else (0, 0.0)
    return ExportResult(
        page_ms_p50=statistics.median(page_times),
        page_ms_max=max(page_times),
        page_ms_p99=percentile(page_times, 99),
        pages=len(page_times),
        full_datasets_per_second=datasets / seconds if datasets else 0.0,
        full_seconds=seconds,
        datasets=datasets,
        page_ms_p50_warm=statistics.median(warm_times),
        full_datasets_per_second_warm=warm_datasets / warm_seconds if warm_datasets else 0.0,
        **exported,
    )


def _spread(count: int, last: int) -> list[int]:
    """``count`` distinct page numbers spread over pages 2 to ``last`` (page 1 warmed the process up)."""
    return list(dict.fromkeys(2 + (n * 7919) % (last - 1) for n in range(count)))


def _page_times(client, numbers: list[int]) -> list[float]:
    times = []
    for page in numbers:
        start = time.perf_counter()
        response = client.get(f"/catalog.ttl?page={page}&page_size=100")
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"/catalog.ttl?page={page}: HTTP {response.status_code}")
    return times


class _Nowhere:
    """A binary file that keeps nothing (the export's own work is timed, not the disk's)."""

    def write(self, data: bytes) -> int:
        return len(data)

    def writelines(self, lines) -> None:
        for _ in lines:
            pass


def _export_rates(catalogue: Catalogue) -> dict:
    """``fedcat export`` in N-Triples: datasets per second with its default workers, then in one process."""
    nt, rates = format_for_extension("nt"), {}
    workers = export_workers(catalogue.backend.count(), "nt")
    for key, count in (("export_datasets_per_second", workers), ("export_datasets_per_second_one_process", 0)):
        start = time.perf_counter()
        written = export_catalogue(catalogue, nt, _Nowhere(), base_url="http://fedcat.bench", workers=count)
        rates[key] = written / (time.perf_counter() - start)
    return {**rates, "export_workers": workers}


def _walk(client) -> tuple[int, float]:
    """Datasets and seconds for ``/catalog.nt`` walked page by page."""
    datasets, start, page = 0, time.perf_counter(), 1
    while True:
        response = client.get(f"/catalog.nt?page={page}&page_size=100")
        if response.status_code != 200:
            break
        datasets += response.data.count(b"#type> <http://www.w3.org/ns/dcat#Dataset> .")
        page += 1
    return datasets, time.perf_counter() - start


@dataclass(frozen=True)
class ExportRatios:
    """Cold Turtle pages of 100 and a full N-Triples walk, fast path vs graph-built, measured side by side."""

    page_ms_fast: float
    page_ms_graph: float
    full_datasets_per_second_fast: float
    full_datasets_per_second_graph: float
    datasets: int

    @property
    def page_speedup(self) -> float:
        """How many times faster a cold Turtle page is on the fast path."""
        return self.page_ms_graph / self.page_ms_fast

    @property
    def full_speedup(self) -> float:
        """How many times faster the full N-Triples export is on the fast path."""
        return self.full_datasets_per_second_fast / self.full_datasets_per_second_graph


def measure_export_ratios(database: Path, *, page_size: int = 100, pages: int = 15, walk: int | None = None) -> ExportRatios:
    """Both paths on the same pages, alternating (a loaded machine slows both alike).

    :param pages: Turtle pages timed (spread over the catalogue).
    :param walk: N-Triples pages walked from the first (default: every page).
    """
    catalogue = Catalogue(Settings(database=str(database), base_url="http://fedcat.bench"), portals=[])
    ttl, nt = format_for_extension("ttl"), format_for_extension("nt")
    last = max(1, -(-catalogue.backend.count() // page_size))
    _render(catalogue, 1, page_size, ttl, fast=True), _render(catalogue, 1, page_size, ttl, fast=False)  # imports, tables
    numbers = [1 + (n * 7919) % last for n in range(pages)]
    fast_ms, graph_ms = [], []
    for number in numbers:
        fast_ms.append(_render(catalogue, number, page_size, ttl, fast=True)[0])
        graph_ms.append(_render(catalogue, number, page_size, ttl, fast=False)[0])
    full = {True: [0, 0.0], False: [0, 0.0]}
    for number in range(1, min(last, walk or last) + 1):
        for fast in (True, False):
            seconds, datasets = _render(catalogue, number, page_size, nt, fast=fast)
            full[fast][0] += datasets
            full[fast][1] += seconds / 1000
    catalogue.close()
    return ExportRatios(
        page_ms_fast=statistics.median(fast_ms),
        page_ms_graph=statistics.median(graph_ms),
        full_datasets_per_second_fast=full[True][0] / full[True][1],
        full_datasets_per_second_graph=full[False][0] / full[False][1],
        datasets=full[True][0],
    )


def _render(catalogue: Catalogue, number: int, page_size: int, fmt, *, fast: bool) -> tuple[float, int]:
    """Milliseconds to read and write one page cold (as the export blueprint does on a cache miss), and its datasets."""
    gc.collect()  # the other path's garbage is not this one's to collect
    start = time.perf_counter()
    page = catalogue.catalog_page(
        base_url="http://fedcat.bench", page=number, page_size=page_size, page_url=lambda n: f"http://fedcat.bench/catalog?page={n}"
    )
    if fast:
        serialize_sink(catalog_sink(page, catalogue.profiles), fmt)
    else:
        serialize(build_catalog_graph(page, catalogue.profiles), fmt)
    return (time.perf_counter() - start) * 1000, len(page.records)


def main(argv: list[str] | None = None) -> dict:
    """``python -m bench.export``: a store of ``--size`` generated datasets, then the export figures (JSON)."""
    parser = argparse.ArgumentParser(prog="python -m bench.export")
    parser.add_argument("--size", type=int, default=80_000)
    parser.add_argument("--database", type=Path, help="a store to use (kept), built first if missing")
    parser.add_argument("--pages", type=int, default=100, help="cold Turtle pages timed (default %(default)s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fedcat-export-") as tmp:
        database = args.database or Path(tmp) / "bench.db"
        if not database.exists():
            _fill(database, args.size)
        figures = {"size": args.size, "export": measure_export(database, pages=args.pages).__dict__}
        ratios = measure_export_ratios(database, walk=100)
        figures["export_ratios"] = {**ratios.__dict__, "page_speedup": ratios.page_speedup, "full_speedup": ratios.full_speedup}
    print(json.dumps(figures, indent=1))
    return figures


def _fill(database: Path, size: int) -> None:
    from bench.search_only import records
    from service.search.tantivy_ import TantivyBackend

    backend = TantivyBackend(str(database))
    backend.replace_portal("datagouv", records(size), now=datetime.now(timezone.utc))
    backend.close()


if __name__ == "__main__":
    main()
