"""The embedded backend: one SQLite file, WAL mode, FTS5 with French analysis.

A harvest streams into a per-connection staging table first, so the write lock
is held only while the finished harvest is applied, in one transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable, ClassVar, Iterable, Iterator

import numpy as np

from mappings.duplicates import ClusterEntry, compute_clusters, duplicate_keys
from mappings.jobs import HarvestJob, WriteStats
from mappings.record import Record, hash_of_dict
from service.search.base import (
    FACETS,
    FacetValue,
    Hit,
    SearchBackend,
    SearchPage,
    SearchQuery,
    StoreError,
    Suggestion,
    facet_values,
    rank_suggestions,
)
from service.search.caches import SizedLru
from service.search.columnar import ColumnarIndex, TextMatch
from service.search.french import analyze, fold
from service.search.query import ParsedQuery, is_typo_of, parse_query

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
    west REAL,
    south REAL,
    east REAL,
    north REAL,
    quality INTEGER,
    cluster_id TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_portal ON records (portal_id, record_id);
CREATE INDEX IF NOT EXISTS records_by_title ON records (title_sort, record_id);
CREATE INDEX IF NOT EXISTS records_by_modified ON records (modified, record_id);
CREATE INDEX IF NOT EXISTS records_by_cluster ON records (cluster_id);
CREATE TABLE IF NOT EXISTS record_keys (record_rowid INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS keys_by_record ON record_keys (record_rowid);
CREATE TABLE IF NOT EXISTS record_facets (
    record_rowid INTEGER NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    cluster_id TEXT
);
CREATE INDEX IF NOT EXISTS facets_by_value ON record_facets (facet, value, record_rowid);
CREATE INDEX IF NOT EXISTS facets_by_record ON record_facets (record_rowid, facet, value, cluster_id);
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5 (
    title, keywords, publisher, description, words, tokenize = 'unicode61', prefix = '2 3'
);
CREATE VIRTUAL TABLE IF NOT EXISTS records_vocab USING fts5vocab (records_fts, 'row');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
INSERT OR IGNORE INTO meta VALUES ('clusters', 0);
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
#: take a free or expired lock, or renew one's own; a lock held by another live owner is left as it is
_ACQUIRE_LOCK = (
    "INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE locks.expires_at <= ? OR locks.owner = excluded.owner"
)
#: bm25 weights of the FTS columns: title, keywords, publisher, description; ``words``
#: (folded, unstemmed title, keywords and publisher, for autocompletion) does not rank.
_WEIGHTS = (10.0, 5.0, 3.0, 1.0, 0.0)
_SCORE = f"bm25(records_fts, {', '.join(map(str, _WEIGHTS))})"
_SCORE_TITLE = "bm25(records_fts, 10.0, 5.0, 3.0, 0.0, 1.0)"
_SCHEMA_VERSION = 6
#: memory each process gives to recent full-text matches (positions and scores: 12 bytes per matching record)
TEXT_MATCH_CACHE_BYTES = 16 * 2**20
#: memory each process gives to recently shown records, decoded (about 7 KiB each)
DECODED_CACHE_BYTES = 8 * 2**20
_SUGGEST_CANDIDATES = 60


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
        self._vocabulary: tuple[int, dict[str, list[str]]] = (-1, {})
        self._columns: tuple[int, ColumnarIndex | None] = (-1, None)
        self._columns_lock = threading.Lock()
        self._text_matches: SizedLru[TextMatch] = SizedLru(TEXT_MATCH_CACHE_BYTES, lambda match: match.nbytes)
        self._decoded: SizedLru[tuple[Hit, int]] = SizedLru(DECODED_CACHE_BYTES, lambda entry: entry[1])
        self._migrate(self._conn())

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Create the schema, or bring an older file up to date (then rebuild its index)."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not version and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchone():
            version = 1  # files written before the schema was versioned
        if version and version < _SCHEMA_VERSION:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(records)")}
            added = (("west", "REAL"), ("south", "REAL"), ("east", "REAL"), ("north", "REAL"), ("quality", "INTEGER"), ("cluster_id", "TEXT"))
            for column, kind in added:
                if column not in columns:
                    conn.execute(f"ALTER TABLE records ADD COLUMN {column} {kind}")
            conn.execute("DROP TABLE IF EXISTS records_fts")
            conn.execute("DROP TABLE IF EXISTS record_facets")
        conn.executescript(_SCHEMA)
        conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        if version and version < _SCHEMA_VERSION:
            self.reindex()

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
                stats = self._apply_staging(write, portal_id, now, grace, is_complete())
                self._recluster(write)
                return stats
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
        payload = record.to_dict()
        conn.execute(
            "INSERT OR REPLACE INTO temp.staging VALUES (?, ?, ?)",
            (record.record_id, hash_of_dict(payload), json.dumps(payload, ensure_ascii=False)),
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
        for record_id, content_hash, data in _staged(conn):
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
        west, south, east, north = record.bbox or (None, None, None, None)
        cursor = conn.execute(
            "INSERT INTO records (record_id, portal_id, content_hash, title_sort, modified, issued,"
            " west, south, east, north, quality, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.record_id,
                record.portal_id,
                content_hash,
                fold(record.title),
                record.modified,
                record.issued,
                west,
                south,
                east,
                north,
                record.quality,
                data,
            ),
        )
        self._index_text_and_facets(conn, cursor.lastrowid, record)

    def _index_text_and_facets(self, conn: sqlite3.Connection, rowid: int, record: Record) -> None:
        conn.execute(
            "INSERT INTO records_fts (rowid, title, keywords, publisher, description, words) VALUES (?, ?, ?, ?, ?, ?)",
            (rowid, *_analyzed_fields(record)),
        )
        conn.executemany(
            "INSERT INTO record_facets (record_rowid, facet, value, cluster_id) VALUES (?, ?, ?, ?)",
            [
                (rowid, facet, value, record.record_id)
                for facet, values in facet_values(record).items()
                for value in values
            ],
        )
        conn.executemany(
            "INSERT INTO record_keys (record_rowid, key) VALUES (?, ?)", [(rowid, k) for k in duplicate_keys(record)]
        )

    def _delete_rows(self, conn: sqlite3.Connection, rowids: list[int]) -> None:
        for chunk in _chunks(rowids, 500):
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM records WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM records_fts WHERE rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM record_facets WHERE record_rowid IN ({marks})", chunk)
            conn.execute(f"DELETE FROM record_keys WHERE record_rowid IN ({marks})", chunk)

    def _recluster(self, conn: sqlite3.Connection) -> None:
        """Recompute every cluster from the stored duplicate keys; a record alone is its own cluster.

        Only keys held by more than one record can join records, so only those reach Python: at
        80,000 datasets the others are most of the ~400,000 keys, and loading them all took ~250 MiB.
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
        conn.executemany("UPDATE record_facets SET cluster_id = ? WHERE record_rowid = ?", changes)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'clusters'", (len(set(clusters.values())),))

    def cluster_members(self, cluster_ids: Iterable[str]) -> dict[str, list[Record]]:
        """See :meth:`SearchBackend.cluster_members`: records a search page just showed are not decoded again."""
        wanted = list(dict.fromkeys(cluster_ids))
        members: dict[str, list[Record]] = {}
        conn = self._conn()
        with self._read_snapshot(conn):
            generation = self._generation(conn)
            for chunk in _chunks(wanted, 500):
                marks = ",".join("?" * len(chunk))
                rows = self._fetch(
                    conn,
                    f"SELECT rowid, cluster_id FROM records WHERE cluster_id IN ({marks}) ORDER BY portal_id, record_id",
                    chunk,
                )
                decoded = self._decoded_hits(conn, [rowid for rowid, _ in rows], generation)
                for rowid, cluster_id in rows:
                    if rowid in decoded:
                        members.setdefault(cluster_id, []).append(decoded[rowid].record)
        return members

    def delete_portal(self, portal_id: str) -> int:
        """See :meth:`SearchBackend.delete_portal`."""
        with self._write() as conn:
            rowids = [r[0] for r in conn.execute("SELECT rowid FROM records WHERE portal_id = ?", (portal_id,))]
            self._delete_rows(conn, rowids)
            self._recluster(conn)
            # the pages' validators describe records that are gone: the next harvest must read everything
            conn.execute("DELETE FROM page_cache WHERE portal_id = ?", (portal_id,))
        return len(rowids)

    def page_cache(self, portal_id: str) -> dict[str, dict]:
        """See :meth:`SearchBackend.page_cache`."""
        rows = self._fetch(self._conn(), "SELECT page_key, data FROM page_cache WHERE portal_id = ?", [portal_id])
        return {key: json.loads(data) for key, data in rows}

    def save_page_cache(self, portal_id: str, pages: dict[str, dict]) -> None:
        """See :meth:`SearchBackend.save_page_cache`."""
        with self._write(records=False) as conn:
            conn.execute("DELETE FROM page_cache WHERE portal_id = ?", (portal_id,))
            conn.executemany(
                "INSERT INTO page_cache (portal_id, page_key, data) VALUES (?, ?, ?)",
                [(portal_id, key, json.dumps(data, ensure_ascii=False)) for key, data in pages.items()],
            )

    # -- reading -----------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """See :meth:`SearchBackend.search`.

        The text match, dates and box are evaluated once into a temporary table
        of (rowid, score); the hits and each facet then filter that set.
        """
        conn = self._conn()
        with self._read_snapshot(conn):
            return self._search(conn, query)

    def warm_up(self) -> None:
        """See :meth:`SearchBackend.warm_up`: the columnar index and the typo vocabulary of the current data."""
        conn = self._conn()
        with self._read_snapshot(conn):
            generation = self._generation(conn)
            self._columns_for(conn, generation)
            self._vocabulary_for(conn, generation)

    def _search(self, conn: sqlite3.Connection, query: SearchQuery) -> SearchPage:
        generation = self._generation(conn)
        columns = self._columns_for(conn, generation)
        text = self._text_match(conn, parse_query(query.q), generation, columns)
        base = columns.base_mask(query, text)
        filters = columns.filter_masks(_facet_filters(query))
        matched = _intersection([base, *filters.values()])
        page_rows = columns.page(matched, query.sort, text, query.offset, query.page_size)
        return SearchPage(
            total=columns.total(matched),
            hits=self._hits(conn, page_rows, generation),
            facets=_facets(columns, query, base, filters, matched),
            query=query,
        )

    def _columns_for(self, conn: sqlite3.Connection, generation: int) -> ColumnarIndex:
        """The columnar index of this generation, built by the first search that needs it."""
        cached_generation, columns = self._columns
        if cached_generation == generation:
            return columns
        with self._columns_lock:
            cached_generation, columns = self._columns
            if cached_generation == generation:
                return columns
            columns = ColumnarIndex.load(conn, clustered=self._has_clusters(conn))
            if generation > cached_generation:  # a search still reading an older snapshot must not evict the newer index
                self._columns = (generation, columns)
            return columns

    def _text_match(
        self, conn: sqlite3.Connection, parsed: ParsedQuery, generation: int, columns: ColumnarIndex
    ) -> TextMatch | None:
        """Every record the words and phrases match, with its bm25 score; None when nothing was typed.

        Kept for a while per data generation: paging through one query, or a popular query, asks it again.
        """
        if parsed.empty:
            return None

        def run_match() -> TextMatch:
            match = self._match_expression(conn, parsed, generation)
            rows = self._fetch(conn, f"SELECT rowid, {_SCORE} FROM records_fts WHERE records_fts MATCH ?", [match])
            return columns.text_match([row[0] for row in rows], [row[1] for row in rows])

        return self._text_matches.get_or_compute((generation, parsed), run_match)

    def _hits(self, conn: sqlite3.Connection, page_rows: list[tuple[int, float]], generation: int) -> list[Hit]:
        """The page's records, decoded only now: ranking, counting and paging touched the columns alone."""
        decoded = self._decoded_hits(conn, [rowid for rowid, _ in page_rows], generation)
        return [
            replace(decoded[rowid], score=-score)
            for rowid, score in page_rows
            if rowid in decoded  # never a KeyError (a 500) for a row a harvest replaced meanwhile
        ]

    def _decoded_hits(self, conn: sqlite3.Connection, rowids: list[int], generation: int) -> dict[int, Hit]:
        """Rowid → its record, kept a while: the first pages of popular queries show the same records again and again."""
        found = {rowid: entry[0] for rowid in rowids if (entry := self._decoded.get((generation, rowid))) is not None}
        for rowid, data, missing_since, cluster_id in self._stored_rows(conn, [r for r in rowids if r not in found]):
            found[rowid] = Hit(Record.from_dict(json.loads(data)), missing_since=missing_since, cluster_id=cluster_id)
            self._decoded.put((generation, rowid), (found[rowid], 2 * len(data)))  # about its size in memory
        return found

    def _stored_rows(self, conn: sqlite3.Connection, rowids: list[int]) -> list[tuple]:
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        return self._fetch(
            conn, f"SELECT rowid, data, missing_since, cluster_id FROM records WHERE rowid IN ({marks})", rowids
        )

    @contextmanager
    def _read_snapshot(self, conn: sqlite3.Connection) -> Iterator[None]:
        """One read transaction around a search's statements: in WAL mode they all see one committed state,
        never half of a harvest that commits meanwhile (found by bench/load.py). In-memory stores (tests)
        use shared-cache table locks instead, which a long read would hold against writers: left as they were."""
        if self._memory or conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _has_clusters(self, conn: sqlite3.Connection) -> bool:
        return bool(self._fetch(conn, "SELECT value FROM meta WHERE key = 'clusters'", [])[0][0])

    def _match_expression(self, conn: sqlite3.Connection, parsed: ParsedQuery, generation: int) -> str | None:
        """An FTS5 query: each word (or one of its typo variants in the index) and each phrase must match.

        Every term is quoted, so no FTS syntax typed by a user reaches the engine.
        """
        if parsed.empty:
            return None
        vocabulary = self._vocabulary_for(conn, generation)
        parts = []
        for word in parsed.words:
            variants = {word} | {t for t in vocabulary.get(word[:1], ()) if is_typo_of(t, word)}
            parts.append("(" + " OR ".join(f'"{v}"' for v in sorted(variants)) + ")")
        parts += ['"' + " ".join(phrase) + '"' for phrase in parsed.phrases]
        return "{title keywords publisher description} : (" + " AND ".join(parts) + ")"

    def _vocabulary_for(self, conn: sqlite3.Connection, generation: int) -> dict[str, list[str]]:
        """Indexed terms grouped by first letter, reloaded only after a write."""
        cached_generation, vocabulary = self._vocabulary
        if cached_generation == generation:
            return vocabulary
        vocabulary = {}
        for (term,) in conn.execute("SELECT term FROM records_vocab"):
            vocabulary.setdefault(term[:1], []).append(term)
        self._vocabulary = (generation, vocabulary)
        return vocabulary

    def data_version(self) -> int:
        """See :meth:`SearchBackend.data_version`: the generation every write moves on."""
        return self._generation(self._conn())

    def _generation(self, conn: sqlite3.Connection) -> int:
        return self._fetch(conn, "SELECT value FROM meta WHERE key = 'generation'", [])[0][0]

    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """See :meth:`SearchBackend.suggest`: a prefix query on the unstemmed words, then shared ranking."""
        words = re.findall(r"\w+", fold(prefix))
        if not words:
            return []
        expression = "words : (" + " AND ".join(f'"{w}"*' for w in words) + ")"
        rows = self._fetch(
            self._conn(),
            "SELECT r.data FROM records_fts JOIN records r ON r.rowid = records_fts.rowid"
            f" WHERE records_fts MATCH ? ORDER BY {_SCORE_TITLE} LIMIT ?",
            [expression, _SUGGEST_CANDIDATES],
        )
        return rank_suggestions((Record.from_dict(json.loads(d)) for (d,) in rows), prefix, limit)

    def get(self, record_id: str) -> Hit | None:
        """See :meth:`SearchBackend.get`."""
        rows = self._fetch(
            self._conn(), "SELECT data, missing_since, cluster_id FROM records WHERE record_id = ?", [record_id]
        )
        if not rows:
            return None
        data, missing_since, cluster_id = rows[0]
        return Hit(Record.from_dict(json.loads(data)), missing_since=missing_since, cluster_id=cluster_id)

    def get_many(self, record_ids: Iterable[str]) -> list[Record]:
        """See :meth:`SearchBackend.get_many`."""
        wanted = list(dict.fromkeys(record_ids))
        found: dict[str, Record] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._fetch(self._conn(), f"SELECT record_id, data FROM records WHERE record_id IN ({marks})", chunk)
            found.update((record_id, Record.from_dict(json.loads(data))) for record_id, data in rows)
        return [found[record_id] for record_id in wanted if record_id in found]

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

    def quality_by_portal(self) -> dict[str, float]:
        """See :meth:`SearchBackend.quality_by_portal`."""
        rows = self._fetch(
            self._conn(), "SELECT portal_id, avg(quality) FROM records WHERE quality IS NOT NULL GROUP BY portal_id", []
        )
        return {portal: round(mean, 1) for portal, mean in rows}

    def reindex(self, *, on_progress: Callable[[int, int], None] | None = None) -> str:
        """Re-analyse every record into the full-text and facet tables, in one transaction (readers see the old index until it commits)."""
        with self._write() as conn:
            conn.execute("DELETE FROM records_fts")
            conn.execute("DELETE FROM record_facets")
            conn.execute("DELETE FROM record_keys")
            rows = conn.execute("SELECT rowid, data FROM records").fetchall()
            for done, (rowid, data) in enumerate(rows, 1):
                self._index_text_and_facets(conn, rowid, Record.from_dict(json.loads(data)))
                if on_progress is not None and (done % 500 == 0 or done == len(rows)):
                    on_progress(done, len(rows))
            self._recluster(conn)
        return f"{len(rows)} records re-indexed"

    # -- jobs --------------------------------------------------------------------

    def save_job(self, job: HarvestJob) -> None:
        """See :meth:`SearchBackend.save_job`."""
        with self._write(records=False) as conn:
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

    def last_jobs(self) -> dict[str, HarvestJob]:
        """See :meth:`SearchBackend.last_jobs`: one job decoded per portal, however long the history
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
        """See :meth:`SearchBackend.acquire_lock`: one upsert that only overwrites an expired or own lock."""
        now = time.time()
        return self._lock_statement(_ACQUIRE_LOCK, (name, owner, now + ttl, now)) == 1

    def release_lock(self, name: str, owner: str) -> None:
        """See :meth:`SearchBackend.release_lock`."""
        self._lock_statement("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))

    def _lock_statement(self, sql: str, params: tuple) -> int:
        """Run one lock statement in its own ``BEGIN IMMEDIATE`` transaction; returns the rows it changed.

        Not :meth:`_write`: a lock says nothing about the records, so the search caches stay valid.
        """
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            changed = conn.execute(sql, params).rowcount
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"database write failed: {exc}") from exc
        return changed

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
    def _write(self, *, records: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``records=False`` for writes that leave the records as they are (jobs, page validators)."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            if records:
                # a write of records moves the generation on, so what is built from them (columnar index,
                # vocabulary, cached matches and responses) is rebuilt; jobs and validators need not
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
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


def _analyzed_fields(record: Record) -> tuple[str, str, str, str, str]:
    publisher = record.publisher.name if record.publisher else ""
    keywords = " ".join(record.keywords + tuple(t.label for t in record.themes))
    return (
        " ".join(analyze(record.title)),
        " ".join(analyze(keywords)),
        " ".join(analyze(publisher)),
        " ".join(analyze(record.description)),
        fold(" ".join((record.title, " ".join(record.keywords), publisher))),
    )


def _staged(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str]]:
    """The staged records in batches: a harvest of 80,000 records never sits in memory whole."""
    cursor = conn.execute("SELECT record_id, hash, data FROM temp.staging")
    while batch := cursor.fetchmany(500):
        yield from batch


def _facet_filters(query: SearchQuery) -> dict[str, list[str]]:
    """Facet → accepted values (keywords compare case-insensitively)."""
    return {
        facet: [v.casefold() for v in values] if facet == "keyword" else list(values)
        for facet, values in sorted(query.filters.items())
        if values
    }


def _intersection(masks: list[np.ndarray | None]) -> np.ndarray | None:
    """The records every mask accepts; None (everything) when no mask constrains."""
    present = [mask for mask in masks if mask is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return np.logical_and.reduce(present)


def _facets(
    columns: ColumnarIndex,
    query: SearchQuery,
    base: np.ndarray | None,
    filters: dict[str, np.ndarray],
    matched: np.ndarray | None,
) -> dict[str, list[FacetValue]]:
    """Every facet's counts: a facet with a filter of its own ignores that filter and honours the others."""
    scopes = {
        facet: _intersection([base, *(mask for other, mask in filters.items() if other != facet)])
        if facet in filters
        else matched
        for facet in FACETS
    }
    return columns.facet_counts(scopes, query.facet_size)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
