"""Per-thread SQLite connections to one database, every one of them closed by :meth:`Connections.close`.

sqlite3 connections must not be shared between threads that use them at once, and a
``:memory:`` database lives only while one of its connections is open: each store keeps
one connection per thread (a shared-cache in-memory URI for ``:memory:``) and remembers
them all so closing the store closes them all.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid

from service.store.base import StoreError

__all__ = ["Connections"]


class Connections:
    """One connection per thread to ``path`` (WAL mode for files), opened on first use.

    :param path: a file path, or ``:memory:`` for a private in-memory database shared by this process's threads.
    :param name: what the database is called in errors ("the database", "the link check database").
    :param memory_prefix: names the in-memory database (each :class:`Connections` gets its own).
    :param synchronous: SQLite's ``synchronous`` pragma for files, or None to keep SQLite's default.
    """

    def __init__(
        self, path: str, *, name: str, memory_prefix: str, timeout: float = 30.0, synchronous: str | None = None
    ) -> None:
        self.path = path
        self.memory = path == ":memory:"
        self.uri = f"file:{memory_prefix}-{uuid.uuid4().hex}?mode=memory&cache=shared" if self.memory else path
        self._name = name
        self._timeout = timeout
        self._synchronous = synchronous
        self._local = threading.local()
        self._open: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        """This thread's connection (opened now if it has none)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
        return conn

    def connect(self) -> sqlite3.Connection:
        """A new connection, not this thread's (give it back with :meth:`forget`)."""
        try:
            conn = sqlite3.connect(
                self.uri, uri=self.memory, timeout=self._timeout, check_same_thread=False, isolation_level=None
            )
            if not self.memory:
                conn.execute("PRAGMA journal_mode = WAL")
                if self._synchronous:
                    conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self._name} {self.path}: {exc}") from exc
        with self._lock:
            self._open.append(conn)
        return conn

    def forget(self, conn: sqlite3.Connection) -> None:
        """Close a connection :meth:`connect` gave."""
        with self._lock:
            if conn in self._open:
                self._open.remove(conn)
        conn.close()

    def close(self) -> None:
        """Close every connection opened so far, whichever thread opened it."""
        with self._lock:
            for conn in self._open:
                conn.close()
            self._open.clear()
        self._local = threading.local()
