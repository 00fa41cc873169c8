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


def test_link_checks_have_a_job_of_their_own():
    from service.scheduler import add_link_check_job

    scheduler = build_scheduler([Portal(id="paris", name="Paris", kind="dcat", url="https://p.example", schedule="0 2 * * *")], lambda p: None, blocking=False)
    runs = []
    add_link_check_job(scheduler, "30 4 * * *", lambda: runs.append(1))
    job = scheduler.get_job("check-links")
    assert job.max_instances == 1 and job.coalesce is True
    assert str(job.trigger.fields[5]) == "4" and str(job.trigger.fields[6]) == "30"
    job.func()
    assert runs == [1]
    add_link_check_job(scheduler, "", lambda: None)  # off: nothing else is added
    assert [j.id for j in scheduler.get_jobs()] == ["harvest:paris", "check-links"]


def test_a_failed_link_check_run_does_not_stop_the_scheduler(caplog):
    from service.scheduler import add_link_check_job

    scheduler = build_scheduler([], lambda p: None, blocking=False)

    def fail():
        raise RuntimeError("store down")

    add_link_check_job(scheduler, "30 4 * * *", fail)
    scheduler.get_job("check-links").func()
    assert "link check failed" in caplog.text
