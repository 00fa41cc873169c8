"""gunicorn's gthread worker, made safe against slow clients: requests are buffered before a thread sees them.

gthread hands every new (or kept-alive) connection to a thread, which then
blocks reading the request head: a client that sends its headers a byte at a
time, or never ends them, holds that thread for as long as it likes, and a few
dozen such clients take every thread of every worker. This worker reads each
request head, and a body of known length up to the API's body limit, in the
worker's main loop (non-blocking, as nginx buffers for a backend), and hands
the connection to a thread only once the request has arrived whole. A request
that has not arrived within :data:`REQUEST_DEADLINE` seconds is dropped; one
that outgrows :data:`MAX_BUFFERED_BYTES` is refused (414, 431 or 413), and
whatever gunicorn's parser refuses is answered in the API's JSON error shape
with its security headers (:meth:`BufferingThreadWorker.handle_error`).

Why not gevent: fedcat's workers do blocking work that would hold an event loop
(SQLite queries, the search index, harvests started through the admin API in
a background thread), and gevent's monkey-patching turns those threads and the
store's per-thread connections into per-greenlet ones. Threads stay threads here.

Use it with ``worker_class = "service.gunicorn_worker.BufferingThreadWorker"``
(``service/gunicorn_conf.py`` does).
"""

from __future__ import annotations

import json
import re
import selectors
import time
from collections import deque
from functools import partial

from gunicorn.http import errors as http_errors
from gunicorn.http2 import negotiation
from gunicorn.workers.gthread import ThreadWorker

from service.errors import error_body
from service.security import API_POLICY, MAX_BODY_BYTES

__all__ = ["MAX_BUFFERED_BYTES", "REQUEST_DEADLINE", "BufferingThreadWorker"]

#: seconds a client has to send a whole request (head and body) before the connection is closed
REQUEST_DEADLINE = 10.0
#: the most bytes buffered for one request: past that, the request goes to a thread, whose parser refuses it
MAX_BUFFERED_BYTES = 1024 * 1024 + 128 * 1024
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:.*chunked", re.IGNORECASE | re.MULTILINE)
_CHUNKED_END = b"\r\n0\r\n\r\n"
_EXPECT_CONTINUE = re.compile(rb"^expect[ \t]*:[ \t]*100-continue", re.IGNORECASE | re.MULTILINE)


class BufferingThreadWorker(ThreadWorker):
    """A gthread worker whose threads only ever see requests that have fully arrived."""

    def init_process(self) -> None:
        """Set up the buffering state, then gthread's own."""
        self.buffering: deque = deque()
        super().init_process()

    def enqueue_req(self, conn) -> None:
        """Buffer the connection's next request in the main loop; gthread's path once it is complete."""
        if getattr(conn, "request_buffered", False) or not self._buffers(conn):
            conn.request_buffered = False  # the next request on this connection is buffered again
            super().enqueue_req(conn)
            return
        held = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn.pending_request, conn.head_end, conn.scanned = bytearray(held), None, 0
        conn.request_deadline = time.monotonic() + REQUEST_DEADLINE
        if _complete(conn):
            self._dispatch(conn)
            return
        conn.sock.setblocking(False)
        self.buffering.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_request_bytes, conn))

    def _on_request_bytes(self, conn, sock) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        conn.pending_request += data
        if _complete(conn):
            self._forget(conn)
            self._dispatch(conn)
        elif len(conn.pending_request) > MAX_BUFFERED_BYTES:
            _send_best_effort(conn.sock, _overflow_answer(conn))
            self._drop(conn)

    def _buffers(self, conn) -> bool:
        """Whether this connection's requests are buffered: TLS and HTTP/2 connections keep gthread's own path."""
        return not self.cfg.is_ssl and not (conn.parser is None and negotiation.prior_knowledge_allowed(self.cfg, conn.client))

    def _dispatch(self, conn) -> None:
        """Give the buffered bytes to the connection's parser and the connection to a thread."""
        conn.init()
        conn.parser.unreader.unread(bytes(conn.pending_request))
        conn.pending_request = bytearray()
        conn.data_ready = conn.request_buffered = True
        self.enqueue_req(conn)

    def handle_error(self, req, client, addr, exc) -> None:
        """Requests gunicorn's parser refuses get the API's JSON error and security headers, not HTML."""
        status = next((code for kind, code in _CLIENT_ERRORS.items() if isinstance(exc, kind)), None)
        if status is None:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        _send_best_effort(client, json_error(status, f"Invalid request: {message}"))

    def murder_pending(self) -> None:
        """gthread's sweep of idle connections, plus the requests still arriving past their deadline."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.buffering if c.request_deadline <= now]:
            self._drop(conn)

    def _forget(self, conn) -> None:
        self.buffering.remove(conn)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _drop(self, conn) -> None:
        self._forget(conn)
        self.nr_conns -= 1
        conn.close()


#: what gunicorn's parser refuses, and the status it means (gunicorn's own choice of status)
_CLIENT_ERRORS = {
    http_errors.LimitRequestLine: 414,
    http_errors.LimitRequestHeaders: 431,
    http_errors.UnsupportedTransferCoding: 501,
    http_errors.ExpectationFailed: 417,
    http_errors.InvalidRequestLine: 400,
    http_errors.InvalidRequestMethod: 400,
    http_errors.InvalidHTTPVersion: 400,
    http_errors.InvalidHeader: 400,
    http_errors.InvalidHeaderName: 400,
    http_errors.InvalidChunkSize: 400,
    http_errors.ChunkMissingTerminator: 400,
    http_errors.InvalidProxyLine: 400,
    http_errors.ObsoleteFolding: 400,
}


def json_error(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 answer in the API's error shape, with its security headers; the connection closes."""
    body = json.dumps(error_body(status, message)).encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Bad Request')}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Security-Policy: {API_POLICY}\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


_REASONS = {400: "Bad Request", 413: "Content Too Large", 414: "URI Too Long", 417: "Expectation Failed", 431: "Request Header Fields Too Large", 501: "Not Implemented"}


def _overflow_answer(conn) -> bytes:
    """The error for a request that outgrew the buffer: its line (414), its head (431) or its body (413)."""
    if b"\n" not in conn.pending_request:
        return json_error(414, f"Request line over {MAX_BUFFERED_BYTES} bytes.")
    if conn.head_end is None:
        return json_error(431, f"Request head over {MAX_BUFFERED_BYTES} bytes.")
    return json_error(413, f"Request body over {MAX_BODY_BYTES} bytes.")


def _send_best_effort(sock, data: bytes) -> None:
    """Send an error answer without ever blocking the worker on a client that does not read."""
    try:
        sock.setblocking(False)
        sock.send(data)
    except OSError:
        pass


def _complete(conn) -> bool:
    """Whether the connection's buffer holds a whole request: its head, and its body when the head announces one.

    The head's end is looked for in the new bytes only, so a client sending its
    head a byte at a time costs a byte of scanning per byte, not the whole buffer.
    """
    data = conn.pending_request
    if conn.head_end is None:
        end = _HEAD_END.search(data, max(conn.scanned - 3, 0))
        conn.scanned = len(data)
        if end is None:
            return False
        conn.head_end, conn.head = end.end(), bytes(data[: end.start()])
    head, body_bytes = conn.head, len(data) - conn.head_end
    if _EXPECT_CONTINUE.search(head):
        return True  # the client waits for "100 Continue" before it sends the body
    length = _CONTENT_LENGTH.search(head)
    if length is not None:
        # a body over the API's limit is not waited for: fedcat refuses it (413) from its headers alone
        return body_bytes >= int(length.group(1)) or int(length.group(1)) > MAX_BODY_BYTES
    if _CHUNKED.search(head):
        return data.endswith(_CHUNKED_END) or bytes(data[conn.head_end : conn.head_end + 5]) == b"0\r\n\r\n"
    return True
