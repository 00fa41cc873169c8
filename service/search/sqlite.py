"""The embedded backend: one SQLite file, WAL mode, FTS5 with French analysis.

A harvest streams into a per-connection staging table first, so the write lock
is held only while the finished harvest is applied, in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Callable, ClassVar, Iterable, Iterator

from mappings.jobs import HarvestJob, WriteStats
from mappings.record import Record
from service.search.base import (
    FACETS,
    FacetValue,
    Hit,
    SearchBackend,
    SearchPage,
    SearchQuery,
    StoreError,
    facet_values,
)
from service.search.french import analyze, fold

__all__ = ["SqliteBackend"]

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
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_portal ON records (portal_id, record_id);
CREATE INDEX IF NOT EXISTS records_by_title ON records (title_sort, record_id);
CREATE INDEX IF NOT EXISTS records_by_modified ON records (modified, record_id);
CREATE TABLE IF NOT EXISTS record_facets (
    record_rowid INTEGER NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS facets_by_value ON record_facets (facet, value, record_rowid);
CREATE INDEX IF NOT EXISTS facets_by_record ON record_facets (record_rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5 (
    title, keywords, publisher, description, tokenize = 'unicode61'
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    portal_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_portal ON jobs (portal_id, started_at);
"""
#: bm25 weights of the FTS columns: title, keywords, publisher, description.
_WEIGHTS = (10.0, 5.0, 3.0, 1.0)
_SORT_SQL = {
    "title": "r.title_sort ASC, r.record_id ASC",
    "-title": "r.title_sort DESC, r.record_id ASC",
    "modified": "r.modified IS NULL, r.modified ASC, r.record_id ASC",
    "-modified": "r.modified IS NULL, r.modified DESC, r.record_id ASC",
    "issued": "r.issued IS NULL, r.issued ASC, r.record_id ASC",
    "-issued": "r.issued IS NULL, r.issued DESC, r.record_id ASC",
}


class SqliteBackend(SearchBackend):
    """Records in one SQLite file (``:memory:`` for tests), searched with FTS5.

    :param path: a file path, or ``:memory:`` for a private in-memory store
        shared by the threads of this process.
    """

    name: ClassVar[str] = "sqlite"

    def __init__(self, path: str = "fedcat.db", *, timeout: float = 30.0) -> None:
        self.path = path
        self._memory = path == ":memory:"
        self._uri = f"file:fedcat-{uuid.uuid4().hex}?mode=memory&cache=shared" if self._memory else path
        self._timeout = timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._conn().executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings) -> SqliteBackend:
        """Build from :class:`service.config.Settings`."""
        return cls(settings.database)

    # -- writing -----------------------------------------------------------------

    def replace_portal(
        self,
        portal_id: str,
        records: Iterable[Record],
        *,
        now: datetime,
        grace: timedelta = timedelta(0),
        is_complete: Callable[[], bool] = lambda: True,
    ) -> WriteStats:
        """See :meth:`SearchBackend.replace_portal`."""
        conn = self._conn()
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS staging (record_id TEXT PRIMARY KEY, hash TEXT, data TEXT)")
        conn.execute("DELETE FROM temp.staging")
        try:
            self._stage_all(conn, portal_id, records)
            with self._write() as write:
                return self._apply_staging(write, portal_id, now, grace, is_complete())
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("DELETE FROM temp.staging")

    def _stage_all(self, conn: sqlite3.Connection, portal_id: str, records: Iterable[Record]) -> None:
        # staging writes only the connection's temp database, in batches: no lock on the shared file
        batch = 0
        conn.execute("BEGIN")
        for record in records:
            self._stage(conn, portal_id, record)
            batch += 1
            if batch % 1000 == 0:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
        conn.execute("COMMIT")

    def _stage(self, conn: sqlite3.Connection, portal_id: str, record: Record) -> None:
        if record.portal_id != portal_id:
            raise StoreError(f"record {record.record_id} belongs to {record.portal_id}, not {portal_id}")
        conn.execute(
            "INSERT OR REPLACE INTO temp.staging VALUES (?, ?, ?)",
            (record.record_id, record.content_hash(), json.dumps(record.to_dict(), ensure_ascii=False)),
        )

    def _apply_staging(
        self, conn: sqlite3.Connection, portal_id: str, now: datetime, grace: timedelta, complete: bool
    ) -> WriteStats:
        existing = {
            row[0]: (row[1], row[2], row[3])
            for row in conn.execute(
                "SELECT record_id, rowid, content_hash, missing_since FROM records WHERE portal_id = ?", (portal_id,)
            )
        }
        created = updated = unchanged = 0
        for record_id, content_hash, data in conn.execute("SELECT record_id, hash, data FROM temp.staging").fetchall():
            previous = existing.pop(record_id, None)
            if previous is None:
                self._insert(conn, Record.from_dict(json.loads(data)), content_hash, data)
                created += 1
            elif previous[1] != content_hash:
                self._delete_rows(conn, [previous[0]])
                self._insert(conn, Record.from_dict(json.loads(data)), content_hash, data)
                updated += 1
            else:
                if previous[2] is not None:
                    conn.execute("UPDATE records SET missing_since = NULL WHERE rowid = ?", (previous[0],))
                unchanged += 1
        deleted = flagged = 0
        if complete:
            deleted, flagged = self._retire_missing(conn, existing, now, grace)
        return WriteStats(created=created, updated=updated, unchanged=unchanged, deleted=deleted, flagged=flagged)

    def _retire_missing(
        self, conn: sqlite3.Connection, missing: dict[str, tuple], now: datetime, grace: timedelta
    ) -> tuple[int, int]:
        cutoff = (now - grace).isoformat()
        expired = [rowid for rowid, _, since in missing.values() if grace <= timedelta(0) or (since and since <= cutoff)]
        newly_missing = [rowid for rowid, _, since in missing.values() if since is None and rowid not in expired]
        self._delete_rows(conn, expired)
        conn.executemany(
            "UPDATE records SET missing_since = ? WHERE rowid = ?", [(now.isoformat(), r) for r in newly_missing]
        )
        return len(expired), len(newly_missing)

    def _insert(self, conn: sqlite3.Connection, record: Record, content_hash: str, data: str) -> None:
        cursor = conn.execute(
            "INSERT INTO records (record_id, portal_id, content_hash, title_sort, modified, issued, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record.record_id, record.portal_id, content_hash, fold(record.title), record.modified, record.issued, data),
        )
        rowid = cursor.lastrowid
        conn.execute(
            "INSERT INTO records_fts (rowid, title, keywords, publisher, description) VALUES (?, ?, ?, ?, ?)",
            (rowid, *_analyzed_fields(record)),
        )
        conn.executemany(
            "INSERT INTO record_facets (record_rowid, facet, value) VALUES (?, ?, ?)",
            [(rowid, facet, value) for facet, values in facet_values(record).items() for value in values],
        )

    def _delete_rows(self, conn: sqlite3.Connection, rowids: list[int]) -> None:
        for chunk in _chunks(rowids, 500):
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM records WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM records_fts WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM record_facets WHERE record_rowid IN ({marks})", chunk)

    def delete_portal(self, portal_id: str) -> int:
        """See :meth:`SearchBackend.delete_portal`."""
        with self._write() as conn:
            rowids = [r[0] for r in conn.execute("SELECT rowid FROM records WHERE portal_id = ?", (portal_id,))]
            self._delete_rows(conn, rowids)
        return len(rowids)

    # -- reading -----------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """See :meth:`SearchBackend.search`."""
        conn = self._conn()
        match = _match_expression(query.q)
        sql_from, where, params = self._base(query, match, exclude=None)
        total = self._fetch(conn, f"SELECT count(*) {sql_from} WHERE {where}", params)[0][0]
        order = self._order(query, match)
        score = f"bm25(records_fts, {', '.join(map(str, _WEIGHTS))})" if match else "0"
        rows = self._fetch(
            conn,
            f"SELECT r.data, r.missing_since, {score} {sql_from} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, query.page_size, query.offset],
        )
        hits = [Hit(Record.from_dict(json.loads(d)), score=-float(s), missing_since=m) for d, m, s in rows]
        facets = {facet: self._facet_counts(conn, query, match, facet) for facet in FACETS}
        return SearchPage(total=total, hits=hits, facets=facets, query=query)

    def _base(self, query: SearchQuery, match: str | None, exclude: str | None) -> tuple[str, str, list]:
        clauses, params = ["1"], []
        sql_from = "FROM records r"
        if match:
            sql_from += " JOIN records_fts ON records_fts.rowid = r.rowid"
            clauses.append("records_fts MATCH ?")
            params.append(match)
        for facet, values in sorted(query.filters.items()):
            if facet == exclude or not values:
                continue
            values = [v.casefold() for v in values] if facet == "keyword" else list(values)
            marks = ",".join("?" * len(values))
            clauses.append(
                f"r.rowid IN (SELECT record_rowid FROM record_facets WHERE facet = ? AND value IN ({marks}))"
            )
            params.extend([facet, *values])
        return sql_from, " AND ".join(clauses), params

    def _order(self, query: SearchQuery, match: str | None) -> str:
        if query.sort == "relevance":
            # column 3 of the hit query is the weighted bm25 score (lower is better)
            return "3 ASC, r.record_id ASC" if match else _SORT_SQL["-modified"]
        return _SORT_SQL[query.sort]

    def _facet_counts(self, conn: sqlite3.Connection, query: SearchQuery, match: str | None, facet: str):
        sql_from, where, params = self._base(query, match, exclude=facet)
        rows = self._fetch(
            conn,
            "SELECT value, count(*) AS n FROM record_facets WHERE facet = ? AND record_rowid IN"
            f" (SELECT r.rowid {sql_from} WHERE {where}) GROUP BY value ORDER BY n DESC, value ASC LIMIT ?",
            [facet, *params, query.facet_size],
        )
        return [FacetValue(value, count) for value, count in rows]

    def get(self, record_id: str) -> Hit | None:
        """See :meth:`SearchBackend.get`."""
        rows = self._fetch(self._conn(), "SELECT data, missing_since FROM records WHERE record_id = ?", [record_id])
        return Hit(Record.from_dict(json.loads(rows[0][0])), missing_since=rows[0][1]) if rows else None

    def iter_records(self, *, offset: int = 0, limit: int | None = None) -> Iterator[Record]:
        """See :meth:`SearchBackend.iter_records`."""
        cursor = self._conn().execute(
            "SELECT data FROM records ORDER BY portal_id, record_id LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        )
        for (data,) in cursor:
            yield Record.from_dict(json.loads(data))

    def count(self) -> int:
        """See :meth:`SearchBackend.count`."""
        return self._fetch(self._conn(), "SELECT count(*) FROM records", [])[0][0]

    def counts_by_portal(self) -> dict[str, int]:
        """See :meth:`SearchBackend.counts_by_portal`."""
        rows = self._fetch(self._conn(), "SELECT portal_id, count(*) FROM records GROUP BY portal_id", [])
        return dict(rows)

    # -- jobs --------------------------------------------------------------------

    def save_job(self, job: HarvestJob) -> None:
        """See :meth:`SearchBackend.save_job`."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO jobs (job_id, portal_id, started_at, data) VALUES (?, ?, ?, ?)",
                (job.job_id, job.portal_id, job.started_at, json.dumps(job.to_dict(), ensure_ascii=False)),
            )

    def jobs(self, *, portal_id: str | None = None, limit: int = 50) -> list[HarvestJob]:
        """See :meth:`SearchBackend.jobs`."""
        sql = "SELECT data FROM jobs"
        params: list = []
        if portal_id:
            sql += " WHERE portal_id = ?"
            params.append(portal_id)
        sql += " ORDER BY started_at DESC, job_id DESC LIMIT ?"
        rows = self._fetch(self._conn(), sql, [*params, limit])
        return [HarvestJob.from_dict(json.loads(data)) for (data,) in rows]

    # -- connections -------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._uri, uri=self._memory, timeout=self._timeout, check_same_thread=False, isolation_level=None
            )
            if not self._memory:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        with self._lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
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
        except sqlite3.OperationalError as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    def close(self) -> None:
        """Close every connection this backend opened."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


def _analyzed_fields(record: Record) -> tuple[str, str, str, str]:
    publisher = record.publisher.name if record.publisher else ""
    return (
        " ".join(analyze(record.title)),
        " ".join(analyze(" ".join(record.keywords + tuple(t.label for t in record.themes)))),
        " ".join(analyze(publisher)),
        " ".join(analyze(record.description)),
    )


def _match_expression(q: str) -> str | None:
    """An FTS5 query ANDing the analysed terms (each quoted, so no FTS syntax leaks through)."""
    terms = analyze(q or "")
    return " ".join(f'"{term}"' for term in dict.fromkeys(terms)) or None


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
