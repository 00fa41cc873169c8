"""Search responses are reused while the data stays the same, and never after a write."""

from __future__ import annotations

from dataclasses import replace

from service.app import create_app
from service.catalogue import Catalogue
from tests.conftest import NOW
from tests.factories import RecordFactory


def test_a_repeated_search_answers_the_same_bytes(client, backend):
    backend.replace_portal("paris", [RecordFactory(guid="a", title="Vélos")], now=NOW)
    first = client.get("/api/datasets?q=velos")
    again = client.get("/api/datasets?q=velos")
    assert first.status_code == again.status_code == 200
    assert first.mimetype == again.mimetype == "application/json"
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]


def test_a_write_is_seen_by_the_next_request(client, backend):
    backend.replace_portal("paris", [RecordFactory(guid="a", title="Vélos")], now=NOW)
    assert client.get("/api/datasets?q=velos").get_json()["total"] == 1
    backend.replace_portal("lyon", [RecordFactory(portal_id="lyon", guid="b", title="Vélos à Lyon")], now=NOW)
    assert client.get("/api/datasets?q=velos").get_json()["total"] == 2
    backend.delete_portal("paris")
    assert [r["portal_id"] for r in client.get("/api/datasets?q=velos").get_json()["results"]] == ["lyon"]


def test_links_follow_the_host_asked(settings, backend):
    app = create_app(catalogue=Catalogue(replace(settings, base_url=""), backend=backend, portals=[]))
    client = app.test_client()
    backend.replace_portal("paris", [RecordFactory(guid="a", title="Vélos")], now=NOW)
    one = client.get("/api/datasets?q=velos", base_url="http://one.example").get_json()
    two = client.get("/api/datasets?q=velos", base_url="http://two.example").get_json()
    assert one["results"][0]["links"]["self"].startswith("http://one.example/")
    assert two["results"][0]["links"]["self"].startswith("http://two.example/")
