"""What a harvest passes along: a :class:`Page` of a portal's catalogue, and the :class:`HarvestReport` of a run."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from rdflib import Graph

from harvesters.fetch.page_cache import PageEntry
from mappings.errors import SkipRecord
from mappings.jobs import FailedRecord

__all__ = ["HarvestReport", "Page"]

_MAX_REPORTED_FAILURES = 1000
_LIMIT_WORDS = {
    "FEDCAT_MAX_LITERAL_CHARS": "had a text cut",
    "FEDCAT_MAX_KEYWORDS": "had keywords left out",
    "FEDCAT_MAX_DISTRIBUTIONS": "had distributions left out",
}


@dataclass
class Page:
    """One page of a portal's catalogue: parsed into DCAT, or known unchanged since the last run.

    ``next`` is where paging goes on (a URL or a harvester's own cursor),
    ``failures``/``skipped`` note source records that never became DCAT, and a
    page that is not ``cacheable`` (paging looked wrong on it) is read again next time.
    """

    url: str
    graph: Graph = field(default_factory=Graph)
    next: str | None = None
    failures: list[FailedRecord] = field(default_factory=list)
    skipped: int = 0
    key: str | None = None
    entry: PageEntry | None = None
    unchanged: bool = False
    cacheable: bool = True
    #: the page's outcomes (see :meth:`Harvester.outcomes`) when a worker process maps it
    outcomes: Future | None = None
    #: record id by dataset digest of the datasets the page mapped last time (those unchanged are not mapped again)
    known: Mapping[str, str] = field(default_factory=dict)
    #: the page's :class:`~harvesters.fetch.page_cache.GraphDigests`, once worked out
    digests: Any = None

    def add_converted(self, convert: Callable[[Graph], None], source: Any, what: str = "record") -> None:
        """Convert one source record (a package, a CSW record) into DCAT on this page.

        One that asks to be skipped is counted, one that fails is noted; neither stops the page.
        """
        graph = Graph()
        try:
            convert(graph)
        except SkipRecord:
            self.skipped += 1
            return
        except Exception as exc:  # noqa: BLE001 - one odd source record must not fail the page
            self.failures.append(FailedRecord(reason=f"could not convert the {what}: {exc}", source=source))
            return
        self.graph += graph


@dataclass
class HarvestReport:
    """What a run saw, filled in as records stream out of :meth:`Harvester.records`.

    ``complete`` turns False when paging stopped early (a loop): the
    store then adds and updates but removes nothing.
    """

    pages: int = 0
    pages_unchanged: int = 0
    records: int = 0
    skipped: int = 0
    failed: list[FailedRecord] = field(default_factory=list)
    failed_count: int = 0
    warnings: list[str] = field(default_factory=list)
    complete: bool = True
    _limits: dict[str, tuple[int, list[str], int]] = field(default_factory=dict, repr=False)

    def fail(self, reason: str, source: str | None) -> None:
        """Note one dataset that could not be mapped (keeps the first thousand reasons)."""
        self.failed_count += 1
        if len(self.failed) < _MAX_REPORTED_FAILURES:
            self.failed.append(FailedRecord(reason=reason, source=source))

    def limit_hit(self, setting: str, record_id: str) -> None:
        """Note a record cut down to a limit: one warning per setting, with a count and the first records."""
        count, examples, index = self._limits.get(setting, (0, [], len(self.warnings)))
        if index == len(self.warnings):
            self.warnings.append("")
        count += 1
        if len(examples) < 3:
            examples.append(record_id)
        self._limits[setting] = (count, examples, index)
        what = _LIMIT_WORDS.get(setting, "cut to a limit")
        more = ", …" if count > len(examples) else ""
        self.warnings[index] = f"{count} record(s) {what} ({setting}): {', '.join(examples)}{more}"

    def incomplete(self, warning: str) -> None:
        """Note that the run did not see the whole catalogue."""
        self.complete = False
        self.warnings.append(warning)
