"""``fedcat status``: each portal's records, last harvest and next scheduled run, as a table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Sequence

from service.scheduler import ScheduleError, next_run
from mappings.portals import Portal
from service.catalogue import Catalogue

__all__ = ["PortalStatus", "portal_statuses", "render_table"]

_NONE = "-"
_COLUMNS = ("PORTAL", "KIND", "RECORDS", "LAST HARVEST", "STATUS", "NEXT RUN")


@dataclass(frozen=True)
class PortalStatus:
    """What an operator wants to know about one portal."""

    portal: str
    kind: str
    records: int
    last_harvest: str | None
    status: str
    next_run: str | None

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)


def portal_statuses(catalogue: Catalogue, now: datetime) -> list[PortalStatus]:
    """One row per configured portal, from the store and the portals' schedules."""
    counts = catalogue.backend.counts_by_portal()
    last_jobs = catalogue.backend.last_jobs()
    rows = []
    for portal in catalogue.portals:
        job = last_jobs.get(portal.id)
        status = job.status if job else "never harvested"
        if not catalogue.harvestable(portal):
            status = f"no harvester for {portal.kind!r}"
        rows.append(
            PortalStatus(
                portal=portal.id,
                kind=portal.kind,
                records=counts.get(portal.id, 0),
                last_harvest=(job.finished_at or job.started_at) if job else None,
                status=status,
                next_run=_next_run_text(portal, now),
            )
        )
    return rows


def render_table(rows: Sequence[PortalStatus]) -> str:
    """The rows as an aligned plain-text table (numbers right-aligned)."""
    cells = [_COLUMNS] + [
        (r.portal, r.kind, f"{r.records:,}", _short_time(r.last_harvest), r.status, r.next_run or _NONE) for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(_COLUMNS))]
    lines = []
    for row in cells:
        parts = [cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _next_run_text(portal: Portal, now: datetime) -> str | None:
    try:
        when = next_run(portal, now)
    except ScheduleError:
        return f"invalid schedule {portal.schedule!r}"
    return when.strftime("%Y-%m-%d %H:%M %Z") if when else None


def _short_time(iso: str | None) -> str:
    """``2026-06-01T12:00:00+00:00`` → ``2026-06-01 12:00 UTC``."""
    if not iso:
        return _NONE
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%Y-%m-%d %H:%M ") + (moment.tzname() or "")
