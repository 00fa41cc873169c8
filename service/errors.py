"""The API's error family and the one handler that renders every error as JSON.

Shape (datasette's): ``{"ok": false, "status": 400, "error": "...", "errors": {...}}``
where ``errors`` maps a field name to what is wrong with it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from service.search.base import SearchUnavailable, StoreError

__all__ = [
    "CatalogueError",
    "CommandFailed",
    "InvalidQuery",
    "NotAcceptable",
    "RecordNotFound",
    "SearchUnavailableError",
    "StoreMissing",
    "UsageError",
    "error_body",
    "error_line",
    "register_error_handlers",
]


class CatalogueError(Exception):
    """An error whose message is safe to show to API users."""

    status: int = HTTPStatus.INTERNAL_SERVER_ERROR
    code: str = "internal_error"

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidQuery(CatalogueError):
    """A request parameter is missing, malformed or out of range."""

    status = HTTPStatus.BAD_REQUEST
    code = "invalid_query"


class RecordNotFound(CatalogueError):
    """No record, portal or page by that id."""

    status = HTTPStatus.NOT_FOUND
    code = "not_found"


class NotAcceptable(CatalogueError):
    """The client accepts none of the formats this route can produce."""

    status = HTTPStatus.NOT_ACCEPTABLE
    code = "not_acceptable"


class SearchUnavailableError(CatalogueError):
    """The search store cannot be reached."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "search_unavailable"


class UsageError(CatalogueError):
    """A command was asked something it cannot mean (an unknown portal, a bad setting)."""

    status = HTTPStatus.BAD_REQUEST
    code = "usage_error"


class StoreMissing(CatalogueError):
    """A reading command found no store to read (it never creates an empty one)."""

    status = HTTPStatus.NOT_FOUND
    code = "store_missing"


class CommandFailed(CatalogueError):
    """A command could not complete (a file it cannot write, nothing to export)."""

    status = HTTPStatus.CONFLICT
    code = "command_failed"


def error_line(error: CatalogueError, program: str = "fedcat") -> str:
    """The one line a command prints for an error: the API's code and message, never a traceback."""
    return f"{program}: {error.code}: {' '.join(error.message.split())}"


def error_body(status: int, message: str, errors: dict[str, Any] | None = None, code: str | None = None) -> dict:
    """The JSON body of every error response."""
    return {
        "ok": False,
        "status": int(status),
        "code": code or HTTPStatus(status).phrase.lower().replace(" ", "_"),
        "error": message,
        "errors": errors or {},
    }


def register_error_handlers(app: Flask) -> None:
    """Render every error, ours or Flask's, in the one JSON shape."""

    @app.errorhandler(CatalogueError)
    def _catalogue_error(exc: CatalogueError):
        return jsonify(error_body(exc.status, exc.message, exc.errors, exc.code)), exc.status

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        summary = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in _flatten(messages).items())
        return jsonify(error_body(400, f"Invalid request: {summary}", messages, "invalid_query")), 400

    @app.errorhandler(SearchUnavailable)
    def _unavailable(exc: SearchUnavailable):
        app.logger.warning("search unavailable: %s", exc)
        body = error_body(503, "Search is temporarily unavailable; try again shortly.", code="search_unavailable")
        return jsonify(body), 503, {"Retry-After": "10"}

    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError):
        app.logger.error("store error: %s", exc)
        return jsonify(error_body(500, "The catalogue store failed to answer.", code="store_error")), 500

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # keep the exception's own headers (a 405's Allow), but not its HTML content type
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return jsonify(error_body(exc.code or 500, exc.description or exc.name)), exc.code or 500, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return jsonify(error_body(500, "Internal server error.", code="internal_error")), 500


def _flatten(messages: dict[str, Any], prefix: str = "") -> dict[str, list]:
    flat: dict[str, list] = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value if isinstance(value, list) else [value]
    return flat
