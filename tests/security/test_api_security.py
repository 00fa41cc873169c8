"""The API under abuse: rate limits, request size limits, safe headers, no server-side fetch, admin token."""

from __future__ import annotations

import inspect
import socket
import threading
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.rate_limit import Rate, RateLimiter
from service.search.elasticsearch_ import _text_query
from service.search.base import SearchQuery
from service.search.tantivy_ import TantivyBackend
from service.security import API_POLICY, MAX_QUERY_BYTES
from tests.conftest import NOW, TEST_PORTALS
from tests.factories import RecordFactory

RECORD_GUID = "https://opendata.paris.fr/explore/dataset/velib/"


def make_app(**settings):
    backend = TantivyBackend(":memory:")
    records = [RecordFactory(guid=RECORD_GUID, title="Vélib'"), RecordFactory(guid="g2", title="Arbres")]
    backend.replace_portal("paris", records, now=NOW)
    base = {"database": ":memory:", "base_url": "http://fedcat.test", **settings}
    app = create_app(catalogue=Catalogue(Settings(**base), backend=backend, portals=list(TEST_PORTALS)))
    app.config["TESTING"] = True
    return app


def from_ip(client, url, ip, **kwargs):
    response = client.get(url, environ_base={"REMOTE_ADDR": ip}, **kwargs)
    response.close()  # static files are streamed from open files
    return response


# -- rate limiting ------------------------------------------------------------------------


def test_rate_limiting_is_on_by_default():
    assert Settings().rate_limit == "600/minute"
    assert Settings.from_env({"FEDCAT_RATE_LIMIT": "off"}).rate_limit == ""


def test_beyond_the_limit_a_client_gets_429_in_the_error_shape_with_retry_after():
    client = make_app(rate_limit="5/minute").test_client()
    statuses = [from_ip(client, "/api/datasets?q=velib", "198.51.100.7").status_code for _ in range(5)]
    refused = from_ip(client, "/api/datasets?q=velib", "198.51.100.7", headers={"Origin": "https://ville.example"})
    assert statuses == [200] * 5
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["ok"] is False and body["status"] == 429 and body["code"] == "rate_limited"
    assert "at most 5 per minute" in body["error"] and body["errors"] == {}
    assert 1 <= int(refused.headers["Retry-After"]) <= 12, "one token comes back every 12 s"
    assert refused.headers["Access-Control-Allow-Origin"] == "*", "a browser widget can read why"
    assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_each_client_ip_has_its_own_budget():
    client = make_app(rate_limit="2/minute").test_client()
    for _ in range(2):
        from_ip(client, "/api/datasets", "198.51.100.1")
    assert from_ip(client, "/api/datasets", "198.51.100.1").status_code == 429
    assert from_ip(client, "/api/datasets", "198.51.100.2").status_code == 200


def test_pages_and_the_admin_api_count_static_files_and_probes_do_not():
    client = make_app(rate_limit="1/hour").test_client()
    assert from_ip(client, "/", "198.51.100.3", headers={"Accept": "text/html"}).status_code == 200
    assert from_ip(client, "/?q=velib", "198.51.100.3", headers={"Accept": "text/html"}).status_code == 429
    for free in ("/widget.js", "/static/fedcat.css", "/healthz", "/readyz", "/metrics"):
        assert from_ip(client, free, "198.51.100.3").status_code == 200, free
    assert client.options("/api/datasets", environ_base={"REMOTE_ADDR": "198.51.100.3"}).status_code == 200


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted():
    spoofing = make_app(rate_limit="1/hour").test_client()
    assert from_ip(spoofing, "/api/datasets", "203.0.113.9", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert from_ip(spoofing, "/api/datasets", "203.0.113.9", headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429

    behind_proxy = make_app(rate_limit="1/hour", trusted_proxies=1).test_client()
    for client_ip in ("1.1.1.1", "2.2.2.2"):
        response = from_ip(behind_proxy, "/api/datasets", "10.0.0.2", headers={"X-Forwarded-For": client_ip})
        assert response.status_code == 200, client_ip
    assert from_ip(behind_proxy, "/api/datasets", "10.0.0.2", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 429


def test_off_means_off():
    client = make_app(rate_limit="").test_client()
    assert all(client.get("/api/datasets").status_code == 200 for _ in range(50))


def test_the_bucket_refills_at_the_sustained_rate_and_bursts_up_to_n():
    now = [0.0]
    limiter = RateLimiter(Rate.parse("60/minute"), clock=lambda: now[0])
    assert all(limiter.take("a") == 0.0 for _ in range(60))
    assert limiter.take("a") == pytest.approx(1.0)
    now[0] += 0.5
    assert limiter.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert limiter.take("a") == 0.0
    now[0] += 3600
    assert limiter.remaining("a") == 60, "never more than the burst"


def test_the_limiter_keeps_a_bounded_number_of_clients():
    limiter = RateLimiter(Rate.parse("1/hour"), max_clients=100)
    for n in range(1000):
        limiter.take(f"client-{n}")
    assert len(limiter._buckets) == 100


def test_the_openapi_document_declares_429_on_every_operation():
    spec = make_app().test_client().get("/api/openapi.json").get_json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert operations and all("429" in op["responses"] for op in operations)


# -- request size ------------------------------------------------------------------------


def test_a_large_body_is_refused_before_it_is_read():
    client = make_app().test_client()
    response = client.post("/api/datasets", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_a_long_query_string_is_refused():
    client = make_app().test_client()
    response = client.get("/api/datasets?q=" + "a" * MAX_QUERY_BYTES)
    assert response.status_code == 400 and response.get_json()["code"] == "invalid_query"
    assert client.get("/api/datasets?q=" + "a" * 501).status_code == 400, "q itself stays bounded"


def test_hundreds_of_repeated_filters_are_answered_quickly_without_error():
    client = make_app().test_client()
    query = "&".join(f"theme=t{n}" for n in range(400))
    response = client.get(f"/api/datasets?{query}")
    assert response.status_code in (200, 400)


# -- headers -----------------------------------------------------------------------------

EVERY_KIND_OF_RESPONSE = [
    ("/api/datasets?q=velib", {}),
    (f"/api/datasets/{quote('paris:' + RECORD_GUID, safe='')}", {}),
    ("/api/suggest?q=ve", {}),
    ("/api/portals", {}),
    ("/api/harvest/jobs", {}),
    ("/api/openapi.json", {}),
    ("/api", {}),
    ("/catalog.ttl", {}),
    ("/catalog.rdf", {}),
    ("/catalog.jsonld", {}),
    ("/catalog", {"Accept": "application/n-triples"}),
    (f"/datasets/{quote('paris:' + RECORD_GUID, safe='')}.ttl", {}),
    ("/opensearch.xml", {}),
    ("/api/datasets.atom?q=velib", {}),
    ("/api/suggest.osjson?q=ve", {}),
    ("/widget.js", {}),
    ("/static/fedcat.css", {}),
    ("/healthz", {}),
    ("/metrics", {}),
    ("/api/datasets/nope", {}),
    ("/api/datasets?sort=sideways", {}),
    ("/no/such/route", {}),
    ("/", {"Accept": "text/html"}),
    (f"/datasets/{quote('paris:' + RECORD_GUID, safe='')}", {"Accept": "text/html"}),
    ("/embed", {}),
    ("/api/docs", {}),
]


@pytest.mark.parametrize("url,headers", EVERY_KIND_OF_RESPONSE, ids=[u for u, _ in EVERY_KIND_OF_RESPONSE])
def test_every_response_has_nosniff_and_a_content_security_policy(url, headers):
    with make_app().test_client().get(url, headers=headers) as response:
        response.get_data()
    assert response.status_code < 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    if response.mimetype == "text/html":
        assert "script-src 'self'" in policy and "object-src 'none'" in policy
    else:
        assert policy == API_POLICY


def test_refusals_have_them_too():
    client = make_app(rate_limit="1/hour").test_client()
    client.get("/api/datasets")
    for response in (client.get("/api/datasets"), client.post("/api/datasets", data=b"x" * 2_000_000), client.delete("/catalog")):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.status_code
        assert response.headers["Content-Security-Policy"] == API_POLICY


def test_harvested_markup_is_escaped_on_pages():
    backend = TantivyBackend(":memory:")
    record = RecordFactory(guid="xss", title="Vélos </script><script>alert(1)</script>", keywords=("<img src=x onerror=alert(2)>",))
    backend.replace_portal("paris", [record], now=datetime.now(timezone.utc))
    app = create_app(catalogue=Catalogue(Settings(database=":memory:"), backend=backend, portals=list(TEST_PORTALS)))
    client = app.test_client()
    for url in (f"/datasets/{quote(record.record_id, safe='')}", "/?q=velos"):
        html = client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url


# -- no API parameter makes the server fetch a URL ------------------------------------------------


class Listener:
    """Counts every TCP connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.05)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d/ssrf" % self.socket.getsockname()[1]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


def test_no_parameter_of_any_route_makes_the_server_fetch_a_url(monkeypatch):
    app = make_app(rate_limit="off")
    client = app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    attempts: list = []
    real_connect = socket.socket.connect

    def watched_connect(sock, address):
        attempts.append(address)
        return real_connect(sock, address)

    with Listener() as listener:
        monkeypatch.setattr(socket.socket, "connect", watched_connect)
        target = listener.url
        for path, operations in spec["paths"].items():
            for operation in operations.values():
                names = _parameter_names(spec, operation)
                url = path
                for name in names["path"]:
                    url = url.replace("{%s}" % name, quote(target, safe=""))
                query = "&".join(f"{name}={quote(target, safe='')}" for name in names["query"])
                headers = {"X-Forwarded-Host": target, "Referer": target, "Origin": target}
                client.get(f"{url}?{query}" if query else url, headers=headers)
                client.get(f"{url}?{query}&url={quote(target)}&callback={quote(target)}", headers=headers)
        monkeypatch.undo()
    assert listener.connections == 0 and attempts == []


def _parameter_names(spec: dict, operation: dict) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {"path": [], "query": []}
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = spec["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        names.setdefault(parameter["in"], []).append(parameter["name"])
    return names


# -- the admin token (the admin API is built in parallel: checked when present) ---------------


def test_the_admin_token_is_compared_in_constant_time():
    admin = pytest.importorskip("service.api.admin")
    source = inspect.getsource(admin)
    assert "hmac.compare_digest" in source or "secrets.compare_digest" in source
    assert "== expected" not in source and "token ==" not in source


def test_the_admin_api_refuses_missing_and_wrong_tokens():
    pytest.importorskip("service.api.admin")
    token = "a-long-enough-admin-token-for-tests"
    client = make_app(admin_token=token).test_client()
    assert client.get("/api/admin/jobs").status_code == 401
    assert client.get("/api/admin/jobs", headers={"Authorization": "Bearer " + "x" * len(token)}).status_code == 401
    assert client.get("/api/admin/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_guessing_the_admin_token_is_rate_limited():
    pytest.importorskip("service.api.admin")
    client = make_app(admin_token="a-long-enough-admin-token-for-tests", rate_limit="10/minute").test_client()
    statuses = [
        from_ip(client, "/api/admin/jobs", "203.0.113.50", headers={"Authorization": f"Bearer guess-{n}"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


# -- no raw query syntax reaches the engine ------------------------------------------------------

HOSTILE_QUERIES = [
    'title:* OR _exists_:record',
    "*",
    "/.*/",
    "record.title:[* TO *]",
    '{"query": {"match_all": {}}}',
    "velo~10 AND NOT x^1000",
    '"unbalanced',
    "\\ \\\\ ( ) { } [ ] : ^ ~ ! && || + -",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_the_engine_query_is_built_from_words_never_from_query_syntax(q):
    for exact in (lambda words: set(), set):  # every word unknown (typo tolerance on), then every word known
        body = repr(_text_query(SearchQuery(q=q), exact))
        assert "query_string" not in body and "regexp" not in body and "wildcard" not in body


@pytest.mark.parametrize("name", ["query", "_source", "size", "from", "index", "script", "body", "sort_by"])
def test_unknown_parameters_are_refused_not_passed_on(name):
    response = make_app().test_client().get(f"/api/datasets?{name}=x")
    assert response.status_code == 400 and name in response.get_json()["errors"]
