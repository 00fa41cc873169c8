"""Scheduler wiring: one cron job per portal, one instance at a time, missed runs coalesced."""

import pytest

from service.scheduler import ScheduleError, build_scheduler
from mappings.portals import Portal


def portals():
    return [
        Portal(id="paris", name="Paris", kind="dcat", url="https://a.example", schedule="15 2 * * *"),
        Portal(id="lyon", name="Lyon", kind="dcat", url="https://b.example", schedule="0 */6 * * 1-5"),
        Portal(id="manual", name="Manual", kind="dcat", url="https://c.example"),
    ]


def test_one_job_per_scheduled_portal():
    scheduler = build_scheduler(portals(), harvest=lambda p: None, blocking=False)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"harvest:paris", "harvest:lyon"}
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time == 3600
    assert str(jobs["harvest:paris"].trigger).startswith("cron[month='*', day='*', day_of_week='*', hour='2', minute='15'")


def test_invalid_schedule_names_the_portal():
    bad = Portal(id="bad", name="Bad", kind="dcat", url="https://x.example", schedule="every day")
    with pytest.raises(ScheduleError, match="portal bad: invalid schedule 'every day'"):
        build_scheduler([bad], harvest=lambda p: None, blocking=False)


def test_next_run_is_the_cron_time_in_paris():
    from datetime import datetime, timezone

    from service.scheduler import next_run

    paris, _, manual = portals()
    upcoming = next_run(paris, datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc))
    assert upcoming.isoformat() == "2026-06-02T02:15:00+02:00"
    assert next_run(manual, datetime(2026, 6, 1, tzinfo=timezone.utc)) is None
