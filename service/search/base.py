"""The search backend seam: what every store of records must do, embedded or server.

Facet rule, shared by every backend: filters on different facets are ANDed,
values within one facet are ORed, and each facet's counts ignore that facet's
own filter while honouring all the others (so a user can widen a choice).

Clusters (one dataset published on several portals) are shown once: the total
and every facet count distinct clusters, and each page holds one member per
cluster, the best by the query's own order.
"""

from __future__ import annotations

import re
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
    "Suggestion",
    "day_after",
    "rank_suggestions",
]

#: Facet name → how its values are read off a record.
FACETS = ("portal", "publisher", "theme", "format", "license", "keyword", "quality")
#: quality facet buckets: (label, lowest score in it), best first
QUALITY_BUCKETS = (("90-100", 90), ("75-89", 75), ("50-74", 50), ("0-49", 0))
#: Accepted sort keys; ``-`` reverses.
SORTS = ("relevance", "modified", "-modified", "title", "-title", "issued", "-issued", "quality", "-quality")
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
    modified_since: str | None = None
    modified_until: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    quality_min: int | None = None

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
    cluster_id: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """An autocompletion: a title, keyword or publisher, and how many records carry it."""

    text: str
    kind: str
    count: int = 1


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
        "publisher": (record.publisher.display_name,) if record.publisher and record.publisher.display_name else (),
        # the EU data themes make the four portals comparable; a record none could be given keeps its own
        "theme": tuple(dict.fromkeys(t.label_fr for t in record.eu_themes))
        or tuple(dict.fromkeys(t.label for t in record.themes)),
        "format": record.formats,
        "license": tuple(dict.fromkeys(c.label for c in record.licenses)),
        "keyword": tuple(dict.fromkeys(k.casefold() for k in record.keywords)),
        "quality": (quality_bucket(record.quality),) if record.quality is not None else (),
    }


def quality_bucket(score: int) -> str:
    """The facet bucket of a quality score (``"75-89"``)."""
    return next(label for label, lowest in QUALITY_BUCKETS if score >= lowest)


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
    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """Completions of what a user is typing: titles, keywords and publishers.

        Backends find candidate records by prefix; :func:`rank_suggestions` picks the completions.
        """

    @abstractmethod
    def cluster_members(self, cluster_ids: Iterable[str]) -> dict[str, list[Record]]:
        """Every record of each cluster (duplicates across portals), by cluster id."""

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
    def reindex(self, *, on_progress: Callable[[int, int], None] | None = None) -> str:
        """Rebuild the search index from the stored records; searches keep answering meanwhile.

        :param on_progress: called now and then with (records done, records in all).
        :returns: a name for what was built (an index name, or a description).
        """

    @abstractmethod
    def quality_by_portal(self) -> dict[str, float]:
        """Mean metadata quality score per portal (records without a score left out)."""

    @abstractmethod
    def save_job(self, job: HarvestJob) -> None:
        """Insert or update a harvest job."""

    @abstractmethod
    def jobs(self, *, portal_id: str | None = None, limit: int = 50) -> list[HarvestJob]:
        """Harvest jobs, newest first."""

    @abstractmethod
    def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        """Take the named lock for ``owner`` until ``ttl`` seconds from now, atomically across processes.

        Succeeds when the lock is free, has expired, or is already ``owner``'s
        (then its expiry moves on: a long job renews its lock this way). A
        crashed holder therefore blocks others for ``ttl`` seconds at most.

        :param name: what is locked, e.g. ``harvest:paris``.
        :param owner: who asks; unique per run (host, process and a random part).
        :param ttl: seconds the lock lives without renewal; 0 takes it already expired.
        :returns: True when ``owner`` now holds the lock, False when someone else does.
        :raises StoreError: when the store cannot be reached.
        """

    @abstractmethod
    def release_lock(self, name: str, owner: str) -> None:
        """Free the named lock if ``owner`` still holds it; a lock taken over by another owner is left alone.

        :raises StoreError: when the store cannot be reached (the lock then expires on its own).
        """

    def get_many(self, record_ids: Iterable[str]) -> list[Record]:
        """The stored records among ``record_ids``, in that order (unknown ids are left out).

        Backends that can fetch in batches should override this loop of :meth:`get`.
        """
        hits = (self.get(record_id) for record_id in record_ids)
        return [hit.record for hit in hits if hit is not None]

    def page_cache(self, portal_id: str) -> dict[str, dict]:
        """The page validators saved by the portal's last successful harvest: page key → JSON-ready dict.

        Harvests use them for conditional requests and to skip unchanged pages.
        The default keeps nothing, which makes every harvest read every page:
        backends should override this and :meth:`save_page_cache`.
        """
        return {}

    def save_page_cache(self, portal_id: str, pages: dict[str, dict]) -> None:
        """Replace the portal's page validators with ``pages`` (see :meth:`page_cache`)."""

    def last_jobs(self) -> dict[str, HarvestJob]:
        """The newest job of each portal."""
        latest: dict[str, HarvestJob] = {}
        for job in self.jobs(limit=1000):
            latest.setdefault(job.portal_id, job)
        return latest

    def data_version(self) -> int | None:
        """A number that changes whenever the stored records change, so that answers computed from
        them can be reused until then; None when the backend cannot tell (answers are then never reused)."""
        return None

    def warm_up(self) -> None:
        """Prepare now what the first searches would otherwise build (indices, caches); the default does nothing."""

    def ping(self) -> bool:
        """True when the store answers."""
        try:
            self.count()
        except StoreError:
            return False
        return True

    def close(self) -> None:
        """Release connections."""


def day_after(day: str) -> str:
    """The ISO date after ``day`` (an inclusive "until" becomes an exclusive bound)."""
    from datetime import date, timedelta

    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()


def rank_suggestions(records: Iterable[Record], prefix: str, limit: int) -> list[Suggestion]:
    """The titles, keywords and publishers of ``records`` whose words start with every typed word.

    Ranked by how many candidate records carry them, keywords and publishers first
    at equal counts (they are shorter and broader), then alphabetically.
    """
    from service.search.french import fold

    wanted = fold(prefix).split()
    if not wanted:
        return []
    counts: dict[tuple[str, str], int] = {}
    for record in records:
        values = [("keyword", k) for k in record.keywords] + [("title", record.title)]
        if record.publisher and record.publisher.name:
            values.append(("publisher", record.publisher.name))
        for kind, text in dict.fromkeys(values):
            if _starts_every_word(fold(text), wanted):
                counts[(kind, text)] = counts.get((kind, text), 0) + 1
    order = {"keyword": 0, "publisher": 1, "title": 2}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order[item[0][0]], fold(item[0][1])))
    return [Suggestion(text=text, kind=kind, count=count) for (kind, text), count in ranked[:limit]]


def _starts_every_word(folded: str, wanted: list[str]) -> bool:
    words = re.findall(r"\w+", folded)
    return all(any(word.startswith(w) for word in words) for w in re.findall(r"\w+", " ".join(wanted)))
