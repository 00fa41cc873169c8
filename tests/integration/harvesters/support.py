"""Assertions the portal kinds' tests share."""

from __future__ import annotations

from mappings.jobs import HarvestJob


def assert_nothing_processed(job: HarvestJob, *, pages: int, records: int) -> None:
    """A harvest of an unchanged catalogue: done, every page known unchanged, every record kept as it was."""
    assert job.status == "done", job.error
    assert (job.pages, job.pages_unchanged) == (pages, pages)
    assert job.stats is not None
    assert (job.stats.created, job.stats.updated, job.stats.unchanged) == (0, 0, records)
