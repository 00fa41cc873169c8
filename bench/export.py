"""DCAT export speed: one Hydra page of 100, and the whole catalogue walked page by page.

Cold figures are pages rendered for the first time since the last write; warm ones
are the same requests again, served from the export's page cache.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings

__all__ = ["ExportResult", "measure_export"]


@dataclass(frozen=True)
class ExportResult:
    """Milliseconds for one page, datasets per second for the whole catalogue (cold, then warm)."""

    page_ms_p50: float
    page_ms_max: float
    full_datasets_per_second: float
    full_seconds: float
    datasets: int
    page_ms_p50_warm: float = 0.0
    full_datasets_per_second_warm: float = 0.0


def measure_export(database: Path, *, full: bool = True) -> ExportResult:
    """Time ``/catalog.ttl`` pages through the app (in-process, as a harvester of fedcat would see them)."""
    settings = Settings(database=str(database), base_url="http://fedcat.bench")
    client = create_app(catalogue=Catalogue(settings, portals=[])).test_client()
    client.get("/catalog.ttl?page=5&page_size=100")  # warm up (imports, vocabularies), a page not measured
    page_times, warm_times = _page_times(client), _page_times(client)
    datasets, seconds = _walk(client) if full else (0, 0.0)
    warm_datasets, warm_seconds = _walk(client) if full else (0, 0.0)
    return ExportResult(
        page_ms_p50=statistics.median(page_times),
        page_ms_max=max(page_times),
        full_datasets_per_second=datasets / seconds if datasets else 0.0,
        full_seconds=seconds,
        datasets=datasets,
        page_ms_p50_warm=statistics.median(warm_times),
        full_datasets_per_second_warm=warm_datasets / warm_seconds if warm_datasets else 0.0,
    )


def _page_times(client) -> list[float]:
    times = []
    for page in (1, 2, 3, 10, 50):
        start = time.perf_counter()
        response = client.get(f"/catalog.ttl?page={page}&page_size=100")
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            break
    return times


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
