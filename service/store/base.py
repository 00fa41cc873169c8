"""The store seams: records, harvest jobs and locks, each a narrow ABC.

The embedded default implements all three in one SQLite file
(:class:`service.store.sqlite.SqliteStore`); the Elasticsearch backend
implements them over the engine. Searching is another seam,
:class:`service.search.base.SearchIndex`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator

from mappings.jobs import HarvestJob, WriteStats
from mappings.record import Record

__all__ = ["JobLog", "KeptRecord", "Locks", "RecordStore", "SearchUnavailable", "StoreError", "StoredRecord"]


class StoreError(Exception):
    """The store refused an operation (disk full, corrupt file, engine error)."""


class SearchUnavailable(StoreError):
    """The store cannot be reached right now; try again later."""


@dataclass(frozen=True)
class StoredRecord:
    """A record as stored: the record, since when its portal stopped publishing it, and its cluster."""

    record: Record
    missing_since: str | None = None
    cluster_id: str | None = None
    #: the record as :meth:`Record.to_dict` gives it, when the store read it whole (results render it as it is)
    plain: dict | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class KeptRecord:
    """In a harvest's stream, the record stored under ``record_id``, kept as it is stored.

    An unchanged catalogue page stands for the records it produced last time: a store whose
    :attr:`RecordStore.keeps_records` is True takes these instead of the records themselves,
    so an unchanged re-harvest neither decodes nor rewrites them.
    """

    record_id: str


class RecordStore(ABC):
    """The records of every portal, written per portal and atomically; the source of truth."""

    #: True when :meth:`replace_portal` also takes :class:`KeptRecord` items
    keeps_records: bool = False

    @abstractmethod
    def replace_portal(
        self,
        portal_id: str,
        records: Iterable[Record | KeptRecord],
        *,
        now: datetime,
        grace: timedelta = timedelta(0),
        is_complete: Callable[[], bool] = lambda: True,
    ) -> WriteStats:
        """Make the portal's stored records those of ``records``.

        :param records: consumed once; if it raises, the store is left untouched. A store that
            :attr:`keeps_records` also takes :class:`KeptRecord` items (unknown ids among them are ignored).
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
    def get_stored(self, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
        """The stored records among ``record_ids``, by id (unknown ids are left out)."""

    @abstractmethod
    def cluster_members(self, cluster_ids: Iterable[str]) -> dict[str, list[Record]]:
        """Every record of each cluster (duplicates across portals), by cluster id."""

    @abstractmethod
    def iter_records(self, *, offset: int = 0, limit: int | None = None) -> Iterator[Record]:
        """Every record in a stable order (portal, then id), for export."""

    def iter_record_json(self, *, offset: int = 0, limit: int | None = None) -> Iterator[str]:
        """:meth:`iter_records` as JSON texts of :meth:`Record.to_dict` (a store that keeps JSON yields it undecoded).

        What the export hands to worker processes: a text is cheaper to send than a record, and decoding it is their work.
        """
        for record in self.iter_records(offset=offset, limit=limit):
            yield json.dumps(record.to_dict(), ensure_ascii=False)

    @abstractmethod
    def counts_by_portal(self) -> dict[str, int]:
        """Record count per portal id."""

    @abstractmethod
    def quality_by_portal(self) -> dict[str, float]:
        """Mean metadata quality score per portal (records without a score left out)."""

    @abstractmethod
    def page_cache(self, portal_id: str) -> dict[str, dict]:
        """The page validators saved by the portal's last successful harvest: page key → JSON-ready dict."""

    @abstractmethod
    def save_page_cache(self, portal_id: str, pages: dict[str, dict]) -> None:
        """Replace the portal's page validators with ``pages`` (see :meth:`page_cache`)."""

    def count(self) -> int:
        """How many records are stored."""
        return sum(self.counts_by_portal().values())

    def stored_ids(self, record_ids: Iterable[str]) -> set[str]:
        """Which of ``record_ids`` are stored (a store answers without decoding the records when it can)."""
        return set(self.get_stored(record_ids))

    def get_many(self, record_ids: Iterable[str]) -> list[Record]:
        """The stored records among ``record_ids``, in that order (unknown ids are left out)."""
        wanted = list(dict.fromkeys(record_ids))
        found = self.get_stored(wanted)
        return [found[record_id].record for record_id in wanted if record_id in found]


class JobLog(ABC):
    """Harvest jobs: what ran, when, and how it ended."""

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


class Locks(ABC):
    """Named locks with an expiry, atomic across processes and hosts sharing the store."""

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
