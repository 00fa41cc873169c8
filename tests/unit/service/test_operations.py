"""Operations helpers without I/O: settings, log formatting, progress lines, fetch-error kinds, gunicorn settings."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from harvesters.errors import FetchError
from service import gunicorn_conf
from service.config import Settings, SettingsError
from service.logging_ import JsonFormatter, request_id_scope, valid_request_id
from service.metrics import fetch_error_kind
from service.progress import Progress, render


# -- settings -------------------------------------------------------------------------------


def test_operations_settings_are_read_and_checked():
    settings = Settings.from_env(
        {"FEDCAT_ADMIN_TOKEN": "t" * 16, "FEDCAT_LOG_FORMAT": "JSON", "FEDCAT_LOG_LEVEL": "debug", "FEDCAT_HARVEST_LOCK_TTL": "90"}
    )
    assert (settings.admin_token, settings.log_format, settings.log_level, settings.harvest_lock_ttl) == ("t" * 16, "json", "DEBUG", 90)
    assert "t" * 16 not in repr(settings), "the token stays out of reprs and tracebacks"


@pytest.mark.parametrize(
    "name,value",
    [("FEDCAT_ADMIN_TOKEN", "short"), ("FEDCAT_LOG_FORMAT", "xml"), ("FEDCAT_LOG_LEVEL", "loud"), ("FEDCAT_HARVEST_LOCK_TTL", "0")],
)
def test_bad_operations_settings_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


# -- logs -------------------------------------------------------------------------------------


def record(name="fedcat.test", msg="harvest of %s: %s", args=("paris", "done"), **extra) -> logging.LogRecord:
    made = logging.getLogger(name).makeRecord(name, logging.INFO, __file__, 1, msg, args, None, extra=extra or None)
    return made


def test_json_lines_carry_time_level_logger_message_request_id_and_extras():
    with request_id_scope("run-1"):
        line = JsonFormatter().format(record(portal="paris"))
    entry = json.loads(line)
    assert entry["message"] == "harvest of paris: done" and entry["level"] == "INFO" and entry["logger"] == "fedcat.test"
    assert entry["request_id"] == "run-1" and entry["portal"] == "paris" and entry["time"].endswith("+00:00")


def test_json_lines_include_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "crashed", (), sys_exc_info())
    entry = json.loads(JsonFormatter().format(failed))
    assert "ValueError: boom" in entry["exception"]


def sys_exc_info():
    import sys

    return sys.exc_info()


def test_gunicorn_access_lines_become_fields():
    atoms = {"h": "10.0.0.1", "m": "GET", "U": "/api/datasets", "q": "q=velo", "s": "200", "B": 512, "M": 12,
             "a": 'curl/8 "x"', "{x-request-id}o": "abc123", "{authorization}i": "Bearer secret"}
    access = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(U)s"', (atoms,), None
    )
    entry = json.loads(JsonFormatter().format(access))
    assert entry["request_id"] == "abc123" and entry["status"] == 200 and entry["duration_ms"] == 12
    assert entry["path"] == "/api/datasets" and entry["user_agent"] == 'curl/8 "x"'
    assert "secret" not in json.dumps(entry)


@pytest.mark.parametrize("value,ok", [("abc", True), ("a" * 64, True), ("lb:1.2_3-4", True), ("a" * 65, False),
                                      ("", False), (None, False), ("a b", False), ("é", False), ("-x", False)])
def test_which_incoming_request_ids_are_kept(value, ok):
    assert valid_request_id(value) is ok


def test_gunicorn_json_logging_config_is_valid():
    config = dict(gunicorn_conf._JSON_LOGGING, loggers={"fedcat-test-gunicorn": {"handlers": ["stderr"], "propagate": False}})
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        logging.config.dictConfig(config)
        assert isinstance(logging.getLogger("fedcat-test-gunicorn").handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


# -- gunicorn -----------------------------------------------------------------------------------


def test_workers_come_from_the_cpus(monkeypatch):
    monkeypatch.setattr(gunicorn_conf.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert gunicorn_conf.default_workers() == 7
    monkeypatch.setattr(gunicorn_conf.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert gunicorn_conf.default_workers() == 12


def test_metrics_directory_is_emptied_at_start(tmp_path, monkeypatch):
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    gunicorn_conf.on_starting(server=None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


# -- progress -----------------------------------------------------------------------------------


def test_progress_line_with_and_without_a_total():
    assert render("reindex", 250, 1000, "", 75.0) == "reindex [######------------------]  25% 250/1,000 01:15"
    assert render("paris", 1200, None, "records · page 3", 5.0) == "paris 1,200 records · page 3 00:05"


def test_progress_is_quiet_when_not_a_terminal():
    stream = io.StringIO()
    with Progress("paris", stream=stream) as progress:
        progress.update(100, detail="records")
    assert stream.getvalue() == ""


def test_progress_redraws_in_place_at_most_every_interval():
    stream, now = io.StringIO(), [0.0]
    with Progress("x", total=10, stream=stream, enabled=True, clock=lambda: now[0], interval=0.1) as progress:
        progress.update(1)
        progress.update(2)  # same instant: not redrawn
        now[0] = 0.5
        progress.update(10)
    drawn = stream.getvalue()
    assert drawn.count("\r") == 3 and drawn.endswith("\n") and "100% 10/10" in drawn and "2/10" not in drawn


# -- metrics -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error,kind",
    [
        (FetchError("HTTP 404", url="u", status=404), "http_4xx"),
        (FetchError("HTTP 503", url="u", status=503), "http_5xx"),
        (FetchError("HTTP 429", url="u", status=429), "http_429"),
        (FetchError("timed out: ReadTimeout", url="u"), "timeout"),
        (FetchError("connection failed: refused", url="u"), "connection"),
        (FetchError("body could not be read: reset", url="u"), "connection"),
        (FetchError("response exceeds the 1000-byte limit", url="u"), "too_large"),
        (FetchError("response of 5000 bytes exceeds the 1000-byte limit", url="u"), "too_large"),
        (FetchError("refused to fetch from 'x': not a configured portal host", url="u"), "refused"),
        (FetchError("more than 5 redirects", url="u"), "redirects"),
        (FetchError("HTTP 302 without a Location header", url="u"), "redirects"),
        (FetchError("something new", url="u"), "other"),
    ],
)
def test_fetch_errors_get_a_bounded_kind(error, kind):
    assert fetch_error_kind(error) == kind
