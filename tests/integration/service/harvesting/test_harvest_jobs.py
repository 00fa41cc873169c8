"""Harvest jobs and the page cache: statuses, counts, failures, grace period, pages skipped when unchanged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rdflib import Graph

from harvesters.fetch.page_cache import CACHE_VERSION, PageCache, PageEntry, graph_digest
from mappings.jobs import FailedRecord
from mappings.portals import Portal
from service.catalogue import Catalogue
from service.config import Settings
from simulators.dkan import DkanSimulator, package_id
from simulators.geonetwork import GeonetworkSimulator
from simulators.sample_data import generate
from simulators.udata import UdataSimulator
from tests.conftest import FAST_HTTP, NOW, run_harvest

DATASETS = generate("montpellier", 12)


def dkan_portal(simulator) -> Portal:
    return Portal(id="montpellier", name="Montpellier", kind="dkan", url=simulator.url, options={"page_size": 5})


def harvest(store, portal, *, at: datetime = NOW, grace: timedelta = timedelta(days=7), **kwargs):
    return run_harvest(portal, store, http=FAST_HTTP, grace=grace, now=lambda: at, sleep=lambda s: None, **kwargs)


def test_a_job_records_its_counts_pages_and_timing(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        job = harvest(backend, dkan_portal(simulator))
    assert job.status == "done"
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (12, 0, 0, 0)
    assert (job.pages, job.pages_unchanged) == (4, 0)
    assert job.started_at == job.finished_at == NOW.isoformat()
    (stored,) = backend.jobs(portal_id="montpellier")
    assert stored == job


def test_missing_records_are_flagged_then_removed_after_the_grace_period(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        portal = dkan_portal(simulator)
        harvest(backend, portal)
        simulator.replace_datasets(DATASETS[:10])
        flagged = harvest(backend, portal, at=NOW + timedelta(days=1))
        gone = backend.get(f"montpellier:{package_id(DATASETS[11].slug)}")
        assert (flagged.status, flagged.stats.flagged, flagged.stats.deleted) == ("done", 2, 0)
        assert gone is not None and gone.missing_since == (NOW + timedelta(days=1)).isoformat()
        still = harvest(backend, portal, at=NOW + timedelta(days=7))
        assert (still.stats.flagged, still.stats.deleted, backend.count()) == (0, 0, 12)
        removed = harvest(backend, portal, at=NOW + timedelta(days=8, hours=1))
    assert (removed.stats.deleted, backend.count()) == (2, 10)


def test_a_dataset_that_comes_back_is_unflagged(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        portal = dkan_portal(simulator)
        harvest(backend, portal)
        simulator.replace_datasets(DATASETS[:11])
        harvest(backend, portal, at=NOW + timedelta(days=1))
        simulator.replace_datasets(list(DATASETS))
        harvest(backend, portal, at=NOW + timedelta(days=2))
    assert backend.get(f"montpellier:{package_id(DATASETS[11].slug)}").missing_since is None


def test_the_grace_period_comes_from_the_settings(backend, monkeypatch):
    monkeypatch.delenv("FEDCAT_DELETE_GRACE_DAYS", raising=False)
    settings = Settings.from_env().with_changes(database=":memory:")
    assert settings.delete_grace_days == 7
    with DkanSimulator(list(DATASETS)) as simulator:
        catalogue = Catalogue(settings, backend=backend, portals=[dkan_portal(simulator)])
        catalogue.harvest(catalogue.portals[0])
        simulator.replace_datasets(DATASETS[:11])
        job = catalogue.harvest(catalogue.portals[0])
    assert (job.stats.flagged, job.stats.deleted, backend.count()) == (1, 0, 12)


def test_a_failed_harvest_flags_and_deletes_nothing(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        portal = dkan_portal(simulator)
        harvest(backend, portal)
        simulator.replace_datasets(DATASETS[:3])
        simulator.set_fault("500", after=1)
        job = harvest(backend, portal, at=NOW + timedelta(days=30), grace=timedelta(0))
    assert job.status == "failed" and "HTTP 500" in job.error
    assert backend.count() == 12
    assert all(backend.get(f"montpellier:{package_id(d.slug)}").missing_since is None for d in DATASETS)


def test_unchanged_pages_keep_their_records_and_count_them_unchanged(backend):
    """Pages 1 and 2 answer 304, page 3 changed: its dropped dataset goes, the others stay."""
    with DkanSimulator(list(DATASETS)) as simulator:
        portal = dkan_portal(simulator)
        harvest(backend, portal)
        simulator.replace_datasets(DATASETS[:11])
        job = harvest(backend, portal, grace=timedelta(0))
        not_modified = sum(1 for r in simulator.requests[-4:] if "If-None-Match" in r.headers)
    assert job.pages_unchanged == 2 and not_modified >= 2
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (0, 0, 11, 1)


def test_failed_records_of_an_unchanged_page_are_reported_again(backend):
    class Untitled(GeonetworkSimulator):
        def _render(self, schema, dataset, index):
            text = super()._render(schema, dataset, index)
            return text.replace(dataset.title.replace("'", "&#x27;"), "") if index == 0 else text

    with Untitled(generate("lyon", 4)) as simulator:
        portal = Portal(id="lyon", name="Lyon", kind="geonetwork", url=simulator.csw_url)
        first = harvest(backend, portal)
        second = harvest(backend, portal)
    assert first.status == second.status == "done-with-errors"
    assert second.pages_unchanged == second.pages == 1
    assert second.failed == first.failed and "no dct:title" in second.failed[0].reason


def test_revalidate_reads_every_page_again(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        harvest(backend, dkan_portal(simulator))
        job = harvest(backend, dkan_portal(simulator), revalidate=True)
    assert (job.pages_unchanged, job.stats.unchanged) == (0, 12)


def test_a_store_that_lost_records_makes_the_next_harvest_read_everything(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        harvest(backend, dkan_portal(simulator))
        backend.delete_portal("montpellier")
        job = harvest(backend, dkan_portal(simulator))
    assert (job.pages_unchanged, job.stats.created, backend.count()) == (0, 12, 12)


def test_page_cache_is_saved_per_portal_and_only_after_success(backend):
    with UdataSimulator(generate("datagouv", 12), page_size=5) as simulator:
        portal = Portal(id="datagouv", name="d", kind="udata", url=simulator.url, options={"page_size": 5})
        harvest(backend, portal)
        saved = backend.page_cache("datagouv")
        simulator.set_fault("500", after=1)
        harvest(backend, portal)
    assert len(saved) == 3 and all(entry["v"] == CACHE_VERSION for entry in saved.values())
    assert sum(len(entry["record_ids"]) for entry in saved.values()) == 12
    assert backend.page_cache("datagouv") == saved, "the failed run left the cache as it was"
    assert backend.page_cache("paris") == {}


def test_an_unknown_kind_fails_the_job_naming_the_known_ones(backend):
    job = harvest(backend, Portal(id="x", name="x", kind="nosuchkind", url="http://127.0.0.1:9/"))
    assert job.status == "failed"
    assert "nosuchkind" in job.error and all(k in job.error for k in ("dkan", "geonetwork", "opendatasoft", "udata"))


def test_page_cache_round_trip_and_version_check():
    entry = PageEntry(etag='"x"', content_hash="h", record_ids=("a", "b"), next="2", failed=(FailedRecord("r", "s"),))
    cache = PageCache.from_stored({"k": entry.to_dict(), "old": {**entry.to_dict(), "v": "0:old"}})
    assert cache.lookup("k") == entry and cache.lookup("old") is None
    assert cache.record_count() == 2
    assert entry.request_headers() == {"If-None-Match": '"x"'}
    cache.remember("k", entry)
    assert cache.to_stored(complete=True) == {"k": entry.to_dict()}


def test_graph_digest_ignores_blank_node_names_and_order():
    turtle = "@prefix d: <http://purl.org/dc/terms/> . <http://x/a> d:temporal [ d:start \"{}\" ] ; d:title \"A\" ."
    one = Graph().parse(data=turtle.format("2019"), format="turtle")
    two = Graph().parse(data=turtle.format("2019"), format="turtle")
    other = Graph().parse(data=turtle.format("2020"), format="turtle")
    assert graph_digest(one) == graph_digest(two) != graph_digest(other)
    assert graph_digest(one, ["next 2"]) != graph_digest(one, ["next 3"])


@pytest.mark.parametrize("complete, expected", [(True, {"b"}), (False, {"a", "b"})])
def test_a_partial_run_keeps_the_entries_of_pages_it_did_not_reach(complete, expected):
    cache = PageCache(previous={"a": PageEntry(), "b": PageEntry()})
    cache.remember("b", PageEntry(etag="new"))
    assert set(cache.to_stored(complete=complete)) == expected


def test_progress_is_reported(backend):
    seen = []
    with DkanSimulator(list(DATASETS)) as simulator:
        harvest(backend, dkan_portal(simulator), on_progress=lambda report: seen.append(report.records))
    assert seen and seen[-1] == 12


def test_jobs_are_listed_newest_first(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        for day in range(3):
            harvest(backend, dkan_portal(simulator), at=datetime(2026, 6, 1 + day, tzinfo=timezone.utc))
    assert [j.started_at[:10] for j in backend.jobs(portal_id="montpellier")] == ["2026-06-03", "2026-06-02", "2026-06-01"]
