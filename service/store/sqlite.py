"""The embedded store: records, jobs, locks and page validators in one SQLite file (WAL mode).

A harvest streams into a per-connection staging table first, so the write lock
is held only while the finished harvest is applied, in one transaction. The
same transaction lists every record whose searchable form changed in the
``index_outbox`` table: the search index (derived, rebuildable) applies the
outbox and empties it, so a crash between the two commits is repaired from it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator

import orjson

from mappings.duplicates import ClusterEntry, compute_clusters, duplicate_keys
from mappings.jobs import HarvestJob, WriteStats
from mappings.record import Record
from service.store.base import JobLog, KeptRecord, Locks, RecordStore, StoreError, StoredRecord
from service.store.connections import Connections

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    rowid INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    portal_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    title_sort TEXT NOT NULL,
    modified TEXT,
    issued TEXT,
    missing_since TEXT,
    west REAL,
    south REAL,
    east REAL,
    north REAL,
    quality INTEGER,
    cluster_id TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_portal ON records (portal_id, record_id);
CREATE INDEX IF NOT EXISTS records_by_cluster ON records (cluster_id);
CREATE TABLE IF NOT EXISTS record_keys (record_rowid INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS keys_by_record ON record_keys (record_rowid);
CREATE INDEX IF NOT EXISTS keys_by_key ON record_keys (key);
CREATE TABLE IF NOT EXISTS index_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    portal_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_portal ON jobs (portal_id, started_at);
CREATE TABLE IF NOT EXISTS page_cache (
    portal_id TEXT NOT NULL,
    page_key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (portal_id, page_key)
);
CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL);
"""
#: a harvest's records before they are applied: the columns of ``records`` and the duplicate keys
_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS staging (record_id TEXT PRIMARY KEY, hash TEXT, data TEXT, portal_id TEXT,"
    " title_sort TEXT, modified TEXT, issued TEXT, west REAL, south REAL, east REAL, north REAL, quality INTEGER, keys TEXT)"
)
_STAGE = "INSERT OR REPLACE INTO temp.staging VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_KEPT_COLUMNS = (None,) * 12
#: take a free or expired lock, or renew one's own; a lock held by another live owner is left as it is
_ACQUIRE_LOCK = (
    "INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE locks.expires_at <= ? OR locks.owner = excluded.owner"
)
_SCHEMA_VERSION = 7
#: tables of the search machinery schema versions before 7 kept in the file (the index is now tantivy's)
_RETIRED = ("records_vocab", "records_fts", "record_facets")


class SqliteStore(RecordStore, JobLog, Locks):
    """Records, jobs, locks and page validators in one SQLite file (``:memory:`` for tests).

    :param path: a file path, or ``:memory:`` for a private in-memory store
        shared by the threads of this process.
    """

    keeps_records = True

    def __init__(self, path: str = "fedcat.db", *, timeout: float = 30.0) -> None:
        self.path = path
        self.memory = path == ":memory:"
        self._connections = Connections(path, name="the database", memory_prefix="fedcat", timeout=timeout, synchronous="NORMAL")
        self._kept_order: tuple[int, list[int]] | None = None
        self._migrate(self._conn())

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Create the schema, or bring an older file up to date."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not version and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchone():
            version = 1  # files written before the schema was versioned
        if version and version < _SCHEMA_VERSION:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(records)")}
            added = (("west", "REAL"), ("south", "REAL"), ("east", "REAL"), ("north", "REAL"), ("quality", "INTEGER"), ("cluster_id", "TEXT"))
            for column, kind in added:
                if column not in columns:
                    conn.execute(f"ALTER TABLE records ADD COLUMN {column} {kind}")
            for table in _RETIRED:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    # -- writing -----------------------------------------------------------------

    def replace_portal(
        self,
        portal_id: str,
        records: Iterable[Record | KeptRecord],
        *,
        now: datetime,
        grace: timedelta = timedelta(0),
        is_complete: Callable[[], bool] = lambda: True,
    ) -> WriteStats:
        """See :meth:`RecordStore.replace_portal`; what changed is queued in the index outbox, same transaction.

        A harvest that changes nothing writes nothing: no record, no outbox entry, and
        :meth:`data_version` stays where it was (so what readers computed stays valid).
        """
        conn = self._conn()
        conn.execute(_STAGING)
        conn.execute("DELETE FROM temp.staging")
        try:
            self._stage_all(conn, portal_id, records)
            with self._write(records=False) as write:
                before = self._cluster_states(write)
                changed: list[str] = []
                stats, restored = self._apply_staging(write, portal_id, now, grace, is_complete(), changed)
                if changed:  # clusters are made of records: with none written or removed, none moved
                    self._recluster(write)
                    self._queue(write, changed + _differences(before, self._cluster_states(write)))
                if changed or restored or stats.flagged:
                    _next_generation(write)
                return stats
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("DELETE FROM temp.staging")

    def _stage_all(self, conn: sqlite3.Connection, portal_id: str, records: Iterable[Record | KeptRecord]) -> None:
        # staging writes only the connection's temp database, in batches: no lock on the shared file
        # the record's columns are staged with it, so applying the harvest decodes nothing
        batch: list[tuple] = []
        for record in records:
            batch.append(_staging_row(record, portal_id))
            if len(batch) == 500:
                conn.executemany(_STAGE, batch)
                batch.clear()
        conn.executemany(_STAGE, batch)

    def _apply_staging(
        self, conn: sqlite3.Connection, portal_id: str, now: datetime, grace: timedelta, complete: bool, changed: list[str]
    ) -> tuple[WriteStats, bool]:
        """Apply the staged records; returns the counts, and whether a record flagged missing came back."""
        existing = {
            row[0]: (row[1], row[2], row[3])
            for row in conn.execute(
                "SELECT record_id, rowid, content_hash, missing_since FROM records WHERE portal_id = ?", (portal_id,)
            )
        }
        created = updated = unchanged = 0
        restored = False
        for row in _staged(conn):
            record_id, content_hash, data = row[:3]
            previous = existing.pop(record_id, None)
            if data is None and previous is None:
                continue  # a kept record that is no longer stored: nothing to keep
            if previous is not None and (data is None or previous[1] == content_hash):
                if previous[2] is not None:
                    conn.execute("UPDATE records SET missing_since = NULL WHERE rowid = ?", (previous[0],))
                    restored = True
                unchanged += 1
                continue
            if previous is not None:
                self._delete_rows(conn, [previous[0]])
            self._insert(conn, row)
            changed.append(record_id)
            created, updated = (created + 1, updated) if previous is None else (created, updated + 1)
        deleted = flagged = 0
        if complete:
            deleted, flagged = self._retire_missing(conn, existing, now, grace, changed)
        return WriteStats(created=created, updated=updated, unchanged=unchanged, deleted=deleted, flagged=flagged), restored

    def _retire_missing(
        self, conn: sqlite3.Connection, missing: dict[str, tuple], now: datetime, grace: timedelta, changed: list[str]
    ) -> tuple[int, int]:
        cutoff = (now - grace).isoformat()
        expired = {
            record_id: rowid
            for record_id, (rowid, _, since) in missing.items()
            if grace <= timedelta(0) or (since and since <= cutoff)
        }
        newly_missing = [rowid for record_id, (rowid, _, since) in missing.items() if since is None and record_id not in expired]
        self._delete_rows(conn, list(expired.values()))
        changed.extend(expired)
        conn.executemany(
            "UPDATE records SET missing_since = ? WHERE rowid = ?", [(now.isoformat(), r) for r in newly_missing]
        )
        return len(expired), len(newly_missing)

    def _insert(self, conn: sqlite3.Connection, staged: tuple) -> None:
        """Insert a staged row (see :func:`_staging_row`): the record, and its duplicate keys."""
        *columns, keys = staged
        cursor = conn.execute(
            "INSERT INTO records (record_id, content_hash, data, portal_id, title_sort, modified, issued,"
            " west, south, east, north, quality, cluster_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*columns, columns[0]),
        )
        rowid = cursor.lastrowid
        conn.executemany("INSERT INTO record_keys (record_rowid, key) VALUES (?, ?)", [(rowid, key) for key in json.loads(keys)])

    def _delete_rows(self, conn: sqlite3.Connection, rowids: list[int]) -> None:
        for chunk in _chunks(rowids, 500):
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM records WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM record_keys WHERE record_rowid IN ({marks})", chunk)

    def _recluster(self, conn: sqlite3.Connection) -> None:
        """Recompute every cluster from the stored duplicate keys (a record alone is its own cluster).

        Only keys held by more than one record can join records, so only those reach Python: at
        80,000 datasets the others are most of the ~400,000 keys.
        """
        keys: dict[str, set[str]] = {}
        entries: dict[str, ClusterEntry] = {}
        rows = conn.execute(
            "SELECT r.record_id, r.portal_id, coalesce(r.quality, 0), k.key FROM record_keys k"
            " JOIN records r ON r.rowid = k.record_rowid"
            " WHERE k.key IN (SELECT key FROM record_keys GROUP BY key HAVING count(*) > 1)"
        )
        for record_id, portal_id, quality, key in rows:
            keys.setdefault(record_id, set()).add(key)
            entries.setdefault(record_id, ClusterEntry(record_id, portal_id, frozenset(), quality))
        clusters = compute_clusters(
            ClusterEntry(e.record_id, e.portal_id, frozenset(keys[e.record_id]), e.quality) for e in entries.values()
        )
        current = conn.execute("SELECT rowid, record_id, cluster_id FROM records")
        changes = [
            (clusters.get(record_id, record_id), rowid)
            for rowid, record_id, cluster_id in current
            if cluster_id != clusters.get(record_id, record_id)
        ]
        conn.executemany("UPDATE records SET cluster_id = ? WHERE rowid = ?", changes)

    def _cluster_states(self, conn: sqlite3.Connection) -> dict[str, tuple[str, int]]:
        """Record id → (cluster id, members) of every record sharing its cluster (few: most records are alone)."""
        rows = conn.execute(
            "SELECT record_id, cluster_id, n FROM records JOIN (SELECT cluster_id, count(*) AS n FROM records"
            " GROUP BY cluster_id HAVING n > 1) USING (cluster_id)"
        )
        return {record_id: (cluster_id, n) for record_id, cluster_id, n in rows}

    def _queue(self, conn: sqlite3.Connection, record_ids: Iterable[str]) -> None:
        conn.executemany("INSERT INTO index_outbox (record_id) VALUES (?)", [(r,) for r in dict.fromkeys(record_ids)])

    def delete_portal(self, portal_id: str) -> int:
        """See :meth:`RecordStore.delete_portal`."""
        with self._write() as conn:
            before = self._cluster_states(conn)
            rows = conn.execute("SELECT rowid, record_id FROM records WHERE portal_id = ?", (portal_id,)).fetchall()
            self._delete_rows(conn, [rowid for rowid, _ in rows])
            self._recluster(conn)
            self._queue(conn, [record_id for _, record_id in rows] + _differences(before, self._cluster_states(conn)))
            # the pages' validators describe records that are gone: the next harvest must read everything
            conn.execute("DELETE FROM page_cache WHERE portal_id = ?", (portal_id,))
        return len(rows)

    # -- the index outbox --------------------------------------------------------

    def pending_index_changes(self) -> tuple[int, list[str]]:
        """The records the search index has not yet applied: (last outbox position, their ids)."""
        rows = self._fetch(self._conn(), "SELECT seq, record_id FROM index_outbox ORDER BY seq", [])
        return (rows[-1][0] if rows else 0), list(dict.fromkeys(record_id for _, record_id in rows))

    def index_changes_applied(self, up_to: int) -> None:
        """Forget the outbox entries up to ``up_to``: the index committed them."""
        with self._write(records=False) as conn:
            conn.execute("DELETE FROM index_outbox WHERE seq <= ?", (up_to,))

    def index_rows(self, record_ids: list[str] | None = None, *, batch: int = 2000) -> Iterator[list[tuple]]:
        """(rowid, record id, cluster id, cluster size, record JSON) of the given records (every record
        when None), in batches, for the search index."""
        sql = (
            "SELECT r.rowid, r.record_id, r.cluster_id, c.n, r.data FROM records r"
            " JOIN (SELECT cluster_id, count(*) AS n FROM records GROUP BY cluster_id) c USING (cluster_id)"
        )
        conn = self._connect() if record_ids is None else self._conn()
        try:
            if record_ids is None:
                cursor = conn.execute(sql)
                while rows := cursor.fetchmany(batch):
                    yield rows
                return
            for chunk in _chunks(record_ids, 500):
                yield self._fetch(conn, f"{sql} WHERE r.record_id IN ({','.join('?' * len(chunk))})", chunk)
        finally:
            if record_ids is None:
                self._forget(conn)

    def rows_by_rowid(self, rowids: list[int]) -> dict[int, StoredRecord]:
        """The records at the given row ids (rows a harvest replaced meanwhile are left out)."""
        if not rowids:
            return {}
        rows = self._fetch(
            self._conn(),
            f"SELECT rowid, data, missing_since, cluster_id FROM records WHERE rowid IN ({','.join('?' * len(rowids))})",
            rowids,
        )
        return {rowid: _stored(data, since, cluster) for rowid, data, since, cluster in rows}

    def record_ids_by_rowid(self, rowids: list[int]) -> dict[int, str]:
        """The record ids at the given row ids (for the search index's tie-breaks)."""
        found: dict[int, str] = {}
        for chunk in _chunks(rowids, 5000):
            sql = f"SELECT rowid, record_id FROM records WHERE rowid IN ({','.join('?' * len(chunk))})"
            found.update(self._fetch(self._conn(), sql, chunk))
        return found

    # -- reading -----------------------------------------------------------------

    def get_stored(self, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
        """See :meth:`RecordStore.get_stored`."""
        found: dict[str, StoredRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(record_ids)), 500):
            rows = self._fetch(
                self._conn(),
                f"SELECT record_id, data, missing_since, cluster_id FROM records WHERE record_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((rid, StoredRecord(Record.from_dict(json.loads(d)), s, c)) for rid, d, s, c in rows)
        return found

    def stored_ids(self, record_ids: Iterable[str]) -> set[str]:
        """See :meth:`RecordStore.stored_ids`: answered from the ids' index, nothing decoded."""
        found: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(record_ids)), 500):
            sql = f"SELECT record_id FROM records WHERE record_id IN ({','.join('?' * len(chunk))})"
            found.update(record_id for (record_id,) in self._fetch(self._conn(), sql, chunk))
        return found

    def cluster_members(self, cluster_ids: Iterable[str]) -> dict[str, list[Record]]:
        """See :meth:`RecordStore.cluster_members`: only clusters of several records are decoded (most are alone)."""
        members: dict[str, list[Record]] = {}
        for chunk in _chunks(list(dict.fromkeys(cluster_ids)), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._fetch(
                self._conn(),
                f"SELECT cluster_id, data FROM records WHERE cluster_id IN (SELECT cluster_id FROM records"
                f" WHERE cluster_id IN ({marks}) GROUP BY cluster_id HAVING count(*) > 1) ORDER BY portal_id, record_id",
                chunk,
            )
            for cluster_id, data in rows:
                members.setdefault(cluster_id, []).append(Record.from_dict(json.loads(data)))
        return members

    def iter_records(self, *, offset: int = 0, limit: int | None = None) -> Iterator[Record]:
        """See :meth:`RecordStore.iter_records`."""
        for data in self.iter_record_json(offset=offset, limit=limit):
            yield Record.from_json(data)

    def iter_record_json(self, *, offset: int = 0, limit: int | None = None) -> Iterator[str]:
        """See :meth:`RecordStore.iter_record_json`: the stored texts.

        A page past the first is read by rowid from :meth:`_export_order`: OFFSET steps through every
        skipped row (6 ms for a page of 100 near the end of 80,000 records, on the index alone).
        """
        if not offset:
            query = "SELECT data FROM records ORDER BY portal_id, record_id LIMIT ?"
            for (data,) in self._conn().execute(query, (-1 if limit is None else limit,)):
                yield data
            return
        wanted = self._export_order()[offset : None if limit is None else offset + limit]
        for chunk in _chunks(wanted, 500):  # consecutive in the order, so each chunk's own order is the order
            marks = ",".join("?" * len(chunk))
            query = f"SELECT data FROM records WHERE rowid IN ({marks}) ORDER BY portal_id, record_id"
            for (data,) in self._conn().execute(query, chunk):
                yield data

    def _export_order(self) -> list[int]:
        """Every record's rowid in the export's order, read once per data version (80,000 in about 10 ms)."""
        version = self.data_version()
        kept = self._kept_order
        if kept is None or kept[0] != version:
            rows = self._conn().execute("SELECT rowid FROM records ORDER BY portal_id, record_id")
            kept = self._kept_order = (version, [rowid for (rowid,) in rows])
        return kept[1]

    def count(self) -> int:
        """See :meth:`RecordStore.count`."""
        return self._fetch(self._conn(), "SELECT count(*) FROM records", [])[0][0]

    def counts_by_portal(self) -> dict[str, int]:
        """See :meth:`RecordStore.counts_by_portal`."""
        return dict(self._fetch(self._conn(), "SELECT portal_id, count(*) FROM records GROUP BY portal_id", []))

    def quality_by_portal(self) -> dict[str, float]:
        """See :meth:`RecordStore.quality_by_portal`."""
        rows = self._fetch(
            self._conn(), "SELECT portal_id, avg(quality) FROM records WHERE quality IS NOT NULL GROUP BY portal_id", []
        )
        return {portal: round(mean, 1) for portal, mean in rows}

    def data_version(self) -> int:
        """A number every write of records moves on (answers computed from the records are reusable until then)."""
        return self._fetch(self._conn(), "SELECT value FROM meta WHERE key = 'generation'", [])[0][0]

    def page_cache(self, portal_id: str) -> dict[str, dict]:
        """See :meth:`RecordStore.page_cache`."""
        rows = self._fetch(self._conn(), "SELECT page_key, data FROM page_cache WHERE portal_id = ?", [portal_id])
        return {key: json.loads(data) for key, data in rows}

    def save_page_cache(self, portal_id: str, pages: dict[str, dict]) -> None:
        """See :meth:`RecordStore.save_page_cache`."""
        with self._write(records=False) as conn:
            conn.execute("DELETE FROM page_cache WHERE portal_id = ?", (portal_id,))
            conn.executemany(
                "INSERT INTO page_cache (portal_id, page_key, data) VALUES (?, ?, ?)",
                [(portal_id, key, json.dumps(data, ensure_ascii=False)) for key, data in pages.items()],
            )

    # -- jobs --------------------------------------------------------------------

    def save_job(self, job: HarvestJob) -> None:
        """See :meth:`JobLog.save_job`."""
        with self._write(records=False) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO jobs (job_id, portal_id, started_at, data) VALUES (?, ?, ?, ?)",
                (job.job_id, job.portal_id, job.started_at, json.dumps(job.to_dict(), ensure_ascii=False)),
            )

    def jobs(self, *, portal_id: str | None = None, limit: int = 50) -> list[HarvestJob]:
        """See :meth:`JobLog.jobs`."""
        where, params = (" WHERE portal_id = ?", [portal_id]) if portal_id else ("", [])
        rows = self._fetch(
            self._conn(), f"SELECT data FROM jobs{where} ORDER BY started_at DESC, job_id DESC LIMIT ?", [*params, limit]
        )
        return [HarvestJob.from_dict(json.loads(data)) for (data,) in rows]

    def last_jobs(self) -> dict[str, HarvestJob]:
        """See :meth:`JobLog.last_jobs`: one job decoded per portal, however long the history
        (the export asks on every page, to date the catalogue)."""
        rows = self._fetch(
            self._conn(),
            "SELECT portal_id, data FROM (SELECT portal_id, data, row_number() OVER"
            " (PARTITION BY portal_id ORDER BY started_at DESC, job_id DESC) AS newest FROM jobs) WHERE newest = 1",
            [],
        )
        return {portal_id: HarvestJob.from_dict(json.loads(data)) for portal_id, data in rows}

    # -- locks -------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        """See :meth:`Locks.acquire_lock`: one upsert that only overwrites an expired or own lock."""
        now = time.time()
        with self._write(records=False) as conn:
            return conn.execute(_ACQUIRE_LOCK, (name, owner, now + ttl, now)).rowcount == 1

    def release_lock(self, name: str, owner: str) -> None:
        """See :meth:`Locks.release_lock`."""
        with self._write(records=False) as conn:
            conn.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))

    # -- connections -------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()

    def _connect(self) -> sqlite3.Connection:
        return self._connections.connect()

    def _forget(self, conn: sqlite3.Connection) -> None:
        self._connections.forget(conn)

    @contextmanager
    def _write(self, *, records: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``records=False`` for writes that leave the records as they are."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            if records:
                _next_generation(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"database write failed: {exc}") from exc
            raise

    def _fetch(self, conn: sqlite3.Connection, sql: str, params: list) -> list[tuple]:
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    def close(self) -> None:
        """Close every connection this store opened."""
        self._connections.close()

def _staging_row(record: Record | KeptRecord, portal_id: str) -> tuple:
    """What is staged of a record: id, content hash, JSON, the columns of ``records`` and the duplicate keys.

    A kept record has only its id.
    """
    if isinstance(record, KeptRecord):
        if not record.record_id.startswith(f"{portal_id}:"):
            raise StoreError(f"record {record.record_id} does not belong to {portal_id}")
        return (record.record_id, *_KEPT_COLUMNS)
    if record.portal_id != portal_id:
        raise StoreError(f"record {record.record_id} belongs to {record.portal_id}, not {portal_id}")
    content_hash, data = record.hash_and_json()
    west, south, east, north = record.bbox or (None, None, None, None)
    return (
        record.record_id, content_hash, data, record.portal_id, record.title.casefold(), record.modified,
        record.issued, west, south, east, north, record.quality, json.dumps(sorted(duplicate_keys(record))),
    )


def _next_generation(conn: sqlite3.Connection) -> None:
    """Move :meth:`SqliteStore.data_version` on (inside the write transaction)."""
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def _staged(conn: sqlite3.Connection) -> Iterator[tuple]:
    """The staged records in batches: a harvest of 80,000 records never sits in memory whole."""
    cursor = conn.execute("SELECT * FROM temp.staging")
    while batch := cursor.fetchmany(500):
        yield from batch


def _differences(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """The records whose cluster or cluster size differs between two :meth:`SqliteStore._cluster_states`."""
    return [record_id for record_id in before.keys() | after.keys() if before.get(record_id) != after.get(record_id)]


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored(text: str, missing_since: str | None, cluster_id: str | None) -> StoredRecord:
    """A stored row as a record, keeping its plain form when it has every field (a result renders it as it is).

    (Decoding the text twice, typed and plain, in compiled code costs less than building one from the other.)
    """
    plain = orjson.loads(text)
    return StoredRecord(Record.from_json(text), missing_since, cluster_id, plain if Record.has_every_field(plain) else None)
