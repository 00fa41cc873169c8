"""Run one harvest of one portal into a search backend, recording it as a job."""

from __future__ import annotations

import logging
import time
import uuid
from contextlib import closing
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

from harvesters import get_harvester
from harvesters.base import HarvestReport
from harvesters.errors import HarvestError
from harvesters.http import HttpClient, HttpSettings
from service.harvesting.locking import LOCK_TTL_SECONDS, PortalBusy, PortalLock
from harvesters.page_cache import KeepRecords, PageCache
from harvesters.limits import HarvestLimits
from harvesters.page_pool import default_workers
from mappings.jobs import HarvestJob
from mappings.portals import Portal
from mappings.record import Record
from service.search.base import SearchBackend, StoreError
from service.store.base import KeptRecord

__all__ = ["HarvestInterrupted", "PortalBusy", "harvest_portal", "utc_now"]

logger = logging.getLogger(__name__)
_ORPHANED = "interrupted: the process running this harvest stopped before it finished (found by a later run)"
_NEVER_STARTED = "never started: no scheduler picked up this requested harvest before its lock expired (is `fedcat scheduler` running?)"
_ORPHAN_REASONS = {"running": _ORPHANED, "requested": _NEVER_STARTED}


class HarvestInterrupted(HarvestError):
    """The run was stopped while reading the portal (shutdown, or its lock was lost): nothing was written."""


def utc_now() -> datetime:
    """The current time, timezone-aware, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def harvest_portal(
    portal: Portal,
    backend: SearchBackend,
    *,
    http_settings: HttpSettings | None = None,
    allowed_hosts: frozenset[str] = frozenset(),
    grace: timedelta = timedelta(days=7),
    max_pages: int = 2000,
    now: Callable[[], datetime] = utc_now,
    on_progress: Callable[[HarvestReport], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    revalidate: bool = False,
    job_id: str | None = None,
    lock_owner: str | None = None,
    lock_ttl: float = LOCK_TTL_SECONDS,
    should_stop: Callable[[], bool] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    workers: int = 1,
    limits: HarvestLimits | None = None,
    transform: Callable[[Record], Record] | None = None,
) -> HarvestJob:
    """Harvest ``portal`` into ``backend`` atomically, under the portal's lock; never raises for harvest failures.

    :param allowed_hosts: hosts reachable besides the portal's own (for portals
        whose pages or redirects live on a sibling host).
    :param sleep: how retries wait (tests pass a recorder).
    :param revalidate: ignore what the last run remembered of each page and read everything.
    :param job_id: the id of the job (the admin API announces it before the run starts).
    :param lock_owner: who holds the lock (a caller that took it already passes its own name).
    :param lock_ttl: seconds the portal's lock lives without renewal.
    :param should_stop: asked for every record read; True stops the run before anything is written.
    :param on_error: called with the exception that failed the run (metrics count them).
    :param workers: processes that parse and map pages (``FEDCAT_HARVEST_WORKERS``): 1 keeps it all in
        this one, 0 uses the usable CPUs.
    :param limits: the most a page and a record may hold (defaults: :class:`HarvestLimits`).
    :param transform: applied to every record just before it is written (the service stamps link health on).
        What it adds may depend on the day (freshness), not only on the page: the records of unchanged
        pages go through it on the first run of a day; later runs that day keep them as stored.
    :returns: the finished job, also saved in the backend.
    :raises PortalBusy: when another run holds the portal's lock; nothing was read or written.
    """
    job = HarvestJob(job_id=job_id or uuid.uuid4().hex, portal_id=portal.id, started_at=now().isoformat())
    try:
        lock = PortalLock.acquire(backend, portal.id, owner=lock_owner, ttl=lock_ttl)
    except StoreError as exc:  # the store is down: do not read the portal for nothing
        _notify(on_error, exc)
        failed = _finished(job, HarvestReport(), now(), status="failed", error=f"could not take the harvest lock: {exc}")
        _save_job(backend, failed)
        return failed
    with lock:
        _fail_orphans(backend, portal.id, now(), keep=job.job_id)
        return _harvest(
            portal,
            backend,
            job,
            http_settings=http_settings,
            allowed_hosts=allowed_hosts,
            grace=grace,
            max_pages=max_pages,
            now=now,
            on_progress=on_progress,
            sleep=sleep,
            revalidate=revalidate,
            stop_reason=_stop_reason(lock, should_stop),
            on_error=on_error,
            workers=workers,
            limits=limits or HarvestLimits(),
            transform=transform,
        )


def _harvest(
    portal: Portal,
    backend: SearchBackend,
    job: HarvestJob,
    *,
    http_settings: HttpSettings | None,
    allowed_hosts: frozenset[str],
    grace: timedelta,
    max_pages: int,
    now: Callable[[], datetime],
    on_progress: Callable[[HarvestReport], None] | None,
    sleep: Callable[[float], None],
    revalidate: bool,
    stop_reason: Callable[[], str | None],
    on_error: Callable[[Exception], None] | None,
    workers: int,
    limits: HarvestLimits,
    transform: Callable[[Record], Record] | None = None,
) -> HarvestJob:
    """The run itself, the portal's lock held: read everything, then apply it in one write."""
    started = datetime.fromisoformat(job.started_at)
    _save_job(backend, job)
    report = HarvestReport()
    try:
        cache = PageCache() if revalidate else _stored_cache(backend, portal.id)
        harvester_class = get_harvester(portal.kind)
        http = HttpClient(
            allowed_hosts=frozenset({portal.origin}) | allowed_hosts, settings=http_settings or HttpSettings(), sleep=sleep
        )
        harvester = harvester_class(portal, http, max_pages=max_pages, page_cache=cache)
        harvester.workers = workers or default_workers()  # an attribute: subclasses' constructors need not know it
        harvester.limits = limits
        # closed as soon as the write is over or failed: that stops the paging thread and the workers
        keep_stored = backend.keeps_records and (transform is None or _ran_on_the_day(backend, job))
        with closing(harvester.records(report, harvested_at=started.isoformat())) as stream:
            kept = _resolve_kept(stream, backend, cache, report, keep_stored=keep_stored)
            kept = _transformed(kept, transform) if transform else kept
            records = _with_progress(_stoppable(kept, stop_reason), report, on_progress)
            stats = backend.replace_portal(
                portal.id, records, now=started, grace=grace, is_complete=lambda: report.complete
            )
        _save_cache(backend, portal.id, cache, report)
    except (HarvestError, StoreError) as exc:
        _notify(on_error, exc)
        job = _finished(job, report, now(), status="failed", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a job must never stay "running" because of a bug
        _notify(on_error, exc)
        logger.exception("harvest of %s crashed", portal.id)
        job = _finished(job, report, now(), status="failed", error=f"unexpected {exc.__class__.__name__}: {exc}")
    else:
        for rejection in stats.rejected:  # records the store refused count as failed too
            report.fail(rejection.reason, rejection.source)
        status = "done-with-errors" if report.failed_count or not report.complete else "done"
        job = _finished(job, report, now(), status=status, stats=stats)
    _save_job(backend, job)
    return job


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


def _notify(on_error: Callable[[Exception], None] | None, exc: Exception) -> None:
    if on_error is not None:
        on_error(exc)


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


def _ran_on_the_day(backend: SearchBackend, job: HarvestJob) -> bool:
    """True when a run of the job's portal that got to write started the same (UTC) day as this one."""
    try:
        earlier = backend.jobs(portal_id=job.portal_id, limit=20)
    except StoreError:
        return False
    day = job.started_at[:10]
    return any(e.job_id != job.job_id and e.status.startswith("done") and e.started_at[:10] == day for e in earlier)


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
