"""A host of distribution files for the link checker: every way a link goes wrong, and a concurrency count.

Paths decide the answer (the name after the prefix is free):

========================  ====================================================
``/ok/<name>.<ext>``      200, the extension's media type, size and Last-Modified
``/head-refused/<n>.<e>`` ``HEAD`` → 405; a ranged ``GET`` → 206 with Content-Range
``/moved/<rest>``         301 to ``/ok/<rest>`` (a redirect that ends well)
``/missing/…``            404
``/gone/…``               410
``/error/…``              500
``/stall/…``              never answers (the checker's timeout must fire)
``/loop/<n>``             302 to ``/loop/<n>-again``, which redirects back
``/html/<name>.<ext>``    200 ``text/html`` whatever the extension says
``/paired/<name>.<ext>``  200 once another request is in flight (or after a deadline)
``/busy/<name>.<ext>``    429 with ``Retry-After: 7`` on the first request of each path, then 200
========================  ====================================================

With ``demo=True`` any other path gets a stable answer drawn from its hash
(mostly 200, some 404, 410, 500 and HTML pages), so the bundled demo's invented
file URLs can be checked offline (:func:`route_to` points their hosts here).

``max_in_flight`` holds, per ``Host`` header, the most requests this server had
in flight at once: the politeness test reads it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

from requests.adapters import HTTPAdapter

__all__ = ["FILE_SIZE", "FileHostSimulator", "MEDIA_TYPES", "route_to"]

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "pdf": "application/pdf",
    "xml": "application/xml",
    "shp": "application/zip",
}
_BODY = b"id;nom\n1;Caf\xc3\xa9 des sports\n"
FILE_SIZE = len(_BODY)
_LAST_MODIFIED = formatdate(1_730_000_000, usegmt=True)


class FileHostSimulator:
    """A threaded file host on 127.0.0.1; ``with FileHostSimulator() as host: host.url``."""

    def __init__(self, *, demo: bool = False, pair_timeout: float = 10.0) -> None:
        self.demo = demo
        self.pair_timeout = pair_timeout
        self.requests: list[tuple[str, str, str]] = []  # (method, host header, path)
        #: host → how many /paired/ requests will come: the last one need not wait for company
        self.paired_expected: dict[str, int] = {}
        self._paired_seen: Counter[str] = Counter()
        self._busy_seen: set[str] = set()
        self.max_in_flight: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FileHostSimulator:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()  # stalled requests end now
        self._server.shutdown()
        self._server.server_close()

    def begin(self, method: str, host: str, path: str) -> None:
        """Count a request in."""
        with self._changed:
            self.requests.append((method, host, path))
            self._in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self._in_flight[host])
            self._changed.notify_all()

    def end(self, host: str) -> None:
        """Count a request out."""
        with self._changed:
            self._in_flight[host] -= 1
            self._changed.notify_all()

    def wait_for_company(self, host: str) -> None:
        """Wait until another request to ``host`` is or was in flight with this one (or none will come).

        Gives up after ``pair_timeout``. A request that arrives while this one waits
        was in flight with it, even if it is gone by the time this one wakes up.
        """
        with self._changed:
            self._paired_seen[host] += 1
            mine = self._paired_seen[host]
            last = mine >= self.paired_expected.get(host, float("inf"))
            self._changed.wait_for(
                lambda: last or self._in_flight[host] >= 2 or self._paired_seen[host] > mine or self._stopping.is_set(),
                self.pair_timeout,
            )

    def stall(self) -> None:
        """Hold a request until the simulator stops."""
        self._stopping.wait()

    def answer(self, method: str, path: str, host: str) -> tuple[int, dict[str, str]]:
        """Status and headers for a request (the body is a few bytes of CSV, or none for HEAD)."""
        prefix, _, rest = path.lstrip("/").partition("/")
        ext = rest.rsplit(".", 1)[-1].lower() if "." in rest else "bin"  # no extension: a neutral octet stream
        if prefix == "head-refused":
            if method == "HEAD":
                return 405, {"Allow": "GET"}
            return 206, _file_headers(ext) | {"Content-Range": f"bytes 0-0/{len(_BODY)}", "Content-Length": "1"}
        if prefix == "paired":
            self.wait_for_company(host)
            return 200, _file_headers(ext)
        if prefix == "busy":
            with self._lock:
                first = path not in self._busy_seen
                self._busy_seen.add(path)
            return (429, {"Retry-After": "7"}) if first else (200, _file_headers(ext))
        if prefix == "loop":
            target = rest[: -len("-again")] if rest.endswith("-again") else rest + "-again"
            return 302, {"Location": f"/loop/{target}"}
        fixed = {"ok": 200, "missing": 404, "gone": 410, "error": 500, "html": 200, "moved": 301}
        if prefix in fixed or not self.demo:
            return _fixed(fixed.get(prefix, 404), prefix, rest, ext)
        return _drawn(path, ext)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """Clients hang up once they have the headers (a ranged GET read no further): not worth a traceback."""


def _fixed(status: int, prefix: str, rest: str, ext: str) -> tuple[int, dict[str, str]]:
    if status == 301:
        return 301, {"Location": f"/ok/{rest}"}
    if prefix == "html":
        return 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(_BODY))}
    if status == 200:
        return 200, _file_headers(ext)
    return status, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(_BODY))}


def _drawn(path: str, ext: str) -> tuple[int, dict[str, str]]:
    """The demo's answer for any other path: stable, mostly good."""
    roll = int(hashlib.sha256(path.encode()).hexdigest()[:4], 16) % 100
    if roll < 6:
        return _fixed(404, "missing", "", ext)
    if roll < 8:
        return _fixed(410, "gone", "", ext)
    if roll < 10:
        return _fixed(500, "error", "", ext)
    if roll < 14 and ext not in ("html", "htm"):
        return _fixed(200, "html", "", ext)
    return 200, _file_headers(ext)


def _file_headers(ext: str) -> dict[str, str]:
    return {
        "Content-Type": MEDIA_TYPES.get(ext, "application/octet-stream"),
        "Content-Length": str(len(_BODY)),
        "Last-Modified": _LAST_MODIFIED,
    }


def _handler(host_sim: FileHostSimulator):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_HEAD(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            host = self.headers.get("Host", "").rsplit(":", 1)[0]
            path = urlsplit(self.path).path
            host_sim.begin(self.command, host, path)
            counted_out = False
            try:
                if path.startswith("/stall/"):
                    host_sim.stall()
                    self.close_connection = True
                    return
                status, headers = host_sim.answer(self.command, path, host)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", "0")
                # Counted out before the client can read its answer: a client may start its next
                # request the moment it has one, before this thread runs again on a loaded machine.
                host_sim.end(host)
                counted_out = True
                self.end_headers()
                if self.command == "GET" and status in (200, 206):
                    self.wfile.write(_BODY[:1] if status == 206 else _BODY)
                elif self.command == "GET" and status >= 400:
                    self.wfile.write(_BODY)
            finally:
                if not counted_out:
                    host_sim.end(host)

    return Handler


class _RouteAdapter(HTTPAdapter):
    """Sends requests for some hosts to the simulator instead, keeping their ``Host`` header."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = urlsplit(target)

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.hostname or ""
        request.url = urlunsplit((self.target.scheme, self.target.netloc, parts.path, parts.query, ""))
        return super().send(request, **kwargs)


def route_to(session, hosts: list[str], target: str) -> None:
    """Mount on ``session`` an adapter sending ``http(s)://<host>/…`` to ``target`` (the demo's offline file hosts)."""
    adapter = _RouteAdapter(target)
    for host in hosts:
        session.mount(f"https://{host}/", adapter)
        session.mount(f"http://{host}/", adapter)
