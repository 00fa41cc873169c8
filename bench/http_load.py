"""Search over HTTP under gunicorn at a fixed concurrency, measured with wrk (Debian package).

gunicorn runs with the deployed settings (``service/gunicorn_conf.py``: gthread workers, the
search warm-up hook), one worker per CPU, and with the per-client rate limit off: every wrk
connection comes from 127.0.0.1, and the point is the service's capacity, not the limiter's.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.backends import distinct_queries

__all__ = ["HttpResult", "measure_http", "wrk_figures", "wrk_searches"]


@dataclass(frozen=True)
class HttpResult:
    """wrk's figures for one run."""

    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    requests: int
    seconds: int
    concurrency: int
    workers: int
    #: memory of each worker, idle (after its warm-up) and after the run: total RSS, and its private part
    worker_rss_idle_mib: float
    worker_rss_after_mib: float
    worker_private_idle_mib: float
    worker_private_after_mib: float


def measure_http(database: Path, *, concurrency: int = 16, seconds: int = 20, workers: int | None = None) -> HttpResult | None:
    """Serve ``database`` with gunicorn on 127.0.0.1 and drive it with wrk over distinct queries; None when wrk is absent.

    :param workers: gunicorn workers (default: the deployed setting, 2 per CPU + 1).
    """
    if shutil.which("wrk") is None:
        print("wrk not installed (apt-get install wrk): skipping the HTTP measurement", file=sys.stderr)
        return None
    port = _free_port()
    server = _start_gunicorn(database, port, workers)
    try:
        _wait_until_up(port)
        idle = _worker_memory(server.pid)
        output = wrk_searches(f"http://127.0.0.1:{port}", concurrency=concurrency, seconds=seconds)
        after = _worker_memory(server.pid)
        return _parse_wrk(output, seconds, concurrency, len(after), idle, after)
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk_searches(base: str, *, concurrency: int, seconds: float) -> str:
    """wrk's output after ``seconds`` of distinct searches (``/api/datasets?q=…``) from ``concurrency`` connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua_script())
    try:
        return subprocess.run(
            ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{int(seconds)}s", "--timeout", "30s", "--latency",
             "-s", script.name, base],
            capture_output=True, text=True, timeout=seconds + 120, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)


def wrk_figures(output: str) -> dict[str, float]:
    """Requests, errors, requests per second and latency percentiles (ms) from wrk's ``--latency`` output."""

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"), "p90_ms": latency("90"), "p99_ms": latency("99"),
    }  # fmt: skip


def _worker_memory(master: int) -> list[tuple[float, float]]:
    """(RSS, private RSS) in MiB of each gunicorn worker: the index files mapped by every worker are shared pages."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    memory = []
    for pid in children:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
        kib = lambda name: int(fields.get(name, "0 kB").split()[0])  # noqa: E731
        memory.append((kib("VmRSS") / 1024, kib("RssAnon") / 1024))
    return memory


def _start_gunicorn(database: Path, port: int, workers: int | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "FEDCAT_DATABASE": str(database),
        "FEDCAT_BASE_URL": f"http://127.0.0.1:{port}",
        "FEDCAT_RATE_LIMIT": "off",
    }
    command = [
        sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", "service.app:create_app()",
    ]
    if workers:
        command[3:3] = ["--workers", str(workers)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _lua_script() -> str:
    paths = []
    for query in distinct_queries(5000, seed=30):
        params = {"q": query.q, "sort": query.sort, "page": query.page, "page_size": query.page_size}
        params.update({name: values[0] for name, values in query.filters.items()})
        paths.append("/api/datasets?" + urlencode({k: v for k, v in params.items() if v != ""}))
    listed = ", ".join(f'"{p}"' for p in paths)
    return f"""
local paths = {{{listed}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


def _parse_wrk(output: str, seconds: int, concurrency: int, workers: int, idle: list, after: list) -> HttpResult:
    figures = wrk_figures(output)
    return HttpResult(
        **figures, seconds=seconds, concurrency=concurrency, workers=workers,
        worker_rss_idle_mib=_mean([m[0] for m in idle]), worker_rss_after_mib=_mean([m[0] for m in after]),
        worker_private_idle_mib=_mean([m[1] for m in idle]), worker_private_after_mib=_mean([m[1] for m in after]),
    )  # fmt: skip


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/portals", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")
