"""The search API as a product: new parameters, highlights, suggestions, OpenSearch, HTTP hygiene, OpenAPI."""

from __future__ import annotations

import gzip
import json
from xml.etree import ElementTree as ET

import pytest

from mappings.record import Agent
from tests.conftest import NOW
from tests.factories import RecordFactory


@pytest.fixture
def records(backend):
    records = [
        RecordFactory(guid="velib", title="Vélib' - Vélos et bornes", modified="2024-05-01",
                      description="Disponibilité des vélos en libre-service. " + "Texte de remplissage. " * 30
                      + "Les vélos électriques sont comptés à part.",
                      bbox=(2.22, 48.81, 2.47, 48.90), keywords=("vélo",)),
        RecordFactory(guid="arbres", title="Les arbres", modified="2020-01-01", publisher=Agent(name="Ville de Paris")),
        RecordFactory(guid="xss", title="<script>alert(1)</script> Vélos", modified="2021-01-01"),
    ]
    backend.replace_portal("paris", records, now=NOW)
    return records


def test_results_carry_highlight_segments(client, records):
    results = client.get("/api/datasets?q=velos").get_json()["results"]
    (result,) = [r for r in results if r["guid"] == "velib"]
    assert result["highlight"]["title"] == [
        {"text": "Vélib' - ", "match": False},
        {"text": "Vélos", "match": True},
        {"text": " et bornes", "match": False},
    ]
    description = result["highlight"]["description"]
    assert any(s["match"] and s["text"] == "vélos" for s in description)
    assert sum(len(s["text"]) for s in description) < 300, "long descriptions become an excerpt"


def test_typo_and_phrase_through_the_api(client, records):
    assert client.get("/api/datasets?q=vleo").get_json()["total"] == 2
    assert client.get('/api/datasets?q="les arbres"').get_json()["total"] == 1


def test_date_range_and_bbox_parameters(client, records):
    assert client.get("/api/datasets?modified_since=2021-01-01").get_json()["total"] == 2
    assert client.get("/api/datasets?modified_until=2020-12-31").get_json()["total"] == 1
    assert client.get("/api/datasets?bbox=2.3,48.85,2.4,48.87").get_json()["total"] == 1


@pytest.mark.parametrize(
    "query,field",
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=10,0,5,1", "bbox"),
        ("bbox=0,-95,1,1", "bbox"),
        ("modified_since=2024-13-01", "modified_since"),
        ("modified_since=2024-02-01&modified_until=2024-01-01", "modified_since"),
        ("page=200&page_size=100", "page"),
    ],
)
def test_new_parameters_are_validated(client, query, field):
    response = client.get(f"/api/datasets?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_suggest(client, records):
    body = client.get("/api/suggest?q=vel").get_json()
    assert body["q"] == "vel"
    assert {"text": "vélo", "kind": "keyword", "count": 1} in body["suggestions"]
    assert client.get("/api/suggest").status_code == 400
    assert client.get("/api/suggest?q=vel&limit=99").status_code == 400


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    templates = {u.get("type"): u.get("template") for u in root.iter("{http://a9.com/-/spec/opensearch/1.1/}Url")}
    assert templates["text/html"] == "http://fedcat.test/?q={searchTerms}"
    assert "application/x-suggestions+json" in templates


def test_atom_feed(client, records):
    response = client.get("/api/datasets.atom?q=velos")
    assert response.mimetype == "application/atom+xml"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(response.data)
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert "<script>alert(1)</script> Vélos" in titles, "escaped by construction, kept as text"
    assert feed.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults") == "2"
    assert all(e.findtext(f"{atom}updated").endswith(("Z", "+00:00")) for e in feed.iter(f"{atom}entry"))


def test_opensearch_json_suggestions(client, records):
    body = json.loads(client.get("/api/suggest.osjson?q=vel").data)
    assert body[0] == "vel" and "vélo" in body[1] and len(body) == 4


def test_cors_on_reads(client, records):
    response = client.get("/api/datasets", headers={"Origin": "https://opendata.paris.fr"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/datasets", headers={"Origin": "https://x.fr", "Access-Control-Request-Method": "GET"})
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_cors_with_an_origin_list(settings, backend):
    from service.app import create_app
    from service.catalogue import Catalogue

    app = create_app(catalogue=Catalogue(settings.with_changes(cors_origins=("https://a.fr",)), backend=backend, portals=[]))
    client = app.test_client()
    allowed = client.get("/api/datasets", headers={"Origin": "https://a.fr"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.fr" and "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/datasets", headers={"Origin": "https://b.fr"}).headers


def test_etag_and_conditional_get(client, records):
    first = client.get("/api/datasets?q=velos")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    second = client.get("/api/datasets?q=velos", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304 and second.data == b""
    other = client.get("/api/datasets?q=arbres", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_gzip(client, records):
    response = client.get("/catalog.ttl", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"dcat:Dataset" in gzip.decompress(response.data)
    assert "Content-Encoding" not in client.get("/catalog.ttl").headers


def test_errors_are_not_cached(client):
    response = client.get("/api/datasets?page_size=1000")
    assert response.status_code == 400 and "ETag" not in response.headers


def test_openapi_document_lists_every_route(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ["/api/datasets", "/api/datasets/{record_id}", "/api/suggest", "/api/portals", "/api/harvest/jobs",
                 "/catalog", "/catalog.{extension}", "/datasets/{record_id}", "/opensearch.xml", "/api/datasets.atom"]:
        assert path in spec["paths"], path
    names = [p["name"] for p in spec["paths"]["/api/datasets"]["get"]["parameters"]]
    assert {"q", "portal", "theme", "sort", "page", "page_size", "bbox", "modified_since"} <= set(names)
    assert "Error" in spec["components"]["schemas"]


def test_openapi_declares_json_ld_exports_as_objects_and_other_rdf_as_text(client):
    responses = client.get("/api/openapi.json").get_json()["paths"]["/catalog.{extension}"]["get"]["responses"]
    content = responses["200"]["content"]
    assert content["application/ld+json"]["schema"] == {"type": "object"}
    assert content["text/turtle"]["schema"] == {"type": "string"}
    exported = client.get("/catalog.jsonld")
    assert exported.mimetype == "application/ld+json" and isinstance(exported.get_json(force=True), dict)


def test_docs_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 200 and b"/api/datasets" in response.data


def test_clusters_in_the_api(client, backend):
    city = RecordFactory(guid="https://opendata.paris.fr/explore/dataset/velib/", title="Vélib'", description="De la ville",
                         quality=90)
    copy = RecordFactory(portal_id="datagouv", guid="https://opendata.paris.fr/explore/dataset/velib/", title="Vélib'",
                         description="", quality=50)
    backend.replace_portal("paris", [city], now=NOW)
    backend.replace_portal("datagouv", [copy], now=NOW)
    body = client.get("/api/datasets?q=velib").get_json()
    assert body["total"] == 1
    (result,) = body["results"]
    assert [m["portal_id"] for m in result["also_on"]] == ["datagouv" if result["portal_id"] == "paris" else "paris"]
    detail = client.get(f"/api/datasets/{city.record_id}").get_json()
    assert {m["portal_id"] for m in detail["cluster"]["members"]} == {"paris", "datagouv"}
    assert detail["cluster"]["merged"]["description"] == {"value": "De la ville", "portal": "paris", "record": city.record_id}
    assert 0 <= detail["quality_report"]["score"] <= 100
    assert set(detail["quality_report"]["dimensions"]) == {"findability", "accessibility", "interoperability", "reusability", "contextuality"}


def test_filters_accept_codes_and_labels_in_any_case(client, records):
    everything = client.get("/api/datasets").get_json()["total"]
    for params in ("format=csv", "format=CSV", "license=etalab-2.0", "license=licence ouverte v2.0", "keyword=VELO", "publisher=ville de paris"):
        body = client.get(f"/api/datasets?{params}").get_json()
        assert body["total"] >= 1, params
    assert client.get("/api/datasets?format=csv").get_json()["total"] == everything
    assert client.get("/api/datasets?theme=envi").get_json()["total"] == everything, "the EU theme code of Environnement"


def test_facets_carry_codes_and_labels(client, records):
    facets = client.get("/api/datasets").get_json()["facets"]
    assert {"value": "CSV", "code": "CSV", "label": "CSV", "count": 3} in facets["format"]
    (licence,) = facets["license"]
    assert (licence["code"], licence["label"]) == ("etalab-2.0", "Licence Ouverte v2.0")


def test_an_unknown_filter_value_is_a_400_naming_the_valid_ones(client, records):
    response = client.get("/api/datasets?format=docx")
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and "format='docx'" in body["error"] and "CSV" in body["error"]
    assert list(body["errors"]) == ["format"] and "CSV" in body["errors"]["format"][0], "the field is named, as for any 400"


def test_languages_and_agents_known_by_iri_reach_the_api_and_the_page(client, backend):
    from mappings.record import Translation

    record = RecordFactory(
        guid="luft", title="Luftqualität", title_lang="de", description="Messungen", description_lang="de",
        translations=(Translation("title", "en", "Air quality"),),
        publisher=Agent(name="", uri="https://agencies.example/id/Umweltamt", kind="http://xmlns.com/foaf/0.1/Organization"),
        rights="Nutzung frei",
    )
    backend.replace_portal("paris", [record], now=NOW)
    data = client.get(f"/api/datasets/{record.record_id}").get_json()
    assert (data["title_lang"], data["description_lang"], data["rights"]) == ("de", "de", "Nutzung frei")
    assert data["translations"] == [{"field": "title", "lang": "en", "text": "Air quality"}]
    assert data["publisher"]["kind"] == "http://xmlns.com/foaf/0.1/Organization"
    page = client.get(f"/datasets/{record.record_id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<h1 lang="de">Luftqualität</h1>' in page
    assert "https://agencies.example/id/Umweltamt" in page, "a publisher known only by IRI is still shown"
