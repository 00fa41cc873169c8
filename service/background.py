"""Harvests the admin API starts: a background thread in the web process, under the portal's lock.

The lock is taken in the request, so a busy portal is refused at once (409)
and the job id can be announced (202) before the thread starts; the thread's
harvest then renews the same lock under the same owner. On shutdown
(gunicorn's ``worker_exit`` hook), a harvest still reading its portal stops
without writing anything, and one already writing is given time to finish.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import uuid
import weakref
from concurrent.futures import Future, ThreadPoolExecutor, wait

from service.harvesting.locking import PortalLock, lock_name, new_lock_owner
from service.harvesting.runner import utc_now
from mappings.jobs import HarvestJob
from mappings.portals import Portal
from service.catalogue import Catalogue

__all__ = ["BackgroundHarvests", "stop_background_harvests"]

logger = logging.getLogger(__name__)
_LIVE: weakref.WeakSet[BackgroundHarvests] = weakref.WeakSet()


class BackgroundHarvests:
    """Starts and tracks the harvests of one web process."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._stopping = threading.Event()
        # a pool, not a thread per harvest: threads are reused, and so are the store connections they open;
        # one thread per portal, since the lock lets each portal run one harvest at a time
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(catalogue.portals)), thread_name_prefix="harvest")
        self._runs: dict[str, Future] = {}
        self._guard = threading.Lock()
        _LIVE.add(self)

    def start(self, portal: Portal) -> HarvestJob:
        """Take the portal's lock, record a running job and harvest in a thread.

        :returns: the running job, already visible in ``/api/harvest/jobs``.
        :raises PortalBusy: when another run holds the portal's lock.
        """
        backend, owner = self.catalogue.backend, new_lock_owner()
        # taken here, not in the thread: a busy portal is refused before anything is announced
        PortalLock.acquire(backend, portal.id, owner=owner, ttl=self.catalogue.settings.harvest_lock_ttl)
        job = HarvestJob(job_id=uuid.uuid4().hex, portal_id=portal.id, started_at=utc_now().isoformat())
        try:
            backend.save_job(job)
            self._spawn(portal, job, owner)
        except BaseException:
            backend.release_lock(lock_name(portal.id), owner)
            raise
        return job

    def running(self) -> list[str]:
        """Ids of the jobs this process is running now."""
        with self._guard:
            return [job_id for job_id, run in self._runs.items() if not run.done()]

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        """Wait for one of this process's harvests; True once it has finished."""
        with self._guard:
            run = self._runs.get(job_id)
        return run is None or not wait([run], timeout).not_done

    def stop(self, timeout: float) -> None:
        """Ask running harvests to stop before writing, and wait up to ``timeout`` seconds for them."""
        self._stopping.set()
        with self._guard:
            runs = list(self._runs.values())
        if wait(runs, timeout).not_done:
            logger.warning("harvests still running at shutdown: %s", ", ".join(self.running()))
        self._pool.shutdown(wait=False)

    def _spawn(self, portal: Portal, job: HarvestJob, owner: str) -> None:
        # the copied context keeps the request id, so the harvest's log lines carry it too
        context = contextvars.copy_context()
        with self._guard:
            self._runs = {k: run for k, run in self._runs.items() if not run.done()}
            self._runs[job.job_id] = self._pool.submit(context.run, self._run, portal, job, owner)

    def _run(self, portal: Portal, job: HarvestJob, owner: str) -> None:
        logger.info("harvest of %s starting (job %s, admin API)", portal.id, job.job_id)
        try:
            done = self.catalogue.harvest(portal, job_id=job.job_id, lock_owner=owner, should_stop=self._stopping.is_set)
        except Exception as exc:  # noqa: BLE001 - a thread has no caller to raise to: record it on the job
            logger.exception("harvest of %s (job %s) crashed", portal.id, job.job_id)
            failed = job.finish(status="failed", finished_at=utc_now().isoformat(), error=f"{exc.__class__.__name__}: {exc}")
            try:
                self.catalogue.backend.save_job(failed)
            except Exception:  # noqa: BLE001 - the store is down too: the next run marks the job failed
                logger.warning("could not record the failure of job %s", job.job_id)
            return
        logger.info("harvest of %s: %s (job %s)", portal.id, done.status, job.job_id)


def stop_background_harvests(timeout: float) -> None:
    """Stop every live :class:`BackgroundHarvests` of this process (gunicorn's ``worker_exit`` hook)."""
    for harvests in list(_LIVE):
        harvests.stop(timeout)
