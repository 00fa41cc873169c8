"""One harvest of a portal at a time, across threads, processes and hosts: a lock kept in the store.

Two schedulers started by mistake, an admin-triggered harvest and a ``fedcat
harvest`` run all share the store, so the lock lives there
(:meth:`SearchBackend.acquire_lock`). It expires unless renewed: a running
harvest renews it every third of its lifetime from a small background thread,
and a crashed process frees its portals after one lifetime at most.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
import time
import uuid
from types import TracebackType

from mappings.jobs import HarvestJob
from service.search.base import SearchBackend, StoreError

__all__ = ["LOCK_TTL_SECONDS", "PortalBusy", "PortalLock", "lock_name", "new_lock_owner"]

logger = logging.getLogger(__name__)
#: how long a harvest lock lives without renewal (``FEDCAT_HARVEST_LOCK_TTL`` overrides it)
LOCK_TTL_SECONDS = 600.0


class PortalBusy(Exception):
    """Another run holds the portal's harvest lock: this run was refused and changed nothing."""

    def __init__(self, portal_id: str, running: HarvestJob | None = None) -> None:
        self.portal_id = portal_id
        self.running = running
        detail = f" by job {running.job_id} (started {running.started_at})" if running else " by another run"
        super().__init__(f"portal {portal_id} is already being harvested{detail}; this run was refused and changed nothing")


def lock_name(portal_id: str) -> str:
    """The name of a portal's harvest lock."""
    return f"harvest:{portal_id}"


def new_lock_owner() -> str:
    """A lock owner unique to this run, readable in the store: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class PortalLock:
    """A held harvest lock; as a context manager it is renewed in the background until released.

    :param ttl: seconds the lock lives without renewal.
    """

    def __init__(self, backend: SearchBackend, portal_id: str, owner: str, ttl: float) -> None:
        self.backend = backend
        self.portal_id = portal_id
        self.name = lock_name(portal_id)
        self.owner = owner
        self.ttl = ttl
        #: set when a renewal found the lock taken by someone else (it had expired)
        self.lost = False
        self._held = False
        self._guard = threading.Lock()  # a renewal never runs after (or while) the lock is released
        self._context: contextvars.Context | None = None

    @property
    def interval(self) -> float:
        """Seconds between renewals: a third of the lifetime, so two may fail before it expires."""
        return max(self.ttl / 3, 0.05)

    @classmethod
    def acquire(
        cls, backend: SearchBackend, portal_id: str, *, owner: str | None = None, ttl: float = LOCK_TTL_SECONDS
    ) -> PortalLock:
        """Take the portal's lock (or renew it, if ``owner`` already holds it).

        :raises PortalBusy: when another owner holds it.
        :raises StoreError: when the store cannot be reached.
        """
        lock = cls(backend, portal_id, owner or new_lock_owner(), ttl)
        if not backend.acquire_lock(lock.name, lock.owner, ttl):
            raise PortalBusy(portal_id, _running_job(backend, portal_id))
        return lock

    def __enter__(self) -> PortalLock:
        self._context = contextvars.copy_context()  # renewal log lines keep the request id that caused the harvest
        self._held = True
        _RENEWER.add(self)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()

    def release(self) -> None:
        """Stop renewing and free the lock; a store that cannot be reached lets it expire instead."""
        _RENEWER.remove(self)
        with self._guard:
            self._held = False
        try:
            self.backend.release_lock(self.name, self.owner)
        except StoreError as exc:
            logger.warning("could not release %s (it expires within %ss): %s", self.name, self.ttl, exc)

    def renew(self) -> None:
        """Extend the lock by its lifetime (the renewer calls this); notes when it was lost."""
        with self._guard:
            if self._held and not self.lost and self._context is not None:
                self._context.run(self._renew_once)

    def _renew_once(self) -> None:
        try:
            renewed = self.backend.acquire_lock(self.name, self.owner, self.ttl)
        except StoreError as exc:
            logger.warning("could not renew %s, will retry: %s", self.name, exc)
            return
        if not renewed:
            self.lost = True
            logger.error("%s expired and was taken by another run; this harvest will stop before writing", self.name)


class _Renewer:
    """One thread per process renews every held lock, each when a third of its lifetime has passed.

    One long-lived thread rather than one per harvest: a store may keep a
    connection per thread (SQLite does), and short-lived threads would leave
    theirs behind.
    """

    def __init__(self) -> None:
        self._due: dict[PortalLock, float] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, lock: PortalLock) -> None:
        """Renew ``lock`` from now on."""
        with self._changed:
            self._due[lock] = time.monotonic() + lock.interval
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="harvest-lock-renewer", daemon=True)
                self._thread.start()
            self._changed.notify()

    def remove(self, lock: PortalLock) -> None:
        """Stop renewing ``lock``."""
        with self._changed:
            self._due.pop(lock, None)

    def _run(self) -> None:
        while True:
            for lock in self._wait_for_due():
                try:
                    lock.renew()
                except Exception:  # noqa: BLE001 - the renewer must outlive any one lock's trouble
                    logger.exception("renewing %s failed", lock.name)

    def _wait_for_due(self) -> list[PortalLock]:
        """Sleep until some lock is due, then return those due (their next renewal already planned)."""
        with self._changed:
            while True:
                now = time.monotonic()
                due = [lock for lock, at in self._due.items() if at <= now]
                if due:
                    for lock in due:
                        self._due[lock] = now + lock.interval
                    return due
                self._changed.wait(min(self._due.values(), default=now + 3600) - now)


_RENEWER = _Renewer()


def _running_job(backend: SearchBackend, portal_id: str) -> HarvestJob | None:
    """The portal's running job, to tell a refused caller who holds the lock."""
    try:
        jobs = backend.jobs(portal_id=portal_id, limit=10)
    except StoreError:
        return None
    return next((job for job in jobs if job.status in ("running", "requested")), None)
