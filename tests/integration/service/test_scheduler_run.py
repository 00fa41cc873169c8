"""The scheduler against a simulated portal: a due run harvests it, a concurrent run is refused, a stop writes nothing."""

from __future__ import annotations

import queue
import threading
from datetime import datetime, timezone

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from service.harvesting.locking import PortalBusy
from service.scheduler import build_scheduler, stop_gracefully
from mappings.jobs import HarvestJob
from tests.integration.ops_support import GatedPortal, dcat_portal, file_catalogue

JOB_ID = "harvest:paris"


class Runs:
    """A background scheduler whose finished runs can be awaited."""

    def __init__(self, portal, harvest) -> None:
        self.finished: queue.Queue = queue.Queue()
        self.scheduler = build_scheduler([portal], harvest, blocking=False)
        self.scheduler.add_listener(self.finished.put, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self.scheduler.start()

    def make_due(self) -> None:
        """Make the portal's run due now, as the clock reaching its cron time would."""
        self.scheduler.modify_job(JOB_ID, next_run_time=datetime.now(timezone.utc))

    def outcome(self):
        """The next finished run's return value (a job, or the refusal)."""
        event = self.finished.get(timeout=60)
        assert event.exception is None, event.traceback
        return event.retval


@pytest.fixture
def portal_site():
    with GatedPortal() as simulator:
        yield simulator


def test_a_due_run_harvests_the_portal(tmp_path, portal_site):
    portal = dcat_portal(portal_site, schedule="15 2 * * *")
    catalogue = file_catalogue(tmp_path / "s.db", [portal])
    runs = Runs(portal, catalogue.harvest)
    try:
        portal_site.open()
        runs.make_due()
        job = runs.outcome()
        upcoming = runs.scheduler.get_job(JOB_ID).next_run_time
    finally:
        runs.scheduler.shutdown()
    assert isinstance(job, HarvestJob) and job.status == "done"
    assert catalogue.backend.count() == 12
    assert [j.job_id for j in catalogue.backend.jobs()] == [job.job_id]
    assert (upcoming.hour, upcoming.minute, str(upcoming.tzinfo)) == (2, 15, "Europe/Paris"), "back on its cron"


def test_a_second_scheduler_is_refused_while_the_first_harvests(tmp_path, portal_site):
    portal = dcat_portal(portal_site, schedule="15 2 * * *")
    first = file_catalogue(tmp_path / "s.db", [portal])
    second = file_catalogue(tmp_path / "s.db", [portal])  # another process, same store
    runs_a, runs_b = Runs(portal, first.harvest), Runs(portal, second.harvest)
    try:
        runs_a.make_due()
        assert portal_site.entered.wait(10), "the first run is reading the portal"
        runs_b.make_due()
        refused = runs_b.outcome()
        portal_site.open()
        done = runs_a.outcome()
    finally:
        runs_a.scheduler.shutdown()
        runs_b.scheduler.shutdown()
    assert isinstance(refused, PortalBusy) and refused.portal_id == "paris"
    assert refused.running is not None and refused.running.job_id == done.job_id
    assert done.status == "done" and first.backend.count() == 12
    assert [j.job_id for j in first.backend.jobs()] == [done.job_id], "a refused run records no job"


def test_stopping_while_a_harvest_reads_writes_nothing(tmp_path, portal_site):
    portal = dcat_portal(portal_site, schedule="15 2 * * *")
    catalogue = file_catalogue(tmp_path / "s.db", [portal])
    stopping = threading.Event()
    runs = Runs(portal, lambda p: catalogue.harvest(p, should_stop=stopping.is_set))
    runs.make_due()
    assert portal_site.entered.wait(10)
    stopper = threading.Thread(target=stop_gracefully, args=(runs.scheduler, stopping))
    stopper.start()
    stopping.wait(5)
    portal_site.open()
    stopper.join(15)
    assert not stopper.is_alive(), "shutdown waited for the harvest, then returned"
    (job,) = catalogue.backend.jobs()
    assert job.status == "failed" and "interrupted by shutdown" in job.error
    assert catalogue.backend.count() == 0
