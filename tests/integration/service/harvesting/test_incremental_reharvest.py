"""Re-harvests write only what changed: counted in SQL statements and index commits, never timed.

An unchanged catalogue harvested again rewrites no record, queues nothing for the index, commits
nothing to it and leaves the data version where it was; a catalogue where one dataset changed
rewrites and re-indexes that record alone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from mappings.links import LinkCheck
from mappings.portals import Portal
from service.link_health import Stamper
from service.search.tantivy_ import TantivyBackend, TantivyIndex
from service.store.link_checks import SqliteLinkCheckStore
from simulators.sample_data import generate
from simulators.udata import UdataSimulator
from tests.conftest import NOW, quick_harvest
from tests.factories import DistributionFactory, RecordFactory

DATASETS = generate("datagouv", 30)
#: statements that change what is stored or what the index must apply
_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b.*\b(records|record_keys|index_outbox|meta)\b", re.I | re.S)


@pytest.fixture
def store(tmp_path):
    backend = TantivyBackend(str(tmp_path / "fedcat.db"))
    yield backend
    backend.close()


@pytest.fixture
def index_commits(monkeypatch):
    """The documents written by each commit of the search index."""
    commits: list[int] = []
    add_all = TantivyIndex._add_all

    def counted(self, writer, record_ids, on_progress):
        commits.append(add_all(self, writer, record_ids, on_progress))
        return commits[-1]

    monkeypatch.setattr(TantivyIndex, "_add_all", counted)
    return commits


def harvest(store, simulator, *, day: int = 0, transform=None):
    portal = Portal(id="datagouv", name="data.gouv.fr", kind="udata", url=simulator.url, options={"page_size": 10})
    now = NOW + timedelta(days=day)
    return quick_harvest(portal, store, now=lambda: now, transform=transform)


def writes_during(store, run) -> tuple[object, list[str]]:
    """Run ``run()`` and return its result and the writing SQL statements the store executed meanwhile."""
    statements: list[str] = []
    conn = store._conn()  # the harvest writes from this thread, through this thread's connection
    conn.set_trace_callback(statements.append)
    try:
        result = run()
    finally:
        conn.set_trace_callback(None)
    return result, [sql for sql in statements if _WRITES.match(sql)]


def test_an_unchanged_catalogue_harvested_again_rewrites_and_reindexes_nothing(store, index_commits):
    with UdataSimulator(list(DATASETS)) as simulator:
        first = harvest(store, simulator)
        assert first.stats.created == len(DATASETS) and index_commits == [len(DATASETS)]
        version = store.data_version()
        job, writes = writes_during(store, lambda: harvest(store, simulator))
    assert job.status == "done", job.error
    assert (job.pages, job.pages_unchanged) == (3, 3)
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (0, 0, len(DATASETS), 0)
    assert writes == [], "an unchanged re-harvest wrote records, keys, the outbox or the data version"
    assert index_commits == [len(DATASETS)], "an unchanged re-harvest committed to the search index"
    assert store.data_version() == version
    assert store.count() == len(DATASETS)


def test_one_changed_dataset_is_the_only_record_rewritten_and_reindexed(store, index_commits):
    with UdataSimulator(list(DATASETS)) as simulator:
        harvest(store, simulator)
        changed = list(DATASETS)
        changed[12] = replace(DATASETS[12], title=f"{DATASETS[12].title} (révisé)")
        simulator.datasets = changed
        job, writes = writes_during(store, lambda: harvest(store, simulator))
    assert (job.pages, job.pages_unchanged) == (3, 2)
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (0, 1, 29, 0)
    inserted = [sql for sql in writes if sql.lstrip().upper().startswith("INSERT INTO RECORDS ")]
    assert len(inserted) == 1, inserted
    assert index_commits[1:] == [1], "one commit, of the changed record's document alone"
    assert store.get(f"datagouv:{simulator.dataset_uri(DATASETS[12])}").record.title.endswith("(révisé)")


@pytest.mark.parametrize("workers", [1, 2])
def test_the_unchanged_datasets_of_a_changed_page_are_kept_not_mapped_again(store, workers):
    mapped: list[str] = []

    def noted(record):  # what reaches the transform was mapped in this run; kept records are taken as stored
        mapped.append(record.record_id)
        return record

    portal = Portal(id="datagouv", name="data.gouv.fr", kind="udata", url="", options={"page_size": 10})
    with UdataSimulator(list(DATASETS)) as simulator:
        portal = replace(portal, url=simulator.url)
        quick_harvest(portal, store, workers=workers, transform=noted)
        changed = list(DATASETS)
        changed[12] = replace(DATASETS[12], title=f"{DATASETS[12].title} (révisé)")
        simulator.datasets = changed
        mapped.clear()
        job = quick_harvest(portal, store, workers=workers, transform=noted)
    assert (job.pages, job.pages_unchanged, job.stats.updated, job.stats.unchanged) == (3, 2, 1, 29)
    assert mapped == [f"datagouv:{simulator.dataset_uri(DATASETS[12])}"], "the changed page's other nine were mapped again"


def catalogue_pages(simulator) -> list[str]:
    return [r.arg("page") for r in simulator.requests if r.path.startswith("/api/1/site/catalog.")]


def test_a_reharvest_reads_each_page_once_though_the_next_pages_are_asked_for_ahead(store):
    with UdataSimulator(list(DATASETS)) as simulator:
        harvest(store, simulator)
        simulator.requests.clear()
        job = harvest(store, simulator)
        assert (job.pages, job.pages_unchanged) == (3, 3)
        assert sorted(catalogue_pages(simulator)) == ["1", "2", "3"]


def test_a_catalogue_that_shrank_is_read_right_though_a_page_gone_was_asked_for_ahead(store):
    with UdataSimulator(list(DATASETS)) as simulator:
        harvest(store, simulator)
        simulator.datasets = list(DATASETS[:15])
        simulator.requests.clear()
        job = harvest(store, simulator)
        # page 3 was foreseen from the last run: asked for at most once, and never taken as a page
        assert catalogue_pages(simulator).count("3") <= 1
    assert job.status == "done" and job.pages == 2
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (0, 0, 15, 15)
    assert store.count() == 15


def test_records_of_unchanged_pages_are_stamped_again_on_the_first_run_of_a_day(store):
    stamped: list[str] = []

    def stamp(record):
        stamped.append(record.record_id)
        return record

    with UdataSimulator(list(DATASETS)) as simulator:
        harvest(store, simulator, transform=stamp)
        assert len(stamped) == len(DATASETS)
        harvest(store, simulator, transform=stamp)
        assert len(stamped) == len(DATASETS), "later the same day, kept records are taken as stored"
        job = harvest(store, simulator, day=1, transform=stamp)
    assert job.pages_unchanged == 3
    assert len(stamped) == 2 * len(DATASETS), "freshness depends on the day: the next day's first run stamps them all"


def test_a_batch_is_stamped_as_each_record_would_be():
    records = [RecordFactory(distributions=(DistributionFactory(), DistributionFactory())) for _ in range(5)]
    checks = SqliteLinkCheckStore(":memory:")
    broken = records[1].distributions[0].download_url
    checks.save([LinkCheck(broken, "2026-05-01T00:00:00+00:00", "broken", status=404)])
    stamper = Stamper(checks, margin=1.5, today=lambda: NOW.date())
    assert stamper.many(records) == [stamper(record) for record in records]
    assert stamper.many(records)[1].link_status == "broken"
    checks.close()
