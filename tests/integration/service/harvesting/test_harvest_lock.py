"""One harvest per portal at a time: the lock in the store, its renewal, and what a run does around it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from service.harvesting.locking import PortalBusy, PortalLock, lock_name
from mappings.jobs import HarvestJob
from service.search.tantivy_ import TantivyBackend
from tests.conftest import NOW, NO_RETRY_HTTP, run_harvest
from tests.integration.backends import elasticsearch_backend
from tests.integration.ops_support import GatedPortal, dcat_portal
from tests.polling import wait_until



def harvest(store, portal, **kwargs):
    return run_harvest(portal, store, http=NO_RETRY_HTTP, grace=timedelta(0), now=lambda: NOW, **kwargs)


@pytest.fixture
def two_sqlite(tmp_path):
    """Two backends on one SQLite file, as two processes would have."""
    first, second = TantivyBackend(str(tmp_path / "f.db")), TantivyBackend(str(tmp_path / "f.db"))
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def two_elasticsearch(search_engine_url):
    """Two backends on the same indices of the real engine, as two processes would have."""
    first = elasticsearch_backend(search_engine_url)
    second = elasticsearch_backend(search_engine_url, prefix=first.alias.removesuffix("-records"))
    yield first, second
    first.client.indices.delete(index=f"{first.alias.removesuffix('-records')}-*")
    first.close()
    second.close()


@pytest.mark.parametrize("stores", ["two_sqlite", "two_elasticsearch"])
def test_racing_takers_on_two_instances_get_one_winner(request, stores):
    first, second = request.getfixturevalue(stores)
    assert _race_for_the_lock(first, second, takers=8).count(True) == 1


@pytest.mark.parametrize("stores", ["two_sqlite", "two_elasticsearch"])
def test_racing_takers_of_an_expired_lock_get_one_winner(request, stores):
    first, second = request.getfixturevalue(stores)
    assert first.acquire_lock("harvest:paris", "crashed", 0)
    assert _race_for_the_lock(first, second, takers=6).count(True) == 1


def _race_for_the_lock(first, second, *, takers: int) -> list[bool]:
    """Each taker, on one store or the other in turn, tries for the lock at the same moment: who got it."""
    barrier = threading.Barrier(takers)

    def take(n: int) -> bool:
        barrier.wait()
        return (first if n % 2 else second).acquire_lock("harvest:paris", f"owner-{n}", 60)

    with ThreadPoolExecutor(takers) as pool:
        return list(pool.map(take, range(takers)))


def test_a_held_lock_is_renewed_until_released(two_sqlite):
    first, second = two_sqlite
    with PortalLock.acquire(first, "paris", owner="me", ttl=0.3):
        threading.Event().wait(0.7)  # more than two lifetimes: only renewals keep it
        assert not second.acquire_lock(lock_name("paris"), "other", 60)
    assert second.acquire_lock(lock_name("paris"), "other", 60), "released on exit"


def test_a_harvest_is_refused_while_another_holds_the_portal(two_sqlite):
    first, second = two_sqlite
    with GatedPortal() as simulator:
        portal = dcat_portal(simulator)
        second.acquire_lock(lock_name("paris"), "another-process", 60)
        with pytest.raises(PortalBusy, match="portal paris is already being harvested.*refused and changed nothing"):
            harvest(first, portal)
        assert not simulator.entered.is_set(), "a refused run does not even read the portal"
        second.release_lock(lock_name("paris"), "another-process")
        simulator.open()
        assert harvest(first, portal).status == "done"
    assert first.jobs()[0].status == "done" and len(first.jobs()) == 1


def test_the_refusal_names_the_running_job(two_sqlite):
    first, second = two_sqlite
    with GatedPortal() as simulator:
        portal = dcat_portal(simulator)
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(harvest, first, portal)
            simulator.entered.wait(5)
            with pytest.raises(PortalBusy) as refused:
                harvest(second, portal)
            simulator.open()
            done = running.result(timeout=60)
    assert refused.value.running is not None and refused.value.running.job_id == done.job_id
    assert done.status == "done" and second.count() == 12


def test_the_lock_is_released_after_success_and_failure(two_sqlite):
    first, second = two_sqlite
    with GatedPortal() as simulator:
        simulator.open()
        assert harvest(first, dcat_portal(simulator)).status == "done"
        simulator.set_fault("500")
        assert harvest(first, dcat_portal(simulator)).status == "failed"
    assert second.acquire_lock(lock_name("paris"), "next", 60)


def test_a_run_that_must_stop_writes_nothing(two_sqlite):
    first, _ = two_sqlite
    with GatedPortal() as simulator:
        simulator.open()
        portal = dcat_portal(simulator)
        harvest(first, portal)
        simulator.datasets = simulator.datasets[:3]
        job = harvest(first, portal, should_stop=lambda: True)
    assert job.status == "failed" and "interrupted by shutdown before anything was written" in job.error
    assert first.count() == 12


class LosingBackend(TantivyBackend):
    """Its renewals find the lock taken by someone else (as after a long pause)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.calls = 0

    def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        self.calls += 1
        return super().acquire_lock(name, owner, ttl) if self.calls == 1 else False


def test_a_run_that_lost_its_lock_stops_before_writing(tmp_path):
    store = LosingBackend(str(tmp_path / "f.db"))
    with GatedPortal() as simulator, ThreadPoolExecutor(1) as pool:
        running = pool.submit(harvest, store, dcat_portal(simulator), lock_ttl=0.15)
        wait_until(lambda: store.calls > 1)
        simulator.open()
        job = running.result(timeout=60)
    assert job.status == "failed" and "lock expired and another run took it" in job.error
    assert store.count() == 0
    store.close()


def test_jobs_left_running_by_a_dead_process_are_marked_failed(two_sqlite):
    first, _ = two_sqlite
    first.save_job(HarvestJob(job_id="dead", portal_id="paris", started_at="2026-05-31T00:00:00+00:00"))
    with GatedPortal() as simulator:
        simulator.open()
        job = harvest(first, dcat_portal(simulator))
    statuses = {j.job_id: (j.status, j.error) for j in first.jobs()}
    assert statuses[job.job_id][0] == "done"
    assert statuses["dead"][0] == "failed" and "stopped before it finished" in statuses["dead"][1]


def test_an_unreachable_store_fails_the_run_without_reading_the_portal(two_sqlite, monkeypatch):
    from service.search.base import StoreError

    first, _ = two_sqlite

    def down(*args, **kwargs):
        raise StoreError("database write failed: disk I/O error")

    monkeypatch.setattr(first, "acquire_lock", down)
    with GatedPortal() as simulator:
        job = harvest(first, dcat_portal(simulator))
        assert not simulator.entered.is_set()
    assert job.status == "failed" and job.error.startswith("could not take the harvest lock")
