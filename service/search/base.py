"""The search backend seam: what every store of records must do, embedded or server.

Facet rule, shared by every backend: filters on different facets are ANDed,
values within one facet are ORed, and each facet's counts ignore that facet's
own filter while honouring all the others (so a user can widen a choice).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, ClassVar, Iterable, Iterator

from mappings.jobs import HarvestJob, WriteStats
from mappings.record import Record

__all__ = [
    "FACETS",
    "FacetValue",
    "Hit",
    "SORTS",
    "SearchBackend",
    "SearchPage",
    "SearchQuery",
    "SearchUnavailable",
    "StoreError",
]

#: Facet name → how its values are read off a record.
FACETS = ("portal", "publisher", "theme", "format", "license", "keyword")
#: Accepted sort keys; ``-`` reverses.
SORTS = ("relevance", "modified", "-modified", "title", "-title", "issued", "-issued")
FACET_SIZE = 20


class StoreError(Exception):
    """The store refused an operation (disk full, corrupt file, engine error)."""


class SearchUnavailable(StoreError):
    """The store cannot be reached right now; try again later."""


@dataclass(frozen=True)
class SearchQuery:
    """A validated search request."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facet_size: int = FACET_SIZE

    @property
    def offset(self) -> int:
        """Index of the first hit of the page."""
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Hit:
    """One result: the record and its relevance score (0 when not ranked)."""

    record: Record
    score: float = 0.0
    missing_since: str | None = None


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many results carry it."""

    value: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    """A page of results with the facet counts of the whole result set."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    query: SearchQuery


def facet_values(record: Record) -> dict[str, tuple[str, ...]]:
    """The values a record contributes to each facet (the same for every backend)."""
    return {
        "portal": (record.portal_id,),
        "publisher": (record.publisher.name,) if record.publisher else (),
        "theme": tuple(dict.fromkeys(t.label for t in record.themes)),
        "format": record.formats,
        "license": tuple(dict.fromkeys(c.label for c in record.licenses)),
        "keyword": tuple(dict.fromkeys(k.casefold() for k in record.keywords)),
    }


class SearchBackend(ABC):
    """Stores records, harvest jobs and answers searches.

    Writes are per portal and atomic: :meth:`replace_portal` either applies the
    whole harvest or, if the record stream raises, changes nothing.
    """

    name: ClassVar[str]

    @abstractmethod
    def replace_portal(
        self,
        portal_id: str,
        records: Iterable[Record],
        *,
        now: datetime,
        grace: timedelta = timedelta(0),
        is_complete: Callable[[], bool] = lambda: True,
    ) -> WriteStats:
        """Make the portal's stored records those of ``records``.

        :param records: consumed once; if it raises, the store is left untouched.
        :param grace: records no longer published are flagged, and deleted once
            they have been missing this long (0 deletes them at once).
        :param is_complete: asked once the stream is consumed; False when the
            harvest saw only part of the catalogue, and then nothing is flagged or deleted.
        :returns: counts of created, updated, unchanged, flagged and deleted records.
        :raises StoreError: when the store cannot apply the write.
        """

    @abstractmethod
    def delete_portal(self, portal_id: str) -> int:
        """Remove every record of a portal; returns how many were removed."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage:
        """Run a search.

        :raises SearchUnavailable: when the store cannot be reached.
        """

    @abstractmethod
    def get(self, record_id: str) -> Hit | None:
        """One record by id, or None."""

    @abstractmethod
    def iter_records(self, *, offset: int = 0, limit: int | None = None) -> Iterator[Record]:
        """Every record in a stable order (portal, then id), for export."""

    @abstractmethod
    def count(self) -> int:
        """How many records are stored."""

    @abstractmethod
    def counts_by_portal(self) -> dict[str, int]:
        """Record count per portal id."""

    @abstractmethod
    def save_job(self, job: HarvestJob) -> None:
        """Insert or update a harvest job."""

    @abstractmethod
    def jobs(self, *, portal_id: str | None = None, limit: int = 50) -> list[HarvestJob]:
        """Harvest jobs, newest first."""

    def last_jobs(self) -> dict[str, HarvestJob]:
        """The newest job of each portal."""
        latest: dict[str, HarvestJob] = {}
        for job in self.jobs(limit=1000):
            latest.setdefault(job.portal_id, job)
        return latest

    def ping(self) -> bool:
        """True when the store answers."""
        try:
            self.count()
        except StoreError:
            return False
        return True

    def close(self) -> None:
        """Release connections."""
