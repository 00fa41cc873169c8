"""Request limits and safe response headers for every route.

* **Rate limiting**: each client IP gets ``FEDCAT_RATE_LIMIT`` requests
  (:mod:`service.rate_limit`); beyond, ``429`` in the JSON error shape with
  ``Retry-After``. Static files, the widget script and the health and metrics
  probes are not counted. Behind reverse proxies, ``FEDCAT_TRUSTED_PROXIES``
  says how many ``X-Forwarded-For`` hops to trust for the client IP.
* **Size limits**: a body over :data:`MAX_BODY_BYTES` is refused with ``413``
  before it is read (and werkzeug stops reading there for bodies without a
  length), a query string over :data:`MAX_QUERY_BYTES`, a path over
  :data:`MAX_PATH_BYTES` or more than :data:`MAX_VALUES_PER_PARAMETER` values of
  one parameter with ``400``, more than :data:`MAX_HEADER_COUNT` headers, one
  over :data:`MAX_HEADER_BYTES` or all over :data:`MAX_HEADERS_TOTAL_BYTES`
  with ``431``. gunicorn's own limits are set above these
  (``service/gunicorn_conf.py``), so fedcat answers first, in its JSON shape;
  what gunicorn still refuses gets the same shape (``service/gunicorn_worker.py``).
* **Headers**: ``X-Content-Type-Options: nosniff`` on every response, and on
  every non-HTML one a ``Content-Security-Policy`` that lets a browser run
  nothing from it (HTML pages set their own policy, see ``service/api/pages.py``).
"""

from __future__ import annotations

import math

from flask import Flask, Response, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Settings
from service.errors import error_body
from service.rate_limit import Rate, RateLimiter

__all__ = [
    "API_POLICY",
    "MAX_BODY_BYTES",
    "MAX_HEADERS_TOTAL_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_COUNT",
    "MAX_PATH_BYTES",
    "MAX_QUERY_BYTES",
    "MAX_RESPONSE_BYTES",
    "MAX_VALUES_PER_PARAMETER",
    "install",
    "install_response_ceiling",
]

#: Largest request body accepted (the API reads none but the admin API's small JSON).
MAX_BODY_BYTES = 1024 * 1024
#: Longest query string: every real search fits in a tenth of this.
MAX_QUERY_BYTES = 4096
#: Longest path (record ids are URLs, hence generous).
MAX_PATH_BYTES = 4096
#: Most values one query parameter may repeat (facet filters): no search needs more.
MAX_VALUES_PER_PARAMETER = 100
#: Most request headers (browsers send about 20).
MAX_HEADER_COUNT = 100
#: Longest single header, name and value.
MAX_HEADER_BYTES = 8192
#: Longest header block in all.
MAX_HEADERS_TOTAL_BYTES = 32 * 1024
#: Largest response body (before compression): what the caps on results and records do not bound
#: (a portal's records can be long within the harvest limits) ends here, with a hint to page smaller
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: The policy of everything that is not a page: a browser rendering it runs and loads nothing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_FREE_ENDPOINTS = frozenset({"static", "pages.widget_script"})
_FREE_BLUEPRINTS = frozenset({"health"})


def install(app: Flask, settings: Settings) -> None:
    """Register the limits and headers on ``app``."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_BODY_BYTES
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    rate = Rate.parse(settings.rate_limit)
    limiter = RateLimiter(rate) if rate is not None else None
    app.extensions["fedcat_rate_limiter"] = limiter

    @app.before_request
    def _limits() -> Response | tuple | None:
        refused = _oversized()
        if refused is not None:
            return refused
        if limiter is not None and _counted():
            return _rate_limited(limiter)
        return None

    @app.after_request
    def _safe_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype != "text/html":
            response.headers.setdefault("Content-Security-Policy", API_POLICY)
        return response


def install_response_ceiling(app: Flask) -> None:
    """Refuse to send a body over :data:`MAX_RESPONSE_BYTES` (register after the compression hook: it runs before it)."""

    @app.after_request
    def _ceiling(response: Response) -> Response:
        if response.is_streamed or response.direct_passthrough or response.status_code != 200:
            return response
        size = len(response.get_data())
        if size <= MAX_RESPONSE_BYTES:
            return response
        app.logger.warning("response of %d bytes refused: %s", size, request.full_path)
        message = f"The answer would exceed {MAX_RESPONSE_BYTES} bytes; ask for fewer items (page_size)."
        refused = jsonify(error_body(500, message, code="response_too_large"))
        refused.status_code = 500
        return refused


def _oversized() -> tuple | None:
    """A 413 or 400 answer for a request over the limits, else None (nothing of the body is read)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, f"Request body over {MAX_BODY_BYTES} bytes.", "payload_too_large")
    if len(request.query_string) > MAX_QUERY_BYTES:
        return _error(400, f"Query string over {MAX_QUERY_BYTES} bytes; narrow the query.", "invalid_query")
    if len(request.path.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        return _error(400, f"Path over {MAX_PATH_BYTES} bytes.", "invalid_query")
    headers = _oversized_headers()
    if headers is not None:
        return _error(431, headers, "request_header_fields_too_large")
    repeated = next((name for name, values in request.args.lists() if len(values) > MAX_VALUES_PER_PARAMETER), None)
    if repeated is not None:
        message = f"Parameter {repeated!r} repeated more than {MAX_VALUES_PER_PARAMETER} times."
        return jsonify(error_body(400, message, {repeated: [message]}, "invalid_query")), 400
    return None


def _oversized_headers() -> str | None:
    """Why the request's headers are over the limits, or None."""
    sizes = [len(name) + len(value) + 4 for name, value in request.headers.items()]
    if len(sizes) > MAX_HEADER_COUNT:
        return f"More than {MAX_HEADER_COUNT} request headers."
    if sizes and max(sizes) > MAX_HEADER_BYTES:
        return f"A request header over {MAX_HEADER_BYTES} bytes."
    if sum(sizes) > MAX_HEADERS_TOTAL_BYTES:
        return f"Request headers over {MAX_HEADERS_TOTAL_BYTES} bytes in all."
    return None


def _counted() -> bool:
    """Whether this request spends a token: not preflights, static files, the widget or health probes."""
    if request.method == "OPTIONS" or request.endpoint in _FREE_ENDPOINTS:
        return False
    return request.blueprint not in _FREE_BLUEPRINTS


def _rate_limited(limiter: RateLimiter) -> tuple | None:
    """None when the client may go on, else the 429 answer with ``Retry-After``."""
    client = request.remote_addr or "unknown"
    wait = limiter.take(client)
    if not wait:
        return None
    seconds = max(1, math.ceil(wait))
    message = f"Too many requests: at most {limiter.rate.requests} per {_period(limiter.rate)} from one client; retry in {seconds} s."
    response, status = _error(429, message, "rate_limited")
    response.headers["Retry-After"] = str(seconds)
    return response, status


def _period(rate: Rate) -> str:
    return {1.0: "second", 60.0: "minute", 3600.0: "hour"}.get(rate.period, f"{rate.period:g} s")


def _error(status: int, message: str, code: str) -> tuple[Response, int]:
    return jsonify(error_body(status, message, code=code)), status
