"""The harvest scheduler: APScheduler in its own process (``fedcat scheduler``).

Never run it inside gunicorn: every forked worker would start its own
scheduler and run each harvest several times. Within one scheduler, a portal
runs one harvest at a time (``max_instances=1``) and missed runs are coalesced
into one, run if the process comes back within the misfire grace time. Across
processes (two schedulers started by mistake, a ``fedcat harvest``), the
portal's lock in the store refuses the second run. It also runs the harvests the
admin API requested (:mod:`service.harvesting.requests`), so that no harvest ever
runs inside a web worker.

On SIGTERM or SIGINT no new run starts; a harvest still reading its portal
stops without writing anything, and one already writing finishes.
"""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from typing import Callable, Iterable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from service.harvesting.locking import PortalBusy
from service.harvesting.requests import pending_requests, run_request
from mappings.jobs import HarvestJob
from mappings.portals import Portal

__all__ = [
    "MISFIRE_GRACE_SECONDS",
    "ScheduleError",
    "add_link_check_job",
    "add_portal_jobs",
    "add_request_poll",
    "build_scheduler",
    "cron_trigger",
    "next_run",
    "run_scheduler",
    "stop_gracefully",
]

logger = logging.getLogger(__name__)
TIMEZONE = "Europe/Paris"
#: A run missed by less than this (the process was down) still happens once when it comes back.
MISFIRE_GRACE_SECONDS = 3600

Harvest = Callable[[Portal], HarvestJob]
#: gives each run a context (the CLI's: a run id that every log line of the harvest carries)
RunScope = Callable[[Portal], AbstractContextManager]


class ScheduleError(ValueError):
    """A portal's ``schedule`` is not a valid cron expression."""


def build_scheduler(
    portals: Iterable[Portal], harvest: Harvest, *, blocking: bool = True, scope: RunScope | None = None
) -> BaseScheduler:
    """A scheduler with one cron job per portal that has a ``schedule``."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=TIMEZONE)
    add_portal_jobs(scheduler, portals, harvest, scope=scope)
    return scheduler


def add_portal_jobs(
    scheduler: BaseScheduler, portals: Iterable[Portal], harvest: Harvest, *, scope: RunScope | None = None
) -> None:
    """One job per scheduled portal: one run at a time, missed runs coalesced into one."""
    for portal in portals:
        if not portal.schedule:
            continue
        scheduler.add_job(
            _logged(harvest, scope),
            trigger=cron_trigger(portal),
            args=[portal],
            id=f"harvest:{portal.id}",
            name=f"harvest {portal.id}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            replace_existing=True,
        )


def add_link_check_job(scheduler: BaseScheduler, schedule: str, check: Callable[[], object]) -> None:
    """The link check runs, on a cron schedule of their own (one at a time, missed runs coalesced)."""
    if not schedule:
        return
    scheduler.add_job(
        _logged_link_check(check),
        trigger=CronTrigger.from_crontab(schedule, timezone=TIMEZONE),
        id="check-links",
        name="check links",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        replace_existing=True,
    )


def add_request_poll(scheduler: BaseScheduler, catalogue, stopping: threading.Event) -> None:
    """Every ``FEDCAT_REQUEST_POLL_SECONDS``, start the harvests the admin API requested, each in a job of its own."""
    started: set[str] = set()  # a requested job stays "requested" until its run saves it as running

    def run(job: HarvestJob) -> None:
        run_request(catalogue, job, should_stop=stopping.is_set)
        _refresh_insights(catalogue)

    def poll() -> None:
        for job in pending_requests(catalogue):
            if job.job_id not in started and not stopping.is_set():
                started.add(job.job_id)
                scheduler.add_job(run, args=[job], id=f"request:{job.job_id}", name=f"requested harvest of {job.portal_id}")

    scheduler.add_job(
        _logged_poll(poll),
        trigger=IntervalTrigger(seconds=catalogue.settings.request_poll_seconds),
        id="harvest-requests",
        name="harvest requests",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )


def _logged_poll(poll: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            poll()
        except Exception:  # noqa: BLE001 - the store may be down for a moment; the next poll retries
            logger.exception("could not look for requested harvests")

    return run


def _logged_link_check(check: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        logger.info("link check starting")
        try:
            done = check()
        except Exception:  # noqa: BLE001 - a failed run must not stop the scheduler; the next one retries
            logger.exception("link check failed")
            return
        logger.info("link check done: %s", getattr(done, "to_dict", lambda: done)())

    return run


def cron_trigger(portal: Portal) -> CronTrigger:
    """The portal's five-field cron expression as a trigger (Paris time)."""
    try:
        return CronTrigger.from_crontab(portal.schedule, timezone=TIMEZONE)
    except ValueError as exc:
        raise ScheduleError(f"portal {portal.id}: invalid schedule {portal.schedule!r}: {exc}") from exc


def next_run(portal: Portal, now: datetime) -> datetime | None:
    """When the portal's schedule next fires after ``now`` (None for a portal without a schedule)."""
    if not portal.schedule:
        return None
    return cron_trigger(portal).get_next_fire_time(None, now)


def run_scheduler(catalogue, *, scope: RunScope | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop gracefully (see :func:`stop_gracefully`).

    :param catalogue: a :class:`service.catalogue.Catalogue` (its portals, and its ``harvest``).
    """
    stopping = threading.Event()
    portals = [p for p in catalogue.portals if catalogue.harvestable(p)]

    def harvest(portal: Portal) -> HarvestJob:
        job = catalogue.harvest(portal, should_stop=stopping.is_set)
        _refresh_insights(catalogue)
        return job

    def check_links():
        run = catalogue.check_links(should_stop=stopping.is_set)
        _refresh_insights(catalogue)
        return run

    scheduler = build_scheduler(portals, harvest, scope=scope)
    add_request_poll(scheduler, catalogue, stopping)
    schedule = catalogue.settings.link_check_schedule
    add_link_check_job(scheduler, schedule, check_links)
    if schedule:
        logger.info("scheduled link checks (%s)", schedule)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_gracefully(scheduler, stopping))
    now = datetime.now(timezone.utc)
    for portal in portals:
        if portal.schedule:
            logger.info("scheduled harvest of %s (%s), next run %s", portal.id, portal.schedule, next_run(portal, now))
    scheduler.start()


def _refresh_insights(catalogue) -> None:
    """Compute the insights now, in this process, so that no page request has to (a failure only logs)."""
    try:
        catalogue.insights()
    except Exception:  # noqa: BLE001 - the next request computes them instead
        logger.exception("could not refresh the insights")


def stop_gracefully(scheduler: BaseScheduler, stopping: threading.Event) -> None:
    """Start no new run; tell running harvests to stop if still reading; wait for them to end."""
    if stopping.is_set():
        return
    stopping.set()
    logger.info("scheduler stopping: harvests still reading stop unwritten, those writing finish")
    scheduler.shutdown(wait=True)
    logger.info("scheduler stopped")


def _logged(harvest: Harvest, scope: RunScope | None) -> Callable[[Portal], HarvestJob | PortalBusy]:
    def run(portal: Portal) -> HarvestJob | PortalBusy:
        with scope(portal) if scope else nullcontext():
            logger.info("harvest of %s starting", portal.id)
            try:
                job = harvest(portal)
            except PortalBusy as busy:
                logger.warning("harvest of %s skipped: %s", portal.id, busy)
                return busy
            logger.info("harvest of %s: %s (%s)", portal.id, job.status, job.error or job.stats.as_counts())
            return job

    return run


if __name__ == "__main__":  # python -m service.scheduler
    from service.catalogue import Catalogue
    from service.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_scheduler(Catalogue(Settings.from_env()))
