"""A forwarding proxy in front of the test engine that can "die" in the middle of a bulk write.

``proxy.die_after_bulks(n)`` lets ``n`` more ``_bulk`` requests through; the next
one, and every request after it, has its connection reset without an answer:
to the client the engine is gone, mid-harvest. ``proxy.die_at(fragment)`` does
the same from the first request whose path contains ``fragment`` (e.g. the
``_aliases`` update that commits a harvest).
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

__all__ = ["DyingProxy"]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class DyingProxy:
    """Forwards to ``upstream`` until told to die; use as a context manager."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.bulks_left: int | None = None
        self.fatal_path: str | None = None
        self.dead = False
        self.bulks_seen = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        """Where clients connect."""
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def die_after_bulks(self, count: int) -> None:
        """Let ``count`` more bulk requests through, then reset every connection."""
        with self._lock:
            self.bulks_left = count

    def die_at(self, fragment: str) -> None:
        """Reset the first request whose path contains ``fragment``, and every request after it."""
        with self._lock:
            self.fatal_path = fragment

    def passes(self, method: str, path: str) -> bool:
        """Whether this request reaches the engine (False once dead)."""
        with self._lock:
            if self.fatal_path is not None and self.fatal_path in path:
                self.dead = True
            if not self.dead and "_bulk" in path:
                self.bulks_seen += 1
                if self.bulks_left is not None:
                    if self.bulks_left == 0:
                        self.dead = True
                    else:
                        self.bulks_left -= 1
            return not self.dead

    def __enter__(self) -> DyingProxy:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(proxy: DyingProxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not proxy.passes(self.command, self.path):
                return self._reset()
            upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _reset(self) -> None:
            # SO_LINGER 0: close() sends RST, as a crashed engine's host would
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    return Handler
