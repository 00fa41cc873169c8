"""The one HTTP client every harvester uses: bounded, polite and confined to its portal.

It follows redirects itself so that each hop is checked against the allowed
hosts, connects only to addresses :mod:`harvesters.fetch.network_guard` permits
(public ones unless a network is allowed; every hop, pinned against DNS
rebinding), reads bodies in chunks up to a size limit and a deadline,
inflating gzip and deflate itself so the limit bounds the inflated size
whatever the compression ratio, retries transient failures with exponential
backoff and jitter, and honours ``Retry-After`` and ``X-RateLimit-Reset`` on 429.
"""

from __future__ import annotations

import io
import random
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from harvesters.errors import FetchError
from harvesters.fetch.fetch_failures import describe_connection_failure, is_name_resolution_failure, short_text
from harvesters.fetch.network_guard import AddressRefused, GuardedAdapter, NetworkPolicy

__all__ = ["HttpClient", "HttpSettings", "Response", "USER_AGENT", "conditional_headers"]

USER_AGENT = "fedcat/0.1 (+https://github.com/fedcat; catalogue harvester)"
_RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_ERROR_EXCERPT_BYTES = 2048


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
    #: seconds one response may take to arrive in full (a portal dripping bytes cannot hold a run forever)
    deadline: float = 600.0
    #: CIDR blocks a harvest may reach besides public addresses (``FEDCAT_ALLOWED_NETWORKS``)
    allowed_networks: tuple[str, ...] = ()


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
    """Fetches URLs on the allowed origins only.

    :param allowed_hosts: where a request, a redirect or a next link may go, each entry one of
        ``scheme://host:port`` (that origin exactly: the portal's own), ``host:port`` (either
        scheme on that port), ``host:*`` (any port) or ``host`` (the default port of http or
        https). An ``http`` origin on port 80 also allows its ``https`` upgrade on port 443.
    :param sleep: injected so tests do not wait for real back-off delays.
    :param session: its http and https adapters are replaced by guarded ones.
    """

    allowed_hosts: frozenset[str]
    settings: HttpSettings = field(default_factory=HttpSettings)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self._rules = _origin_rules(self.allowed_hosts)
        # environment proxies and .netrc stay out: a proxy would resolve and connect beyond the address check
        self.session.trust_env = False
        adapter = GuardedAdapter(NetworkPolicy.from_texts(self.settings.allowed_networks))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

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
                    raise FetchError(exc.reason, url=url, status=exc.status, kind=exc.kind) from None
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
        except AddressRefused as exc:
            raise AddressRefused(exc.reason, url=url) from None
        except requests.ConnectTimeout as exc:
            raise _Transient(self._unreachable(exc, url), kind="timeout") from exc
        except requests.Timeout as exc:
            host = urlsplit(url).hostname
            raise _Transient(f"timed out: {host} sent nothing for {self.settings.read_timeout:g} s", kind="timeout") from exc
        except requests.ConnectionError as exc:
            if is_name_resolution_failure(exc):
                # offline or a mistyped host: retrying only makes the user wait (37 s for four portals)
                raise FetchError(self._unreachable(exc, url), url=url, kind="dns") from None
            raise _Transient(self._unreachable(exc, url), kind="connection") from exc
        except requests.RequestException as exc:
            raise FetchError(f"request failed: {short_text(exc)}", url=url) from exc
        with raw:
            if raw.status_code in _RETRIED_STATUSES:
                reason = f"HTTP {raw.status_code}{self._excerpt(raw)}"
                raise _Transient(reason, status=raw.status_code, wait=_server_wait(raw.headers))
            if raw.status_code >= 400:
                raise FetchError(f"HTTP {raw.status_code}{self._excerpt(raw)}", url=url, status=raw.status_code)
            content = b"" if raw.status_code in _REDIRECT_STATUSES else self._read_bounded(raw, url)
            return Response(url=url, status=raw.status_code, headers=dict(raw.headers), content=content)

    def _read_bounded(self, raw: requests.Response, url: str) -> bytes:
        """The body, inflated, refused as soon as it passes the size limit or the deadline."""
        limit = self.settings.max_bytes
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"response of {declared} bytes exceeds the {limit}-byte limit", url=url)
        decoder = _Inflater.for_encoding(raw.headers.get("Content-Encoding", ""), url)
        deadline = time.monotonic() + self.settings.deadline
        # BytesIO hands its buffer over without a copy (getvalue): a 190 MB body is held once, not twice
        body = io.BytesIO()
        try:
            for chunk in _raw_chunks(raw):
                if time.monotonic() > deadline:
                    raise FetchError(f"response still arriving after {self.settings.deadline:g} s; gave up", url=url)
                body.write(decoder.feed(chunk, limit - body.tell() + 1))
                if body.tell() > limit:
                    raise FetchError(f"response exceeds the {limit}-byte limit", url=url)
            decoder.finish()
        except (requests.RequestException, OSError, ValueError) as exc:
            raise _Transient(f"body could not be read: {short_text(exc)}", kind="connection") from exc
        except Exception as exc:  # urllib3 raises its own ProtocolError/DecodeError family
            if exc.__class__.__module__.startswith("urllib3"):
                raise _Transient(f"body could not be read: {short_text(exc)}", kind="connection") from exc
            raise
        return body.getvalue()

    def _excerpt(self, raw: requests.Response) -> str:
        """The start of an error answer's body on one line (``": {...}"``), or "" when there is none to show."""
        collected = b""
        stop = time.monotonic() + min(self.settings.read_timeout, 5.0)
        try:
            decoder = _Inflater.for_encoding(raw.headers.get("Content-Encoding", ""), raw.url)
            for chunk in _raw_chunks(raw):
                collected += decoder.feed(chunk, _ERROR_EXCERPT_BYTES - len(collected))
                if len(collected) >= _ERROR_EXCERPT_BYTES or time.monotonic() > stop:
                    break
        except Exception:  # noqa: BLE001 - the excerpt is a courtesy: the status alone still explains the failure
            pass
        text = " ".join(collected[:_ERROR_EXCERPT_BYTES].decode("utf-8", "replace").split())
        text = "".join(ch for ch in text if ch.isprintable())
        return f": {text[:200]}{'...' if len(text) > 200 else ''}" if text else ""

    def _unreachable(self, exc: Exception, url: str) -> str:
        return describe_connection_failure(exc, url, connect_timeout=self.settings.connect_timeout)

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"refused to fetch a {parts.scheme or 'schemeless'} URL", url=url)
        host = parts.hostname or ""
        if not any(rule.allows(parts.scheme, host, _port(parts)) for rule in self._rules):
            if not any(rule.host == host for rule in self._rules):
                raise FetchError(f"refused to fetch from {host!r}: not a configured portal host", url=url)
            raise FetchError(
                f"refused to fetch from {host!r} on port {_port(parts)} over {parts.scheme}: not the configured "
                "scheme and port of the portal (FEDCAT_ALLOWED_HOSTS may allow it)",
                url=url,
            )

    def _delay(self, attempt: int, server_wait: float | None) -> float:
        if server_wait is not None:
            return min(server_wait, self.settings.max_wait)
        base = self.settings.backoff * (2**attempt)
        return min(base + random.uniform(0, base / 2), self.settings.max_wait)


@dataclass(frozen=True)
class _OriginRule:
    """One allowed origin: a host, a scheme (None: either) and a port (None: any, 0: the scheme's default)."""

    host: str
    scheme: str | None
    port: int | None

    def allows(self, scheme: str, host: str, port: int) -> bool:
        """Whether a URL of that scheme, host and port may be fetched."""
        if host != self.host or (self.scheme is not None and scheme != self.scheme):
            return False
        if self.port == 0:
            return port == _DEFAULT_PORTS.get(scheme)
        return self.port is None or port == self.port


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_rules(entries: frozenset[str]) -> tuple[_OriginRule, ...]:
    rules: list[_OriginRule] = []
    for entry in entries:
        if "://" in entry:
            parts = urlsplit(entry)
            port = _port(parts)
            rules.append(_OriginRule(parts.hostname or "", parts.scheme, port))
            if parts.scheme == "http" and port == 80:  # the usual upgrade redirect of a portal to https
                rules.append(_OriginRule(parts.hostname or "", "https", 443))
            continue
        host, _, port_text = entry.rpartition(":") if _has_port(entry) else (entry, "", "")
        port = None if port_text == "*" else int(port_text) if port_text else 0
        rules.append(_OriginRule(host.strip("[]").lower(), None, port))
    return tuple(rules)


def _has_port(entry: str) -> bool:
    """``host:8080``, ``host:*``, ``[::1]:8080``; not a bare IPv6 address."""
    if entry.startswith("["):
        return "]:" in entry
    return entry.count(":") == 1


def _port(parts) -> int:
    """The URL's port, or its scheme's default one."""
    try:
        port = parts.port
    except ValueError:
        port = None
    return port or _DEFAULT_PORTS.get(parts.scheme, 0)


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for the validators a previous answer carried."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class _Transient(Exception):
    def __init__(self, reason: str, *, status: int | None = None, wait: float | None = None, kind: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.wait, self.kind = reason, status, wait, kind


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


class _Inflater:
    """Inflates a gzip or deflate body a chunk at a time, never producing more than asked for."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._zlib: zlib._Decompress | None = None
        self._fed = False

    @classmethod
    def for_encoding(cls, encoding: str, url: str) -> _Inflater:
        """The inflater of a ``Content-Encoding``; FetchError for one we never asked for."""
        name = encoding.strip().lower()
        if name in ("", "identity"):
            return cls(None)
        if name in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if name == "deflate":
            return cls(0)  # decided by the first bytes: zlib-wrapped, as the RFC says, or raw as some servers send
        raise FetchError(f"unsupported Content-Encoding {encoding!r} (fedcat asks for gzip or deflate)", url=url)

    def feed(self, data: bytes, room: int) -> bytes:
        """At most ``room`` bytes of output for ``data``; more input than that is left unread, as the caller stops."""
        if self._wbits is None:
            return data
        if self._zlib is None:
            wbits = self._wbits or (zlib.MAX_WBITS if _looks_zlib(data) else -zlib.MAX_WBITS)
            self._zlib = zlib.decompressobj(wbits)
        self._fed = self._fed or bool(data)
        room = max(room, 1)  # zlib reads a max_length of 0 as "no limit"
        try:
            output = self._zlib.decompress(data, room)
            while self._zlib.eof and self._zlib.unused_data and len(output) < room:
                rest = self._zlib.unused_data  # another gzip member follows
                self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
                output += self._zlib.decompress(rest, room - len(output))
        except zlib.error as exc:
            raise ValueError(f"compressed body is corrupt: {exc}") from None
        return output

    def finish(self) -> None:
        """Check that the compressed stream ended where the body did (an empty body, as on a 304, is fine)."""
        if self._fed and self._zlib is not None and not self._zlib.eof:
            raise ValueError("compressed body ends early")


def _looks_zlib(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _raw_chunks(raw: requests.Response) -> Iterator[bytes]:
    """The body as it arrives on the wire (still compressed), in chunks of at most 64 KiB.

    ``read1`` returns what the socket has instead of waiting for a full chunk,
    so the deadline is checked even when a portal drips a few bytes at a time.
    """
    stream = raw.raw
    read = stream.read1 if hasattr(stream, "read1") else stream.read
    while True:
        chunk = read(_CHUNK, decode_content=False)
        if not chunk:
            return
        yield chunk

