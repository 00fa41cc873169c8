"""Run one harvest of one portal into a search backend, recording it as a job."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from harvesters import get_harvester
from harvesters.base import HarvestReport
from harvesters.errors import HarvestError
from harvesters.http import HttpClient, HttpSettings
from mappings.jobs import HarvestJob
from mappings.portals import Portal
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
) -> HarvestJob:
    """Harvest ``portal`` and apply it to ``backend`` atomically; never raises for harvest failures.

    :param allowed_hosts: hosts reachable besides the portal's own (for portals
        whose pages or redirects live on a sibling host).
    :returns: the finished job, also saved in the backend.
    """
    started = now()
    job = HarvestJob(job_id=uuid.uuid4().hex, portal_id=portal.id, started_at=started.isoformat())
    _save_job(backend, job)
    report = HarvestReport()
    try:
        harvester_class = get_harvester(portal.kind)
        http = HttpClient(allowed_hosts=frozenset({portal.host}) | allowed_hosts, settings=http_settings or HttpSettings())
        harvester = harvester_class(portal, http, max_pages=max_pages)
        records = _with_progress(harvester.records(report, harvested_at=started.isoformat()), report, on_progress)
        stats = backend.replace_portal(
            portal.id, records, now=started, grace=grace, is_complete=lambda: report.complete
        )
    except (HarvestError, StoreError) as exc:
        job = _finished(job, report, now(), status="failed", error=str(exc))
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


def _with_progress(records, report: HarvestReport, on_progress):
    for record in records:
        yield record
        if on_progress is not None and report.records % 100 == 0:
            on_progress(report)
    if on_progress is not None:
        on_progress(report)


def _finished(job: HarvestJob, report: HarvestReport, finished: datetime, **changes) -> HarvestJob:
    return job.finish(
        finished_at=finished.isoformat(),
        pages=report.pages,
        failed=tuple(report.failed),
        skipped=report.skipped,
        warnings=tuple(report.warnings),
        **changes,
    )
