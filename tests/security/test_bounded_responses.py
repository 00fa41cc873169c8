"""Huge records do not reach every response (issue 16, item 3): results, feeds and pages carry summaries.

The store keeps the full text; search results cut texts to 500 characters and
lists to 20 items (saying which fields were cut), the Atom feed cuts summaries
to 1,000 characters, the dataset endpoint gives everything, and no response
exceeds MAX_RESPONSE_BYTES.
"""

from __future__ import annotations

from urllib.parse import quote
from xml.etree import ElementTree as ET

from mappings.limits import TRUNCATION_MARKER
from mappings.record import Distribution
from service.results import RESULT_LIST_ITEMS, RESULT_TEXT_CHARS
from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.search.tantivy_ import TantivyBackend
from service.security import MAX_RESPONSE_BYTES
from tests.conftest import NOW, TEST_PORTALS
from tests.factories import RecordFactory

HUGE = ("vélos en libre service " * 50_000)[: 1024 * 1024]  # 1 MB of words


def _client(*records):
    backend = TantivyBackend(":memory:")
    backend.replace_portal("paris", list(records), now=NOW)
    settings = Settings(database=":memory:", base_url="http://fedcat.test", rate_limit="off")
    app = create_app(catalogue=Catalogue(settings, backend=backend, portals=list(TEST_PORTALS)))
    return app.test_client()


def _huge_record(guid="huge", description=HUGE):
    distributions = tuple(Distribution(access_url=f"http://p.test/{n}.csv", description="d" * 5000) for n in range(60))
    return RecordFactory(guid=guid, title="Vélos " + "t" * 2000, description=description, keywords=tuple(f"k{n}" for n in range(80)), distributions=distributions)


def test_search_results_carry_a_summary_and_say_what_was_cut():
    client = _client(_huge_record(), RecordFactory(guid="small", title="Vélos courts", description="court"))
    response = client.get("/api/datasets?q=velos")
    assert response.status_code == 200
    assert len(response.data) < 200_000, "the megabyte of description stays in the store"
    results = {r["id"]: r for r in response.get_json()["results"]}
    huge, small = results["paris:huge"], results["paris:small"]
    assert huge["description"].endswith(TRUNCATION_MARKER) and len(huge["description"]) <= RESULT_TEXT_CHARS
    assert len(huge["title"]) <= RESULT_TEXT_CHARS and len(huge["keywords"]) == RESULT_LIST_ITEMS
    assert len(huge["distributions"]) == RESULT_LIST_ITEMS
    assert all(len(d["description"]) <= RESULT_TEXT_CHARS for d in huge["distributions"])
    assert huge["truncated"] == ["description", "distributions", "keywords", "title"]
    assert sum(len(segment["text"]) for segment in huge["highlight"]["title"]) <= RESULT_TEXT_CHARS
    assert small["truncated"] == [] and small["description"] == "court"


def test_the_dataset_endpoint_gives_the_full_text():
    client = _client(_huge_record())
    body = client.get("/api/datasets/" + quote("paris:huge", safe="")).get_json()
    assert body["description"] == HUGE and len(body["distributions"]) == 60 and len(body["keywords"]) == 80
    assert "truncated" not in body


def test_the_atom_feed_cuts_summaries():
    client = _client(_huge_record())
    response = client.get("/api/datasets.atom?q=velos")
    assert response.status_code == 200 and len(response.data) < 50_000
    summaries = [e.text for e in ET.fromstring(response.data).iter("{http://www.w3.org/2005/Atom}summary")]
    assert summaries and all(len(s) <= 1000 and s.endswith(TRUNCATION_MARKER) for s in summaries)


def test_no_response_exceeds_the_ceiling(monkeypatch):
    assert MAX_RESPONSE_BYTES == 16 * 1024 * 1024  # documented in docs/reliability.md
    monkeypatch.setattr("service.security.MAX_RESPONSE_BYTES", 200_000)  # the same check, on a smaller record
    client = _client(_huge_record(description="x " * 150_000))
    response = client.get("/api/datasets/" + quote("paris:huge", safe=""))
    assert response.status_code == 500 and len(response.data) < 10_000
    body = response.get_json()
    assert body["code"] == "response_too_large" and "page_size" in body["error"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/datasets?q=x").status_code == 200, "its search result is a summary, well under the ceiling"
