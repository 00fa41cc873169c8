"""Checks distribution URLs politely: ``HEAD`` first, a ranged ``GET`` when ``HEAD`` is refused.

Every connection goes through the harvests' network guard
(:mod:`harvesters.fetch.network_guard`: public addresses only unless a network is
allowed, each address pinned), every hop of a redirect chain is checked again,
and nothing is read beyond the headers. Politeness is per host: at most
``per_host`` requests in flight and at least ``1 / host_rate`` seconds between
two request starts, whatever the number of worker threads; each hop of a
redirect chain takes its own host's turn.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import requests

from harvesters.fetch.http import USER_AGENT
from harvesters.fetch.network_guard import AddressRefused, GuardedAdapter, NetworkPolicy
from mappings.links import LinkCheck, verdict_of
from mappings.record import Distribution

__all__ = ["HostLimiter", "LinkChecker", "LinkCheckSettings", "LinkTarget"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Longest wait a host's Retry-After gets before its second and last try.
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class LinkCheckSettings:
    """Limits of a link check run."""

    per_host: int = 2
    host_rate: float = 1.0
    workers: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    allowed_networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkTarget:
    """A URL to check and the distribution that declares it (for its format and media type)."""

    url: str
    distribution: Distribution | None = None


@dataclass
class HostLimiter:
    """At most ``per_host`` requests in flight per host, and request starts ``1 / rate`` seconds apart.

    :param clock: and ``sleep`` are injected so tests can check the spacing without waiting.
    """

    per_host: int
    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _slots: dict[str, threading.BoundedSemaphore] = field(default_factory=dict)
    _next_start: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Hold one of the host's slots, waiting for the host's rate, for the duration of one request."""
        slot = self._slot(host)
        slot.acquire()
        try:
            self.sleep(self._reserve_start(host))
            yield
        finally:
            slot.release()

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))

    def _reserve_start(self, host: str) -> float:
        """Seconds to wait before starting; books the next start of the host at once."""
        interval = 1.0 / self.rate if self.rate > 0 else 0.0
        with self._lock:
            now = self.clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + interval
        return start - now


class LinkChecker:
    """Checks URLs with a shared guarded session and per-host politeness."""

    def __init__(
        self,
        settings: LinkCheckSettings,
        *,
        limiter: HostLimiter | None = None,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """:param sleep: how a ``429`` answer's ``Retry-After`` is waited for (tests pass a recorder)."""
        self.settings = settings
        self._sleep = sleep
        self.limiter = limiter or HostLimiter(settings.per_host, settings.host_rate)
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy: it would connect out of reach of the guard
        adapter = GuardedAdapter(
            NetworkPolicy.from_texts(settings.allowed_networks), pool_maxsize=max(settings.workers, 4)
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def run(self, targets: Iterable[LinkTarget], on_result: Callable[[LinkCheck], None], *, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Check every target on worker threads; ``on_result`` is called on this thread, once per URL."""
        with ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="link-check") as pool:
            futures = [pool.submit(self._check_unless_stopped, target, should_stop) for target in targets]
            for future in as_completed(futures):
                check = future.result()
                if check is not None:
                    on_result(check)

    def _check_unless_stopped(self, target: LinkTarget, should_stop: Callable[[], bool]) -> LinkCheck | None:
        return None if should_stop() else self.check(target)

    def check(self, target: LinkTarget) -> LinkCheck:
        """One URL: ``HEAD``, then a ranged ``GET`` when ``HEAD`` fails or is refused."""
        checked_at = self._now().isoformat()
        head = self._follow("HEAD", target.url)
        answer = head if head.status is not None and head.status < 400 else self._follow("GET", target.url)
        if answer.status is None and head.status is not None:
            answer = head  # the GET found nothing better to say than the HEAD's status
        return LinkCheck(
            url=target.url,
            checked_at=checked_at,
            verdict=verdict_of(answer.status, answer.content_type, target.distribution),
            status=answer.status,
            final_url=answer.final_url,
            content_type=answer.content_type,
            size=answer.size,
            last_modified=answer.last_modified,
            error=answer.error,
            method=answer.method,
        )

    def _follow(self, method: str, url: str) -> _Answer:
        """Send ``method`` and follow redirects, each hop checked; a loop or too many hops is an error."""
        seen = {url}
        for _ in range(self.settings.max_redirects + 1):
            answer = self._send_patiently(method, url)
            if answer.status not in _REDIRECTS:
                return answer
            if not answer.location:
                return _Answer(method, url, error=f"HTTP {answer.status} without a Location header")
            url = urljoin(url, answer.location)
            if url in seen:
                return _Answer(method, url, error="redirect loop")
            seen.add(url)
        return _Answer(method, url, error=f"more than {self.settings.max_redirects} redirects")

    def _send_patiently(self, method: str, url: str) -> _Answer:
        """Send once; a host that answers ``429 Too Many Requests`` is asked once more after the wait it names.

        A rate-limited answer says nothing about the file: judging it broken would be a false alarm.
        """
        answer = self._send(method, url)
        if answer.status == 429:
            self._sleep(min(answer.retry_after if answer.retry_after is not None else 5.0, MAX_RETRY_AFTER))
            answer = self._send(method, url)
        return answer

    def _send(self, method: str, url: str) -> _Answer:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return _Answer(method, url, error=f"not an http(s) URL: {parts.scheme or 'no scheme'}")
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "identity"}
        if method == "GET":
            headers["Range"] = "bytes=0-0"  # the headers are all we want; a server ignoring Range is cut off unread
        try:
            with self.limiter.turn(parts.hostname.lower()):
                with self.session.request(
                    method, url, headers=headers, allow_redirects=False, stream=True,
                    timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                ) as raw:
                    return _Answer.of(method, url, raw)
        except AddressRefused as exc:
            return _Answer(method, url, error=exc.reason)
        except requests.Timeout:
            return _Answer(method, url, error="timed out")
        except requests.RequestException as exc:
            return _Answer(method, url, error=f"connection failed: {_short(exc)}")

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()


@dataclass(frozen=True)
class _Answer:
    method: str
    final_url: str
    status: int | None = None
    content_type: str | None = None
    size: int | None = None
    last_modified: str | None = None
    location: str | None = None
    error: str | None = None
    retry_after: float | None = None

    @classmethod
    def of(cls, method: str, url: str, raw: requests.Response) -> _Answer:
        headers = raw.headers
        status = raw.status_code
        return cls(
            method=method,
            final_url=url,
            status=status,
            content_type=(headers.get("Content-Type") or "").split(";")[0].strip().lower() or None,
            size=_size(headers),
            last_modified=headers.get("Last-Modified"),
            location=headers.get("Location"),
            error=f"HTTP {status}" if status >= 400 else None,
            retry_after=float(headers["Retry-After"]) if headers.get("Retry-After", "").strip().isdigit() else None,
        )


def _size(headers) -> int | None:
    """The full size: from ``Content-Range`` (``bytes 0-0/1234``) for a ranged answer, else ``Content-Length``."""
    total = (headers.get("Content-Range") or "").rpartition("/")[2]
    if total.isdigit():
        return int(total)
    length = headers.get("Content-Length", "")
    return int(length) if length.isdigit() and "Content-Range" not in headers else None


def _short(exc: Exception) -> str:
    text = str(exc) or exc.__class__.__name__
    return text if len(text) < 200 else text[:197] + "..."
