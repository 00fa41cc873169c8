"""Catalogue pages are served from memory per data version: the same bytes and ETag until a write, fresh after one."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from mappings.jobs import HarvestJob
from tests.conftest import NOW
from tests.factories import RecordFactory


@pytest.fixture
def records(backend):
    paris = [RecordFactory(guid=f"https://opendata.paris.fr/explore/dataset/d{n}/", title=f"Vélos {n}") for n in range(5)]
    backend.replace_portal("paris", paris, now=NOW)
    return paris


def titles(response) -> set[str]:
    graph = Graph().parse(data=response.data, format="nt")
    return {str(graph.value(ref, DCTERMS.title)) for ref in graph.subjects(RDF.type, DCAT.Dataset)}


def test_a_page_asked_again_is_the_same_page_with_its_body_hash_as_etag(app, client, records):
    first = client.get("/catalog.nt?page=1&page_size=3")
    again = client.get("/catalog.nt?page=1&page_size=3")
    assert again.data == first.data and len(app.extensions["fedcat"].export_pages.kept) == 1
    assert again.headers["ETag"] == first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()[:32]}"'
    assert client.get("/catalog.ttl?page=1&page_size=3").data != first.data  # each syntax is its own page
    conditional = client.get("/catalog.nt?page=1&page_size=3", headers={"If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304


def test_a_write_retires_the_pages_of_the_previous_version(client, backend, records):
    before = client.get("/catalog.nt?page=1&page_size=10")
    backend.replace_portal("paris", [*records[:4], RecordFactory(guid="https://opendata.paris.fr/d/new", title="Neuf")], now=NOW)
    after = client.get("/catalog.nt?page=1&page_size=10")
    assert "Neuf" in titles(after) and "Neuf" not in titles(before)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get("/catalog.nt?page=1&page_size=10", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_a_finished_harvest_moves_the_catalogue_modified_date(client, backend, records):
    before = client.get("/catalog.nt?page=1&page_size=10")
    backend.save_job(HarvestJob(job_id="j9", portal_id="paris", started_at="2031-01-01T00:00:00",
                                finished_at="2031-01-01T00:05:00", status="succeeded"))
    after = client.get("/catalog.nt?page=1&page_size=10")
    assert b"2031-01-01T00:05:00" in after.data and b"2031-01-01T00:05:00" not in before.data


def test_without_a_data_version_every_page_is_rendered_afresh(app, client, backend, records, monkeypatch):
    monkeypatch.setattr(type(backend), "data_version", lambda self: None)
    first = client.get("/catalog.nt?page=1&page_size=3")
    assert titles(client.get("/catalog.nt?page=1&page_size=3")) == titles(first)  # blank nodes are new each time
    assert len(app.extensions["fedcat"].export_pages.kept) == 0


def test_a_page_past_the_last_is_not_kept(app, client, records):
    assert client.get("/catalog.nt?page=9&page_size=3").status_code == 404
    assert len(app.extensions["fedcat"].export_pages.kept) == 0
