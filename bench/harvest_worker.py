"""One measured run in its own process, so its peak memory is its own.

``python -m bench.harvest_worker MODE URL SIZE [DATABASE|ENGINE_URL]`` prints one JSON line:
seconds, records (for ``fedcat`` also the records written and the index documents written), the
peak RSS (MiB) of this process, and the peak of the summed RSS of this process and every process
below it (the page pool's forkserver and workers, with ``FEDCAT_HARVEST_WORKERS`` read as the service reads it), sampled every 100 ms from /proc and
never below this process's own peak plus the helper processes still alive at the end.
MODE is ``fedcat`` (the real harvest into a store) or ``naive`` (rdflib's own parser and the
record mapping, nothing stored).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph

from harvesters.fetch.http import HttpClient, HttpSettings
from harvesters.portals.hydra import next_page_url
from service.harvesting.runner import HarvestHooks, HarvestOptions, harvest_portal
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.portals import Portal
from service.config import Settings


def run_fedcat(url: str, database: str) -> dict:
    """The real path: fetch, parse, map, normalise, index, into the given store; returns what it wrote."""
    from service.search.tantivy_ import TantivyBackend

    if database.startswith("http"):
        from elasticsearch import Elasticsearch

        from service.search.elasticsearch_ import ElasticsearchBackend

        backend = ElasticsearchBackend(Elasticsearch(database, request_timeout=300), prefix="bench-harvest")
    else:
        backend = TantivyBackend(database)
    indexed = _count_index_documents(backend)
    portal = Portal(id="datagouv", name="data.gouv.fr (bench)", kind="udata", url=url)
    # the benchmark's portal is a local simulator: allow loopback for it, explicitly
    settings = HttpSettings(retries=0, read_timeout=120, allowed_networks=("127.0.0.0/8",))
    workers = Settings.from_env(os.environ).harvest_workers
    # as Catalogue.harvest does: every record stamped with its link checks and freshness before it is written
    from service.link_health import Stamper
    from service.store.link_checks import SqliteLinkCheckStore

    checks = SqliteLinkCheckStore(":memory:" if database.startswith("http") else database)
    stamper = Stamper(checks, margin=Settings().freshness_margin)
    options = HarvestOptions(http=settings, max_pages=10_000, workers=workers)
    job = harvest_portal(portal, backend, options, HarvestHooks(transform=stamper))
    if job.status == "failed":
        raise SystemExit(f"harvest failed: {job.error}")
    stats = job.stats
    return {
        "records": stats.created + stats.updated + stats.unchanged,
        "written": stats.created + stats.updated + stats.deleted,
        "pages": job.pages,
        "pages_unchanged": job.pages_unchanged,
        "index_documents": sum(indexed) if indexed is not None else None,
    }


def _count_index_documents(backend) -> list[int] | None:
    """The documents each commit of the embedded search index writes (None for another backend)."""
    index = getattr(backend, "index", None)
    if index is None:
        return None
    written: list[int] = []
    catch_up = index.catch_up

    def counted(**options) -> int:
        written.append(catch_up(**options))
        return written[-1]

    index.catch_up = counted
    return written


def run_naive(url: str) -> int:
    """The baseline: the same pages through rdflib's own parser and the record mapping."""
    settings = HttpSettings(retries=0, allowed_networks=("127.0.0.0/8",))
    client = HttpClient(allowed_hosts=frozenset({f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"}), settings=settings)
    page_url, count = f"{url}/api/1/site/catalog.ttl?page=1&page_size=100", 0
    while page_url:
        response = client.get(page_url)
        graph = Graph().parse(data=response.content, format="turtle", publicID=page_url)
        for node in dataset_nodes(graph):
            record_from_rdf(graph, node, "datagouv")
            count += 1
        page_url = next_page_url(graph, page_url)
    return count


class TreeRss:
    """The largest summed RSS of this process and its descendants seen while running (a sampling thread)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.peak_mib = 0.0
        self._interval = interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(self._interval):
            self.peak_mib = max(self.peak_mib, sum(_rss_mib(pid) for pid in _tree(os.getpid())))


def _tree(root: int) -> list[int]:
    """``root`` and every process below it, from the parent ids in /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    mode, url = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    with TreeRss() as tree_rss:
        outcome = run_fedcat(url, sys.argv[4]) if mode == "fedcat" else {"records": run_naive(url)}
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a short peak of this process can fall between two samples: count it with the helper
    # processes that outlive the harvest (the pool's forkserver and resource tracker)
    lasting_mib = sum(_rss_mib(pid) for pid in _tree(os.getpid())[1:])
    figures = {"mode": mode, "seconds": seconds, **outcome, "peak_rss_mib": peak_mib}
    print(json.dumps({**figures, "tree_peak_rss_mib": max(tree_rss.peak_mib, peak_mib + lasting_mib)}))


if __name__ == "__main__":
    main()
