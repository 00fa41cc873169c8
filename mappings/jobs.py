"""The record of one harvest run, as stored by the backends and served by the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = ["FailedRecord", "HarvestJob", "JOB_STATUSES", "WriteStats"]

#: ``requested`` (through the admin API, until the scheduler starts it), ``running`` while harvesting;
#: then ``done``, ``done-with-errors`` (some records failed) or ``failed``.
JOB_STATUSES = ("requested", "running", "done", "done-with-errors", "failed")


@dataclass(frozen=True)
class FailedRecord:
    """A dataset the harvest could not turn into a record, and why."""

    reason: str
    source: str | None = None


@dataclass(frozen=True)
class WriteStats:
    """What a per-portal replacement did to the store."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    flagged: int = 0
    rejected: tuple[FailedRecord, ...] = ()

    def as_counts(self) -> dict[str, int]:
        """The counts as a dict, in a fixed order."""
        counts = asdict(self)
        counts.pop("rejected")
        return counts


@dataclass(frozen=True)
class HarvestJob:
    """One harvest of one portal."""

    job_id: str
    portal_id: str
    started_at: str
    status: str = "running"
    finished_at: str | None = None
    stats: WriteStats = field(default_factory=WriteStats)
    pages: int = 0
    pages_unchanged: int = 0
    failed: tuple[FailedRecord, ...] = ()
    skipped: int = 0
    warnings: tuple[str, ...] = ()
    error: str | None = None
    #: the id of the HTTP request that asked for the harvest (admin API), carried by its log lines
    request_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["failed_count"] = len(self.failed)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HarvestJob:
        """Rebuild a job from :meth:`to_dict` output."""
        values = {k: v for k, v in data.items() if k != "failed_count"}
        stats = dict(values.get("stats", {}))
        stats["rejected"] = tuple(FailedRecord(**f) for f in stats.get("rejected", ()))
        values["stats"] = WriteStats(**stats)
        values["failed"] = tuple(FailedRecord(**f) for f in values.get("failed", ()))
        values["warnings"] = tuple(values.get("warnings", ()))
        return cls(**values)

    def finish(self, **changes: Any) -> HarvestJob:
        """A copy with the given fields changed (jobs are immutable)."""
        return replace(self, **changes)
