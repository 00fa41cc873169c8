"""Bounds on what one harvested record may hold: long texts are cut, long lists shortened.

A portal can publish a 10 MB description or 50,000 keywords; stored and served
whole, one such record weighs on every search, page and export that carries it.
:func:`bound_record` cuts each text to ``max_text_chars`` (with
:data:`TRUNCATION_MARKER`) and keeps the first ``max_keywords`` keywords and
``max_distributions`` distributions, and says what it cut, so the harvest job
can report it. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mappings.record import Distribution, Record

__all__ = ["MAX_KEYWORD_CHARS", "RecordLimits", "TRUNCATION_MARKER", "bound_record", "cut_text"]

#: appended to a text that was cut
TRUNCATION_MARKER = " […]"
#: the longest keyword kept (a keyword is a word or two: longer is a description in the wrong field)
MAX_KEYWORD_CHARS = 200


@dataclass(frozen=True)
class RecordLimits:
    """The most one record may hold (``FEDCAT_MAX_LITERAL_CHARS``, ``FEDCAT_MAX_KEYWORDS``, ``FEDCAT_MAX_DISTRIBUTIONS``)."""

    max_text_chars: int = 100_000
    max_keywords: int = 500
    max_distributions: int = 1_000


def cut_text(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters long, the marker included, cut at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    room = max(limit - len(TRUNCATION_MARKER), 0)
    head = text[:room]
    space = head.rfind(" ", max(room - 40, 0))
    return (head[:space] if space > 0 else head).rstrip() + TRUNCATION_MARKER


def bound_record(record: Record, limits: RecordLimits) -> tuple[Record, list[str]]:
    """The record within ``limits``, and the names of the limits it hit (``FEDCAT_*`` settings)."""
    hit: list[str] = []
    changes: dict = {}
    for name in ("title", "description"):
        value = getattr(record, name)
        if len(value) > limits.max_text_chars:
            changes[name] = cut_text(value, limits.max_text_chars)
            hit.append("FEDCAT_MAX_LITERAL_CHARS")
    keywords = record.keywords
    if len(keywords) > limits.max_keywords:
        keywords = keywords[: limits.max_keywords]
        hit.append("FEDCAT_MAX_KEYWORDS")
    if any(len(keyword) > MAX_KEYWORD_CHARS for keyword in keywords):
        keywords = tuple(cut_text(keyword, MAX_KEYWORD_CHARS) for keyword in keywords)
        hit.append("FEDCAT_MAX_KEYWORDS")
    if keywords is not record.keywords:
        changes["keywords"] = keywords
    distributions = record.distributions
    if len(distributions) > limits.max_distributions:
        distributions = distributions[: limits.max_distributions]
        hit.append("FEDCAT_MAX_DISTRIBUTIONS")
    bounded = tuple(_bound_distribution(d, limits.max_text_chars) for d in distributions)
    if any(b is not d for b, d in zip(bounded, distributions)):
        hit.append("FEDCAT_MAX_LITERAL_CHARS")
    if len(bounded) != len(record.distributions) or "FEDCAT_MAX_LITERAL_CHARS" in hit:
        changes["distributions"] = bounded
    return (replace(record, **changes) if changes else record), sorted(set(hit))


def _bound_distribution(distribution: Distribution, limit: int) -> Distribution:
    long = {name: cut_text(getattr(distribution, name), limit) for name in ("title", "description") if len(getattr(distribution, name) or "") > limit}
    return replace(distribution, **long) if long else distribution
