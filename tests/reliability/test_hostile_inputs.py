"""The hostile input corpus (tests/reliability/hostile_cases.py) against the real harvest path.

For every case: a first harvest stores the portal's good records; then the
portal (or a raw server in its place) turns hostile and a second harvest runs.
It must finish (no crash, no hang: within the case's time), take bounded memory
(traced allocations), leave a clear entry in the job, and keep the other
records: all of the previous ones when the page is refused, every good one of
the page when a single dataset is bad.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from contextlib import ExitStack
from datetime import timedelta

import pytest

from harvesters.fetch.http import HttpSettings
from mappings.portals import Portal
from tests.conftest import NOW, run_harvest
from tests.reliability.hostile_cases import CASES, FAMILIES, Case, HostileMixin
from tests.reliability.servers import RawPortal

BASE_SETTINGS = {"retries": 0, "backoff": 0.01, "read_timeout": 30.0, "max_bytes": 2 * 1024 * 1024, "deadline": 10.0}
OUTCOME_STATUSES = {
    "refused": {"failed"},
    "isolated": {"done-with-errors"},
    "cleaned": {"done"},
    "partial": {"done-with-errors"},
}


def test_the_corpus_has_at_least_forty_distinct_cases():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_hostile_input(case: Case, backend):
    family = FAMILIES[case.family]
    with ExitStack() as stack:
        simulator = stack.enter_context(_hostile(family))
        portal = Portal(id=case.family, name=case.id, kind=family.kind, url=family.url(simulator), options=family.options)
        first = _harvest(portal, backend, HttpSettings(**{**BASE_SETTINGS, "max_bytes": 16 * 1024 * 1024}))
        assert first.status == "done", first.error
        before = {r.record_id: r for r in backend.iter_records()}
        assert len(before) == family.records

        job, seconds, peak = harvest_hostile_answer(stack, case, simulator, portal, backend)

    assert job.finished_at, "the job is finished, never left running"
    assert job.status in OUTCOME_STATUSES[case.outcome], (job.status, job.error, job.failed[:3], job.warnings)
    if case.reason:
        entries = [job.error or "", *(f.reason for f in job.failed), *job.warnings]
        assert any(re.search(case.reason, entry) for entry in entries), entries
    after = {r.record_id: r for r in backend.iter_records()}
    if case.outcome == "refused":
        assert after == before, "a refused page changes nothing that was stored"
    else:
        assert set(before) <= set(after), "every good record is kept"
    assert seconds < case.seconds, f"took {seconds:.1f} s"
    assert peak < case.max_mib * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    if case.check is not None:
        case.check(job, backend, simulator)


def harvest_hostile_answer(stack: ExitStack, case: Case, simulator, portal: Portal, backend):
    """Harvest the portal again with the case's answer in place (a raw socket server for raw answers).

    Returns the job, the seconds it took and the peak of traced memory.
    """
    if case.raw:
        raw = stack.enter_context(RawPortal(case.answer))
        portal = Portal(id=portal.id, name=portal.name, kind=portal.kind, url=raw.url + "/catalog", options=portal.options)
    else:
        simulator.answer = case.answer
    return _measured(lambda: _harvest(portal, backend, HttpSettings(**{**BASE_SETTINGS, **case.settings})))


def _hostile(family):
    """The family's simulator with the hostile hook mixed in (disarmed until the case arms it)."""
    plain = family.make()
    plain.__class__ = type(f"Hostile{type(plain).__name__}", (HostileMixin, type(plain)), {})
    return plain


def _harvest(portal: Portal, backend, settings: HttpSettings):
    return run_harvest(portal, backend, http=settings, grace=timedelta(0), now=lambda: NOW, sleep=lambda s: None)


def _measured(run):
    """(result, seconds, peak traced bytes) of ``run()``."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = run()
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak
