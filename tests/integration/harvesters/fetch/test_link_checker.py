"""The link checker against a local file host that answers every way a link goes wrong."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from harvesters.fetch.link_checker import HostLimiter, LinkChecker, LinkCheckSettings, LinkTarget
from harvesters.fetch.network_guard import LOOPBACK_NETWORKS, trusted_networks
from mappings.links import LinkCheck
from mappings.record import Distribution
from service.search.base import SearchQuery
from service.link_health import Stamper, check_links
from service.store.link_checks import SqliteLinkCheckStore
from simulators.file_host import FILE_SIZE, FileHostSimulator
from tests.factories import DistributionFactory, RecordFactory

CSV = Distribution(format="CSV", media_type="text/csv")
#: path → the verdict a correct checker reaches
EXPECTED = {
    "/ok/arbres.csv": "ok",
    "/head-refused/velib.csv": "ok",
    "/moved/parkings.csv": "ok",
    "/missing/ecoles.csv": "broken",
    "/gone/budget.csv": "broken",
    "/error/piscines.csv": "broken",
    "/stall/trafic.csv": "broken",
    "/loop/sanisettes.csv": "broken",
    "/html/marches.csv": "wrong_type",
}
FAST = LinkCheckSettings(per_host=2, host_rate=1000.0, workers=8, connect_timeout=30.0, read_timeout=30.0)
#: only for URLs whose server never answers: the timeout is then certain, not a race
STALLING = LinkCheckSettings(per_host=2, host_rate=1000.0, workers=8, connect_timeout=30.0, read_timeout=2.0)


@pytest.fixture
def files():
    with FileHostSimulator(pair_timeout=10.0) as host:
        yield host


def run_checker(targets: list[LinkTarget], settings: LinkCheckSettings = FAST) -> dict[str, LinkCheck]:
    """Check the targets; those on /stall/ with a short timeout of their own (their server never answers)."""
    found: dict[str, LinkCheck] = {}
    stalling = [t for t in targets if "/stall/" in t.url]
    for group, limits in (([t for t in targets if t not in stalling], settings), (stalling, STALLING)):
        checker = LinkChecker(limits)
        try:
            checker.run(group, lambda check: found.setdefault(check.url, check))
        finally:
            checker.close()
    return found


def test_every_broken_url_is_found_and_nothing_else(files):
    checks = run_checker([LinkTarget(files.url + path, CSV) for path in EXPECTED])
    assert {url.removeprefix(files.url): check.verdict for url, check in checks.items()} == EXPECTED


def test_what_a_check_records(files):
    checks = run_checker([LinkTarget(files.url + p, CSV) for p in ("/moved/a.csv", "/head-refused/b.csv", "/gone/c.csv", "/loop/d", "/stall/e.csv")])
    moved = checks[files.url + "/moved/a.csv"]
    assert (moved.status, moved.final_url, moved.content_type, moved.size) == (200, files.url + "/ok/a.csv", "text/csv", FILE_SIZE)
    assert moved.last_modified.endswith("GMT") and moved.method == "HEAD"
    refused = checks[files.url + "/head-refused/b.csv"]
    assert (refused.method, refused.status, refused.size) == ("GET", 206, FILE_SIZE)
    assert checks[files.url + "/gone/c.csv"].status == 410
    assert checks[files.url + "/loop/d"].error == "redirect loop"
    assert checks[files.url + "/stall/e.csv"].error == "timed out"
    methods = {(m, p) for m, _, p in files.requests}
    assert ("HEAD", "/ok/a.csv") in methods and ("GET", "/head-refused/b.csv") in methods


def test_a_type_is_judged_against_the_declared_format(files):
    pdf = Distribution(format="PDF")
    page = Distribution(format="HTML")
    geojson = Distribution(format="GeoJSON")
    checks = run_checker([
        LinkTarget(files.url + "/ok/rapport.csv", pdf),        # PDF announced, CSV served
        LinkTarget(files.url + "/html/portail.html", page),    # a web page announced and served
        LinkTarget(files.url + "/ok/communes.json", geojson),  # GeoJSON served as plain JSON is fine
    ])
    verdicts = {url.removeprefix(files.url): check.verdict for url, check in checks.items()}
    assert verdicts == {"/ok/rapport.csv": "wrong_type", "/html/portail.html": "ok", "/ok/communes.json": "ok"}


def test_a_rate_limited_answer_is_asked_again_not_called_broken(files):
    waits: list[float] = []
    checker = LinkChecker(FAST, sleep=waits.append)
    try:
        check = checker.check(LinkTarget(files.url + "/busy/horaires.csv", CSV))
    finally:
        checker.close()
    assert (check.verdict, check.status, check.method) == ("ok", 200, "HEAD")
    assert waits == [7.0]
    assert [m for m, _, p in files.requests if p == "/busy/horaires.csv"] == ["HEAD", "HEAD"]


def test_the_network_guard_applies_as_in_harvests(files):
    with trusted_networks((), replace=True):  # the production default: no loopback
        checks = run_checker([LinkTarget(files.url + "/ok/a.csv", CSV)])
    check = checks[files.url + "/ok/a.csv"]
    assert check.verdict == "broken" and "refused to connect" in check.error
    assert files.requests == []


def test_per_host_concurrency_is_never_exceeded(files):
    """Each /paired/ request waits until a second one is in flight: parallelism is invited, and counted."""
    port = files.url.rsplit(":", 1)[1]
    hosts = ("127.0.0.1", "localhost")
    targets = [LinkTarget(f"http://{host}:{port}/paired/f{i}.csv", CSV) for host in hosts for i in range(16)]
    files.paired_expected = {host: 16 for host in hosts}
    # a thread per URL: the limiter alone stands between 16 ready requests and each host
    settings = LinkCheckSettings(per_host=2, host_rate=1000.0, workers=len(targets), read_timeout=30.0)
    with trusted_networks(LOOPBACK_NETWORKS):
        checks = run_checker(targets, settings)
    assert {c.verdict for c in checks.values()} == {"ok"} and len(checks) == 32
    assert dict(files.max_in_flight) == {"127.0.0.1": 2, "localhost": 2}


def test_the_per_host_rate_spaces_request_starts():
    clock = [0.0]
    waits: list[float] = []
    limiter = HostLimiter(per_host=2, rate=2.0, clock=lambda: clock[0], sleep=waits.append)
    for host in ("a.fr", "a.fr", "b.fr", "a.fr"):
        with limiter.turn(host):
            pass
    assert waits == [0.0, 0.5, 0.0, 1.0]
    clock[0] = 10.0
    with limiter.turn("a.fr"):
        pass
    assert waits[-1] == 0.0


def test_a_run_checks_the_oldest_first_and_keeps_results_by_url(files, backend):
    store = SqliteLinkCheckStore(":memory:")
    urls = [files.url + f"/ok/f{i}.csv" for i in range(3)] + [files.url + "/missing/x.csv"]
    records = [RecordFactory(distributions=(DistributionFactory(access_url=u, download_url=u),)) for u in urls]
    backend.replace_portal("paris", records, now=datetime.now(timezone.utc))
    store.save([LinkCheck(urls[0], "2020-01-01T00:00:00+00:00", "ok"), LinkCheck(urls[1], "2026-01-01T00:00:00+00:00", "ok")])
    stamper = Stamper(store, margin=0.5)
    run = check_links(backend, store, ["paris"], settings=FAST, limit=3, stamper=stamper)
    assert run.checked == 3 and run.known_urls == 4
    assert store.get_many([urls[1]])[urls[1]].checked_at.startswith("2026-01-01")  # the newest was left for later
    assert run.verdicts == {"ok": 2, "wrong_type": 0, "broken": 1}
    statuses = {r.record_id: r.link_status for r in backend.iter_records()}
    assert sorted(statuses.values()) == ["broken", "ok", "ok", "ok"]
    page = backend.search(SearchQuery(filters={"link_status": ("broken",)}))
    assert [h.record.distributions[0].url for h in page.hits] == [urls[3]]


def test_a_portal_being_harvested_is_not_restamped(files, backend):
    from service.harvesting.locking import PortalLock
    from service.link_health import restamp

    backend.replace_portal("paris", [RecordFactory()], now=datetime.now(timezone.utc))
    backend.replace_portal("lyon", [RecordFactory(portal_id="lyon")], now=datetime.now(timezone.utc))
    stamper = Stamper(SqliteLinkCheckStore(":memory:"), margin=0.5)
    with PortalLock.acquire(backend, "lyon", owner="a-harvest", ttl=60):
        restamped, busy = restamp(backend, ["paris", "lyon"], stamper)
    assert (restamped, busy) == (1, ["lyon"])
    statuses = {r.portal_id: r.link_status for r in backend.iter_records()}
    assert statuses == {"paris": "unchecked", "lyon": None}
    assert backend.acquire_lock("harvest:paris", "someone-else", 1)  # the restamp let go of its locks
