"""Where link checks are kept: the latest check of each distribution URL.

Checks are keyed by URL, not by record: a re-harvest that rewrites a record
whose distributions did not change finds their checks where it left them, and
two datasets sharing a file share its check.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from typing import Iterable, Iterator

from mappings.links import LinkCheck
from service.store.base import StoreError
from service.store.connections import Connections

__all__ = ["LinkCheckStore", "SqliteLinkCheckStore"]

_COLUMNS = ("url", "checked_at", "verdict", "status", "final_url", "content_type", "size", "last_modified", "error", "method")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS link_checks (
    url TEXT PRIMARY KEY, checked_at TEXT NOT NULL, verdict TEXT NOT NULL, status INTEGER, final_url TEXT,
    content_type TEXT, size INTEGER, last_modified TEXT, error TEXT, method TEXT
);
CREATE TABLE IF NOT EXISTS link_checks_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (name TEXT PRIMARY KEY, version TEXT NOT NULL, body TEXT NOT NULL);
INSERT OR IGNORE INTO link_checks_meta VALUES ('version', 0);
"""
_BATCH = 500


class LinkCheckStore(ABC):
    """The latest check of each URL."""

    @abstractmethod
    def save(self, checks: Iterable[LinkCheck]) -> None:
        """Insert or replace the checks of their URLs.

        :raises StoreError: when the store cannot apply the write.
        """

    @abstractmethod
    def get_many(self, urls: Iterable[str]) -> dict[str, LinkCheck]:
        """The checks of those URLs that were checked, by URL."""

    @abstractmethod
    def forget(self, urls: Iterable[str]) -> int:
        """Drop the checks of URLs no record links to any more; returns how many were dropped."""

    @abstractmethod
    def iter_checks(self) -> Iterator[LinkCheck]:
        """Every check, in URL order."""

    @abstractmethod
    def version(self) -> int:
        """A number that changes with every write (answers computed from checks are reused until then)."""

    def load_snapshot(self, name: str, version: str) -> str | None:
        """A computed answer saved under ``name`` for exactly ``version`` of the data, else None.

        Insights take one pass over every record: computed once (by the scheduler after a run, or by
        the first request), they are shared by every process reading this store.
        """
        return None

    def save_snapshot(self, name: str, version: str, body: str) -> None:
        """Keep a computed answer for ``version`` of the data (replacing older ones); the default keeps nothing."""

    def close(self) -> None:
        """Release connections."""


class SqliteLinkCheckStore(LinkCheckStore):
    """Checks in a table of a SQLite file (the embedded backend's own file by default).

    :param path: a file path, or ``:memory:`` for a private store shared by this process's threads.
    """

    def __init__(self, path: str) -> None:
        self._connections = Connections(path, name="the link check database", memory_prefix="links")
        self._keeper = self._conn()  # an in-memory database lives while one connection is open
        self._keeper.executescript(_SCHEMA)

    def save(self, checks: Iterable[LinkCheck]) -> None:
        """See :meth:`LinkCheckStore.save`."""
        rows = [tuple(getattr(check, column) for column in _COLUMNS) for check in checks]
        if rows:
            marks = ",".join("?" * len(_COLUMNS))
            self._write([(f"INSERT OR REPLACE INTO link_checks VALUES ({marks})", rows)])

    def get_many(self, urls: Iterable[str]) -> dict[str, LinkCheck]:
        """See :meth:`LinkCheckStore.get_many`."""
        found: dict[str, LinkCheck] = {}
        wanted = list(dict.fromkeys(urls))
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            sql = f"SELECT {', '.join(_COLUMNS)} FROM link_checks WHERE url IN ({','.join('?' * len(chunk))})"
            for row in self._read(sql, chunk):
                found[row[0]] = LinkCheck(**dict(zip(_COLUMNS, row)))
        return found

    def forget(self, urls: Iterable[str]) -> int:
        """See :meth:`LinkCheckStore.forget`."""
        chunks = list(urls)
        statements = [
            (f"DELETE FROM link_checks WHERE url IN ({','.join('?' * len(part))})", [part])
            for part in (chunks[i : i + _BATCH] for i in range(0, len(chunks), _BATCH))
        ]
        return self._write(statements) if statements else 0

    def iter_checks(self) -> Iterator[LinkCheck]:
        """See :meth:`LinkCheckStore.iter_checks`."""
        cursor = self._conn().execute(f"SELECT {', '.join(_COLUMNS)} FROM link_checks ORDER BY url")
        while rows := cursor.fetchmany(_BATCH):
            yield from (LinkCheck(**dict(zip(_COLUMNS, row))) for row in rows)

    def version(self) -> int:
        """See :meth:`LinkCheckStore.version`."""
        return self._read("SELECT value FROM link_checks_meta WHERE key = 'version'", [])[0][0]

    def load_snapshot(self, name: str, version: str) -> str | None:
        """See :meth:`LinkCheckStore.load_snapshot`."""
        rows = self._read("SELECT body FROM snapshots WHERE name = ? AND version = ?", [name, version])
        return rows[0][0] if rows else None

    def save_snapshot(self, name: str, version: str, body: str) -> None:
        """See :meth:`LinkCheckStore.save_snapshot` (a snapshot does not move :meth:`version`)."""
        conn = self._conn()
        try:
            conn.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)", (name, version, body))
        except sqlite3.Error as exc:
            raise StoreError(f"snapshot write failed: {exc}") from exc

    def close(self) -> None:
        """Close every connection this store opened."""
        self._connections.close()

    def _write(self, statements: list[tuple[str, list]]) -> int:
        conn = self._conn()
        changed = 0
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql, rows in statements:
                changed += conn.executemany(sql, rows).rowcount
            conn.execute("UPDATE link_checks_meta SET value = value + 1 WHERE key = 'version'")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"link check write failed: {exc}") from exc
        return changed

    def _read(self, sql: str, params: list) -> list[tuple]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"link check read failed: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()
