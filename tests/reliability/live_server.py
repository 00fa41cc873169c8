"""gunicorn started as the deployment starts it, on 127.0.0.1, for tests that need the real server process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

from tests.polling import wait_until

__all__ = ["COMMANDS", "free_port", "live_server", "raw_exchange"]

ROOT = Path(__file__).resolve().parents[2]

#: ``fedcat serve``, and the command of docker-compose.yml's ``service`` (which reads gunicorn.conf.py)
COMMANDS = {
    "fedcat-serve": lambda port: [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
    "compose-gunicorn": lambda port: [
        sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "2",
        "--bind", f"127.0.0.1:{port}", "service.app:create_app()",
    ],
}


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def live_server(command: str, workdir: Path, **env: str) -> Iterator[tuple[str, int]]:
    """Start the server, wait (generously) until ``/healthz`` answers; yields its root URL and port."""
    port = free_port()
    environ = {**os.environ, "FEDCAT_DATABASE": str(workdir / "live.db"), "FEDCAT_RATE_LIMIT": "off", "WEB_CONCURRENCY": "2", **env}
    environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(COMMANDS[command](port), cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        root = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: _healthy(root) or process.poll() is not None, timeout=180)
            assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
            yield root, port
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _healthy(root: str) -> bool:
    try:
        return requests.get(root + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def raw_exchange(port: int, request: bytes, timeout: float = 60.0) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer until the server closes or its Content-Length is in: status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except OSError:
            pass  # the server may answer and close before reading everything: read what it said
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected_length(data):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body


def _expected_length(data: bytes) -> int:
    head, found, _ = data.partition(b"\r\n\r\n")
    if not found:
        return 1 << 62
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":", 1)[1])
    return 1 << 62
