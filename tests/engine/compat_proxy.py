"""Compatibility proxy for the official ``elasticsearch`` client (TEST CODE ONLY).

``start_compat_proxy(engine_url)`` starts a small HTTP proxy that lets the
official ``elasticsearch`` Python client (8.x / 9.x) talk to OpenSearch: it
rewrites the client's ``application/vnd.elasticsearch+json; compatible-with=N``
media types (which OpenSearch answers with 406) to plain ``application/json`` /
``application/x-ndjson`` and adds the ``X-Elastic-Product: Elasticsearch``
header that the client insists on.  This proxy exists only so that tests can
drive a real engine; it is not, and must never become, part of the product.

Standard library only; re-exported by ``opensearch.py``.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

__all__ = ["start_compat_proxy"]

# application/vnd.elasticsearch+json; compatible-with=9  -> application/json
# application/vnd.elasticsearch+x-ndjson; compatible-with=9 -> application/x-ndjson
_VND_RE = re.compile(
    r"application/vnd\.elasticsearch\+([A-Za-z0-9.+-]+)(\s*;\s*compatible-with\s*=\s*\d+)?",
    re.IGNORECASE,
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
# the proxy sets these itself
_REQUEST_HEADERS_DROPPED = _HOP_BY_HOP | {"host", "content-length"}
_RESPONSE_HEADERS_DROPPED = _HOP_BY_HOP | {"content-length", "x-elastic-product"}
_UPSTREAM_TIMEOUT = 300


def _plain_media_type(value: str) -> str:
    return _VND_RE.sub(lambda m: "application/" + m.group(1), value)


@dataclass(frozen=True)
class _Target:
    """Where the proxy forwards to: host, port and path prefix of the engine."""

    host: str
    port: int
    prefix: str


def _parse_target(target_url: str) -> _Target:
    target = urllib.parse.urlsplit(target_url)
    if target.scheme != "http" or not target.hostname:
        raise ValueError(f"unsupported target {target_url!r} (http only)")
    return _Target(target.hostname, target.port or 80, target.path.rstrip("/"))


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forwards one client connection's requests over one kept-alive upstream connection."""

    protocol_version = "HTTP/1.1"
    server_version = "fedcat-test-compat-proxy"
    server: "_ProxyServer"
    _upstream: Optional[http.client.HTTPConnection] = None

    def log_message(self, fmt, *args):  # quiet
        pass

    def _forward(self) -> None:
        body = self._read_body()
        answer = self._exchange(body, self._upstream_headers(body))
        if answer is not None:
            self._relay(*answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward

    def _read_body(self) -> Optional[bytes]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked_body()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _read_chunked_body(self) -> bytes:
        chunks: List[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _upstream_headers(self, body: Optional[bytes]) -> Dict[str, str]:
        """The client's headers with plain media types, our Host and a Content-Length."""
        headers: Dict[str, str] = {}
        for name, value in self.headers.items():
            lname = name.lower()
            if lname in _REQUEST_HEADERS_DROPPED:
                continue
            headers[name] = _plain_media_type(value) if lname in ("accept", "content-type") else value
        target = self.server.target
        headers["Host"] = f"{target.host}:{target.port}"
        if body is not None:
            headers["Content-Length"] = str(len(body))
        elif self.command in ("POST", "PUT"):
            headers["Content-Length"] = "0"
        return headers

    def _exchange(
        self, body: Optional[bytes], headers: Dict[str, str]
    ) -> Optional[Tuple[http.client.HTTPResponse, bytes]]:
        """The engine's response and body; None once a 502 was sent instead."""
        for retry in (False, True):
            fresh = self._upstream is None
            try:
                return self._request_once(body, headers)
            except (http.client.HTTPException, OSError) as error:
                self._drop_upstream()
                if fresh or retry:  # a stale keep-alive connection is worth one retry
                    self._send_error(502, f"upstream error: {error!r}")
                    return None
        return None

    def _request_once(
        self, body: Optional[bytes], headers: Dict[str, str]
    ) -> Tuple[http.client.HTTPResponse, bytes]:
        target = self.server.target
        if self._upstream is None:
            self._upstream = http.client.HTTPConnection(target.host, target.port, timeout=_UPSTREAM_TIMEOUT)
        self._upstream.request(self.command, target.prefix + self.path, body=body, headers=headers)
        response = self._upstream.getresponse()
        return response, response.read()

    def _relay(self, response: http.client.HTTPResponse, data: bytes) -> None:
        """Send the engine's answer back, with ``X-Elastic-Product: Elasticsearch``."""
        self.send_response_only(response.status, response.reason)
        self.send_header("Date", self.date_time_string())
        for name, value in response.getheaders():
            if name.lower() not in _RESPONSE_HEADERS_DROPPED:
                self.send_header(name, value)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)
        if response.will_close:
            self._drop_upstream()

    def _send_error(self, status: int, message: str) -> None:
        payload = json.dumps(
            {"error": {"type": "proxy_error", "reason": message}, "status": status}
        ).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def _drop_upstream(self) -> None:
        if self._upstream is not None:
            with contextlib.suppress(Exception):
                self._upstream.close()
            self._upstream = None

    def finish(self):
        try:
            super().finish()
        finally:
            self._drop_upstream()


class _ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: Tuple[str, int], target: _Target):
        super().__init__(address, _ProxyHandler)
        self.target = target


def start_compat_proxy(
    target_url: str, *, host: str = "127.0.0.1", port: int = 0
) -> Tuple[str, Callable[[], None]]:
    """Start the test-only compatibility proxy in front of ``target_url``.

    Returns ``(proxy_url, stop_fn)``.  The proxy listens on 127.0.0.1 on a
    free port, runs in daemon threads, and:

    * rewrites ``Accept`` / ``Content-Type`` request headers from
      ``application/vnd.elasticsearch+X; compatible-with=N`` to
      ``application/X`` (OpenSearch answers the former with 406);
    * adds ``X-Elastic-Product: Elasticsearch`` to every response (the
      client raises ``UnsupportedProductError`` on a 2xx without it);
    * passes everything else through unchanged (method, path, query, body,
      status, other headers, compression).
    """
    server = _ProxyServer((host, port), _parse_target(target_url))
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.2},
        name="fedcat-compat-proxy",
        daemon=True,
    )
    thread.start()
    return f"http://{host}:{server.server_address[1]}", _stopper(server, thread)


def _stopper(server: _ProxyServer, thread: threading.Thread) -> Callable[[], None]:
    """An idempotent ``stop()``: shut the server down, close its socket, join its thread."""
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return stop
