"""Link health and freshness: check distribution URLs, and stamp what was found onto the records.

The link checker's results live in their own store (:mod:`service.store.link_checks`),
keyed by URL. What search needs of them is stamped onto each record
(``link_status``, ``overdue`` and the quality score with its reachability
indicators) by :class:`Stamper`, which every harvest applies before writing and
every link check run applies to the records whose stamp changed. Search backends
then index the stamps as ordinary facets (``service/search/base.py:facet_values``).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Callable, Iterable, Iterator

from harvesters.fetch.link_checker import LinkChecker, LinkCheckSettings, LinkTarget
from service.harvesting.locking import PortalBusy, PortalLock
from mappings.freshness import is_overdue
from mappings.links import LinkCheck, link_status_of, record_urls
from mappings.quality import quality_score
from mappings.record import Record
from service.search.base import SearchBackend
from service.store.link_checks import LinkCheckStore

__all__ = ["LinkRun", "Stamper", "check_links", "forget_orphans", "restamp", "stamp", "targets_by_age"]

logger = logging.getLogger(__name__)


class Stamper:
    """Stamps records with their link status, freshness and link-aware quality score."""

    def __init__(self, store: LinkCheckStore, *, margin: float, today: Callable[[], date] | None = None) -> None:
        self.store = store
        self.margin = margin
        self._today = today or (lambda: datetime.now(timezone.utc).date())

    def __call__(self, record: Record) -> Record:
        """The record stamped (a new record; records are immutable)."""
        checks = self.store.get_many(url for url, _ in record_urls(record))
        return stamp(record, checks, self._today(), margin=self.margin)

    def many(self, records: list[Record]) -> list[Record]:
        """The records stamped, their checks read in one query (what a harvest does, a batch at a time)."""
        checks = self.store.get_many(url for record in records for url, _ in record_urls(record))
        today = self._today()
        return [stamp(record, checks, today, margin=self.margin) for record in records]


def stamp(record: Record, checks: dict[str, LinkCheck], today: date, *, margin: float) -> Record:
    """The record with ``link_status``, ``overdue`` and ``quality`` from the checks of its URLs."""
    overdue = is_overdue(record, today, margin=margin) if record.frequency and record.modified else None
    # without checks the score is normalise()'s: computing it again would only slow harvests down
    quality = quality_score(record, checks) if checks or record.quality is None else record.quality
    return replace(record, link_status=link_status_of(record, checks), overdue=overdue, quality=quality)


@dataclass
class LinkRun:
    """What a link check run did: URLs checked, verdict counts, broken URLs by host, records restamped."""

    portals: tuple[str, ...]
    known_urls: int = 0
    checked: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: {"ok": 0, "wrong_type": 0, "broken": 0})
    broken_by_host: dict[str, int] = field(default_factory=dict)
    restamped: int = 0
    skipped_portals: list[str] = field(default_factory=list)
    forgotten: int = 0

    def count(self, check: LinkCheck) -> None:
        """Count one check."""
        self.checked += 1
        self.verdicts[check.verdict] = self.verdicts.get(check.verdict, 0) + 1
        if check.broken:
            self.broken_by_host[check.host] = self.broken_by_host.get(check.host, 0) + 1

    def to_dict(self) -> dict:
        """A JSON-ready summary."""
        return {
            "portals": list(self.portals),
            "known_urls": self.known_urls,
            "checked": self.checked,
            "verdicts": dict(self.verdicts),
            "broken_by_host": dict(sorted(self.broken_by_host.items(), key=lambda kv: (-kv[1], kv[0]))),
            "restamped_records": self.restamped,
            "portals_not_restamped": list(self.skipped_portals),
            "forgotten_urls": self.forgotten,
        }


def targets_by_age(records: Iterable[Record], store: LinkCheckStore, limit: int) -> tuple[list[LinkTarget], int]:
    """The ``limit`` URLs checked longest ago (never-checked ones first), and how many URLs the records have."""
    declared: dict[str, LinkTarget] = {}
    for record in records:
        for url, distribution in record_urls(record):
            declared.setdefault(url, LinkTarget(url, distribution))
    checked_at = {url: check.checked_at for url, check in store.get_many(declared).items()}
    ordered = sorted(declared, key=lambda url: (url in checked_at, checked_at.get(url, ""), url))
    return [declared[url] for url in ordered[:limit]], len(declared)


def check_links(
    backend: SearchBackend,
    store: LinkCheckStore,
    portal_ids: Iterable[str],
    *,
    settings: LinkCheckSettings,
    limit: int,
    stamper: Stamper,
    on_progress: Callable[[LinkRun, int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    checker: LinkChecker | None = None,
) -> LinkRun:
    """Check the portals' oldest-checked URLs (at most ``limit``), save each result, then restamp their records."""
    portals = tuple(portal_ids)
    run = LinkRun(portals=portals)
    targets, run.known_urls = targets_by_age(_records_of(backend, portals), store, limit)
    checker = checker or LinkChecker(settings)
    try:
        def save(check: LinkCheck) -> None:
            store.save([check])
            run.count(check)
            if on_progress:
                on_progress(run, len(targets))

        checker.run(targets, save, should_stop=should_stop)
    finally:
        checker.close()
    run.restamped, run.skipped_portals = restamp(backend, portals, stamper)
    return run


def forget_orphans(backend: SearchBackend, store: LinkCheckStore) -> int:
    """Drop the checks of URLs that no stored record links to any more; returns how many."""
    linked = {url for record in backend.iter_records() for url, _ in record_urls(record)}
    return store.forget([check.url for check in store.iter_checks() if check.url not in linked])


def restamp(backend: SearchBackend, portal_ids: Iterable[str], stamper: Stamper) -> tuple[int, list[str]]:
    """Rewrite the records whose stamp changed, in one pass, under each portal's harvest lock.

    A portal being harvested is skipped (the harvest stamps its records itself).
    :returns: how many records were rewritten, and the portals skipped.
    """
    with ExitStack() as locks:
        held, busy = [], []
        for portal_id in portal_ids:
            try:
                locks.enter_context(PortalLock.acquire(backend, portal_id))
                held.append(portal_id)
            except PortalBusy:
                busy.append(portal_id)
        changed: dict[str, list[Record]] = {portal_id: [] for portal_id in held}
        for record in _records_of(backend, tuple(held)):
            stamped = stamper(record)
            if _stamp_changed(record, stamped) and not _flagged_missing(backend, record):
                changed[record.portal_id].append(stamped)
        now = datetime.now(timezone.utc)
        for portal_id, records in changed.items():
            if records:
                backend.replace_portal(portal_id, records, now=now, is_complete=lambda: False)
    return sum(len(records) for records in changed.values()), busy


def _stamp_changed(before: Record, after: Record) -> bool:
    return (before.link_status, before.overdue, before.quality) != (after.link_status, after.overdue, after.quality)


def _flagged_missing(backend: SearchBackend, record: Record) -> bool:
    """True for a record its portal no longer publishes (rewriting it would clear the flag)."""
    hit = backend.get(record.record_id)
    return hit is None or hit.missing_since is not None


def _records_of(backend: SearchBackend, portal_ids: tuple[str, ...]) -> Iterator[Record]:
    wanted = set(portal_ids)
    return (record for record in backend.iter_records() if record.portal_id in wanted)
