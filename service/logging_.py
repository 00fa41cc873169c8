"""Logs: a request id on every request and every log line it causes; JSON lines when asked.

The request id lives in a context variable. A log record factory copies it
into every record, whichever logger or handler is involved (pytest's too),
and harvests started by a request run in a copy of its context, so their
lines carry it as well. ``FEDCAT_LOG_FORMAT=json`` writes one JSON object per
line with :class:`JsonFormatter` (no extra dependency).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone
from typing import Any, Mapping

from flask import Flask, Response, g, request

__all__ = [
    "REQUEST_ID_HEADER",
    "JsonFormatter",
    "RequestIdFilter",
    "configure_logging",
    "current_request_id",
    "install_record_factory",
    "install_request_id",
    "new_request_id",
    "request_id_scope",
    "valid_request_id",
]

REQUEST_ID_HEADER = "X-Request-ID"
#: an incoming id is kept only if short and made of safe characters (it ends up in logs and headers)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_NO_ID = "-"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("fedcat_request_id", default=_NO_ID)
#: attributes every LogRecord has: anything else was passed with ``extra=`` and goes into the JSON
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
#: gunicorn's access-log atoms → JSON fields (``{x-request-id}o`` is the response header)
_ACCESS_FIELDS = {
    "h": "remote",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "a": "user_agent",
    "{x-request-id}o": "request_id",
}
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_HANDLER_MARK = "_fedcat_handler"


def current_request_id() -> str:
    """The id of the request (or harvest run) being served, ``-`` outside one."""
    return _request_id.get()


def new_request_id() -> str:
    """A fresh id: 32 hex characters."""
    return uuid.uuid4().hex


def valid_request_id(value: str | None) -> bool:
    """True for an id a client may choose: 1 to 64 letters, digits, ``.``, ``_``, ``:`` or ``-``."""
    return bool(value) and bool(_SAFE_ID.match(value))


class request_id_scope:
    """Run a block under a request id (the scheduler gives each harvest run one)."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self._token: contextvars.Token | None = None

    def __enter__(self) -> str:
        self._token = _request_id.set(self.request_id)
        return self.request_id

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _request_id.reset(self._token)


def install_record_factory() -> None:
    """Make every log record carry ``request_id`` (installed once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_fedcat", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory._fedcat = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def install_request_id(app: Flask) -> None:
    """Take a valid incoming ``X-Request-ID`` or make one; answer it in the same header."""
    install_record_factory()

    @app.before_request
    def _bind_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER)
        g.fedcat_request_token = _request_id.set(incoming if valid_request_id(incoming) else new_request_id())

    @app.after_request
    def _answer_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = _request_id.get()
        return response

    @app.teardown_request
    def _unbind_request_id(exc: BaseException | None) -> None:
        token = g.pop("fedcat_request_token", None)
        if token is not None:
            _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
        }
        if isinstance(record.args, Mapping) and record.name == "gunicorn.access":
            entry.update(_access_fields(record.args))
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    """The access line's fields; gunicorn escapes quotes in its atoms, which JSON does itself."""
    fields = {}
    for atom, name in _ACCESS_FIELDS.items():
        value = atoms[atom] if atom in atoms else None
        if value is None or value == "-":
            continue
        fields[name] = value.replace('\\"', '"') if isinstance(value, str) else value
    for number in ("status", "duration_ms", "bytes"):
        if str(fields.get(number, "")).isdigit():
            fields[number] = int(fields[number])
    return fields


class RequestIdFilter(logging.Filter):
    """Give a record the current request id if it has none (records not made by the record factory)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record."""
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Send the root logger's records to stderr as text or JSON lines; calling it again replaces the setup."""
    install_record_factory()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
