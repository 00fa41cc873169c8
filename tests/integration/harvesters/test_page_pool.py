"""Harvests whose pages are built and mapped by worker processes (``FEDCAT_HARVEST_WORKERS``)."""

from __future__ import annotations

import os

import pytest

from harvesters.base import HarvestReport
from harvesters.fetch.http import HttpClient
from harvesters.page_mappers import PooledMapper, SerialMapper, mapper_for
from harvesters.page_pool import PagePool, prefetched
from harvesters.portals.udata import UdataHarvester
from mappings.portals import Portal
from service.search.tantivy_ import TantivyBackend
from simulators.sample_data import generate
from simulators.udata import UdataSimulator, _object_id
from tests.conftest import FAST_HTTP, NOW, quick_harvest

DATASETS = generate("datagouv", 25)
#: on the third page of ten: always built by a worker
ODD = DATASETS[22]
ODD_ID = _object_id(ODD.slug)


class FailingUdataHarvester(UdataHarvester):
    """Maps one dataset with an unexpected error (in whichever process maps it)."""

    def _map(self, graph, node, harvested_at):
        if str(node).endswith(ODD_ID):
            raise ValueError("odd record")
        return super()._map(graph, node, harvested_at)


class CrashingUdataHarvester(UdataHarvester):
    """Kills the worker process mapping one dataset (never the main process: only workers map page 3)."""

    def _map(self, graph, node, harvested_at):
        if str(node).endswith(ODD_ID) and isinstance(self.mapper, SerialMapper):  # a worker's harvester maps serially
            os._exit(3)
        return super()._map(graph, node, harvested_at)


@pytest.fixture(scope="module")
def udata():
    with UdataSimulator(DATASETS) as simulator:
        yield simulator


def portal_of(simulator, page_size=10):
    return Portal(id="datagouv", name="data.gouv.fr", kind="udata", url=simulator.url, options={"page_size": page_size})


def records_of(harvester_class, simulator, workers, page_size=10):
    portal = portal_of(simulator, page_size)
    http = HttpClient(allowed_hosts=frozenset({portal.origin}), settings=FAST_HTTP, sleep=lambda s: None)
    harvester = harvester_class(portal, http, mapper=mapper_for(workers))
    report = HarvestReport()
    return list(harvester.records(report, harvested_at=NOW.isoformat())), report


def harvest(store, simulator, workers, page_size=10):
    return quick_harvest(portal_of(simulator, page_size), store, workers=workers)


def test_workers_give_the_same_records_in_the_same_order(udata):
    alone, _ = records_of(UdataHarvester, udata, workers=1)
    pooled, report = records_of(UdataHarvester, udata, workers=2)
    assert [r.to_dict() for r in pooled] == [r.to_dict() for r in alone]
    assert (report.pages, report.records, report.failed_count) == (3, 25, 0)


def test_a_bad_record_in_a_worker_is_a_reported_failure(udata):
    records, report = records_of(FailingUdataHarvester, udata, workers=2)
    assert len(records) == 24
    assert report.failed_count == 1
    assert report.failed[0].reason == "unexpected ValueError: odd record"
    assert report.failed[0].source.endswith(ODD_ID)


def test_a_worker_crash_fails_the_harvest_and_changes_nothing(udata, monkeypatch):
    store = TantivyBackend(":memory:")
    assert harvest(store, udata, workers=1).status == "done"
    count = store.counts_by_portal()["datagouv"]
    monkeypatch.setattr("service.harvesting.runner.get_harvester", lambda kind: CrashingUdataHarvester)
    job = quick_harvest(portal_of(udata), store, workers=2, revalidate=True)
    assert job.status == "failed"
    assert "harvest worker stopped" in job.error
    assert store.counts_by_portal()["datagouv"] == count
    assert store.get(f"datagouv:{udata.dataset_uri(ODD)}") is not None


def test_one_worker_or_one_page_stays_in_process(udata, monkeypatch):
    def refuse(self):
        raise AssertionError("no worker process should start")

    monkeypatch.setattr(PagePool, "_start", refuse)
    assert harvest(TantivyBackend(":memory:"), udata, workers=1).status == "done"
    assert harvest(TantivyBackend(":memory:"), udata, workers=2, page_size=100).status == "done"


def test_prefetched_keeps_order_and_raises_in_place():
    def items():
        yield from range(5)
        raise RuntimeError("page 6 failed")

    seen = []
    with pytest.raises(RuntimeError, match="page 6"):
        for item in prefetched(items(), depth=2):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_the_mapper_is_chosen_from_the_workers_setting():
    assert isinstance(mapper_for(1), SerialMapper)
    pooled = mapper_for(2)
    assert isinstance(pooled, PooledMapper) and pooled.workers == 2
    assert isinstance(mapper_for(0), (SerialMapper, PooledMapper))  # 0: the usable CPUs


def test_a_kind_with_its_own_constructor_takes_the_mapper(udata):
    """Every kind is built the same way: GeoNetwork's own ``__init__`` passes the mapper on."""
    from harvesters.portals.geonetwork import GeonetworkHarvester

    mapper = PooledMapper(2)
    portal = Portal(id="lyon", name="Lyon", kind="geonetwork", url=udata.url)
    assert GeonetworkHarvester(portal, mapper=mapper).mapper is mapper
