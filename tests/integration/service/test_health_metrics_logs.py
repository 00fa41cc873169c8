"""Probes, Prometheus metrics after a harvest and a search, and the request id in responses and logs."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mappings.portals import Portal
from service.logging_ import JsonFormatter
from service.search.base import SearchUnavailable
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from simulators.server import PortalSimulator, SimResponse


def samples(client) -> dict[tuple[str, tuple], float]:
    """Every sample of ``/metrics``: (name, sorted labels) → value."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


# -- probes ---------------------------------------------------------------------------------


def test_healthz_answers_while_the_process_lives(client, backend, monkeypatch):
    monkeypatch.setattr(backend, "ping", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "alive"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_when_the_store_answers_and_portals_are_loaded(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["checks"]["store"] == {"ok": True, "detail": "tantivy answers"}
    assert body["checks"]["portals"] == {"ok": True, "detail": "2 portals configured"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_in_the_error_shape_when_the_store_is_down(client, backend, monkeypatch):
    def down():
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(backend, "count", down)
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["ok"] is False and body["code"] == "not_ready"
    assert body["errors"] == {"store": ["tantivy does not answer"]}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_without_portals(client, catalogue):
    catalogue.portals = []
    body = client.get("/readyz").get_json()
    assert body["code"] == "not_ready" and list(body["errors"]) == ["portals"]


# -- metrics --------------------------------------------------------------------------------


def test_metrics_count_a_harvest_and_a_search(client, catalogue):
    before = samples(client)
    with DcatPortalSimulator(generate("paris", 12), page_size=5) as simulator:
        portal = Portal(id="paris", name="Paris", kind="dcat", url=simulator.catalog_url("ttl"))
        assert catalogue.harvest(portal).status == "done"
    assert client.get("/api/datasets?q=velo").status_code == 200
    after = samples(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("fedcat_harvests_total", portal="paris", status="done") == 1
    assert grew("fedcat_harvest_duration_seconds_count", portal="paris") == 1
    assert grew("fedcat_http_request_duration_seconds_count", method="GET", route="/api/datasets") == 1
    assert grew("fedcat_http_requests_total", method="GET", route="/api/datasets", status="200") == 1
    assert value(after, "fedcat_records", portal="paris") == 12
    assert value(after, "fedcat_records", portal="lyon") == 0
    assert value(after, "fedcat_last_harvest_ok", portal="paris") == 1
    assert value(after, "fedcat_last_harvest_timestamp_seconds", portal="paris") > 0
    assert value(after, "fedcat_store_up") == 1


def test_metrics_count_fetch_errors_by_kind_and_refused_runs(client, catalogue):
    class Gone(PortalSimulator):
        def handle(self, request):
            return SimResponse(404, b"no such catalogue", "text/plain")

    before = samples(client)
    with Gone() as simulator:
        portal = Portal(id="lyon", name="Lyon", kind="dcat", url=simulator.url + "/catalog.ttl")
        assert catalogue.harvest(portal).status == "failed"
        catalogue.backend.acquire_lock("harvest:lyon", "someone-else", 60)
        with pytest.raises(Exception, match="already being harvested"):
            catalogue.harvest(portal)
    after = samples(client)
    assert value(after, "fedcat_harvest_fetch_errors_total", portal="lyon", kind="http_4xx") - value(
        before, "fedcat_harvest_fetch_errors_total", portal="lyon", kind="http_4xx"
    ) == 1
    assert value(after, "fedcat_harvests_total", portal="lyon", status="refused") - value(
        before, "fedcat_harvests_total", portal="lyon", status="refused"
    ) == 1
    assert value(after, "fedcat_last_harvest_ok", portal="lyon") == 0


def test_routes_are_labelled_by_rule_not_by_url(client):
    before = samples(client)
    client.get("/api/datasets/paris:a")
    client.get("/no/such/page")
    client.open("/api/datasets", method="BREW")
    after = samples(client)
    rule = "/api/datasets/<path:record_id>"
    assert value(after, "fedcat_http_requests_total", method="GET", route=rule, status="404") - value(
        before, "fedcat_http_requests_total", method="GET", route=rule, status="404"
    ) == 1
    assert not any("paris:a" in str(key) or "/no/such" in str(key) or "BREW" in str(key) for key in after)


def test_metrics_say_when_the_store_is_down(client, backend, monkeypatch):
    def down():
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(backend, "counts_by_portal", down)
    found = samples(client)
    assert value(found, "fedcat_store_up") == 0


# -- request ids and logs ---------------------------------------------------------------------


def test_a_request_id_is_made_or_kept_and_answered(client):
    made = client.get("/api/portals").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/api/portals").headers["X-Request-ID"]
    assert client.get("/api/portals", headers={"X-Request-ID": "lb-7f3a:01"}).headers["X-Request-ID"] == "lb-7f3a:01"


@pytest.mark.parametrize("unsafe", ["x" * 65, "bad id", "inject\u2028line", "<script>", "-leading-dash"])
def test_an_unsafe_incoming_request_id_is_replaced(client, unsafe):
    answered = client.get("/api/portals", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
    assert answered != unsafe and len(answered) == 32


def test_every_log_line_of_a_request_carries_its_id(client, backend, monkeypatch, caplog):
    def down(query):
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(backend, "search", down)
    caplog.set_level(logging.INFO)
    response = client.get("/api/datasets?q=velo", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 503 and response.headers["X-Request-ID"] == "req-42"
    (line,) = [r for r in caplog.records if "search unavailable" in r.getMessage()]
    assert line.request_id == "req-42"
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "req-42" and entry["level"] == "WARNING" and entry["logger"] == "service.app"
    logging.getLogger("after").warning("outside any request")
    assert caplog.records[-1].request_id == "-"
