"""What only the engine backend does: alias-swap reindexing, shared jobs, and engine faults."""

from __future__ import annotations

import threading

import pytest
from elasticsearch import Elasticsearch

from harvesters.fetch.http import HttpSettings
from mappings.portals import Portal
from service.app import create_app
from service.catalogue import Catalogue
from service.config import Settings
from service.search import elasticsearch_ as elasticsearch_module
from service.search.base import SearchQuery, SearchUnavailable, StoreError
from service.search.elasticsearch_ import ElasticsearchBackend
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW, run_harvest
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
        first = run_harvest(portal, es, http=HttpSettings(retries=0), now=lambda: NOW)
        assert first.status == "done" and es.count() == 12

        flaky = elasticsearch_backend(search_engine_url, prefix=es.alias.removesuffix("-records"))

        def engine_vanishes(report):  # called once the portal has been read, before anything is written
            flaky.client = Elasticsearch("http://127.0.0.1:9", request_timeout=1, max_retries=0)

        simulator.datasets = generate("paris", 3)
        second = run_harvest(
            portal, flaky, http=HttpSettings(retries=0), now=lambda: NOW, on_progress=engine_vanishes
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


def test_searches_during_a_portal_write_see_the_old_harvest_or_the_new_one_never_a_mix(es, monkeypatch):
    monkeypatch.setattr(elasticsearch_module, "_BULK_BATCH", 100)  # many batches: many moments to look between
    es.replace_portal("paris", [RecordFactory(guid=f"g{n}", title=f"Vélos {n}") for n in range(1000)], now=NOW)
    seen, done = set(), threading.Event()

    def look_until_done():
        # one request per look: separate searches could straddle the commit
        words = {word: {"filter": {"match": {"title": word}}} for word in ("velos", "parkings")}
        while not done.is_set():
            answer = es.client.search(index=es.alias, size=0, track_total_hits=True, aggs=words)
            aggregations = answer["aggregations"]
            seen.add((aggregations["velos"]["doc_count"], aggregations["parkings"]["doc_count"], answer["hits"]["total"]["value"]))

    looker = threading.Thread(target=look_until_done)
    looker.start()
    try:
        # 600 retitled, 400 gone: six batches of new versions, ten of retirement marks
        es.replace_portal("paris", [RecordFactory(guid=f"g{n}", title=f"Parkings {n}") for n in range(600)], now=NOW)
    finally:
        done.set()
        looker.join()
    assert len(seen) >= 1 and seen <= {(1000, 0, 1000), (0, 600, 600)}, seen
    assert (es.search(SearchQuery(q="velos")).total, es.search(SearchQuery(q="parkings")).total) == (0, 600)


def test_a_new_version_the_engine_refuses_leaves_the_stored_one_in_place(es, monkeypatch):
    es.replace_portal("paris", [RecordFactory(guid="good", title="Vélos"), RecordFactory(guid="bad", title="Vélos")], now=NOW)
    real_document = elasticsearch_module._document

    def refused_for_bad(record, *args, **kwargs):
        document = real_document(record, *args, **kwargs)
        return {**document, "not_in_mapping": 1} if record.record_id == "paris:bad" else document

    monkeypatch.setattr(elasticsearch_module, "_document", refused_for_bad)
    stats = es.replace_portal(
        "paris", [RecordFactory(guid="good", title="Parkings"), RecordFactory(guid="bad", title="Parkings")], now=NOW
    )
    assert stats.updated == 2 and [r.source for r in stats.rejected] == ["paris:bad"]
    assert es.get("paris:good").record.title == "Parkings"
    assert es.get("paris:bad").record.title == "Vélos", "the refused record keeps its stored version"
    assert es.count() == 2


def test_a_reindex_refuses_to_swap_when_a_harvest_committed_during_the_copy(es):
    es.replace_portal("paris", [RecordFactory(guid=f"g{n}") for n in range(30)], now=NOW)
    before = es.current_index()

    def harvest_lyon_meanwhile(done, total):
        if done == total and not es.committed_generations().get("lyon"):
            es.replace_portal("lyon", [RecordFactory(portal_id="lyon", guid="l1")], now=NOW)

    with pytest.raises(StoreError, match="committed during the rebuild"):
        es.reindex(on_progress=harvest_lyon_meanwhile)
    assert es.current_index() == before and es.count() == 31, "nothing was swapped, nothing lost"
    assert len(es.client.indices.get(index=es.alias + "-*")) == 1, "the unfinished index was dropped"
    assert es.reindex() != before and es.count() == 31 and es.committed_generations() == {"paris": 1, "lyon": 1}


def test_the_commit_is_kept_in_the_alias_filter_and_read_back_by_every_replica(es, search_engine_url):
    es.replace_portal("paris", [RecordFactory(guid="a")], now=NOW)
    es.replace_portal("paris", [RecordFactory(guid="a", title="Autre")], now=NOW)
    es.replace_portal("lyon", [RecordFactory(portal_id="lyon", guid="b")], now=NOW)
    replica = elasticsearch_backend(search_engine_url, prefix=es.alias.removesuffix("-records"))
    assert replica.committed_generations() == {"paris": 2, "lyon": 1}
    assert es.delete_portal("paris") == 1
    assert replica.committed_generations() == {"lyon": 1} and replica.count() == 1


def test_a_write_after_a_failed_one_clears_its_marks_so_records_it_would_have_replaced_stay(es, monkeypatch):
    originals = [RecordFactory(guid=f"g{n}", title=f"Vélos {n}") for n in range(20)]
    es.replace_portal("paris", originals, now=NOW)

    def engine_gone(*args, **kwargs):
        raise SearchUnavailable("search engine unreachable: at the commit")

    with monkeypatch.context() as patch:
        patch.setattr(ElasticsearchBackend, "_commit", engine_gone)
        with pytest.raises(SearchUnavailable):  # every record changed, 5 dropped: all 20 marked, nothing committed
            es.replace_portal("paris", [RecordFactory(guid=f"g{n}", title="Autre") for n in range(15)], now=NOW)
    assert es.count() == 20 and es.search(SearchQuery(q="autre")).total == 0

    stats = es.replace_portal("paris", originals, now=NOW)  # the same records as stored: nothing to replace
    assert (stats.unchanged, stats.updated, stats.deleted) == (20, 0, 0)
    assert es.count() == 20 and sorted(r.record_id for r in es.iter_records()) == sorted(r.record_id for r in originals)
    assert es.client.count(index=es.current_index())["count"] == 20, "the failed write's documents were cleared"
