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
from datetime import datetime, timedelta
from typing import Callable, ClassVar, Iterable, Iterator

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
    day_after,
    facet_values,
    rank_suggestions,
)
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
#: unfiltered facet counts are cached per data generation with this many values each
FACET_CACHE_SIZE = 100
_SCHEMA_VERSION = 6
_SUGGEST_CANDIDATES = 60
_SORT_SQL = {
    "title": "r.title_sort ASC, r.record_id ASC",
    "-title": "r.title_sort DESC, r.record_id ASC",
    "modified": "r.modified IS NULL, r.modified ASC, r.record_id ASC",
    "-modified": "r.modified IS NULL, r.modified DESC, r.record_id ASC",
    "issued": "r.issued IS NULL, r.issued ASC, r.record_id ASC",
    "-issued": "r.issued IS NULL, r.issued DESC, r.record_id ASC",
    "quality": "r.quality IS NULL, r.quality ASC, r.record_id ASC",
    "-quality": "r.quality IS NULL, r.quality DESC, r.record_id ASC",
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
        self._vocabulary: tuple[int, dict[str, list[str]]] = (-1, {})
        self._unfiltered_facets: tuple[int, dict] = (-1, {})
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
        """Recompute every cluster from the stored duplicate keys; a record alone is its own cluster."""
        entries: dict[str, ClusterEntry] = {}
        keys: dict[str, set[str]] = {}
        rows = conn.execute(
            "SELECT r.record_id, r.portal_id, coalesce(r.quality, 0), k.key FROM record_keys k"
            " JOIN records r ON r.rowid = k.record_rowid"
        )
        for record_id, portal_id, quality, key in rows:
            keys.setdefault(record_id, set()).add(key)
            entries.setdefault(record_id, ClusterEntry(record_id, portal_id, frozenset(), quality))
        clusters = compute_clusters(
            ClusterEntry(e.record_id, e.portal_id, frozenset(keys[e.record_id]), e.quality) for e in entries.values()
        )
        current = conn.execute("SELECT rowid, record_id, cluster_id FROM records").fetchall()
        changes = [
            (clusters.get(record_id, record_id), rowid)
            for rowid, record_id, cluster_id in current
            if cluster_id != clusters.get(record_id, record_id)
        ]
        conn.executemany("UPDATE records SET cluster_id = ? WHERE rowid = ?", changes)
        conn.executemany("UPDATE record_facets SET cluster_id = ? WHERE record_rowid = ?", changes)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'clusters'", (len(set(clusters.values())),))

    def cluster_members(self, cluster_ids: Iterable[str]) -> dict[str, list[Record]]:
        """See :meth:`SearchBackend.cluster_members`."""
        wanted = list(dict.fromkeys(cluster_ids))
        members: dict[str, list[Record]] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            rows = self._fetch(
                self._conn(),
                f"SELECT cluster_id, data FROM records WHERE cluster_id IN ({marks}) ORDER BY portal_id, record_id",
                chunk,
            )
            for cluster_id, data in rows:
                members.setdefault(cluster_id, []).append(Record.from_dict(json.loads(data)))
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
        with self._write() as conn:
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

    def _search(self, conn: sqlite3.Connection, query: SearchQuery) -> SearchPage:
        generation = self._generation(conn)
        match = self._match_expression(conn, parse_query(query.q), generation)
        base = self._fill_base(conn, query, match)
        filters = _facet_filters(query)
        where, params = _filter_clause(filters, exclude=None)
        source = "temp.base b JOIN records r ON r.rowid = b.rowid" if base else "records r"
        clustered = self._has_clusters(conn)
        if base and not filters and not clustered:  # the match table alone answers the count
            total = self._fetch(conn, "SELECT count(*) FROM temp.base", [])[0][0]
        else:
            counted = "count(DISTINCT r.cluster_id)" if clustered else "count(*)"
            total = self._fetch(conn, f"SELECT {counted} FROM {source} WHERE {where}", params)[0][0]
        page_sql = _hits_sql(source, where, self._order(query, match), base, collapse=clustered)
        page_rows = self._fetch(conn, page_sql, [*params, query.page_size, query.offset])
        hits = self._hits(conn, page_rows)
        facets = self._facets(conn, query, source, where, params, base, filters, generation)
        return SearchPage(total=total, hits=hits, facets=facets, query=query)

    def _facets(
        self, conn, query: SearchQuery, source: str, where: str, params: list, base: bool, filters: dict, generation: int
    ) -> dict[str, list[FacetValue]]:
        """Every facet's counts. Facets without a filter of their own share the fully filtered set,
        so they are counted together in one pass; a filtered facet ignores its own filter, alone."""
        unfiltered = [f for f in FACETS if f not in filters]
        counts: dict[str, list[FacetValue]] = {}
        if not base and not filters:
            counts.update(self._cached_unconstrained_facets(conn, generation))
        elif unfiltered:
            matched = "temp.base"
            if filters:  # narrow the text/range matches by every facet filter once
                matched = "temp.matched"
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS matched (rowid INTEGER PRIMARY KEY)")
                conn.execute("DELETE FROM temp.matched")
                self._execute(conn, f"INSERT INTO temp.matched SELECT r.rowid FROM {source} WHERE {where}", params)
            joined = f"{matched} m CROSS JOIN record_facets f ON f.record_rowid = m.rowid"
            counts.update(self._grouped_counts(conn, joined, unfiltered, "1", []))
        for facet in filters:
            counts[facet] = self._facet_counts(conn, query, base, filters, facet)
        return {facet: counts.get(facet, [])[: query.facet_size] for facet in FACETS}

    def _grouped_counts(self, conn, source: str, facets: list[str], where: str, params: list) -> dict[str, list[FacetValue]]:
        counted = "count(DISTINCT f.cluster_id)" if self._has_clusters(conn) else "count(*)"
        marks = ",".join("?" * len(facets))
        rows = self._fetch(
            conn,
            f"SELECT f.facet, f.value, {counted} AS n FROM {source} WHERE f.facet IN ({marks}) AND {where}"
            " GROUP BY f.facet, f.value",
            [*facets, *params],
        )
        grouped: dict[str, list[FacetValue]] = {facet: [] for facet in facets}
        for facet, value, count in rows:
            grouped[facet].append(FacetValue(value, count))
        for values in grouped.values():
            values.sort(key=lambda v: (-v.count, v.value))
        return grouped

    def _cached_unconstrained_facets(self, conn, generation: int) -> dict[str, list[FacetValue]]:
        """Facet counts of the whole catalogue, computed once per write (the landing page asks them most)."""
        cached_generation, cached = self._unfiltered_facets
        if cached_generation != generation:
            counts = self._grouped_counts(conn, "record_facets f", list(FACETS), "1", [])
            cached = {facet: values[:FACET_CACHE_SIZE] for facet, values in counts.items()}
            self._unfiltered_facets = (generation, cached)
        return cached

    def _execute(self, conn: sqlite3.Connection, sql: str, params: list) -> None:
        try:
            conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"database read failed: {exc}") from exc

    def _hits(self, conn: sqlite3.Connection, page_rows: list[tuple]) -> list[Hit]:
        """Load the page's records (only now: the ranking touched rowids and sort keys alone)."""
        if not page_rows:
            return []
        marks = ",".join("?" * len(page_rows))
        data = dict(
            (rowid, (blob, missing))
            for rowid, blob, missing in self._fetch(
                conn, f"SELECT rowid, data, missing_since FROM records WHERE rowid IN ({marks})", [r[0] for r in page_rows]
            )
        )
        return [
            Hit(Record.from_dict(json.loads(data[rowid][0])), score=-float(score), missing_since=data[rowid][1], cluster_id=cluster)
            for rowid, score, cluster in page_rows
            if rowid in data  # never a KeyError (a 500) for a row a harvest replaced meanwhile
        ]

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

    def _fill_base(self, conn: sqlite3.Connection, query: SearchQuery, match: str | None) -> bool:
        """Put the rows matching the text, dates and box in ``temp.base``; False when nothing constrains them."""
        clauses, params = _range_clauses(query)
        if match is None and not clauses:
            return False
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS base (rowid INTEGER PRIMARY KEY, score REAL)")
        conn.execute("DELETE FROM temp.base")
        if match is None:
            sql = f"INSERT INTO temp.base SELECT r.rowid, 0 FROM records r WHERE {' AND '.join(clauses)}"
        else:
            extra = "".join(f" AND {c}" for c in clauses)
            sql = (
                f"INSERT INTO temp.base SELECT r.rowid, {_SCORE} FROM records_fts"
                f" JOIN records r ON r.rowid = records_fts.rowid WHERE records_fts MATCH ?{extra}"
            )
            params = [match, *params]
        try:
            conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"database read failed: {exc}") from exc
        return True

    def _order(self, query: SearchQuery, match: str | None) -> str:
        if query.sort == "relevance":
            return "b.score ASC, r.record_id ASC" if match else _SORT_SQL["-modified"]
        return _SORT_SQL[query.sort]

    def _facet_counts(self, conn, query: SearchQuery, base: bool, filters: dict, facet: str) -> list[FacetValue]:
        """One filtered facet's counts, its own filter ignored, the others honoured."""
        where, params = _filter_clause(filters, exclude=facet, column="f.record_rowid")
        source = "temp.base b CROSS JOIN record_facets f ON f.record_rowid = b.rowid" if base else "record_facets f"
        counted = "count(DISTINCT f.cluster_id)" if self._has_clusters(conn) else "count(*)"
        rows = self._fetch(
            conn,
            f"SELECT f.value, {counted} AS n FROM {source} WHERE f.facet = ? AND {where}"
            " GROUP BY f.value ORDER BY n DESC, f.value ASC LIMIT ?",
            [facet, *params, query.facet_size],
        )
        return [FacetValue(value, count) for value, count in rows]

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
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            # every write moves the generation on, so caches of the index (vocabulary, facets) refresh
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


def _hits_sql(source: str, where: str, order: str, base: bool, *, collapse: bool) -> str:
    """Rowid, score and cluster of one page of hits; collapsed, one row per cluster (Elasticsearch's
    ``collapse``): its best member by the query's own order."""
    score = "b.score" if base else "0"
    if not collapse:
        return f"SELECT r.rowid, {score}, r.cluster_id FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
    outer_order = order.replace("b.score", "ranked.score").replace("r.", "ranked.")
    return (
        f"WITH ranked AS (SELECT r.rowid AS rid, {score} AS score, r.cluster_id, r.record_id, r.title_sort,"
        f" r.modified, r.issued, r.quality, row_number() OVER (PARTITION BY r.cluster_id ORDER BY {order}) AS member_rank"
        f" FROM {source} WHERE {where})"
        f" SELECT ranked.rid, ranked.score, ranked.cluster_id FROM ranked WHERE member_rank = 1"
        f" ORDER BY {outer_order} LIMIT ? OFFSET ?"
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


def _filter_clause(filters: dict[str, list[str]], *, exclude: str | None, column: str = "r.rowid") -> tuple[str, list]:
    """SQL requiring one accepted value of every facet filter but ``exclude``."""
    clauses, params = ["1"], []
    for facet, values in filters.items():
        if facet == exclude:
            continue
        marks = ",".join("?" * len(values))
        clauses.append(f"{column} IN (SELECT record_rowid FROM record_facets WHERE facet = ? AND value IN ({marks}))")
        params.extend([facet, *values])
    return " AND ".join(clauses), params


def _range_clauses(query: SearchQuery) -> tuple[list[str], list]:
    """Date-range and bounding-box constraints on ``records r``."""
    clauses, params = [], []
    if query.modified_since:
        clauses.append("r.modified >= ?")
        params.append(query.modified_since)
    if query.modified_until:
        clauses.append("r.modified < ?")
        params.append(day_after(query.modified_until))
    if query.bbox:
        west, south, east, north = query.bbox
        clauses.append("r.east >= ? AND r.west <= ? AND r.north >= ? AND r.south <= ?")
        params.extend([west, east, south, north])
    if query.quality_min is not None:
        clauses.append("r.quality >= ?")
        params.append(query.quality_min)
    return clauses, params


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
