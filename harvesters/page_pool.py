"""Build and map catalogue pages in worker processes, so a harvest uses more than one core.

The main process keeps everything that talks to the portal or the store (HTTP,
conditional requests, the page cache, the writes). A worker receives a fetched
response and the harvester function that builds its page (pickled by reference); it parses
the page, sends back at once what paging needs (the next cursor, the page's
digest), then maps every dataset of the page and sends the outcomes, in order.

Workers start through ``forkserver``: a plain fork of a threaded parent
(gunicorn gthread workers, the scheduler, the lock renewer) could copy a lock
held by another thread. The forkserver imports the harvesting code once, so a
pool of one harvest starts in tens of milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import types
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from queue import Full, Queue
from typing import Any, Callable, Iterator, TypeVar

from harvesters.errors import HarvestError
from harvesters.fetch.http import Response
from harvesters.fetch.limits import HarvestLimits
from harvesters.fetch.page_cache import PageEntry
from mappings.jobs import FailedRecord
from mappings.portals import Portal

__all__ = ["PagePool", "ParsedPage", "WorkerCrashed", "WorkerSpec", "default_workers", "prefetched"]

T = TypeVar("T")

_PRELOAD = ["harvesters.base", "harvesters.page_pool", "harvesters.page_mappers"]
_STOP = None


class WorkerCrashed(HarvestError):
    """A worker process died while building or mapping a page: the run fails, nothing is written."""


@dataclass
class ParsedPage:
    """What a worker says of a page as soon as it is parsed: enough to go on paging and to cache it."""

    url: str
    next: str | None
    failures: list[FailedRecord]
    skipped: int
    cacheable: bool
    graph_hash: str


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker builds its own harvester from (a build must depend on these and the response only)."""

    harvester_class: type
    portal: Portal
    max_pages: int
    harvested_at: str | None
    limits: HarvestLimits


def default_workers() -> int:
    """Worker processes for a harvest: the usable CPUs, at most two (the main process needs a core too)."""
    return max(1, min(2, len(os.sched_getaffinity(0))))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    pending: dict[int, tuple[Future, Future]] = field(default_factory=dict)


class PagePool:
    """A few worker processes for one harvest; use as a context manager.

    :param spec: what each worker builds its own harvester from.
    """

    def __init__(self, size: int, spec: WorkerSpec) -> None:
        self._size = size
        self._spec = spec
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._next_id = 0
        self._reader: threading.Thread | None = None
        self._closed = False

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def submit(self, build: Callable, response: Response, cached: PageEntry | None) -> tuple[Future, Future]:
        """Send a page to the least busy worker: a future of its :class:`ParsedPage`, one of its outcomes.

        :param build: a harvester class's function ``build(harvester, response) -> Page``.
        :param cached: the page at the last run: its digest and those of its datasets are sent along.
        """
        with self._lock:
            if self._closed:
                raise WorkerCrashed("the harvest's workers are already stopped")
            if not self._workers:
                self._start()
            worker = min(self._workers, key=lambda w: len(w.pending))
            job_id, self._next_id = self._next_id, self._next_id + 1
            futures = (Future(), Future())
            worker.pending[job_id] = futures
        try:
            known = (cached.graph_hash, cached.known_datasets()) if cached is not None else (None, {})
            worker.conn.send((job_id, build, response, *known))
        except (OSError, ValueError) as exc:
            self._crashed(worker, f"could not reach a harvest worker: {exc}")
        return futures

    def close(self) -> None:
        """Stop the workers (at once: whatever they still do is no longer wanted)."""
        with self._lock:
            workers, self._workers, self._closed = self._workers, [], True
        for worker in workers:
            worker.process.terminate()
        for worker in workers:
            worker.process.join(timeout=5)
            self._crashed(worker, "the harvest stopped before the worker finished")
        if self._reader is not None:
            self._reader.join(timeout=5)
        for worker in workers:
            worker.conn.close()

    def _start(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        for _ in range(self._size):
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, self._spec), daemon=True)
            process.start()
            child.close()
            self._workers.append(_Worker(process, parent))
        self._reader = threading.Thread(target=self._read, args=(list(self._workers),), daemon=True)
        self._reader.start()

    def _read(self, workers: list[_Worker]) -> None:
        """Hand each message to the future waiting for it; a worker gone fails what it still owed."""
        by_conn = {worker.conn: worker for worker in workers}
        while by_conn:
            for conn in wait(list(by_conn)):
                worker = by_conn[conn]
                try:
                    self._deliver(worker, conn.recv())
                except (EOFError, OSError):
                    del by_conn[conn]
                    self._crashed(worker, f"a harvest worker stopped (exit code {worker.process.exitcode})")

    def _deliver(self, worker: _Worker, message: tuple) -> None:
        kind, job_id, payload = message
        with self._lock:
            parsed, outcomes = worker.pending[job_id]
        if kind == "error":
            parsed.set_exception(payload)
            outcomes.set_exception(payload)
            worker.pending.pop(job_id, None)
        elif kind == "parsed":
            parsed.set_result(payload)
        else:
            outcomes.set_result(payload)
            worker.pending.pop(job_id, None)

    def _crashed(self, worker: _Worker, reason: str) -> None:
        with self._lock:
            pending, worker.pending = worker.pending, {}
        for futures in pending.values():
            for future in futures:
                if not future.done():
                    future.set_exception(WorkerCrashed(reason))


def _serve(conn: Connection, spec: WorkerSpec) -> None:
    """A worker's loop: build and map each page it is sent, until told to stop."""
    harvester = spec.harvester_class(spec.portal, max_pages=spec.max_pages, limits=spec.limits)
    while (job := conn.recv()) is not _STOP:
        job_id, build, response, cached_graph_hash, known = job
        try:
            page, graph_hash = harvester.page_with_digest(types.MethodType(build, harvester), response)
        except Exception as exc:  # noqa: BLE001 - the main process raises it as the in-process build would
            conn.send(("error", job_id, _picklable(exc)))
            continue
        page.known = known
        conn.send(("parsed", job_id, _parsed(page, graph_hash)))
        unchanged = cached_graph_hash == graph_hash
        conn.send(("outcomes", job_id, [] if unchanged else list(harvester.outcomes(page, spec.harvested_at))))


def _parsed(page: Any, graph_hash: str) -> ParsedPage:
    return ParsedPage(page.url, page.next, page.failures, page.skipped, page.cacheable, graph_hash)


def _picklable(exc: Exception) -> Exception:
    """The exception itself when it crosses the pipe intact, else a HarvestError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception type may refuse pickling
        return HarvestError(f"unexpected {exc.__class__.__name__}: {exc}")
    return exc


def prefetched(items: Iterator[T], depth: int) -> Iterator[T]:
    """``items`` drawn by a thread of their own, at most ``depth`` ahead; an error arrives in its place.

    The main thread goes on writing records while the pages after them are
    fetched and handed to the workers.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()
    threading.Thread(target=_produce, args=(items, queue, stop), daemon=True).start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _produce(items: Iterator, queue: Queue, stop: threading.Event) -> None:
    try:
        for item in items:
            if not _put(queue, ("item", item), stop):
                return
    except BaseException as exc:  # noqa: BLE001 - handed over to be raised by the consumer
        _put(queue, ("error", exc), stop)
        return
    _put(queue, ("end", None), stop)


def _put(queue: Queue, message: tuple, stop: threading.Event) -> bool:
    """Put unless the consumer has gone away (then False)."""
    while not stop.is_set():
        try:
            queue.put(message, timeout=0.1)
            return True
        except Full:
            continue
    return False
