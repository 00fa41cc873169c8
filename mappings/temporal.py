"""Temporal coverage from the strings portals write: ISO intervals, year ranges, French prose.

Handled: ``2011-01-01/2011-12-31`` (dates or date-times), ``2011/2015``,
``2011-2015``, ``2011``, ``2011-05``, ``05/2011``, ``01/01/2011``,
``1er janvier 2011``, ``janvier 2011``, ``de 2004 à 2010``, ``entre 2004 et 2010``,
``depuis 2004``, ``à partir de 2004``, ``jusqu'en 2010``, ``2004 à aujourd'hui``,
and ISO 8601-2 open ends (``2004/..``, ``../2010``). A year or month stands for
all its days: the period starts on its first day and ends on its last. Reversed
ranges are put back in order.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = ["Period", "date_bounds", "period_from_dates", "period_from_text"]

_MONTHS = {
    **dict.fromkeys(("janvier", "janv", "january", "jan"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev", "february", "feb"), 2),
    **dict.fromkeys(("mars", "march", "mar"), 3),
    **dict.fromkeys(("avril", "avr", "april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "june", "jun"), 6),
    **dict.fromkeys(("juillet", "juil", "july", "jul"), 7),
    **dict.fromkeys(("aout", "august", "aug"), 8),
    **dict.fromkeys(("septembre", "sept", "september", "sep"), 9),
    **dict.fromkeys(("octobre", "october", "oct"), 10),
    **dict.fromkeys(("novembre", "november", "nov"), 11),
    **dict.fromkeys(("decembre", "december", "dec"), 12),
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[t ]\d[\d:.,]*(?:z|[+-]\d{2}:?\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_WORDS = re.compile(r"^(?:(\d{1,2})\s+)?([a-z]+)\.?\s+(\d{4})$")

_OPEN_START = re.compile(
    r"^(?:depuis|a partir d[eu]|a compter d[eu]|since|starting(?: from)?)\s+(?:le\s+|l'|the\s+)?(.+)$"
)
_OPEN_END = re.compile(r"^(?:jusqu'(?:a|au|en)|until|till|up to)\s+(?:le\s+|l'|the\s+)?(.+)$")
_RANGE_PREFIX = re.compile(r"^(?:de|du|from|entre|between|periode|period)\s+(?:le\s+|l'|the\s+)?")
_SEPARATORS = (
    re.compile(r"\s*/\s*"),
    re.compile(r"(?<=\d{4})\s*[-–—]\s*(?=\d{4}\b)"),
    re.compile(r"\s+(?:-|–|—|a|au|to|until|et|and)\s+(?:le\s+|l'|the\s+)?"),
)
_ONGOING = frozenset(
    {"", "..", "aujourd'hui", "present", "nos jours", "maintenant", "now", "today", "en cours", "ongoing"}
)


@dataclass(frozen=True)
class Period:
    """A temporal coverage; either end may be open (None)."""

    start: date | None
    end: date | None

    def as_iso(self) -> tuple[str | None, str | None]:
        """``(start, end)`` as ISO 8601 dates, the shape :class:`~mappings.record.Record` stores."""
        return (self.start.isoformat() if self.start else None, self.end.isoformat() if self.end else None)


def period_from_text(text: str | None) -> Period | None:
    """The period a coverage string describes, or None when it describes none we understand."""
    cleaned = _clean(text or "")
    if not cleaned:
        return None
    for parse in (_single, _open_start, _open_end, _range):
        period = parse(cleaned)
        if period is not None:
            return period
    return None


def period_from_dates(start: str | None, end: str | None) -> Period | None:
    """The period between two date strings (a ``dct:PeriodOfTime``'s start and end), either optional."""
    first = date_bounds(start) if start else None
    last = date_bounds(end) if end else None
    if first is None and last is None:
        return None
    return _ordered(first, last)


def date_bounds(text: str | None) -> tuple[date, date] | None:
    """The first and last day a date expression covers (``2011`` → 1 January … 31 December)."""
    cleaned = _clean(text or "")
    for pattern, fields in _DATE_FORMS:
        match = pattern.match(cleaned)
        parts = fields(match) if match else None
        if parts:
            return _bounds(*parts)
    return None


def _single(text: str) -> Period | None:
    bounds = date_bounds(text)
    return Period(*bounds) if bounds else None


def _open_start(text: str) -> Period | None:
    match = _OPEN_START.match(text)
    bounds = date_bounds(match.group(1)) if match else None
    return Period(bounds[0], None) if bounds else None


def _open_end(text: str) -> Period | None:
    match = _OPEN_END.match(text)
    bounds = date_bounds(match.group(1)) if match else None
    return Period(None, bounds[1]) if bounds else None


def _range(text: str) -> Period | None:
    """Split at the first separator whose two sides are dates (or an open end)."""
    body = _RANGE_PREFIX.sub("", text)
    for separator in _SEPARATORS:
        for match in separator.finditer(body):
            left, right = body[: match.start()].strip(), body[match.end() :].strip()
            first, last = _side(left), _side(right)
            if first is not False and last is not False and (first or last):
                return _ordered(first or None, last or None)
    return None


def _side(text: str) -> tuple[date, date] | None | bool:
    """Date bounds of one side of a range, None for an open end, False when it is neither."""
    if text in _ONGOING:
        return None
    return date_bounds(text) or False


def _ordered(first: tuple[date, date] | None, last: tuple[date, date] | None) -> Period:
    if first and last and first[0] > last[1]:
        first, last = last, first
    return Period(first[0] if first else None, last[1] if last else None)


def _bounds(year: int, month: int | None = None, day: int | None = None) -> tuple[date, date] | None:
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


def _words(match: re.Match[str]) -> tuple[int, int, int | None] | None:
    """``1 janvier 2011`` / ``janvier 2011``; None when the word is not a month."""
    month = _MONTHS.get(match.group(2))
    return (int(match.group(3)), month, _optional_int(match.group(1))) if month else None


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


_DATE_FORMS = (
    (_ISO, lambda m: (int(m.group(1)), _optional_int(m.group(2)), _optional_int(m.group(3)))),
    (_COMPACT, lambda m: (int(m.group(1)), int(m.group(2)), int(m.group(3)))),
    (_DAY_MONTH_YEAR, lambda m: (int(m.group(3)), int(m.group(2)), int(m.group(1)))),
    (_MONTH_YEAR, lambda m: (int(m.group(2)), int(m.group(1)), None)),
    (_WORDS, _words),
)


def _clean(text: str) -> str:
    """Lower case, no accents, straight apostrophes, ``1er`` → ``1``, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    bare = re.sub(r"\b1er\b", "1", bare)
    return " ".join(bare.split()).strip(" .;,")
