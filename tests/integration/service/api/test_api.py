"""Every API route through the Flask test client, errors included."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from mappings.jobs import HarvestJob
from mappings.vocab import HYDRA
from tests.conftest import NOW
from tests.factories import RecordFactory


@pytest.fixture
def records(backend):
    paris = [RecordFactory(guid=f"https://opendata.paris.fr/explore/dataset/d{n}/", title=f"Vélos {n}") for n in range(5)]
    paris.append(RecordFactory(guid="https://opendata.paris.fr/explore/dataset/arbres/", title="Les arbres"))
    lyon = [RecordFactory(portal_id="lyon", guid=f"https://data.grandlyon.com/d{n}", title=f"Parcs {n}") for n in range(3)]
    backend.replace_portal("paris", paris, now=NOW)
    backend.replace_portal("lyon", lyon, now=NOW)
    return paris + lyon


def test_search_returns_results_and_facets(client, records):
    body = client.get("/api/datasets?q=velos").get_json()
    assert body["total"] == 5
    assert set(body) >= {"total", "page", "page_size", "results", "facets"}
    assert all("Vélos" in r["title"] for r in body["results"])
    assert body["facets"]["portal"] == [{"value": "paris", "code": "paris", "label": "paris", "count": 5}]
    assert "counts once" in body["counting"]
    first = body["results"][0]
    assert first["id"].startswith("paris:") and first["links"]["ttl"].endswith(".ttl")


def test_repeated_filters_are_ored(client, records):
    body = client.get("/api/datasets?portal=paris&portal=lyon&page_size=100").get_json()
    assert body["total"] == 9


@pytest.mark.parametrize(
    "query,field",
    [
        ("sort=popularity", "sort"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("pge=2", "pge"),
        ("q=" + "x" * 501, "q"),
    ],
)
def test_bad_queries_are_400_naming_the_field(client, query, field):
    response = client.get(f"/api/datasets?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 400
    assert field in body["errors"], body
    assert field in body["error"]


def test_unknown_sort_says_which_sorts_exist(client):
    body = client.get("/api/datasets?sort=popularity").get_json()
    assert "relevance" in body["errors"]["sort"][0]


def test_get_one_dataset(client, records):
    record = records[0]
    response = client.get(f"/api/datasets/{quote(record.record_id, safe='')}")
    assert response.status_code == 200
    assert response.get_json()["title"] == record.title
    # an unencoded id with slashes works too
    assert client.get(f"/api/datasets/{record.record_id}").status_code == 200


def test_unknown_dataset_is_a_json_404(client):
    response = client.get("/api/datasets/paris:nope")
    assert response.status_code == 404
    assert response.get_json()["error"] == "No dataset with id 'paris:nope'."


def test_unknown_route_is_a_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.get_json()["ok"] is False


def test_portals_with_counts_and_last_harvest(client, records, backend):
    backend.save_job(HarvestJob(job_id="j1", portal_id="paris", started_at=NOW.isoformat(), status="done"))
    body = client.get("/api/portals").get_json()
    by_id = {p["id"]: p for p in body["results"]}
    assert by_id["paris"]["records"] == 6 and by_id["lyon"]["records"] == 3
    assert by_id["paris"]["last_harvest"]["status"] == "done"
    assert by_id["lyon"]["last_harvest"] is None
    assert by_id["paris"]["kind"] == "dcat" and by_id["paris"]["harvestable"] is True


def test_harvest_jobs_route(client, backend):
    backend.save_job(HarvestJob(job_id="j1", portal_id="paris", started_at="2026-01-01T00:00:00"))
    backend.save_job(HarvestJob(job_id="j2", portal_id="lyon", started_at="2026-01-02T00:00:00"))
    assert [j["job_id"] for j in client.get("/api/harvest/jobs").get_json()["results"]] == ["j2", "j1"]
    assert [j["job_id"] for j in client.get("/api/harvest/jobs?portal=paris").get_json()["results"]] == ["j1"]
    response = client.get("/api/harvest/jobs?portal=nowhere")
    assert response.status_code == 400 and "portal" in response.get_json()["errors"]


@pytest.mark.parametrize(
    "accept,media_type,rdflib_format",
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_catalog_content_negotiation(client, records, accept, media_type, rdflib_format):
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    graph = Graph().parse(data=response.data, format=rdflib_format)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 9


@pytest.mark.parametrize("extension,rdflib_format", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld"), ("nt", "nt")])
def test_catalog_extensions_and_hydra_paging(client, records, extension, rdflib_format):
    response = client.get(f"/catalog.{extension}?page=2&page_size=4")
    graph = Graph().parse(data=response.data, format=rdflib_format)
    view = next(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert str(view) == f"http://fedcat.test/catalog.{extension}?page=2&page_size=4"
    assert str(graph.value(view, HYDRA.next)).endswith("page=3&page_size=4")
    assert str(graph.value(view, HYDRA.previous)).endswith("page=1&page_size=4")
    assert str(graph.value(view, HYDRA.last)).endswith("page=3&page_size=4")
    assert int(next(graph.objects(None, HYDRA.totalItems))) == 9
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 4


def test_catalog_errors(client, records):
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/catalog.docx").status_code == 404
    assert client.get("/catalog.ttl?page=99").status_code == 404
    assert client.get("/catalog.ttl?page_size=1000").status_code == 400


@pytest.mark.parametrize("extension,rdflib_format", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld"), ("nt", "nt")])
def test_one_dataset_as_rdf(client, records, extension, rdflib_format):
    record = records[0]
    response = client.get(f"/datasets/{quote(record.record_id, safe='')}.{extension}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=rdflib_format)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert str(graph.value(dataset, DCTERMS.title)) == record.title


def test_dataset_negotiation_and_redirect(client, records):
    path = f"/datasets/{quote(records[0].record_id, safe='')}"
    assert client.get(path, headers={"Accept": "application/ld+json"}).mimetype == "application/ld+json"
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 303 and "/api/datasets/" in response.headers["Location"]
    page = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert client.get("/datasets/paris:nope.ttl").status_code == 404


def test_index_lists_the_api(client, records):
    body = client.get("/api").get_json()
    assert body["records"] == 9 and "/api/datasets?q=" in body["links"]["search"]
    # JSON clients still get the map at /; browsers get the search page
    assert client.get("/", headers={"Accept": "application/json"}).get_json() == body
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "Content-Security-Policy" in page.headers
