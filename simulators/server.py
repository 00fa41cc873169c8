"""A small threaded HTTP server that portal simulators plug into, with fault switches.

Faults reproduce what real portals do on bad days: ``500``, ``429`` (with
``Retry-After`` and ``X-RateLimit-Reset``), ``timeout`` (the server stalls),
``reset`` (the connection is dropped), ``truncate`` (a body shorter than its
Content-Length) and ``drip`` (the body trickles out slowly).

Answers carry ``ETag`` and ``Last-Modified`` and honour ``If-None-Match`` /
``If-Modified-Since`` when the simulator's ``conditional_get`` is on (real
portals differ: see each simulator).
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

__all__ = ["FAULTS", "PortalSimulator", "SimRequest", "SimResponse"]

#: longest a ``timeout`` fault holds a connection (a safety net: the simulator's stop ends it first)
STALL_LIMIT = 120.0
FAULTS = ("500", "429", "timeout", "reset", "truncate", "drip")


@dataclass(frozen=True)
class SimRequest:
    """What a simulator route sees of a request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter (case-insensitive name)."""
        for key, values in self.query.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return default


@dataclass
class SimResponse:
    """What a simulator route answers."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True


class PortalSimulator:
    """Base of every portal simulator: subclasses implement :meth:`handle`.

    Start it with ``with Simulator(...) as sim:`` and point a portal at ``sim.url``.
    ``sim.set_fault("500")`` (etc.) makes every request matching ``sim.fault_path``
    (a path prefix, every path when None) fail that way; ``after`` lets that many
    matching requests through first, and ``times`` ends the fault after that many
    failures (a transient fault).
    """

    #: Whether answers carry validators and honour conditional requests.
    conditional_get: bool = True

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        last_modified: float = 1_730_000_000.0,
        conditional_get: bool | None = None,
    ) -> None:
        """:param conditional_get: overrides the class's choice (a portal behind a caching proxy…)."""
        if conditional_get is not None:
            self.conditional_get = conditional_get
        self.fault: str | None = None
        self.fault_path: str | None = None
        self.fault_after = 0
        self.fault_times: int | None = None
        self.last_modified = last_modified
        self.requests: list[SimRequest] = []
        self._lock = threading.Lock()
        #: set when the simulator stops: a ``timeout`` fault stalls until then (never for a fixed time,
        #: so the client's read timeout is always what ends the wait, however loaded the machine)
        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (override)."""
        return SimResponse(404, b"not found", "text/plain")

    def fault_response(self, fault: str) -> SimResponse:
        """The answer of a ``500`` or ``429`` fault (override for a portal's own error bodies)."""
        status = int(fault)
        headers = {"Retry-After": "1", "X-RateLimit-Reset": "1"} if status == 429 else {}
        return SimResponse(status, b'{"error": "simulated fault"}', "application/json", headers)

    def extra_headers(self) -> dict[str, str]:
        """Headers added to every answer, faults included (override: rate-limit counters…)."""
        return {}

    def gzipped(self, body: bytes) -> bytes:
        """A body compressed for a client that accepts gzip (override to keep compressed copies)."""
        # zlib's default level, as web servers compress (Python's default, 9, costs 8× the time)
        return gzip.compress(body, compresslevel=6, mtime=0)

    def touch(self) -> None:
        """Note that the content changed now (moves ``Last-Modified`` forward)."""
        self.last_modified = max(self.last_modified + 1, time.time())

    def start(self) -> PortalSimulator:
        """Serve in a background thread."""
        # a short poll interval makes stop() quick, which test suites starting many simulators feel
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> PortalSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def set_fault(
        self, fault: str | None, *, path: str | None = None, after: int = 0, times: int | None = None
    ) -> None:
        """Switch a fault on (or off with None); ``times`` makes it transient."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.fault, self.fault_path, self.fault_after, self.fault_times = fault, path, after, times

    def _active_fault(self, request: SimRequest) -> str | None:
        with self._lock:
            self.requests.append(request)
            if self.fault is None or (self.fault_path and not request.path.startswith(self.fault_path)):
                return None
            if self.fault_after > 0:
                self.fault_after -= 1
                return None
            fault = self.fault
            if self.fault_times is not None:
                self.fault_times -= 1
                if self.fault_times <= 0:
                    self.fault = None
            return fault


def _handler_for(simulator: PortalSimulator):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in separate writes: without this, Nagle and delayed ACKs add 40 ms to each answer
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(self.rfile.read(min(length, 10 * 1024 * 1024)))

        def _serve(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            request = SimRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k: v for k, v in self.headers.items()},
                body=body,
            )
            fault = simulator._active_fault(request)
            if fault in ("500", "429", "timeout", "reset"):
                return self._fail(fault)
            response = simulator.handle(request)
            self._send(request, response, fault)

        def _fail(self, fault: str) -> None:
            if fault == "timeout":
                simulator.stopping.wait(STALL_LIMIT)
                self.close_connection = True
                return
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.close_connection = True
                self.connection.close()
                return
            self._write(simulator.fault_response(fault), None)

        def _send(self, request: SimRequest, response: SimResponse, fault: str | None) -> None:
            # a broken transfer needs a body to break, so those faults never answer 304
            if _validated(response) and fault not in ("truncate", "drip"):
                etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
                response.headers.setdefault("ETag", etag)
                response.headers.setdefault("Last-Modified", formatdate(simulator.last_modified, usegmt=True))
                if _not_modified(request, response.headers):
                    response = SimResponse(304, b"", response.content_type, dict(response.headers))
            if "gzip" in request.headers.get("Accept-Encoding", "") and len(response.body) > 1024:
                response.body = simulator.gzipped(response.body)
                response.headers["Content-Encoding"] = "gzip"
            self._write(response, fault)

        def _write(self, response: SimResponse, fault: str | None) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            for name, value in {**simulator.extra_headers(), **response.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if fault == "truncate":
                self.wfile.write(response.body[: len(response.body) // 2])
                self.close_connection = True
                return
            if fault == "drip":
                for start in range(0, len(response.body), 256):
                    self.wfile.write(response.body[start : start + 256])
                    self.wfile.flush()
                    time.sleep(0.05)
                return
            self.wfile.write(response.body)

    def _validated(response: SimResponse) -> bool:
        return response.status == 200 and response.conditional and simulator.conditional_get

    return Handler


def _not_modified(request: SimRequest, headers: dict[str, str]) -> bool:
    """RFC 9110: ``If-None-Match`` decides when present, else ``If-Modified-Since``."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return headers["ETag"] in [tag.strip() for tag in if_none_match.split(",")]
    since = request.headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        return parsedate_to_datetime(headers["Last-Modified"]) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
