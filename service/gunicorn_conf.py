"""gunicorn settings for the fedcat API; the repository's ``gunicorn.conf.py`` loads them.

``gunicorn 'service.app:create_app()'`` run from the repository (or the image's
``/app``) reads ``gunicorn.conf.py`` by itself; elsewhere use
``gunicorn -c python:service.gunicorn_conf 'service.app:create_app()'``.
``fedcat serve`` applies the same settings. Command-line flags and
``GUNICORN_CMD_ARGS`` override them; ``WEB_CONCURRENCY`` sets the worker count.

Metrics: with ``PROMETHEUS_MULTIPROC_DIR`` set, every worker writes its metrics
there and ``/metrics`` sums them; :func:`on_starting` empties the directory
(values of a previous run must not count) and :func:`child_exit` marks a dead
worker's files so its live gauges disappear.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from service.config import Settings, SettingsError

__all__ = [
    "access_log_format",
    "accesslog",
    "child_exit",
    "default_workers",
    "errorlog",
    "graceful_timeout",
    "keepalive",
    "limit_request_field_size",
    "limit_request_fields",
    "limit_request_line",
    "logconfig_dict",
    "on_starting",
    "post_worker_init",
    "threads",
    "timeout",
    "worker_class",
    "worker_connections",
    "workers",
]

#: gunicorn's own logs in JSON when FEDCAT_LOG_FORMAT=json (the app's logs follow the same setting)
_JSON_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": []},  # the app adds its own root handler (create_app)
    "formatters": {"json": {"()": "service.logging_.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False, "qualname": "gunicorn.error"},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False, "qualname": "gunicorn.access"},
    },
}


def default_workers() -> int:
    """Two workers per usable CPU, plus one; at most 12 (each worker holds its own store connections)."""
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may use, not the host's
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return min(2 * cpus + 1, 12)


def _log_format() -> str:
    try:
        return Settings.from_env().log_format
    except SettingsError:
        return "text"  # the app reports the bad setting itself, readably


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
#: gthread, except that a request reaches a thread only once it has fully arrived (slow clients hold
#: no thread; a request still arriving after 10 s is dropped): see service/gunicorn_worker.py
worker_class = "service.gunicorn_worker.BufferingThreadWorker"
#: threads per worker: searches wait on SQLite or the engine, so a few threads keep a worker busy
threads = 4
#: gunicorn's request limits, above fedcat's own (service/security.py) so that fedcat answers first, in
#: its JSON error shape: request line unlimited here (the worker buffers at most ~1.1 MiB of a request),
#: 1,000 headers of up to 64 KiB each
limit_request_line = 0
limit_request_fields = 1000
limit_request_field_size = 65536
#: connections one worker holds at most, slow ones included (beyond, it stops accepting until some end)
worker_connections = 1000
#: a worker whose main loop is silent this long is restarted (the API answers in pages: no request takes that long)
timeout = 60
#: on SIGTERM, workers finish their requests (and admin-started harvests still writing) for this long
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
logconfig_dict = _JSON_LOGGING if _log_format() == "json" else {}


def on_starting(server) -> None:
    """Empty the metrics directory: counters of a previous run must not be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def post_worker_init(worker) -> None:
    """Open the search backend before taking requests: the embedded one maps its index files (shared by
    every worker through the OS page cache) and applies what a crashed writer left in the outbox."""
    catalogue = getattr(worker.wsgi, "extensions", {}).get("fedcat")
    if catalogue is None:
        return
    try:
        catalogue.backend.warm_up()
    except Exception as exc:  # a store that is down now must not keep the worker from starting
        logging.getLogger("gunicorn.error").warning("search warm-up failed: %s", exc)


def child_exit(server, worker) -> None:
    """Mark an exited worker's metric files dead (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

