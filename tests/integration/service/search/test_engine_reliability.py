"""The search engine gone in the middle of a harvest's write (the real engine, behind a proxy that dies).

The Elasticsearch backend spools the whole harvest before writing, then writes
it as the portal's next generation (new documents hidden by the alias filter,
replaced versions marked), and commits it with one alias update
(service/search/generations.py). Wherever the engine goes away (between two
bulk batches of new versions, between two batches of retirement marks, or at
the commit itself), the job fails with a clear reason and searches see exactly
the previous harvest; the next run clears what the failed one left and converges.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch

from mappings.portals import Portal
from service.search import elasticsearch_ as elasticsearch_module
from service.search.base import SearchQuery
from service.search.elasticsearch_ import ElasticsearchBackend
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW, NO_RETRY_HTTP, run_harvest
from tests.integration.backends import elasticsearch_backend
from tests.integration.ops_support import retry_while_busy
from tests.reliability.engine_proxy import DyingProxy



def _harvest(portal, store, **kwargs):
    return run_harvest(portal, store, http=NO_RETRY_HTTP, grace=timedelta(0), now=lambda: NOW, **kwargs)


#: where the engine dies: 150 records, 140 changed and 10 gone, in bulk batches of 50, send 3 batches
#: of new versions (140) then 3 of retirement marks (150), then refresh and commit with one alias update
DEATHS = {
    "among the new versions": ("bulks", 1),
    "among the retirement marks": ("bulks", 4),
    "at the commit": ("path", "_aliases"),
}


@pytest.mark.engine
@pytest.mark.parametrize("death", DEATHS, ids=list(DEATHS))
def test_engine_down_mid_write_fails_the_job_changes_nothing_and_the_next_run_converges(
    search_engine_url, monkeypatch, death
):
    # batches of 50 instead of 500: the same code path with a tenth of the records, so the test stays quick
    monkeypatch.setattr(elasticsearch_module, "_BULK_BATCH", 50)
    monkeypatch.setattr(elasticsearch_module, "_ALIAS_LOCK_TTL", 2.0)  # the dead writer's commit lock expires soon
    healthy = elasticsearch_backend(search_engine_url)
    prefix = healthy.alias.removesuffix("-records")
    try:
        with DcatPortalSimulator(generate("paris", 150), page_size=500) as simulator, DyingProxy(search_engine_url) as proxy:
            portal = Portal(id="paris", name="Paris", kind="dcat", url=simulator.catalog_url("ttl"))
            assert _harvest(portal, healthy).status == "done" and healthy.count() == 150
            old = {r.record_id: r.content_hash() for r in healthy.iter_records()}
            velos_before = healthy.search(SearchQuery(q="velos")).total

            simulator.datasets = [_retitled(d) for d in generate("paris", 150)][:140]  # 140 changed, 10 gone
            # the same indices through the proxy; no client-side retries, which only add waiting here
            flaky = ElasticsearchBackend(Elasticsearch(proxy.url, request_timeout=60, max_retries=0), prefix=prefix, sleep=lambda s: None)
            _arm(proxy, *DEATHS[death])
            job = _harvest(portal, flaky, lock_ttl=1.0)

            assert job.status == "failed" and "unreachable" in job.error
            assert proxy.dead, "the engine did die where this test says"
            healthy.client.indices.refresh(index=healthy.alias)  # whatever landed is refreshed: still invisible
            assert {r.record_id: r.content_hash() for r in healthy.iter_records()} == old, "searches see the old harvest, whole"
            assert healthy.count() == 150 and healthy.search(SearchQuery(q="velos")).total == velos_before
            assert not [r for r in healthy.iter_records() if r.title.endswith(" (v2)")]
            assert not healthy.get(next(iter(old))).record.title.endswith(" (v2)")

            again = retry_while_busy(lambda: _harvest(portal, healthy), timeout=30)
        assert again.status == "done" and healthy.count() == 140, "the next run converges"
        assert all(r.title.endswith(" (v2)") for r in healthy.iter_records())
        stored = healthy.client.count(index=healthy.current_index())["count"]
        assert stored == 140, "what the failed run left, and the replaced versions, were cleared"
    finally:
        healthy.client.indices.delete(index=f"{prefix}-*")
        healthy.close()


def _arm(proxy: DyingProxy, how: str, where) -> None:
    if how == "bulks":
        proxy.die_after_bulks(where)
    else:
        proxy.die_at(where)


def _retitled(dataset):
    return replace(dataset, title=dataset.title + " (v2)")
