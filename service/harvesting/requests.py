"""Harvests asked for through the admin API, run by the scheduler process, never in a web worker.

The admin API *requests* a harvest: it takes the portal's lock for the request, so a busy
portal is refused at once (409), and records a job with status ``requested``. The scheduler
(``fedcat scheduler``) looks for requested jobs every few seconds and runs each one under
that same lock owner, so that nothing else can start the portal in between. A request that
no scheduler picks up before its lock expires is marked failed by the portal's next run.
"""

from __future__ import annotations

import logging
import uuid
from typing import Callable

from mappings.jobs import HarvestJob
from mappings.portals import Portal
from service.harvesting.locking import PortalBusy, PortalLock, lock_name
from service.harvesting.runner import utc_now
from service.logging_ import request_id_scope

__all__ = ["pending_requests", "request_harvest", "request_owner", "run_request"]

logger = logging.getLogger(__name__)

#: how many recent jobs a poll looks through for requests
_POLL_JOBS = 200


def request_owner(job_id: str) -> str:
    """The lock owner of a requested job: the API takes the lock under it, the scheduler runs under it."""
    return f"request:{job_id}"


def request_harvest(catalogue, portal: Portal, *, request_id: str | None = None) -> HarvestJob:
    """Take the portal's lock for a new request and record the job as ``requested``.

    :param catalogue: a :class:`service.catalogue.Catalogue`.
    :param request_id: the asking HTTP request's id, carried by the harvest's log lines.
    :raises PortalBusy: when a run, or an earlier request, holds the portal (nothing recorded).
    """
    backend, job_id = catalogue.backend, uuid.uuid4().hex
    owner = request_owner(job_id)
    PortalLock.acquire(backend, portal.id, owner=owner, ttl=catalogue.settings.harvest_lock_ttl)
    job = HarvestJob(job_id=job_id, portal_id=portal.id, started_at=utc_now().isoformat(), status="requested", request_id=request_id)
    try:
        backend.save_job(job)
    except BaseException:
        backend.release_lock(lock_name(portal.id), owner)
        raise
    return job


def pending_requests(catalogue) -> list[HarvestJob]:
    """The requested jobs no run has started yet, oldest first."""
    jobs = catalogue.backend.jobs(limit=_POLL_JOBS)
    return sorted((job for job in jobs if job.status == "requested"), key=lambda job: job.started_at)


def run_request(catalogue, job: HarvestJob, *, should_stop: Callable[[], bool] | None = None) -> HarvestJob:
    """Run a requested job under the lock its request took, its log lines carrying the request's id."""
    with request_id_scope(job.request_id or f"{job.portal_id}-{job.job_id[:12]}"):
        try:
            portal = catalogue.portal(job.portal_id)
        except LookupError as exc:  # the portal left the configuration since it was requested
            failed = job.finish(status="failed", finished_at=utc_now().isoformat(), error=str(exc))
            catalogue.backend.save_job(failed)
            catalogue.backend.release_lock(lock_name(job.portal_id), request_owner(job.job_id))
            return failed
        logger.info("requested harvest of %s starting (job %s)", portal.id, job.job_id)
        try:
            done = catalogue.harvest(portal, job_id=job.job_id, lock_owner=request_owner(job.job_id), should_stop=should_stop)
        except PortalBusy as busy:  # the request's lock expired and another run took the portal
            done = job.finish(status="failed", finished_at=utc_now().isoformat(), error=str(busy))
            catalogue.backend.save_job(done)
        logger.info("requested harvest of %s: %s (job %s)", portal.id, done.status, job.job_id)
        return done
