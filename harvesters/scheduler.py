"""The harvest scheduler: APScheduler in its own process (``fedcat scheduler``).

Never run it inside gunicorn: every forked worker would start its own
scheduler and run each harvest several times.
"""

from __future__ import annotations

import logging
import signal
from typing import Callable, Iterable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from mappings.jobs import HarvestJob
from mappings.portals import Portal

__all__ = ["ScheduleError", "add_portal_jobs", "build_scheduler", "run_scheduler"]

logger = logging.getLogger(__name__)
TIMEZONE = "Europe/Paris"
#: A run missed by less than this (the process was down) still happens once when it comes back.
MISFIRE_GRACE_SECONDS = 3600


class ScheduleError(ValueError):
    """A portal's ``schedule`` is not a valid cron expression."""


def build_scheduler(
    portals: Iterable[Portal], harvest: Callable[[Portal], HarvestJob], *, blocking: bool = True
) -> BaseScheduler:
    """A scheduler with one cron job per portal that has a ``schedule``."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=TIMEZONE)
    add_portal_jobs(scheduler, portals, harvest)
    return scheduler


def add_portal_jobs(scheduler: BaseScheduler, portals: Iterable[Portal], harvest: Callable[[Portal], HarvestJob]) -> None:
    """One job per scheduled portal: one run at a time, missed runs coalesced into one."""
    for portal in portals:
        if not portal.schedule:
            continue
        scheduler.add_job(
            _logged(harvest),
            trigger=cron_trigger(portal),
            args=[portal],
            id=f"harvest:{portal.id}",
            name=f"harvest {portal.id}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            replace_existing=True,
        )


def cron_trigger(portal: Portal) -> CronTrigger:
    """The portal's five-field cron expression as a trigger (Paris time)."""
    try:
        return CronTrigger.from_crontab(portal.schedule, timezone=TIMEZONE)
    except ValueError as exc:
        raise ScheduleError(f"portal {portal.id}: invalid schedule {portal.schedule!r}: {exc}") from exc


def run_scheduler(catalogue) -> None:
    """Run until SIGTERM or SIGINT; a running harvest is let finish before the process exits."""
    portals = [p for p in catalogue.portals if catalogue.harvestable(p)]
    scheduler = build_scheduler(portals, catalogue.harvest)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: scheduler.shutdown(wait=True))
    for job in scheduler.get_jobs():
        logger.info("scheduled %s (%s)", job.name, job.trigger)
    scheduler.start()


def _logged(harvest: Callable[[Portal], HarvestJob]) -> Callable[[Portal], None]:
    def run(portal: Portal) -> None:
        logger.info("harvest of %s starting", portal.id)
        job = harvest(portal)
        logger.info("harvest of %s: %s (%s)", portal.id, job.status, job.error or job.stats.as_counts())

    return run


if __name__ == "__main__":  # python -m harvesters.scheduler
    from service.catalogue import Catalogue
    from service.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_scheduler(Catalogue(Settings.from_env()))
