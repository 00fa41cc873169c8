"""The search engine gone in the middle of a harvest's bulk write (the real engine, behind a proxy that dies).

Decision, documented in docs/reliability.md: the Elasticsearch backend spools
the whole harvest before writing, then sends bulk batches of 500 actions,
creations and updates first, deletions last. When the engine goes away
between two batches the job fails with a clear reason; the batches already
sent stay applied (newer versions of some records, never a lost one: the
deletions were not sent), and the next run converges, since it compares every
record again. Making the write atomic (a new index per harvest, swapped in)
would cost a copy of every other portal's records per harvest.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch

from harvesters.http import HttpSettings
from harvesters.runner import PortalBusy, harvest_portal
from mappings.portals import Portal
from service.search import elasticsearch_ as elasticsearch_module
from service.search.base import SearchQuery
from service.search.elasticsearch_ import ElasticsearchBackend
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW
from tests.integration.backends import elasticsearch_backend
from tests.reliability.engine_proxy import DyingProxy

FAST = HttpSettings(retries=0, read_timeout=30)


def _harvest(portal, store, **kwargs):
    return harvest_portal(portal, store, http_settings=FAST, grace=timedelta(0), now=lambda: NOW, **kwargs)


def _retry_while_busy(run, *, timeout: float):
    ends = time.monotonic() + timeout
    while True:
        try:
            return run()
        except PortalBusy:
            if time.monotonic() > ends:
                raise
            time.sleep(0.2)


@pytest.mark.engine
def test_engine_down_mid_bulk_fails_the_job_keeps_the_old_records_and_the_next_run_converges(search_engine_url, monkeypatch):
    # batches of 50 instead of 500: the same code path with a tenth of the records, so the test stays quick
    monkeypatch.setattr(elasticsearch_module, "_BULK_BATCH", 50)
    healthy = elasticsearch_backend(search_engine_url)
    prefix = healthy.alias.removesuffix("-records")
    try:
        with DcatPortalSimulator(generate("paris", 150), page_size=500) as simulator, DyingProxy(search_engine_url) as proxy:
            portal = Portal(id="paris", name="Paris", kind="dcat", url=simulator.catalog_url("ttl"))
            assert _harvest(portal, healthy).status == "done" and healthy.count() == 150
            old = {r.record_id: r.content_hash() for r in healthy.iter_records()}

            simulator.datasets = [_retitled(d) for d in generate("paris", 150)][:140]  # 140 changed, 10 gone
            # the same indices through the proxy; no client-side retries, which only add waiting here
            flaky = ElasticsearchBackend(Elasticsearch(proxy.url, request_timeout=10, max_retries=0), prefix=prefix, sleep=lambda s: None)
            proxy.die_after_bulks(1)  # the first bulk batch (50 actions) lands, then the engine is gone
            job = _harvest(portal, flaky, lock_ttl=1.0)

            assert job.status == "failed" and "unreachable" in job.error
            healthy.client.indices.refresh(index=healthy.alias)  # make the batch that landed visible
            now = {r.record_id: r.content_hash() for r in healthy.iter_records()}
            assert set(now) == set(old), "no record was lost: the deletions come last and were never sent"
            changed = sum(1 for rid in old if now[rid] != old[rid])
            assert changed == 50, f"a partial apply: the first batch's {changed} updates of 140 landed (documented)"
            assert healthy.search(SearchQuery(q="velos")).total > 0, "the stored records are still searchable"

            again = _retry_while_busy(lambda: _harvest(portal, healthy), timeout=15)
        assert again.status == "done" and healthy.count() == 140, "the next run converges"
        assert all(r.title.endswith(" (v2)") for r in healthy.iter_records())
    finally:
        healthy.client.indices.delete(index=f"{prefix}-*")
        healthy.close()


def _retitled(dataset):
    return replace(dataset, title=dataset.title + " (v2)")
