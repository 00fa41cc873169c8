#!/usr/bin/env python3
"""Smoke test of the test engine (TEST CODE ONLY).

    python tests/engine/smoke.py

Starts OpenSearch (or uses FEDCAT_TEST_ENGINE_URL), starts the compat proxy,
and drives it with the official ``elasticsearch`` client: French analyzer,
search_as_you_type, geo_shape/geo_point, bulk, accent-insensitive search,
aliases swapped atomically, terms aggregation.  Exits non-zero on any failure.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import opensearch as engine_mod  # noqa: E402

import elasticsearch  # noqa: E402
from elasticsearch import Elasticsearch, helpers  # noqa: E402

FRENCH_SETTINGS = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
        "filter": {
            "french_elision": {
                "type": "elision",
                "articles_case": True,
                "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c",
                             "jusqu", "quoiqu", "lorsqu", "puisqu"],
            },
            "french_stop": {"type": "stop", "stopwords": "_french_"},
            "french_stemmer": {"type": "stemmer", "language": "light_french"},
        },
        "analyzer": {
            "fr": {
                "tokenizer": "standard",
                "filter": ["french_elision", "lowercase", "asciifolding",
                           "french_stop", "french_stemmer"],
            }
        },
    },
}

MAPPINGS = {
    "properties": {
        "title": {"type": "text", "analyzer": "fr"},
        "title_suggest": {"type": "search_as_you_type", "analyzer": "fr"},
        "category": {"type": "keyword"},
        "area": {"type": "geo_shape"},
        "location": {"type": "geo_point"},
    }
}

DOCS = [
    {"_id": "1", "title": "Vélos en libre-service de l'agglomération",
     "title_suggest": "Vélos en libre-service", "category": "mobilité",
     "area": {"type": "polygon", "coordinates": [[[2.2, 48.8], [2.5, 48.8],
                                                   [2.5, 48.9], [2.2, 48.9],
                                                   [2.2, 48.8]]]},
     "location": {"lat": 48.85, "lon": 2.35}},
    {"_id": "2", "title": "Qualité de l'air en Île-de-France",
     "title_suggest": "Qualité de l'air", "category": "environnement",
     "area": {"type": "point", "coordinates": [2.35, 48.85]},
     "location": {"lat": 48.86, "lon": 2.34}},
    {"_id": "3", "title": "Stationnement des vélos à Lyon",
     "title_suggest": "Stationnement des vélos", "category": "mobilité",
     "area": {"type": "point", "coordinates": [4.83, 45.76]},
     "location": {"lat": 45.76, "lon": 4.83}},
]


def check(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        raise SystemExit(f"smoke test failed: {what}")


def main() -> int:
    print(f"elasticsearch client {elasticsearch.__versionstr__}")
    t0 = time.monotonic()
    lib = engine_mod.ensure_installed()
    print(f"engine jars: {lib} ({len(list(lib.glob('*.jar')))} jars, "
          f"{time.monotonic() - t0:.1f}s)")

    with tempfile.TemporaryDirectory(prefix="fedcat-engine-") as base:
        t1 = time.monotonic()
        eng = engine_mod.start_engine(base)
        try:
            print(f"engine up at {eng.url} (pid {eng.pid}) in "
                  f"{time.monotonic() - t1:.1f}s")
            proxy_url, stop_proxy = engine_mod.start_compat_proxy(eng.url)
            try:
                run_checks(proxy_url)
                if eng.pid:
                    rss = _rss_mb(eng.pid)
                    print(f"engine RSS after checks: {rss} MB")
            finally:
                stop_proxy()
        finally:
            t2 = time.monotonic()
            eng.stop()
            print(f"engine stopped in {time.monotonic() - t2:.1f}s; "
                  f"still running: {eng.is_running()}")
    print("SMOKE OK")
    return 0


def _rss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


def run_checks(proxy_url: str) -> None:
    """Drive the engine through the proxy with the official client; SystemExit on a failed check."""
    es = Elasticsearch(proxy_url, request_timeout=60)
    info = es.info()
    print(f"info via proxy: {info['version'].get('distribution', 'elasticsearch')} "
          f"{info['version']['number']}")
    check_french_analyzer(es)
    check_bulk_and_accent_folding(es)
    check_search_as_you_type(es)
    check_geo_queries(es)
    check_alias_swap(es)
    check_terms_aggregation(es)
    check_not_found(es)
    es.indices.delete(index="datasets-v1,datasets-v2")


def check_french_analyzer(es: Elasticsearch) -> None:
    """Create ``datasets-v1`` with the French analyzer and check its tokens."""
    es.indices.create(index="datasets-v1", settings=FRENCH_SETTINGS,
                      mappings=MAPPINGS)
    tokens = [t["token"] for t in es.indices.analyze(
        index="datasets-v1", analyzer="fr",
        text="Les Vélos de l'Agglomération")["tokens"]]
    print(f"fr analyzer tokens: {tokens}")
    check(tokens == ["velo", "aglom"], "french analyzer "
          "(elision, lowercase, asciifolding, _french_ stop, light_french)")


def check_bulk_and_accent_folding(es: Elasticsearch) -> None:
    """Bulk-index the documents; "velos" finds "Vélos"."""
    ok, errors = helpers.bulk(
        es, ({"_index": "datasets-v1", **d} for d in DOCS), refresh="wait_for")
    check(ok == 3 and not errors, f"bulk indexed {ok} docs")
    res = es.search(index="datasets-v1", query={"match": {"title": "velos"}})
    ids = sorted(h["_id"] for h in res["hits"]["hits"])
    check(ids == ["1", "3"], f"search 'velos' finds Vélos docs {ids}")


def check_search_as_you_type(es: Elasticsearch) -> None:
    """A ``bool_prefix`` query over the ``search_as_you_type`` field."""
    res = es.search(index="datasets-v1", query={"multi_match": {
        "query": "qualite de l'a", "type": "bool_prefix",
        "fields": ["title_suggest", "title_suggest._2gram",
                   "title_suggest._3gram"]}})
    check(res["hits"]["hits"][:1] and res["hits"]["hits"][0]["_id"] == "2",
          "search_as_you_type bool_prefix 'qualite de l'a' -> doc 2")


def check_geo_queries(es: Elasticsearch) -> None:
    """``geo_shape`` (envelope) and ``geo_point`` (distance) queries."""
    res = es.search(index="datasets-v1", query={"geo_shape": {"area": {
        "shape": {"type": "envelope", "coordinates": [[2.0, 49.0], [3.0, 48.0]]},
        "relation": "intersects"}}})
    ids = sorted(h["_id"] for h in res["hits"]["hits"])
    check(ids == ["1", "2"], f"geo_shape envelope around Paris {ids}")
    res = es.search(index="datasets-v1", query={"geo_distance": {
        "distance": "20km", "location": {"lat": 45.75, "lon": 4.85}}})
    ids = sorted(h["_id"] for h in res["hits"]["hits"])
    check(ids == ["3"], f"geo_distance 20km around Lyon {ids}")


def check_alias_swap(es: Elasticsearch) -> None:
    """An alias on ``datasets-v1``, swapped atomically to a new ``datasets-v2``; HEAD answers."""
    es.indices.put_alias(index="datasets-v1", name="datasets")
    check(es.count(index="datasets")["count"] == 3, "alias 'datasets' -> v1")
    es.indices.create(index="datasets-v2", settings=FRENCH_SETTINGS,
                      mappings=MAPPINGS)
    helpers.bulk(es, ({"_index": "datasets-v2", **d} for d in DOCS[:1]),
                 refresh="wait_for")
    es.indices.update_aliases(actions=[
        {"remove": {"index": "datasets-v1", "alias": "datasets"}},
        {"add": {"index": "datasets-v2", "alias": "datasets"}},
    ])
    aliases = es.indices.get_alias(name="datasets")
    check(list(aliases.keys()) == ["datasets-v2"]
          and es.count(index="datasets")["count"] == 1,
          f"update_aliases swapped atomically -> {list(aliases.keys())}")
    check(es.indices.exists(index="datasets-v1").body is True
          and es.indices.exists(index="nope").body is False,
          "indices.exists (HEAD) true/false")


def check_terms_aggregation(es: Elasticsearch) -> None:
    """A ``terms`` aggregation over the keyword field."""
    res = es.search(index="datasets-v1", size=0,
                    aggs={"cats": {"terms": {"field": "category"}}})
    buckets = {b["key"]: b["doc_count"]
               for b in res["aggregations"]["cats"]["buckets"]}
    check(buckets == {"mobilité": 2, "environnement": 1},
          f"terms aggregation {buckets}")


def check_not_found(es: Elasticsearch) -> None:
    """Errors come back as proper client exceptions."""
    try:
        es.get(index="datasets-v1", id="missing")
        check(False, "NotFoundError for a missing doc")
    except elasticsearch.NotFoundError:
        check(True, "NotFoundError for a missing doc")


if __name__ == "__main__":
    sys.exit(main())
