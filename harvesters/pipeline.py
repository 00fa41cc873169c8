"""The harvesters' half of a harvest, as a pipeline: fetch pages → parse → map → records.

:func:`harvest_records` walks a harvester's pages through its :class:`~harvesters.page_mappers.PageMapper`
(which parses and maps them, here or in worker processes) and yields every record once, bounded to
the configured limits, with each page's outcome remembered in the page cache. An unchanged page
yields one :class:`KeepRecords` instead. Writing them is the service's half
(:mod:`service.harvesting.runner`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from harvesters.errors import PageTooLarge
from harvesters.fetch.page_cache import KeepRecords, KeptDataset, PageEntry
from harvesters.page import HarvestReport, Page
from mappings.jobs import FailedRecord
from mappings.limits import bound_record
from mappings.record import Record

if TYPE_CHECKING:
    from harvesters.base import Harvester

__all__ = ["harvest_records"]


def harvest_records(
    harvester: Harvester, report: HarvestReport, *, harvested_at: str | None = None
) -> Iterator[Record | KeepRecords]:
    """Every record the portal publishes, de-duplicated by id, failures noted in ``report``."""
    seen: set[str] = set()
    with harvester.reading_ahead(), harvester.mapper.running(harvester, harvester.pages(report), harvested_at) as pages:
        try:
            for page in pages:
                report.pages += 1
                if page.unchanged:
                    yield from _replay(harvester, page, report, seen)
                else:
                    yield from _process(harvester, page, report, seen, harvested_at)
        except PageTooLarge as exc:  # memory is bounded per page: that page is left out, not the whole run
            report.incomplete(f"{exc}; paging stopped there, so nothing was removed")


def _replay(harvester: Harvester, page: Page, report: HarvestReport, seen: set[str]) -> Iterator[KeepRecords]:
    """An unchanged page: what it produced last time, counted again."""
    entry = page.entry or PageEntry()
    report.pages_unchanged += 1
    report.skipped += entry.skipped
    for failure in entry.failed:
        report.fail(failure.reason, failure.source)
    kept = tuple(rid for rid in entry.record_ids if rid not in seen)
    seen.update(kept)
    report.records += len(kept)
    harvester.page_cache.remember(page.key or page.url, entry)
    if kept:
        yield KeepRecords(page_key=page.key or page.url, record_ids=kept)


def _process(
    harvester: Harvester, page: Page, report: HarvestReport, seen: set[str], harvested_at: str | None
) -> Iterator[Record | KeepRecords]:
    """A new or changed page: its records, bounded, then one :class:`KeepRecords` for its datasets
    unchanged since the last run; what it produced is remembered for next time."""
    produced = _PageOutcome(failures=list(page.failures), skipped=page.skipped)
    for failure in page.failures:
        report.fail(failure.reason, failure.source)
    for digest, outcome in _outcomes(harvester, page, harvested_at):
        record = produced.sort(digest, outcome, report, seen)
        if record is not None:
            bounded, limits_hit = bound_record(record, harvester.limits.record)
            for setting in limits_hit:
                report.limit_hit(setting, bounded.record_id)
            yield bounded
    report.skipped += produced.skipped
    if page.key is not None and page.entry is not None and page.cacheable:
        entry = replace(
            page.entry,
            record_ids=tuple(produced.ids),
            next=page.next,
            failed=tuple(produced.failures),
            skipped=produced.skipped,
            datasets=tuple(produced.datasets),
        )
        harvester.page_cache.remember(page.key, entry)
    # after the page is remembered: a kept record found missing makes the page forgotten, so it is read in full next time
    if produced.kept:
        yield KeepRecords(page_key=page.key or page.url, record_ids=tuple(produced.kept))


class _PageOutcome:
    """What one page produced: its record ids (those kept as stored apart), dataset digests, failures and skipped datasets."""

    def __init__(self, failures: list[FailedRecord], skipped: int) -> None:
        self.ids: list[str] = []
        self.kept: list[str] = []
        self.datasets: list[tuple[str, str]] = []
        self.failures = failures
        self.skipped = skipped

    def sort(
        self, digest: str, outcome: Record | FailedRecord | KeptDataset | None, report: HarvestReport, seen: set[str]
    ) -> Record | None:
        """The record to yield, or None for a skipped, failed, kept or already seen dataset."""
        if outcome is None:
            self.skipped += 1
            return None
        if isinstance(outcome, FailedRecord):
            self.failures.append(outcome)
            report.fail(outcome.reason, outcome.source)
            return None
        if outcome.record_id in seen:
            return None
        seen.add(outcome.record_id)
        self.ids.append(outcome.record_id)
        self.datasets.append((digest, outcome.record_id))
        report.records += 1
        if isinstance(outcome, KeptDataset):
            self.kept.append(outcome.record_id)
            return None
        return outcome


def _outcomes(
    harvester: Harvester, page: Page, harvested_at: str | None
) -> Iterable[tuple[str, Record | FailedRecord | KeptDataset | None]]:
    """The page's datasets with their digests, mapped: by the worker that mapped them, else now."""
    return page.outcomes.result() if page.outcomes is not None else harvester.outcomes(page, harvested_at)
