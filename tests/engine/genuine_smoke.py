#!/usr/bin/env python3
"""Smoke scenario of fedcat's Elasticsearch backend on a genuine Elasticsearch (TEST CODE ONLY).

    PYTHONPATH=<cache>/elasticsearch-<v>/client-pyX.Y:. python tests/engine/genuine_smoke.py URL

Run by ``genuine.run_smoke`` (and ``tests/integration/service/search/test_genuine_elasticsearch.py``)
in a subprocess whose ``sys.path`` starts with an ``elasticsearch`` client of the
server's major version (8.x): no compatibility proxy, the client talks to the
server directly and its product check must pass.  It drives the real
``ElasticsearchBackend`` (``service/search/elasticsearch_.py``) through a
two-portal harvest, a re-harvest, a failed commit, a reindex, locks, jobs,
page caches and a portal deletion, and checks every step.  Exit status 0 when
everything held; each check prints one ``ok``/``FAIL`` line.

What is reduced, and only because the integ-test distribution (the only
Elasticsearch 8 server on Maven Central) lacks the modules:

* the records mapping (``mappings/elasticsearch/records.json``) is derived at
  run time: ``settings.analysis`` is dropped, and with it every ``analyzer``,
  ``search_analyzer`` and ``normalizer`` reference (no ``analysis-common``:
  no elision, stop, stemmer, asciifolding or lowercase filter, so text is
  analysed by the built-in ``standard`` analyzer); ``search_as_you_type``
  becomes ``text`` (no ``mapper-extras``); ``geo_shape`` becomes a disabled
  object (no ``legacy-geo``/``spatial``).  Injected by replacing the module's
  ``_load_definition`` for ``records.json`` only; the jobs, pages and locks
  definitions are used as they are.
* nothing else: fedcat's backend uses scans and bulk actions, never
  ``_delete_by_query``/``_update_by_query`` (which need the ``reindex`` and
  scripting modules this distribution lacks), so it runs unmodified.
* ``suggest`` (needs ``search_as_you_type``) and the ``bbox`` filter (needs
  ``geo_shape``) are not exercised; French stemming and accent folding are not
  either.  The OpenSearch contract suite covers all of these.
"""

from __future__ import annotations

import copy
import sys
import time
import traceback
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import elasticsearch
from elasticsearch import Elasticsearch

from mappings.jobs import HarvestJob
from service.search import elasticsearch_ as es_module
from service.search.base import SearchQuery, SearchUnavailable
from service.search.elasticsearch_ import ElasticsearchBackend
from tests.factories import RecordFactory

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
FAILURES: list[str] = []


def check(condition: bool, what: str, detail: object = "") -> None:
    """Print one result line; remember failures (the scenario goes on, to show them all)."""
    print(("ok   " if condition else "FAIL ") + what + ("" if condition else f"  -- got {detail!r}"), flush=True)
    if not condition:
        FAILURES.append(what)


# -- what the integ-test distribution cannot serve --------------------------------


def reduced_records_definition(definition: dict) -> dict:
    """The records index definition minus what needs a missing module (see the module docstring)."""
    reduced = copy.deepcopy(definition)
    reduced["settings"].pop("analysis", None)
    reduced["mappings"]["properties"] = {
        name: _reduced_field(field) for name, field in reduced["mappings"]["properties"].items()
    }
    return reduced


def _reduced_field(field: dict) -> dict:
    field = {k: v for k, v in field.items() if k not in ("analyzer", "search_analyzer", "normalizer")}
    if field.get("type") == "search_as_you_type":
        field["type"] = "text"
    if field.get("type") == "geo_shape":
        return {"type": "object", "enabled": False}
    if "fields" in field:
        field["fields"] = {name: _reduced_field(sub) for name, sub in field["fields"].items()}
    return field


def use_reduced_records_mapping() -> None:
    """Make the backend create records indices with the reduced definition."""
    original = es_module._load_definition

    def load(name: str) -> dict:
        definition = original(name)
        return reduced_records_definition(definition) if name == "records.json" else definition

    load.__wrapped__ = original
    es_module._load_definition = load


def report_what_is_missing(client: Elasticsearch, prefix: str) -> None:
    """Print whether the server still refuses the full mapping (why the reduction exists)."""
    full = es_module._load_definition.__wrapped__("records.json")
    probe = f"{prefix}-probe"
    try:
        client.indices.create(index=probe, settings=full["settings"], mappings=full["mappings"])
        print("note the full records mapping was accepted: the mapping reduction may go", flush=True)
        client.indices.delete(index=probe)
    except elasticsearch.BadRequestError as exc:
        print(f"note the full records mapping is refused: {exc.message}: {exc.body['error']['reason']}", flush=True)


# -- the scenario ---------------------------------------------------------------------


def connect(url: str) -> Elasticsearch:
    """A client of the server's major version; the product check must accept the server."""
    check(elasticsearch.__versionstr__.startswith("8."), "the elasticsearch client is 8.x", elasticsearch.__versionstr__)
    client = Elasticsearch(url, request_timeout=30)
    health = client.cluster.health(wait_for_status="yellow")
    check(health.meta.headers.get("x-elastic-product") == "Elasticsearch", "the client's product check passes")
    (node,) = client.nodes.info(node_id="_local")["nodes"].values()
    check(node["version"].startswith("8."), "the server is Elasticsearch 8", node["version"])
    print(f"     Elasticsearch {node['version']}, client {elasticsearch.__versionstr__}, modules "
          f"{sorted(m['name'] for m in node['modules'])}", flush=True)
    return client


def portal_records() -> dict:
    """Three Paris records and two Lyon ones; one Lyon record duplicates a Paris one (same source)."""
    paris = [
        RecordFactory(portal_id="paris", guid="p1", title="Vélos en libre-service", keywords=("mobilité",), quality=80),
        RecordFactory(portal_id="paris", guid="p2", title="Qualité de l'air", keywords=("environnement",), quality=60),
        RecordFactory(portal_id="paris", guid="p3", title="Parcs et jardins", keywords=("nature",), quality=70),
    ]
    lyon = [
        RecordFactory(portal_id="lyon", guid="l1", title="Vélos en libre-service à Lyon", source_uri=paris[0].source_uri,
                      publisher=paris[0].publisher, keywords=("mobilité",), quality=90),
        RecordFactory(portal_id="lyon", guid="l2", title="Stationnement", keywords=("mobilité",), quality=50),
    ]
    return {"paris": paris, "lyon": lyon}


def first_harvest(backend: ElasticsearchBackend, records: dict) -> None:
    for portal_id, portal in records.items():
        stats = backend.replace_portal(portal_id, portal, now=NOW)
        check(stats.created == len(portal) and not stats.rejected, f"replace_portal({portal_id}) creates its records", stats)
    check(backend.committed_generations() == {"paris": 1, "lyon": 1}, "both portals committed at generation 1",
          backend.committed_generations())
    check(backend.count() == 5, "count() is 5", backend.count())


def search_and_read(backend: ElasticsearchBackend, records: dict) -> None:
    page = backend.search(SearchQuery(q="vélos", filters={"portal": ("paris",)}))
    check([h.record.record_id for h in page.hits] == ["paris:p1"], "search 'vélos' filtered to paris finds p1",
          [h.record.record_id for h in page.hits])
    portals = {f.value: f.count for f in page.facets["portal"]}
    check(portals == {"paris": 1, "lyon": 1}, "the portal facet ignores its own filter (counted by cluster)", portals)
    everything = backend.search(SearchQuery())
    check(everything.total == 4 and len(everything.hits) == 4, "collapse + cardinality: 5 records in 4 clusters",
          (everything.total, len(everything.hits)))
    hit = backend.get("lyon:l1")
    check(hit is not None and hit.record.title == "Vélos en libre-service à Lyon", "get() finds a record", hit)
    check(backend.get("nowhere:x") is None, "get() of an unknown id is None")
    got = [r.record_id for r in backend.get_many(["paris:p3", "nowhere:x", "lyon:l2"])]
    check(got == ["paris:p3", "lyon:l2"], "get_many() keeps the order and drops unknown ids", got)
    ids = [r.record_id for r in backend.iter_records()]
    check(ids == ["lyon:l1", "lyon:l2", "paris:p1", "paris:p2", "paris:p3"], "iter_records() sorted by portal, id", ids)
    window = [r.record_id for r in backend.iter_records(offset=1, limit=2)]
    check(window == ["lyon:l2", "paris:p1"], "iter_records(offset, limit)", window)
    check(backend.counts_by_portal() == {"paris": 3, "lyon": 2}, "counts_by_portal()", backend.counts_by_portal())
    check(backend.quality_by_portal() == {"paris": 70.0, "lyon": 70.0}, "quality_by_portal()", backend.quality_by_portal())
    members = backend.cluster_members([hit.cluster_id])
    check(sorted(r.record_id for r in members.get(hit.cluster_id, [])) == ["lyon:l1", "paris:p1"],
          "cluster_members() groups the duplicates", members)


def concrete_documents(backend: ElasticsearchBackend, portal_id: str) -> list[dict]:
    """Every document of a portal in the concrete index, visible or not."""
    backend.client.indices.refresh(index=backend.current_index())
    result = backend.client.search(index=backend.current_index(), query={"term": {"portal_id": portal_id}}, size=100)
    return [hit["_source"] for hit in result["hits"]["hits"]]


def second_harvest(backend: ElasticsearchBackend, records: dict) -> list:
    """Paris again: p1 changed, p2 unchanged, p3 gone."""
    paris = [replace(records["paris"][0], title="Vélos partagés"), records["paris"][1]]
    stats = backend.replace_portal("paris", paris, now=NOW + timedelta(days=1))
    check((stats.updated, stats.unchanged, stats.deleted) == (1, 1, 1), "re-harvest: 1 updated, 1 unchanged, 1 deleted", stats)
    check(backend.committed_generations() == {"paris": 2, "lyon": 1}, "paris committed at generation 2",
          backend.committed_generations())
    check(backend.counts_by_portal() == {"paris": 2, "lyon": 2} and backend.count() == 4, "counts after the re-harvest",
          backend.counts_by_portal())
    check(backend.get("paris:p1").record.title == "Vélos partagés", "the changed record is served")
    stored = concrete_documents(backend, "paris")
    check(sorted((d["record_id"], d["generation"]) for d in stored) == [("paris:p1", 2), ("paris:p2", 1)]
          and all(d["superseded_in"] is None for d in stored),
          "superseded versions deleted from the concrete index", [(d["record_id"], d["generation"]) for d in stored])
    return paris


def failed_commit_then_converge(backend: ElasticsearchBackend, paris: list) -> None:
    """A write whose commit fails changes nothing; the next write of the same harvest converges."""
    changed = [replace(paris[0], title="Vélos électriques"), paris[1],
               RecordFactory(portal_id="paris", guid="p4", title="Bornes de recharge", quality=70)]
    original = ElasticsearchBackend._commit

    def commit_fails(self, *args, **kwargs):
        raise SearchUnavailable("commit refused (injected)")

    ElasticsearchBackend._commit = commit_fails
    try:
        backend.replace_portal("paris", changed, now=NOW + timedelta(days=2))
        check(False, "a failed commit raises SearchUnavailable", "no exception")
    except SearchUnavailable:
        check(True, "a failed commit raises SearchUnavailable")
    finally:
        ElasticsearchBackend._commit = original
    check(backend.committed_generations() == {"paris": 2, "lyon": 1}, "nothing committed after the failure",
          backend.committed_generations())
    check(backend.count() == 4 and backend.get("paris:p4") is None, "the failed write is invisible", backend.count())
    check(backend.get("paris:p1").record.title == "Vélos partagés", "the previous version is still served")
    stats = backend.replace_portal("paris", changed, now=NOW + timedelta(days=2))
    check((stats.created, stats.updated, stats.unchanged) == (1, 1, 1), "the next write converges", stats)
    check(backend.committed_generations() == {"paris": 3, "lyon": 1}, "paris committed at generation 3",
          backend.committed_generations())
    check(backend.count() == 5 and backend.get("paris:p1").record.title == "Vélos électriques",
          "the converged harvest is served", backend.count())
    stored = sorted((d["record_id"], d["generation"]) for d in concrete_documents(backend, "paris"))
    check(stored == [("paris:p1", 3), ("paris:p2", 1), ("paris:p4", 3)], "no leftovers of the failed write", stored)


def reindex(backend: ElasticsearchBackend) -> None:
    before, committed, count = backend.current_index(), backend.committed_generations(), backend.count()
    new = backend.reindex()
    check(new != before and backend.current_index() == new, "reindex() swaps the alias", (before, new))
    check(backend.committed_generations() == committed, "reindex() keeps the committed generations",
          backend.committed_generations())
    check(backend.count() == count, "reindex() keeps every record", backend.count())
    check(not backend.client.indices.exists(index=before), "reindex() drops the old index")


def locks_jobs_pages(backend: ElasticsearchBackend) -> None:
    check(backend.acquire_lock("harvest:paris", "a", 30), "acquire_lock() by a")
    check(not backend.acquire_lock("harvest:paris", "b", 30), "acquire_lock() by b refused while a holds it")
    backend.release_lock("harvest:paris", "a")
    check(backend.acquire_lock("harvest:paris", "b", 30), "acquire_lock() by b after a released it")
    backend.release_lock("harvest:paris", "b")
    jobs = [HarvestJob(job_id=f"j{n}", portal_id=p, started_at=f"2026-03-0{n}T00:00:00+00:00", status="succeeded")
            for n, p in ((1, "paris"), (2, "lyon"), (3, "paris"))]
    for job in jobs:
        backend.save_job(job)
    check([j.job_id for j in backend.jobs()] == ["j3", "j2", "j1"], "jobs() newest first", [j.job_id for j in backend.jobs()])
    check([j.job_id for j in backend.jobs(portal_id="paris", limit=1)] == ["j3"], "jobs(portal_id, limit)")
    check(backend.jobs(portal_id="paris")[0] == jobs[2], "a job round-trips", backend.jobs(portal_id="paris")[0])
    pages = {"https://data.example.fr/api?page=1": {"etag": '"abc"', "records": ["paris:p1"]}}
    backend.save_page_cache("lyon", pages)
    check(backend.page_cache("lyon") == pages, "save_page_cache() / page_cache()", backend.page_cache("lyon"))
    check(backend.page_cache("nowhere") == {}, "page_cache() of an unknown portal is empty")


def delete_portal(backend: ElasticsearchBackend) -> None:
    check(backend.delete_portal("lyon") == 2, "delete_portal() returns the visible count")
    check(backend.committed_generations() == {"paris": 3}, "lyon no longer committed", backend.committed_generations())
    check(backend.counts_by_portal() == {"paris": 3} and backend.count() == 3, "only paris remains",
          backend.counts_by_portal())
    check(concrete_documents(backend, "lyon") == [], "lyon's documents deleted from the concrete index")
    check(backend.page_cache("lyon") == {}, "lyon's page cache forgotten")
    members = backend.cluster_members([backend.get("paris:p1").cluster_id])
    check(sum(len(m) for m in members.values()) == 1, "the duplicate cluster dissolved with lyon", members)


def drop_indices(client: Elasticsearch, prefix: str) -> None:
    # by name: Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name)
    names = list(client.indices.get(index=f"{prefix}-*"))
    if names:
        client.indices.delete(index=",".join(names))


def main(url: str) -> int:
    started = time.monotonic()
    use_reduced_records_mapping()
    client = connect(url)
    prefix = f"genuine-{uuid.uuid4().hex[:10]}"
    report_what_is_missing(client, prefix)
    backend = ElasticsearchBackend(client, prefix=prefix, sleep=lambda s: None)
    try:
        records = portal_records()
        first_harvest(backend, records)
        search_and_read(backend, records)
        paris = second_harvest(backend, records)
        failed_commit_then_converge(backend, paris)
        reindex(backend)
        locks_jobs_pages(backend)
        delete_portal(backend)
        print("skip suggest() and the bbox filter: search_as_you_type and geo_shape need modules "
              "the integ-test distribution lacks", flush=True)
    except Exception:  # an unexpected error is a failure, with its traceback
        traceback.print_exc()
        FAILURES.append("unexpected exception")
    finally:
        drop_indices(client, prefix)
        client.close()
    print(f"{'FAILED' if FAILURES else 'passed'} in {time.monotonic() - started:.1f}s"
          + (f": {len(FAILURES)} failure(s)" if FAILURES else ""), flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} ELASTICSEARCH_URL")
    sys.exit(main(sys.argv[1]))
