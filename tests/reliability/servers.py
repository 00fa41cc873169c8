"""Servers that misbehave below HTTP's usual shape: no Content-Length, endless drip, too many headers.

The portal simulators always send a proper Content-Length; these tests need
answers a simulator cannot write, so :class:`RawPortal` hands the socket to a
writer function. Every writer stops by itself (a byte or time budget), and the
server stops when the ``with`` block ends.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from typing import BinaryIO, Callable

__all__ = ["RawPortal", "chunked", "drip_forever", "many_headers", "no_length"]

Writer = Callable[[BinaryIO, threading.Event], None]


class RawPortal:
    """A one-route HTTP server on 127.0.0.1 whose answer is written by ``writer`` straight to the socket."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.paths: list[str] = []
        self.stopping = threading.Event()
        portal = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                request_line = self.rfile.readline(8192).decode("latin-1")
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass
                portal.paths.append(request_line.split(" ")[1] if " " in request_line else "")
                try:
                    portal.writer(self.wfile, portal.stopping)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, which is what these tests want

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def __enter__(self) -> RawPortal:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def no_length(
    body: bytes | Callable[[], bytes], content_type: str = "text/turtle", headers: dict[str, str] | None = None
) -> Writer:
    """An answer without Content-Length: the body (or what calling it gives) ends when the connection closes."""

    def write(out: BinaryIO, stopping: threading.Event) -> None:
        data = body() if callable(body) else body
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        out.write(head.encode("latin-1") + b"\r\n")
        for start in range(0, len(data), 65536):
            if stopping.is_set():
                return
            out.write(data[start : start + 65536])

    return write


def chunked(pieces: Callable[[], object], content_type: str = "text/turtle") -> Writer:
    """A chunked answer of the byte strings ``pieces()`` yields (the source decides when it ends)."""

    def write(out: BinaryIO, stopping: threading.Event) -> None:
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        for piece in pieces():
            if stopping.is_set():
                return
            out.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        out.write(b"0\r\n\r\n")

    return write


def drip_forever(interval: float = 0.05, budget: float = 30.0) -> Writer:
    """Headers, then one byte every ``interval`` s with no end in sight (bounded by ``budget`` s)."""

    def write(out: BinaryIO, stopping: threading.Event) -> None:
        out.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nConnection: close\r\n\r\n")
        out.flush()
        ends = time.monotonic() + budget
        while not stopping.is_set() and time.monotonic() < ends:
            out.write(b"#")
            out.flush()
            time.sleep(interval)

    return write


def many_headers(count: int = 500) -> Writer:
    """An answer with more header lines than any client should accept."""

    def write(out: BinaryIO, stopping: threading.Event) -> None:
        lines = "".join(f"X-Filler-{n}: {'x' * 50}\r\n" for n in range(count))
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\n{lines}Content-Length: 0\r\n\r\n".encode())

    return write


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
