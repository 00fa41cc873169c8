"""Who builds fetched pages and maps their datasets: this process, or a pool of worker processes.

A harvester is given one :class:`PageMapper` when it is made (``mapper=``). Both kinds answer
the same two questions: which pages the run walks (:meth:`PageMapper.running`) and how one
fetched response becomes a page (:meth:`PageMapper.build`). The pooled one sends a build to a
worker as the function itself (pickled by reference), never by name.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

from harvesters.fetch.http import Response
from harvesters.fetch.page_cache import PageEntry
from harvesters.page import Page
from harvesters.page_pool import PagePool, WorkerSpec, default_workers, prefetched

if TYPE_CHECKING:
    from harvesters.base import Harvester

__all__ = ["PageMapper", "PooledMapper", "SerialMapper", "mapper_for"]

Build = Callable[[Response], Page]


class PageMapper(ABC):
    """Builds a harvester's pages and maps their datasets.

    One mapper serves one run at a time: :meth:`running` opens it, :meth:`build` is called for
    every fetched page while it is open.
    """

    @abstractmethod
    @contextmanager
    def running(self, harvester: Harvester, pages: Iterator[Page], harvested_at: str | None) -> Iterator[Iterator[Page]]:
        """Open the mapper for one run.

        :param harvester: the harvester whose pages are built.
        :param pages: the pages as the harvester walks them.
        :param harvested_at: the time stamped on every record.
        :returns: (as a context) the pages the run reads, in order.
        """

    @abstractmethod
    def build(self, harvester: Harvester, build: Build, response: Response, cached: PageEntry | None) -> tuple[Page, str]:
        """Build one fetched page and digest it.

        :param build: the harvester's build for this kind of page.
        :param cached: the page at the last run (a worker then skips mapping it again when its digest is the
            same, and maps only the datasets whose digest changed).
        :returns: the page (its ``outcomes`` set when they are mapped elsewhere) and its digest.
        """


class SerialMapper(PageMapper):
    """Everything in this process: each page is built, then mapped, as it is read."""

    @contextmanager
    def running(self, harvester: Harvester, pages: Iterator[Page], harvested_at: str | None) -> Iterator[Iterator[Page]]:
        """The pages as they come."""
        yield pages

    def build(self, harvester: Harvester, build: Build, response: Response, cached: PageEntry | None) -> tuple[Page, str]:
        """Build the page here."""
        return harvester.page_with_digest(build, response)


class PooledMapper(PageMapper):
    """``workers`` processes build and map pages while a thread of this one fetches ahead.

    The first page is built here (a catalogue of one page needs no pool), and so is a build
    that is not one of the harvester's own methods: a closure holds state a worker lacks.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: PagePool | None = None
        self._built = 0

    @contextmanager
    def running(self, harvester: Harvester, pages: Iterator[Page], harvested_at: str | None) -> Iterator[Iterator[Page]]:
        """Start the workers, and fetch up to ``workers`` pages ahead."""
        spec = WorkerSpec(type(harvester), harvester.portal, harvester.max_pages, harvested_at, harvester.limits)
        self._built = 0
        with PagePool(self.workers, spec) as pool:
            self._pool = pool
            try:
                yield prefetched(pages, depth=self.workers)
            finally:
                self._pool = None

    def build(self, harvester: Harvester, build: Build, response: Response, cached: PageEntry | None) -> tuple[Page, str]:
        """Build in a worker once paging has shown the catalogue has more than one page."""
        first, self._built = self._built == 0, self._built + 1
        if self._pool is None or first or not _own_method(build, harvester):
            return harvester.page_with_digest(build, response)
        parsed_future, outcomes = self._pool.submit(build.__func__, response, cached)
        parsed = parsed_future.result()
        page = Page(url=parsed.url, next=parsed.next, failures=parsed.failures, skipped=parsed.skipped)
        page.cacheable, page.outcomes = parsed.cacheable, outcomes
        return page, parsed.graph_hash


def mapper_for(workers: int) -> PageMapper:
    """The mapper for ``FEDCAT_HARVEST_WORKERS``: 1 maps here, more a pool, 0 the usable CPUs."""
    workers = workers or default_workers()
    return SerialMapper() if workers <= 1 else PooledMapper(workers)


def _own_method(build: Build, harvester: Harvester) -> bool:
    return inspect.ismethod(build) and build.__self__ is harvester
