"""Run one harvest of one portal into a search backend, recording it as a job."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

from harvesters import get_harvester
from harvesters.base import HarvestReport
from harvesters.errors import HarvestError
from harvesters.http import HttpClient, HttpSettings
from harvesters.page_cache import KeepRecords, PageCache
from mappings.jobs import HarvestJob
from mappings.portals import Portal
from mappings.record import Record
from service.search.base import SearchBackend, StoreError

__all__ = ["harvest_portal", "utc_now"]

logger = logging.getLogger(__name__)


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
) -> HarvestJob:
    """Harvest ``portal`` and apply it to ``backend`` atomically; never raises for harvest failures.

    :param allowed_hosts: hosts reachable besides the portal's own (for portals
        whose pages or redirects live on a sibling host).
    :param sleep: how retries wait (tests pass a recorder).
    :param revalidate: ignore what the last run remembered of each page and read everything.
    :returns: the finished job, also saved in the backend.
    """
    started = now()
    job = HarvestJob(job_id=uuid.uuid4().hex, portal_id=portal.id, started_at=started.isoformat())
    _save_job(backend, job)
    report = HarvestReport()
    try:
        cache = PageCache() if revalidate else _stored_cache(backend, portal.id)
        harvester_class = get_harvester(portal.kind)
        http = HttpClient(
            allowed_hosts=frozenset({portal.host}) | allowed_hosts, settings=http_settings or HttpSettings(), sleep=sleep
        )
        harvester = harvester_class(portal, http, max_pages=max_pages, page_cache=cache)
        stream = harvester.records(report, harvested_at=started.isoformat())
        records = _with_progress(_resolve_kept(stream, backend, cache, report), report, on_progress)
        stats = backend.replace_portal(
            portal.id, records, now=started, grace=grace, is_complete=lambda: report.complete
        )
        _save_cache(backend, portal.id, cache, report)
    except (HarvestError, StoreError) as exc:
        job = _finished(job, report, now(), status="failed", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a job must never stay "running" because of a bug
        logger.exception("harvest of %s crashed", portal.id)
        job = _finished(job, report, now(), status="failed", error=f"unexpected {exc.__class__.__name__}: {exc}")
    else:
        for rejection in stats.rejected:  # records the store refused count as failed too
            report.fail(rejection.reason, rejection.source)
        status = "done-with-errors" if report.failed_count or not report.complete else "done"
        job = _finished(job, report, now(), status=status, stats=stats)
    _save_job(backend, job)
    return job


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
    stream: Iterable[Record | KeepRecords], backend: SearchBackend, cache: PageCache, report: HarvestReport
) -> Iterator[Record]:
    """Records as they come, and for each unchanged page the records it produced last time, from the store."""
    for item in stream:
        if not isinstance(item, KeepRecords):
            yield item
            continue
        kept = backend.get_many(item.record_ids)
        if len(kept) < len(item.record_ids):
            cache.forget(item.page_key)
            report.warnings.append(
                f"{len(item.record_ids) - len(kept)} records of unchanged page {item.page_key} were no longer"
                " stored; the page will be read again next time"
            )
        yield from kept


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
