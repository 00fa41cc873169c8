"""Each portal kind against each fault switch of its simulator.

Decision: a fault that persists through the retries fails the job and leaves
the store as the previous harvest left it (nothing added, nothing removed); a
transient fault (one failed request) is retried with back-off and the job ends
``done`` with every record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import pytest

from mappings.portals import Portal
from simulators.dkan import DkanSimulator
from simulators.geonetwork import GeonetworkSimulator
from simulators.opendatasoft import OpendatasoftSimulator
from simulators.sample_data import generate
from simulators.server import PortalSimulator
from simulators.udata import UdataSimulator
from tests.conftest import NOW, STALLING_HTTP, run_harvest

#: the simulators' timeout fault stalls until the simulator stops, so the read timeout always ends it
SETTINGS = STALLING_HTTP
FAULTS = ["500", "timeout", "reset", "truncate", "429"]


@dataclass(frozen=True)
class Kind:
    """How to stand up one portal kind: its simulator, its portal, and how many requests precede page 2."""

    name: str
    simulator: Callable[[list], PortalSimulator]
    url: Callable[[PortalSimulator], str]
    sample: str
    requests_before_second_page: int
    options: dict


KINDS = [
    Kind("opendatasoft", OpendatasoftSimulator, lambda s: s.url, "paris", 0, {}),
    Kind("udata", lambda d: UdataSimulator(d, page_size=5), lambda s: s.url, "datagouv", 1, {"page_size": 5}),
    Kind("geonetwork", GeonetworkSimulator, lambda s: s.csw_url, "lyon", 2, {"page_size": 5}),
    Kind("dkan", DkanSimulator, lambda s: s.url, "montpellier", 1, {"page_size": 5}),
]


def harvest(store, kind: Kind, simulator: PortalSimulator, waits: list[float] | None = None):
    portal = Portal(id=kind.sample, name=kind.name, kind=kind.name, url=kind.url(simulator), options=kind.options)
    sleep = waits.append if waits is not None else (lambda seconds: None)
    return run_harvest(portal, store, http=SETTINGS, grace=timedelta(0), now=lambda: NOW, sleep=sleep)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_persistent_fault_fails_the_job_and_keeps_the_previous_records(backend, kind, fault):
    datasets = generate(kind.sample, 12)
    with kind.simulator(datasets) as simulator:
        first = harvest(backend, kind, simulator)
        assert first.status == "done" and first.stats.created == 12
        simulator.datasets = datasets[:7]  # two pages now: applying only the first would delete seven
        simulator.set_fault(fault, after=kind.requests_before_second_page)
        job = harvest(backend, kind, simulator)
    assert job.status == "failed"
    assert job.error and job.finished_at
    assert backend.counts_by_portal() == {kind.sample: 12}
    stored = {j.job_id: j.status for j in backend.jobs(portal_id=kind.sample)}
    assert stored == {first.job_id: "done", job.job_id: "failed"}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_transient_fault_is_retried_and_the_job_is_done(backend, kind, fault):
    datasets = generate(kind.sample, 12)
    waits: list[float] = []
    with kind.simulator(datasets) as simulator:
        simulator.set_fault(fault, after=kind.requests_before_second_page, times=1)
        job = harvest(backend, kind, simulator, waits)
    assert job.status == "done", job.error
    assert job.stats.created == 12
    assert len(waits) == 1, "one back-off before the retry"


def test_opendatasoft_429_waits_until_x_ratelimit_reset(backend):
    waits: list[float] = []
    kind = KINDS[0]
    with OpendatasoftSimulator(generate("paris", 3)) as simulator:
        simulator.set_fault("429", times=1)
        job = harvest(backend, kind, simulator, waits)
    assert job.status == "done"
    (wait,) = waits
    assert 0.5 < wait <= 2.5, "the reset instant of the 429 (two seconds ahead), not the default back-off"


def test_a_slow_drip_still_completes(backend):
    with OpendatasoftSimulator(generate("paris", 2)) as simulator:
        simulator.set_fault("drip")
        job = harvest(backend, KINDS[0], simulator)
    assert job.status == "done" and job.stats.created == 2
