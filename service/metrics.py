"""Prometheus metrics: request latency by route, harvests by portal, records per portal, fetch errors by kind.

Why ``prometheus_client`` rather than a hand-written exposition: gunicorn runs
several worker processes, and a scrape reaches one of them. The client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``) has every worker write its
counters to a shared directory and sums them at scrape time; getting that
right by hand (file format, dead workers, histogram merging) is most of the
library. ``gunicorn.conf.py`` empties the directory at start and marks exited
workers dead.

What the store knows (records per portal, each portal's last harvest) is read
from the store at scrape time, so it is the same whichever process answers and
includes harvests run by the scheduler process.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import TYPE_CHECKING, Iterable, Iterator

from flask import Flask, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from harvesters.errors import FetchError
from mappings.jobs import HarvestJob
from service.search.base import StoreError

if TYPE_CHECKING:
    from service.catalogue import Catalogue

__all__ = [
    "CONTENT_TYPE",
    "FETCH_ERRORS",
    "HARVESTS",
    "HARVEST_DURATION",
    "REQUESTS",
    "REQUEST_LATENCY",
    "StoreCollector",
    "exposition",
    "fetch_error_kind",
    "harvest_error",
    "harvest_finished",
    "harvest_refused",
    "install_request_metrics",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_UNMATCHED = "<unmatched>"

REQUEST_LATENCY = Histogram(
    "fedcat_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route (the URL rule, not the URL).",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REQUESTS = Counter("fedcat_http_requests", "HTTP requests answered, by method, route and status.", ["method", "route", "status"])
HARVEST_DURATION = Histogram(
    "fedcat_harvest_duration_seconds",
    "Duration of harvest runs, by portal.",
    ["portal"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400),
)
HARVESTS = Counter(
    "fedcat_harvests", "Harvest runs by portal and outcome: done, done-with-errors, failed or refused.", ["portal", "status"]
)
FETCH_ERRORS = Counter(
    "fedcat_harvest_fetch_errors", "Harvest runs failed by fetching a portal, by portal and kind of error.", ["portal", "kind"]
)

#: kinds a FetchError may carry itself (``dns``: the host name did not resolve)
_KNOWN_KINDS = frozenset({"dns", "connection", "timeout"})
#: the start of a FetchError's reason → its kind (statuses are classified first)
_FETCH_KINDS = (
    ("timed out", "timeout"),
    ("connection failed", "connection"),
    ("body could not be read", "connection"),
    ("refused to fetch", "refused"),
    ("more than", "redirects"),
)


# -- harvests -------------------------------------------------------------------------


def harvest_finished(job: HarvestJob, seconds: float) -> None:
    """Count a finished run and its duration."""
    HARVESTS.labels(job.portal_id, job.status).inc()
    HARVEST_DURATION.labels(job.portal_id).observe(seconds)


def harvest_refused(portal_id: str) -> None:
    """Count a run refused because another one held the portal's lock."""
    HARVESTS.labels(portal_id, "refused").inc()


def harvest_error(portal_id: str, error: Exception) -> None:
    """Count the error that failed a run, if it was a fetch error."""
    if isinstance(error, FetchError):
        FETCH_ERRORS.labels(portal_id, fetch_error_kind(error)).inc()


def fetch_error_kind(error: FetchError) -> str:
    """A short, bounded label for a fetch error: ``http_4xx``, ``http_5xx``, ``timeout``, ``too_large``, ..."""
    if error.status is not None:
        return "http_429" if error.status == 429 else f"http_{error.status // 100}xx"
    if getattr(error, "kind", None) in _KNOWN_KINDS:
        return error.kind
    reason = error.reason.lower()
    if "limit" in reason and "exceeds" in reason:
        return "too_large"
    if reason.startswith("http 3") or "location" in reason:
        return "redirects"
    return next((kind for start, kind in _FETCH_KINDS if reason.startswith(start)), "other")


# -- requests ---------------------------------------------------------------------------


def install_request_metrics(app: Flask) -> None:
    """Time every request and count it by route and status."""

    @app.before_request
    def _start_timer() -> None:
        g.fedcat_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("fedcat_started", None)
        method = request.method if request.method in _METHODS else "OTHER"
        route = request.url_rule.rule if request.url_rule is not None else _UNMATCHED
        if started is not None:
            REQUEST_LATENCY.labels(method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        return response


# -- exposition -------------------------------------------------------------------------


class StoreCollector:
    """Gauges read from the store at scrape time: records and last harvest per configured portal."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def collect(self) -> Iterator[Metric]:
        """The store's gauges; only ``fedcat_store_up 0`` when the store does not answer."""
        up = GaugeMetricFamily("fedcat_store_up", "1 when the record store answers.")
        try:
            counts = self.catalogue.backend.counts_by_portal()
            last_jobs = self.catalogue.backend.last_jobs()
        except StoreError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from self._portal_gauges(counts, last_jobs)

    def _portal_gauges(self, counts: dict[str, int], last_jobs: dict[str, HarvestJob]) -> Iterator[Metric]:
        records = GaugeMetricFamily("fedcat_records", "Records stored, by portal.", labels=["portal"])
        finished = GaugeMetricFamily(
            "fedcat_last_harvest_timestamp_seconds", "When the portal's last finished harvest ended.", labels=["portal"]
        )
        ok = GaugeMetricFamily("fedcat_last_harvest_ok", "1 when the portal's last finished harvest did not fail.", labels=["portal"])
        for portal in self.catalogue.portals:
            records.add_metric([portal.id], counts.get(portal.id, 0))
            job = last_jobs.get(portal.id)
            if job is not None and job.finished_at:
                finished.add_metric([portal.id], datetime.fromisoformat(job.finished_at).timestamp())
                ok.add_metric([portal.id], 0 if job.status == "failed" else 1)
        return iter((records, finished, ok))


class _Sources:
    """Several collectors read as one registry by :func:`generate_latest`."""

    def __init__(self, sources: Iterable) -> None:
        self.sources = list(sources)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition(catalogue: Catalogue) -> bytes:
    """Every metric in the Prometheus text format: this process's (or, in multiprocess mode, every worker's) and the store's."""
    return generate_latest(_Sources([_process_metrics(), StoreCollector(catalogue)]))


def _process_metrics():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
