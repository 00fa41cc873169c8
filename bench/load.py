"""Sustained search load over loopback while harvests write: ``python -m bench.load``.

What it does, all on 127.0.0.1 and all stopping by itself:

1. starts the demo's sample portals (one simulator per portal software) and a
   "churning" DCAT portal whose titles change at every read;
2. harvests them all into a fresh SQLite file;
3. serves that file with gunicorn (the production settings of
   ``service/gunicorn_conf.py``; rate limiting off, since every request comes from one IP);
4. for ``--duration`` seconds, ``--concurrency`` client threads send a mix of
   searches, facet filters, suggestions, dataset and export requests, while a
   separate process harvests again and again (``fedcat harvest``), each run
   rewriting the churning portal's records;
5. prints the figures (throughput, latency percentiles, errors by kind, harvest
   runs) and, with ``--json``, writes them to a file.

An error is any answer other than 200 or a connection failure. The searches
(``/api/datasets?…``) are also measured alone. The figures of docs/reliability.md
come from ``python -m bench.load --duration 300 --concurrency 32``.

Issue 16's target (search p99 <= 100 ms at concurrency 32 while whole portals of
80,000 datasets are harvested again and again) is measured with wrk as the client
(``--client wrk``: distinct first-time searches only, and a client that costs the
2-core machine little, where 32 Python threads took a core) and a baseline of the
same searches before any harvest, in the same run::

    python -m bench.load --client wrk --baseline 60 --duration 300 --concurrency 32 \
        --churn 80000 --workers 5 --target-search-p99-ms 100 --json load-80k.json

The churning portal renders each page once and only stamps the version into it
afterwards (it stands for another machine); the first harvest still takes minutes.
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, urlencode

import requests

from harvesters.fetch.network_guard import trusted_networks
from mappings.portals import Portal
from service.catalogue import Catalogue
from service.config import Settings
from bench.http_load import wrk_figures, wrk_searches
from service.demo import start_demo_portals
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from simulators.server import SimRequest, SimResponse

__all__ = ["LoadResult", "main", "run_load"]

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = ("127.0.0.1/32",)
QUERIES = ("velos", "vélo", "qualite de l'air", "arbres", "stationnement", "budget", "eau", "vleo", "parcs jardins", "")


@dataclass
class LoadResult:
    """The figures of one run."""

    duration_s: float
    concurrency: int
    workers: int
    requests: int
    errors: int
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    #: the searches alone (``/api/datasets?…``): issue 16's target is their p99 at concurrency 32
    search_requests: int = 0
    search_p50_ms: float = 0.0
    search_p90_ms: float = 0.0
    search_p95_ms: float = 0.0
    search_p99_ms: float = 0.0
    #: ``threads`` (the mix, from Python threads) or ``wrk`` (distinct searches only)
    client: str = "threads"
    #: with wrk, the same searches before any harvest ran (wrk's figures)
    baseline: dict | None = None
    harvest_seconds: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    harvests: dict[str, int] = field(default_factory=dict)
    records: int = 0
    failures: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few readable lines."""
        harvests = f"harvests during the load {self.harvests} (seconds each: {self.harvest_seconds}); {self.records} records"
        if self.client == "wrk":
            before = self.baseline or {}
            return (
                f"wrk, distinct searches at concurrency {self.concurrency} ({self.workers} gunicorn workers) while harvests ran:"
                f" {self.requests} in {self.duration_s:.0f} s, {self.throughput_rps:.0f} req/s, {self.errors} errors,"
                f" p50 {self.search_p50_ms:.1f} ms, p90 {self.search_p90_ms:.1f} ms, p99 {self.search_p99_ms:.1f} ms\n"
                + (f"the same before any harvest: {before}\n" if before else "")
                + harvests
            )
        return (
            f"{self.requests} requests in {self.duration_s:.0f} s at concurrency {self.concurrency}"
            f" ({self.workers} gunicorn workers): {self.throughput_rps:.0f} req/s, {self.errors} errors\n"
            f"latency p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, max {self.max_ms:.0f} ms\n"
            f"searches alone ({self.search_requests}): p50 {self.search_p50_ms:.1f} ms, p95 {self.search_p95_ms:.1f} ms,"
            f" p99 {self.search_p99_ms:.1f} ms\nstatuses {self.statuses}; " + harvests
        )


def run_load(
    *, duration: float = 300.0, concurrency: int = 32, workers: int = 2, size: int = 60, churn: int = 200, seed: int = 1,
    client: str = "threads", baseline: float = 0.0, harvest_timeout: float = 1800.0,
) -> LoadResult:
    """Run the whole scenario and return its figures; every process and server it starts is stopped.

    :param client: ``threads`` (a mix of every kind of request, from Python threads) or ``wrk``
        (distinct searches only, from wrk: the load generator then costs the machine little).
    :param baseline: with wrk, seconds of the same searches measured first, before any harvest runs.
    """
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="fedcat-load-") as tmp:
        stack.enter_context(trusted_networks(LOOPBACK))
        portals = _start_portals(stack, size, churn)
        database = Path(tmp) / "load.db"
        portals_file = _write_portals_file(Path(tmp) / "portals.toml", portals)
        records = _initial_harvest(database, portals)
        env = _environment(database, portals_file)
        port = _free_port()
        server = _start_gunicorn(env, port, workers, Path(tmp) / "gunicorn.log")
        stack.callback(_stop, server)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server)
        before = wrk_figures(wrk_searches(base, concurrency=concurrency, seconds=baseline)) if client == "wrk" and baseline else None
        harvests = HarvestLoop(env, Path(tmp) / "harvests.log", timeout=harvest_timeout)
        harvests.start()
        if client == "wrk":
            result = _wrk_result(wrk_searches(base, concurrency=concurrency, seconds=duration), concurrency, workers)
        else:
            result = _threads_result(base, duration, concurrency, workers, seed)
        harvests.stop()
        result.harvests, result.harvest_seconds, result.records, result.baseline = harvests.outcomes(), harvests.seconds, records, before
        result.server_errors = _logged_errors(Path(tmp) / "gunicorn.log")
        return result


def _threads_result(base: str, duration: float, concurrency: int, workers: int, seed: int) -> LoadResult:
    urls = _request_mix(base, random.Random(seed))
    timings, statuses, kinds, failures, elapsed = _drive(urls, duration, concurrency, seed)
    result = _result(timings, statuses, kinds, elapsed, concurrency, workers, {}, 0)
    result.failures = failures[:20]
    return result


def _wrk_result(output: str, concurrency: int, workers: int) -> LoadResult:
    """wrk sends searches only: every figure is a search figure (wrk reports p90, not p95)."""
    f = wrk_figures(output)
    seconds = f["requests"] / f["requests_per_second"] if f["requests_per_second"] else 0.0
    return LoadResult(
        duration_s=round(seconds, 1), concurrency=concurrency, workers=workers, requests=f["requests"], errors=f["errors"],
        throughput_rps=f["requests_per_second"], p50_ms=f["p50_ms"], p95_ms=0.0, p99_ms=f["p99_ms"], max_ms=0.0,
        search_requests=f["requests"], search_p50_ms=f["p50_ms"], search_p90_ms=f["p90_ms"], search_p99_ms=f["p99_ms"], client="wrk",
    )  # fmt: skip


# -- the portals and the store -------------------------------------------------------------


class ChurningPortal(DcatPortalSimulator):
    """A DCAT portal whose every dataset gets a new title each time the catalogue is read: every harvest writes.

    Each page is rendered once, its titles carrying a marker that every answer replaces with the
    current version: the portal stands for another machine, so its own CPU is kept to copying bytes.
    """

    MARK = "@@VERSION@@"

    def __init__(self, datasets, **kwargs) -> None:
        super().__init__([replace(d, title=f"{d.title} (version {self.MARK})") for d in datasets], **kwargs)
        self.version = 0
        self._rendered: dict[tuple[str, str, str], SimResponse] = {}

    def handle(self, request: SimRequest) -> SimResponse:
        """Serve the catalogue; reading its first page starts a new version."""
        page = request.arg("page", "1")
        if page == "1":
            self.version += 1
        key = (request.path, page, request.arg("page_size", ""))
        if key not in self._rendered:
            self._rendered[key] = super().handle(request)
        answer = self._rendered[key]
        # headers copied: the server adds this version's ETag to them, and a shared dict would keep the first one
        # (every later read would then be answered 304, and no harvest would rewrite anything)
        return replace(answer, body=answer.body.replace(self.MARK.encode(), str(self.version).encode()), headers=dict(answer.headers))


def _start_portals(stack: ExitStack, size: int, churn: int) -> list[Portal]:
    pairs = start_demo_portals(stack, size=size)
    churning = stack.enter_context(ChurningPortal(generate("lyon", churn), page_size=100))
    portal = Portal(id="churn", name="Churning portal", kind="dcat", url=churning.catalog_url("ttl"))
    return [p for p, _ in pairs] + [portal]


def _write_portals_file(path: Path, portals: list[Portal]) -> Path:
    tables = []
    for portal in portals:
        options = "".join(f"\n{key} = {json.dumps(value)}" for key, value in portal.options.items())
        tables.append(
            f'[[portal]]\nid = "{portal.id}"\nname = {json.dumps(portal.name)}\nkind = "{portal.kind}"\nurl = "{portal.url}"'
            + (f"\n[portal.options]{options}" if options else "")
        )
    path.write_text("\n\n".join(tables) + "\n", encoding="utf-8")
    return path


def _initial_harvest(database: Path, portals: list[Portal]) -> int:
    settings = Settings(database=str(database), allowed_networks=LOOPBACK, delete_grace_days=0)
    catalogue = Catalogue(settings, portals=portals)
    try:
        for portal in portals:
            job = catalogue.harvest(portal)
            if job.status == "failed":
                raise RuntimeError(f"initial harvest of {portal.id} failed: {job.error}")
        return catalogue.backend.count()
    finally:
        catalogue.close()


def _environment(database: Path, portals_file: Path) -> dict[str, str]:
    return {
        **os.environ,
        "FEDCAT_DATABASE": str(database),
        "FEDCAT_PORTALS_FILE": str(portals_file),
        "FEDCAT_ALLOWED_NETWORKS": ",".join(LOOPBACK),
        "FEDCAT_DELETE_GRACE_DAYS": "0",
        "FEDCAT_RATE_LIMIT": "off",  # one client IP sends everything here
        "FEDCAT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


# -- the server ------------------------------------------------------------------------------


def _start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--access-logfile", "-",
        "service.app:create_app()",
    ]  # fmt: skip
    with open(log, "ab") as output:
        return subprocess.Popen(command, env=env, cwd=log.parent, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/api", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# -- the harvests --------------------------------------------------------------------------


class HarvestLoop:
    """``fedcat harvest --portal churn`` again and again in its own process (as the scheduler would), until stopped.

    Each run's output goes to ``log``; a run still going after ``timeout`` seconds is killed and counted failed.
    """

    def __init__(self, env: dict[str, str], log: Path, *, timeout: float) -> None:
        self.env, self.log, self.timeout = env, log, timeout
        self.runs: list[tuple[str, float]] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        """Start harvesting in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Let the run in progress end (it is counted), then stop."""
        self._stopping.set()
        self._thread.join(timeout=self.timeout + 60)

    def outcomes(self) -> dict[str, int]:
        """How many runs ended ``done`` or ``failed``."""
        return dict(Counter(outcome for outcome, _ in self.runs))

    @property
    def seconds(self) -> list[float]:
        """How long each run took."""
        return [round(seconds, 1) for _, seconds in self.runs]

    def _loop(self) -> None:
        code = "import sys; from service.cli import main; sys.exit(main(['harvest', '--portal', 'churn']))"
        while not self._stopping.is_set():
            started = time.monotonic()
            with open(self.log, "ab") as output:
                process = subprocess.Popen([sys.executable, "-c", code], env=self.env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
                try:
                    returncode = process.wait(timeout=self.timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    returncode = process.wait(timeout=10)
            self.runs.append(("done" if returncode == 0 else "failed", time.monotonic() - started))


# -- the load ------------------------------------------------------------------------------


def _request_mix(base: str, rng: random.Random) -> list[str]:
    """About a thousand API URLs: searches, filters, sorts, pages, suggestions, datasets, exports."""
    search = requests.get(f"{base}/api/datasets", params={"page_size": 100}, timeout=30).json()
    ids = [hit["id"] for hit in search["results"]]
    facets = search["facets"]
    urls = []
    for _ in range(1000):
        kind = rng.random()
        if kind < 0.45:
            params = {"q": rng.choice(QUERIES)}
            for facet in ("portal", "theme", "format"):
                if facets.get(facet) and rng.random() < 0.3:
                    params[facet] = rng.choice(facets[facet])["value"]
            if rng.random() < 0.2:
                params["sort"] = rng.choice(["-modified", "title", "-quality"])
            if rng.random() < 0.1:
                params["page"] = 2
            urls.append(f"{base}/api/datasets?{urlencode(params)}")
        elif kind < 0.65:
            urls.append(f"{base}/api/suggest?{urlencode({'q': rng.choice(QUERIES)[:4] or 've'})}")
        elif kind < 0.85:
            urls.append(f"{base}/api/datasets/{quote(rng.choice(ids), safe='')}")
        elif kind < 0.92:
            urls.append(f"{base}/api/portals")
        elif kind < 0.97:
            urls.append(f"{base}/catalog.jsonld?page={rng.randint(1, 3)}&page_size=20")
        else:
            urls.append(f"{base}/?{urlencode({'q': rng.choice(QUERIES)})}")
    return urls


def _drive(urls: list[str], duration: float, concurrency: int, seed: int):
    """Send requests from ``concurrency`` threads until ``duration`` is over; (timings, statuses, error kinds, seconds)."""
    deadline = time.monotonic() + duration
    timings: list[list[float]] = [[] for _ in range(concurrency)]
    searches: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: list[Counter] = [Counter() for _ in range(concurrency)]
    kinds: list[Counter] = [Counter() for _ in range(concurrency)]
    failures: list[str] = []

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with requests.Session() as session:
            while time.monotonic() < deadline:
                url = rng.choice(urls)
                if not _one_request(session, url, timings[n], statuses[n], kinds[n]):
                    failures.append(url)
                if "/api/datasets?" in url:
                    searches[n].append(timings[n][-1])

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    elapsed = time.monotonic() - started
    flat = [t for ts in timings for t in ts]
    return (flat, [t for ts in searches for t in ts]), sum(statuses, Counter()), sum(kinds, Counter()), failures, elapsed


def _one_request(session: requests.Session, url: str, timings: list[float], statuses: Counter, kinds: Counter) -> bool:
    """Send one request and note how it went; False when it failed."""
    started = time.perf_counter()
    try:
        response = session.get(url, timeout=30, headers={"Accept-Encoding": "gzip"})
        response.content  # noqa: B018 - read the whole body, as a client would
        status = str(response.status_code)
    except requests.RequestException as exc:
        status = "connection"
        kinds[exc.__class__.__name__] += 1
    timings.append((time.perf_counter() - started) * 1000)
    statuses[status] += 1
    if status not in ("200", "connection"):
        kinds[f"HTTP {status}"] += 1
    return status == "200"


def _logged_errors(log: Path) -> list[str]:
    """The error lines and tracebacks gunicorn logged (the first 40 lines of them)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    wanted = [line for line in lines if "ERROR" in line or "Traceback" in line or line.startswith(("  ", "sqlite3", "service", "Error"))]
    return wanted[:40]


def _percentile(ordered: list[float], share: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0


def _result(all_timings, statuses, kinds, elapsed, concurrency, workers, harvests, records) -> LoadResult:
    timings, searches = all_timings
    ordered, search_ordered = sorted(timings) or [0.0], sorted(searches)

    def percentile(share: float) -> float:
        return _percentile(ordered, share)

    requests_sent = len(timings)
    return LoadResult(
        duration_s=round(elapsed, 1),
        concurrency=concurrency,
        workers=workers,
        requests=requests_sent,
        errors=requests_sent - statuses.get("200", 0),
        throughput_rps=round(requests_sent / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(0.50), 1),
        p95_ms=round(percentile(0.95), 1),
        p99_ms=round(percentile(0.99), 1),
        max_ms=round(ordered[-1], 1),
        statuses=dict(statuses),
        error_kinds=dict(kinds),
        harvests=harvests,
        records=records,
        search_requests=len(searches),
        search_p50_ms=_percentile(search_ordered, 0.50),
        search_p95_ms=_percentile(search_ordered, 0.95),
        search_p99_ms=_percentile(search_ordered, 0.99),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.load``: run and print the figures; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default %(default)s)")
    parser.add_argument("--size", type=int, default=60, help="datasets per sample portal (default %(default)s)")
    parser.add_argument("--churn", type=int, default=200, help="datasets rewritten by each harvest (default %(default)s)")
    parser.add_argument("--client", choices=("threads", "wrk"), default="threads",
                        help="threads: a mix of every request kind from Python threads; wrk: distinct searches only, from wrk")
    parser.add_argument("--baseline", type=float, default=0.0, help="with wrk: seconds of the same searches before any harvest")
    parser.add_argument("--harvest-timeout", type=float, default=1800.0, help="seconds a re-harvest may take (default %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--target-search-p99-ms", type=float, help="exit 1 if the searches' p99 is over this (issue 16: 100)")
    args = parser.parse_args(argv)
    result = run_load(
        duration=args.duration, concurrency=args.concurrency, workers=args.workers, size=args.size, churn=args.churn,
        client=args.client, baseline=args.baseline, harvest_timeout=args.harvest_timeout,
    )  # fmt: skip
    print(result.summary())
    for line in result.failures + result.server_errors:
        print("  " + line)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    missed = args.target_search_p99_ms is not None and result.search_p99_ms > args.target_search_p99_ms
    if missed:
        print(f"search p99 {result.search_p99_ms:.1f} ms is over the {args.target_search_p99_ms:g} ms target")
    return 1 if result.errors or missed else 0


if __name__ == "__main__":
    raise SystemExit(main())

