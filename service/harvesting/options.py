"""How a harvest runs: the settings (:class:`HarvestOptions`) and the caller's hooks (:class:`HarvestHooks`).

The catalogue builds one :class:`HarvestOptions` from the deployment's ``Settings``
(:meth:`HarvestOptions.from_settings`) and hands it to :func:`service.harvesting.runner.harvest_portal`,
which reads it: no setting is forwarded twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable

from harvesters.fetch.http import HttpSettings
from harvesters.fetch.limits import HarvestLimits, RecordLimits
from harvesters.page import HarvestReport
from mappings.record import Record
from service.harvesting.locking import LOCK_TTL_SECONDS

if TYPE_CHECKING:
    from service.config import Settings

__all__ = ["HarvestHooks", "HarvestOptions", "utc_now"]


def utc_now() -> datetime:
    """The current time, timezone-aware, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class HarvestOptions:
    """The settings of a harvest.

    :param http: timeouts, size bounds, retries and allowed networks of the HTTP client.
    :param allowed_hosts: hosts reachable besides the portal's own (for portals whose pages or
        redirects live on a sibling host).
    :param grace: how long a record missing from complete harvests stays before it is deleted.
    :param max_pages: the most pages one run follows (past it the run fails).
    :param workers: processes that parse and map pages (``FEDCAT_HARVEST_WORKERS``): 1 keeps it
        all in this one, 0 uses the usable CPUs.
    :param limits: the most a page and a record may hold.
    :param lock_ttl: seconds the portal's lock lives without renewal.
    :param revalidate: ignore what the last run remembered of each page and read everything.
    """

    http: HttpSettings = field(default_factory=HttpSettings)
    allowed_hosts: frozenset[str] = frozenset()
    grace: timedelta = timedelta(days=7)
    max_pages: int = 2000
    workers: int = 1
    limits: HarvestLimits = field(default_factory=HarvestLimits)
    lock_ttl: float = LOCK_TTL_SECONDS
    revalidate: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> HarvestOptions:
        """The options a deployment's ``FEDCAT_*`` settings ask for."""
        return cls(
            http=HttpSettings(
                read_timeout=settings.http_timeout,
                max_bytes=settings.max_download_mb * 1024 * 1024,
                deadline=settings.http_deadline,
                allowed_networks=settings.allowed_networks,
            ),
            allowed_hosts=frozenset(settings.allowed_hosts),
            grace=timedelta(days=settings.delete_grace_days),
            max_pages=settings.max_pages,
            workers=settings.harvest_workers,
            limits=HarvestLimits(
                max_page_triples=settings.max_page_triples,
                record=RecordLimits(
                    max_text_chars=settings.max_literal_chars,
                    max_keywords=settings.max_keywords,
                    max_distributions=settings.max_distributions,
                ),
            ),
            lock_ttl=settings.harvest_lock_ttl,
        )


@dataclass(frozen=True)
class HarvestHooks:
    """What the caller of one run wants told or done while it runs.

    :param now: the clock (tests pass a fixed one).
    :param sleep: how retries wait (tests pass a recorder).
    :param on_progress: called with the report every hundred records and at the end of reading.
    :param should_stop: asked for every record read; True stops the run before anything is written.
    :param on_error: called with the exception that failed the run (metrics count them).
    :param transform: applied to every record just before it is written (the service stamps link health on).
        Records of unchanged pages go through it on the first run of a (UTC) day, since what it adds may
        depend on the date; later runs that day keep them as stored. A ``many(records)`` method, when it
        has one, takes a batch at a time.
    """

    now: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    on_progress: Callable[[HarvestReport], None] | None = None
    should_stop: Callable[[], bool] | None = None
    on_error: Callable[[Exception], None] | None = None
    transform: Callable[[Record], Record] | None = None

    def failed(self, exc: Exception) -> None:
        """Tell ``on_error`` (when there is one) that the run failed with ``exc``."""
        if self.on_error is not None:
            self.on_error(exc)
