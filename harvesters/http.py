"""The one HTTP client every harvester uses: bounded, polite and confined to its portal.

It follows redirects itself so that each hop is checked against the allowed
hosts, reads bodies in chunks up to a size limit, retries transient failures
with exponential backoff and jitter, and honours ``Retry-After`` and
``X-RateLimit-Reset`` on 429.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from harvesters.errors import FetchError

__all__ = ["HttpClient", "HttpSettings", "Response", "USER_AGENT", "conditional_headers"]

USER_AGENT = "fedcat/0.1 (+https://github.com/fedcat; catalogue harvester)"
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class HttpSettings:
    """Limits for one harvest's HTTP traffic."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_bytes: int = 200 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Response:
    """A fully read, size-checked response."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304

    def header(self, name: str) -> str | None:
        """A response header, whatever the case the server wrote its name in."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass
class HttpClient:
    """Fetches URLs on the allowed hosts only.

    :param allowed_hosts: host names a request (or a redirect) may reach.
    :param sleep: injected so tests do not wait for real back-off delays.
    """

    allowed_hosts: frozenset[str]
    settings: HttpSettings = field(default_factory=HttpSettings)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Response:
        """GET with retries; raises :class:`FetchError` with a readable reason."""
        return self.request("GET", url, headers=headers)

    def post(self, url: str, *, data: bytes, headers: Mapping[str, str] | None = None) -> Response:
        """POST with retries (used by CSW)."""
        return self.request("POST", url, headers=headers, data=data)

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> Response:
        """Send one request, retrying transient failures."""
        attempt = 0
        while True:
            try:
                response = self._follow_redirects(method, url, headers or {}, data)
            except _Transient as exc:
                if attempt >= self.settings.retries:
                    raise FetchError(exc.reason, url=url, status=exc.status) from None
                self.sleep(self._delay(attempt, exc.wait))
                attempt += 1
                continue
            return response

    def _follow_redirects(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None) -> Response:
        for _ in range(self.settings.max_redirects + 1):
            self._check_host(url)
            response = self._send(method, url, headers, data)
            if response.status not in _REDIRECT_STATUSES:
                return response
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {response.status} without a Location header", url=url)
            url = urljoin(url, location)
            if response.status == 303:
                method, data = "GET", None
        raise FetchError(f"more than {self.settings.max_redirects} redirects", url=url)

    def _send(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None) -> Response:
        request_headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate", **headers}
        try:
            raw = self.session.request(
                method,
                url,
                headers=request_headers,
                data=data,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.Timeout as exc:
            raise _Transient(f"timed out: {exc.__class__.__name__}") from exc
        except requests.ConnectionError as exc:
            raise _Transient(f"connection failed: {_short(exc)}") from exc
        except requests.RequestException as exc:
            raise FetchError(f"request failed: {_short(exc)}", url=url) from exc
        with raw:
            if raw.status_code in _RETRIED_STATUSES:
                raise _Transient(f"HTTP {raw.status_code}", status=raw.status_code, wait=_server_wait(raw.headers))
            if raw.status_code >= 400:
                raise FetchError(f"HTTP {raw.status_code}", url=url, status=raw.status_code)
            content = b"" if raw.status_code in _REDIRECT_STATUSES else self._read_bounded(raw, url)
            return Response(url=url, status=raw.status_code, headers=dict(raw.headers), content=content)

    def _read_bounded(self, raw: requests.Response, url: str) -> bytes:
        limit = self.settings.max_bytes
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"response of {declared} bytes exceeds the {limit}-byte limit", url=url)
        chunks, size = [], 0
        try:
            # decode_content=True inflates gzip as it streams, so the limit bounds the inflated size
            for chunk in raw.raw.stream(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"response exceeds the {limit}-byte limit", url=url)
                chunks.append(chunk)
        except (requests.RequestException, OSError, ValueError) as exc:
            raise _Transient(f"body could not be read: {_short(exc)}") from exc
        except Exception as exc:  # urllib3 raises its own ProtocolError/DecodeError family
            if exc.__class__.__module__.startswith("urllib3"):
                raise _Transient(f"body could not be read: {_short(exc)}") from exc
            raise
        return b"".join(chunks)

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"refused to fetch a {parts.scheme or 'schemeless'} URL", url=url)
        if (parts.hostname or "") not in self.allowed_hosts:
            raise FetchError(f"refused to fetch from {parts.hostname!r}: not a configured portal host", url=url)

    def _delay(self, attempt: int, server_wait: float | None) -> float:
        if server_wait is not None:
            return min(server_wait, self.settings.max_wait)
        base = self.settings.backoff * (2**attempt)
        return min(base + random.uniform(0, base / 2), self.settings.max_wait)


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for the validators a previous answer carried."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class _Transient(Exception):
    def __init__(self, reason: str, *, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.wait = reason, status, wait


def _server_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait (Retry-After, or Opendatasoft's X-RateLimit-Reset)."""
    retry_after = headers.get("Retry-After", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    if retry_after:
        try:
            return max(0.0, parsedate_to_datetime(retry_after).timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    reset = headers.get("X-RateLimit-Reset", "").strip()
    if reset.isdigit():
        value = float(reset)
        # an epoch timestamp, or already a number of seconds
        return max(0.0, value - time.time()) if value > 1e9 else value
    return _seconds_until(reset) if reset else None


def _seconds_until(moment: str) -> float | None:
    """Seconds until an ISO 8601 instant (Opendatasoft's ``reset_time`` style), or None."""
    try:
        when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - time.time())


def _short(exc: Exception) -> str:
    text = str(exc) or exc.__class__.__name__
    return text if len(text) < 200 else text[:197] + "..."
