"""Is a dataset overdue? Its ``modified`` date against the update frequency it declares.

A dataset is *overdue* when more time has passed since its last modification
than its frequency allows, plus a margin (a weekly dataset updated ten days ago
is not neglected; one updated two months ago is). Frequencies without a period
(as needed, irregular, never, unknown, continuous updates with no date to
compare) never make a dataset overdue: :func:`freshness` says ``unknown`` then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mappings.record import Record
from mappings.vocabularies import eu_frequency

__all__ = ["DEFAULT_MARGIN", "FRESHNESS_STATES", "PERIOD_DAYS", "Freshness", "freshness", "is_overdue"]

#: Days each EU frequency allows between two updates (sub-daily ones are rounded up to a day).
PERIOD_DAYS: dict[str, float] = {
    "UPDATE_CONT": 1, "CONT": 1, "1MIN": 1, "5MIN": 1, "10MIN": 1, "15MIN": 1, "30MIN": 1,
    "HOURLY": 1, "BIHOURLY": 1, "TRIHOURLY": 1, "12HRS": 1, "DAILY_3": 1, "DAILY_2": 1, "DAILY": 1,
    "WEEKLY_5": 7, "WEEKLY_3": 7, "WEEKLY_2": 7, "WEEKLY": 7, "BIWEEKLY": 14,
    "MONTHLY_3": 31, "MONTHLY_2": 31, "MONTHLY": 31, "BIMONTHLY": 62, "QUARTERLY": 92,
    "ANNUAL_3": 366, "ANNUAL_2": 366, "ANNUAL": 366, "BIENNIAL": 731, "TRIENNIAL": 1096,
    "QUADRENNIAL": 1461, "QUINQUENNIAL": 1827, "DECENNIAL": 3653, "BIDECENNIAL": 7305, "TRIDECENNIAL": 10958,
}
#: How much later than its period a dataset may be: half a period, and never less than 3 days.
DEFAULT_MARGIN = 0.5
MIN_MARGIN_DAYS = 3
FRESHNESS_STATES = ("fresh", "overdue", "unknown")


@dataclass(frozen=True)
class Freshness:
    """A record's freshness: its state, and the date it became (or becomes) overdue."""

    state: str
    due: str | None = None
    frequency: str | None = None


def freshness(record: Record, today: date, *, margin: float = DEFAULT_MARGIN) -> Freshness:
    """``fresh``, ``overdue`` or ``unknown`` (no period declared, or no usable ``modified``)."""
    info = eu_frequency(record.frequency.uri or record.frequency.label) if record.frequency else None
    period = PERIOD_DAYS.get(info.code) if info else None
    modified = _day(record.modified)
    if period is None or modified is None:
        return Freshness("unknown", frequency=info.code if info else None)
    allowed = period + max(period * margin, MIN_MARGIN_DAYS)
    due = modified + timedelta(days=allowed)
    return Freshness("overdue" if today > due else "fresh", due=due.isoformat(), frequency=info.code)


def is_overdue(record: Record, today: date, *, margin: float = DEFAULT_MARGIN) -> bool:
    """True when the record is later than its declared frequency allows."""
    return freshness(record, today, margin=margin).state == "overdue"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
