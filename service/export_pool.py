"""``fedcat export`` on every core: pages of the export written by worker processes, in order.

The main process reads the store in one pass (one snapshot, as the one-process export does)
and hands each page's records to a worker as the JSON the store keeps; a worker decodes them,
runs the export profiles and writes the page as N-Triples or Turtle text, which the main
process writes out in page order. The profiles' Python per field is most of an export's time,
and it needs no shared state across pages (each page is a document of its own: its
blank-node labels carry a random prefix), so two cores write it twice as fast.

Workers start through ``forkserver`` (a plain fork of a threaded parent could copy a lock
another thread holds), each page at most :data:`AHEAD` per worker in flight, so memory holds
a few pages, not the catalogue.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from mappings.profiles.base import CatalogInfo, CatalogPage, Profile, catalog_sink, get_profiles
from mappings.record import Record
from service.rdf_formats import format_for_extension, serialize_sink

__all__ = ["AHEAD", "PageJob", "TEXT_EXTENSIONS", "export_workers", "render_page", "rendered_in_order"]

#: syntaxes whose pages are complete texts a worker can write (RDF/XML and JSON-LD pages are merged as structures)
TEXT_EXTENSIONS = frozenset({"nt", "ttl"})
#: pages in flight per worker: enough to keep it busy while the main process writes
AHEAD = 2
#: below this many records, starting workers (about a second) costs more than they save
_WORTH_WORKERS = 5_000


@dataclass(frozen=True)
class PageJob:
    """One page of the export, as a worker receives it: stored record JSON and what the catalogue says."""

    records: list[str]
    info: CatalogInfo
    total: int
    whole: str
    modified: str | None
    profiles: tuple[str, ...]
    extension: str


def export_workers(total: int, extension: str) -> int:
    """Worker processes for an export of ``total`` records: the usable CPUs (at most two), or 0 to write in-process."""
    if extension not in TEXT_EXTENSIONS or total < _WORTH_WORKERS:
        return 0
    cpus = len(os.sched_getaffinity(0))
    return min(2, cpus) if cpus > 1 else 0


def render_page(job: PageJob) -> bytes:
    """The page written by the export profiles, exactly as the one-process export writes it."""
    records = [Record.from_json(text) for text in job.records]
    whole = job.whole
    page = CatalogPage(
        info=job.info, records=records, total=job.total, page=1, page_size=max(job.total, 1),
        page_url=lambda n: whole, modified=job.modified,
    )
    return serialize_sink(catalog_sink(page, _profiles(job.profiles)), format_for_extension(job.extension))


@lru_cache(maxsize=8)
def _profiles(names: tuple[str, ...]) -> list[Profile]:
    return get_profiles(list(names))


def rendered_in_order(jobs: Iterable[PageJob], workers: int) -> Iterator[tuple[PageJob, bytes]]:
    """``(job, its page)`` for each job, in the jobs' order, written by ``workers`` processes."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[tuple[PageJob, Future]] = deque()
        for job in jobs:
            pending.append((job, pool.submit(render_page, job)))
            if len(pending) > AHEAD * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
