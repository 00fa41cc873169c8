"""Run one harvest of one portal into a search backend, recording it as a job.

The service's half of the harvest pipeline: take the portal's lock, record the job, then
fetch pages → parse → map (the portal kind's harvester, :func:`harvesters.pipeline.harvest_records`)
→ write (the store, in one atomic replace), remember the page validators, and finish the job.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Iterator

from harvesters import get_harvester
from harvesters.base import Harvester, HarvestReport
from harvesters.errors import HarvestError
from harvesters.fetch.http import HttpClient
from harvesters.fetch.page_cache import KeepRecords, PageCache
from harvesters.page_mappers import mapper_for
from mappings.jobs import HarvestJob, WriteStats
from mappings.portals import Portal
from mappings.record import Record
from service.harvesting.locking import PortalBusy, PortalLock
from service.harvesting.options import HarvestHooks, HarvestOptions, utc_now
from service.search.base import SearchBackend, StoreError
from service.store.base import KeptRecord

__all__ = ["HarvestHooks", "HarvestInterrupted", "HarvestOptions", "PortalBusy", "harvest_portal", "utc_now"]

logger = logging.getLogger(__name__)
_ORPHANED = "interrupted: the process running this harvest stopped before it finished (found by a later run)"
_NEVER_STARTED = "never started: no scheduler picked up this requested harvest before its lock expired (is `fedcat scheduler` running?)"
_ORPHAN_REASONS = {"running": _ORPHANED, "requested": _NEVER_STARTED}


class HarvestInterrupted(HarvestError):
    """The run was stopped while reading the portal (shutdown, or its lock was lost): nothing was written."""


def harvest_portal(
    portal: Portal,
    backend: SearchBackend,
    options: HarvestOptions = HarvestOptions(),
    hooks: HarvestHooks = HarvestHooks(),
    *,
    job_id: str | None = None,
    lock_owner: str | None = None,
) -> HarvestJob:
    """Harvest ``portal`` into ``backend`` atomically, under the portal's lock; never raises for harvest failures.

    :param options: the harvest's settings (:meth:`HarvestOptions.from_settings` for a deployment's).
    :param hooks: the clock, the retry sleep and what to call while the run goes.
    :param job_id: the id of the job (the admin API announces it before the run starts).
    :param lock_owner: who holds the lock (a caller that took it already passes its own name).
    :returns: the finished job, also saved in the backend.
    :raises PortalBusy: when another run holds the portal's lock; nothing was read or written.
    """
    job = HarvestJob(job_id=job_id or uuid.uuid4().hex, portal_id=portal.id, started_at=hooks.now().isoformat())
    try:
        lock = PortalLock.acquire(backend, portal.id, owner=lock_owner, ttl=options.lock_ttl)
    except StoreError as exc:  # the store is down: do not read the portal for nothing
        hooks.failed(exc)
        failed = _finished(job, HarvestReport(), hooks.now(), status="failed", error=f"could not take the harvest lock: {exc}")
        _save_job(backend, failed)
        return failed
    with lock:
        _fail_orphans(backend, portal.id, hooks.now(), keep=job.job_id)
        return _Run(portal, backend, options, hooks, _stop_reason(lock, hooks.should_stop)).run(job)


@dataclass
class _Run:
    """One run, the portal's lock held: read everything, then apply it in one write."""

    portal: Portal
    backend: SearchBackend
    options: HarvestOptions
    hooks: HarvestHooks
    stop_reason: Callable[[], str | None]

    def run(self, job: HarvestJob) -> HarvestJob:
        """Record the job as running, harvest, and record how it ended."""
        _save_job(self.backend, job)
        report = HarvestReport()
        try:
            stats = self.read_and_write(datetime.fromisoformat(job.started_at), report)
        except (HarvestError, StoreError) as exc:
            self.hooks.failed(exc)
            job = _finished(job, report, self.hooks.now(), status="failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must never stay "running" because of a bug
            self.hooks.failed(exc)
            logger.exception("harvest of %s crashed", self.portal.id)
            job = _finished(job, report, self.hooks.now(), status="failed", error=f"unexpected {exc.__class__.__name__}: {exc}")
        else:
            job = _succeeded(job, report, stats, self.hooks.now())
        _save_job(self.backend, job)
        return job

    def read_and_write(self, started: datetime, report: HarvestReport) -> WriteStats:
        """Fetch, parse and map the pages (the harvester), write the records (the store), keep the validators."""
        cache = PageCache() if self.options.revalidate else _stored_cache(self.backend, self.portal.id)
        harvester = self.harvester(cache)
        # closed as soon as the write is over or failed: that stops the paging thread and the workers
        with closing(harvester.records(report, harvested_at=started.isoformat())) as stream:
            records = self.to_write(stream, cache, report, started)
            stats = self.backend.replace_portal(
                self.portal.id, records, now=started, grace=self.options.grace, is_complete=lambda: report.complete
            )
        _save_cache(self.backend, self.portal.id, cache, report)
        return stats

    def harvester(self, cache: PageCache) -> Harvester:
        """The portal kind's harvester, with the guarded HTTP client and the configured page mapper."""
        allowed = frozenset({self.portal.origin}) | self.options.allowed_hosts
        http = HttpClient(allowed_hosts=allowed, settings=self.options.http, sleep=self.hooks.sleep)
        return get_harvester(self.portal.kind)(
            self.portal,
            http,
            max_pages=self.options.max_pages,
            page_cache=cache,
            limits=self.options.limits,
            mapper=mapper_for(self.options.workers),
        )

    def to_write(
        self, stream: Iterable[Record | KeepRecords], cache: PageCache, report: HarvestReport, started: datetime
    ) -> Iterator[Record | KeptRecord]:
        """The records to write: unchanged pages' records kept (or read back from the store), transformed,
        stoppable, with progress."""
        transform = self.hooks.transform
        # what a transform adds may depend on the day: kept records go through it on a day's first run
        keep_stored = self.backend.keeps_records and (
            transform is None or _ran_on_the_day(self.backend, self.portal.id, started)
        )
        records: Iterable[Record | KeptRecord] = _resolve_kept(stream, self.backend, cache, report, keep_stored=keep_stored)
        if transform is not None:
            records = _transformed(records, transform)
        return _with_progress(_stoppable(records, self.stop_reason), report, self.hooks.on_progress)


def _succeeded(job: HarvestJob, report: HarvestReport, stats: WriteStats, finished: datetime) -> HarvestJob:
    for rejection in stats.rejected:  # records the store refused count as failed too
        report.fail(rejection.reason, rejection.source)
    status = "done-with-errors" if report.failed_count or not report.complete else "done"
    return _finished(job, report, finished, status=status, stats=stats)


def _stop_reason(lock: PortalLock, should_stop: Callable[[], bool] | None) -> Callable[[], str | None]:
    """Why the run must stop now, or None: its lock was lost, or its process is shutting down."""

    def reason() -> str | None:
        if lock.lost:
            return "harvest stopped: its portal lock expired and another run took it; nothing was written"
        if should_stop is not None and should_stop():
            return "harvest interrupted by shutdown before anything was written; the next run starts over"
        return None

    return reason


def _stoppable(records: Iterable[Record], stop_reason: Callable[[], str | None]) -> Iterator[Record]:
    # the store writes only once the stream is exhausted, so stopping while reading changes nothing
    for record in records:
        reason = stop_reason()
        if reason:
            raise HarvestInterrupted(reason)
        yield record


def _fail_orphans(backend: SearchBackend, portal_id: str, finished: datetime, *, keep: str) -> None:
    """Mark failed the portal's jobs still "running" or "requested": with its lock held, no other run
    of it is alive, and a request whose lock this run could take was never started."""
    try:
        stale = [job for job in backend.jobs(portal_id=portal_id, limit=20) if job.status in _ORPHAN_REASONS]
    except StoreError:
        return
    for job in stale:
        if job.job_id != keep:
            reason = _ORPHAN_REASONS[job.status]
            _save_job(backend, job.finish(status="failed", finished_at=finished.isoformat(), error=reason))


def _save_job(backend: SearchBackend, job: HarvestJob) -> None:
    # a store that cannot record the job must not hide the job's outcome from the caller
    try:
        backend.save_job(job)
    except StoreError as exc:
        logger.warning("could not save harvest job %s of %s: %s", job.job_id, job.portal_id, exc)


def _stored_cache(backend: SearchBackend, portal_id: str) -> PageCache:
    """The page cache of the last run, unless the store lost records it vouches for (then read everything)."""
    cache = PageCache.from_stored(backend.page_cache(portal_id))
    if cache.previous and backend.counts_by_portal().get(portal_id, 0) < cache.record_count():
        return PageCache()
    return cache


def _save_cache(backend: SearchBackend, portal_id: str, cache: PageCache, report: HarvestReport) -> None:
    # the records are already stored: failing to remember the pages only costs a full read next time
    try:
        backend.save_page_cache(portal_id, cache.to_stored(complete=report.complete))
    except StoreError as exc:
        report.warnings.append(f"page validators not saved ({exc}); the next harvest reads every page")


def _resolve_kept(
    stream: Iterable[Record | KeepRecords],
    backend: SearchBackend,
    cache: PageCache,
    report: HarvestReport,
    *,
    keep_stored: bool,
) -> Iterator[Record | KeptRecord]:
    """Records as they come, and for each unchanged page the records it produced last time: as
    :class:`KeptRecord` when ``keep_stored`` (nothing decoded), else read back from the store."""
    for item in stream:
        if not isinstance(item, KeepRecords):
            yield item
            continue
        if keep_stored:
            stored = backend.stored_ids(item.record_ids)
            kept: list = [KeptRecord(record_id) for record_id in item.record_ids if record_id in stored]
        else:
            kept = backend.get_many(item.record_ids)
        if len(kept) < len(item.record_ids):
            cache.forget(item.page_key)
            report.warnings.append(
                f"{len(item.record_ids) - len(kept)} records of unchanged page {item.page_key} were no longer"
                " stored; the page will be read again next time"
            )
        yield from kept


def _transformed(
    records: Iterable[Record | KeptRecord], transform: Callable[[Record], Record], *, batch: int = 200
) -> Iterator[Record | KeptRecord]:
    """Records through ``transform`` (a batch at a time when it has a ``many`` method), kept records as they are."""
    many = getattr(transform, "many", None) or (lambda records: [transform(record) for record in records])
    pending: list[Record] = []
    for record in records:
        if isinstance(record, KeptRecord):
            yield record
            continue
        pending.append(record)
        if len(pending) == batch:
            yield from many(pending)
            pending = []
    yield from many(pending)


def _ran_on_the_day(backend: SearchBackend, portal_id: str, started: datetime) -> bool:
    """True when an earlier run of the portal that got to write started the same (UTC) day as ``started``."""
    try:
        earlier = backend.jobs(portal_id=portal_id, limit=20)
    except StoreError:
        return False
    day = started.date().isoformat()
    return any(job.status.startswith("done") and job.started_at[:10] == day for job in earlier)


def _with_progress(records: Iterable[Record], report: HarvestReport, on_progress) -> Iterator[Record]:
    hundreds = 0
    for record in records:
        yield record
        if on_progress is not None and report.records // 100 > hundreds:
            hundreds = report.records // 100
            on_progress(report)
    if on_progress is not None:
        on_progress(report)


def _finished(job: HarvestJob, report: HarvestReport, finished: datetime, **changes) -> HarvestJob:
    return job.finish(
        finished_at=finished.isoformat(),
        pages=report.pages,
        pages_unchanged=report.pages_unchanged,
        failed=tuple(report.failed),
        skipped=report.skipped,
        warnings=tuple(report.warnings),
        **changes,
    )
