"""One measured run in its own process, so its peak memory is its own.

``python -m bench.harvest_worker MODE URL SIZE [DATABASE|ENGINE_URL]`` prints one JSON line:
seconds, records, peak RSS (MiB) of this process and of its largest worker process
(``FEDCAT_HARVEST_WORKERS``, as the service reads it). MODE is ``fedcat`` (the real harvest into a store) or
``naive`` (rdflib's own parser and the record mapping, nothing stored).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from urllib.parse import urlsplit

from rdflib import Graph

from harvesters.http import HttpClient, HttpSettings
from harvesters.hydra import next_page_url
from harvesters.runner import harvest_portal
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.portals import Portal
from service.config import Settings


def run_fedcat(url: str, database: str) -> int:
    """The real path: fetch, parse, map, normalise, index, into the given store."""
    from service.search.sqlite import SqliteBackend

    if database.startswith("http"):
        from elasticsearch import Elasticsearch

        from service.search.elasticsearch_ import ElasticsearchBackend

        backend = ElasticsearchBackend(Elasticsearch(database, request_timeout=300), prefix="bench-harvest")
    else:
        backend = SqliteBackend(database)
    portal = Portal(id="datagouv", name="data.gouv.fr (bench)", kind="udata", url=url)
    # the benchmark's portal is a local simulator: allow loopback for it, explicitly
    settings = HttpSettings(retries=0, read_timeout=120, allowed_networks=("127.0.0.0/8",))
    workers = Settings.from_env(os.environ).harvest_workers
    job = harvest_portal(portal, backend, http_settings=settings, max_pages=10_000, workers=workers)
    if job.status == "failed":
        raise SystemExit(f"harvest failed: {job.error}")
    return job.stats.created + job.stats.updated + job.stats.unchanged


def run_naive(url: str) -> int:
    """The baseline: the same pages through rdflib's own parser and the record mapping."""
    settings = HttpSettings(retries=0, allowed_networks=("127.0.0.0/8",))
    client = HttpClient(allowed_hosts=frozenset({urlsplit(url).hostname}), settings=settings)
    page_url, count = f"{url}/api/1/site/catalog.ttl?page=1&page_size=100", 0
    while page_url:
        response = client.get(page_url)
        graph = Graph().parse(data=response.content, format="turtle", publicID=page_url)
        for node in dataset_nodes(graph):
            record_from_rdf(graph, node, "datagouv")
            count += 1
        page_url = next_page_url(graph, page_url)
    return count


def main() -> None:
    mode, url = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    count = run_fedcat(url, sys.argv[4]) if mode == "fedcat" else run_naive(url)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {"mode": mode, "seconds": seconds, "records": count, "peak_rss_mib": peak_mib}
    print(json.dumps({**figures, "children_peak_rss_mib": workers_mib}))


if __name__ == "__main__":
    main()
