"""What only the engine backend does: alias-swap reindexing, shared jobs, and engine faults."""

from __future__ import annotations

import threading

import pytest
from elasticsearch import Elasticsearch

from harvesters.http import HttpSettings
from harvesters.runner import harvest_portal
from mappings.portals import Portal
from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.search.base import SearchQuery, SearchUnavailable
from service.search.elasticsearch_ import ElasticsearchBackend
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW
from tests.factories import RecordFactory
from tests.integration.backends import elasticsearch_backend


@pytest.fixture
def es(search_engine_url):
    backend = elasticsearch_backend(search_engine_url)
    yield backend
    backend.client.indices.delete(index=backend.alias.removesuffix("-records") + "-*")
    backend.close()


def test_reindex_swaps_the_alias_while_searches_keep_answering(es):
    records = [RecordFactory(guid=f"g{n}", title=f"Vélos {n}") for n in range(1500)]
    es.replace_portal("paris", records, now=NOW)
    before = es.current_index()
    totals, errors, done = [], [], threading.Event()

    def search_until_done():
        while not done.is_set():
            try:
                totals.append(es.search(SearchQuery(q="velos")).total)
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(exc)

    searcher = threading.Thread(target=search_until_done)
    searcher.start()
    try:
        after = es.reindex()
    finally:
        done.set()
        searcher.join()
    assert after != before and es.current_index() == after
    assert not es.client.indices.exists(index=before)
    assert errors == []
    assert len(totals) >= 3 and set(totals) == {1500}, "every search during the rebuild saw the whole index"
    assert es.get("paris:g7").record == records[7]


def test_jobs_are_shared_between_backend_instances(es, search_engine_url):
    harvest_job = es.jobs()
    assert harvest_job == []
    from mappings.jobs import HarvestJob

    es.save_job(HarvestJob(job_id="j1", portal_id="paris", started_at=NOW.isoformat(), status="done"))
    other_replica = elasticsearch_backend(search_engine_url, prefix=es.alias.removesuffix("-records"))
    assert [j.job_id for j in other_replica.jobs()] == ["j1"]


def dead_backend() -> ElasticsearchBackend:
    return ElasticsearchBackend(Elasticsearch("http://127.0.0.1:9", request_timeout=1, max_retries=0), sleep=lambda s: None)


def test_unreachable_engine_is_search_unavailable():
    backend = dead_backend()
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="velo"))


def test_unreachable_engine_answers_503_json():
    catalogue = Catalogue(Settings(search_backend="elasticsearch"), backend=dead_backend(), portals=[])
    client = create_app(catalogue=catalogue).test_client()
    response = client.get("/api/datasets?q=velo")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False and body["code"] == "search_unavailable"


def test_harvest_into_a_vanished_engine_fails_and_loses_nothing(es, search_engine_url):
    with DcatPortalSimulator(generate("paris", 12), page_size=5) as simulator:
        portal = Portal(id="paris", name="Paris", kind="dcat", url=simulator.catalog_url("ttl"))
        first = harvest_portal(portal, es, http_settings=HttpSettings(retries=0), now=lambda: NOW)
        assert first.status == "done" and es.count() == 12

        flaky = elasticsearch_backend(search_engine_url, prefix=es.alias.removesuffix("-records"))

        def engine_vanishes(report):  # called once the portal has been read, before anything is written
            flaky.client = Elasticsearch("http://127.0.0.1:9", request_timeout=1, max_retries=0)

        simulator.datasets = generate("paris", 3)
        second = harvest_portal(
            portal, flaky, http_settings=HttpSettings(retries=0), now=lambda: NOW, on_progress=engine_vanishes
        )
    assert second.status == "failed" and "unreachable" in second.error
    assert es.count() == 12, "the previous harvest's records are all still there"


def test_oversized_values_are_indexed_not_rejected(es):
    huge = RecordFactory(guid="huge", keywords=("x" * 40_000,), title="Vélos " + "t" * 40_000, modified="2024-13-45")
    stats = es.replace_portal("paris", [huge, RecordFactory(guid="ok")], now=NOW)
    assert (stats.created, stats.rejected) == (2, ())
    assert es.get("paris:huge").record == huge


def test_documents_refused_by_the_engine_are_reported_per_record(es):
    refused = es._bulk_send([{"_op_type": "index", "_id": "paris:odd", "_source": {"not_in_mapping": 1}}])
    assert [(r.source, "rejected by the search engine" in r.reason) for r in refused] == [("paris:odd", True)]
