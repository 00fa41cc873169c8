"""The fast export says exactly what the graph-built export says.

The export's hot path has the profiles write compact terms into a ``PageSink``
and writes them out as text (N-Triples, Turtle) or through Oxigraph (RDF/XML,
JSON-LD), with no graph in between. The reference is the same profiles writing
through a ``GraphSink`` into an rdflib graph, where every term is built by
rdflib's own constructors. Each fast document, parsed by rdflib, must be
isomorphic to that graph (``rdflib.compare.isomorphic``; ``graph_diff`` printed
when not), on:

* the sample catalogue: the four simulated portals harvested through the real
  harvesters, plus records with every optional part and records read from files
  other projects published: every Hydra page of 25 in every syntax, and one dataset
  in three alone, with each profile chain;
* the benchmark catalogue (``bench.search_only.records``, the udata-style generator
  ``python -m bench`` harvests): its first :data:`BENCHMARK_SIZE` datasets, every
  Hydra page of 100, in the hot path's syntaxes (N-Triples, Turtle).
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from bench.search_only import records as benchmark_records
from mappings.normalise import normalise
from mappings.profiles.base import (
    CatalogInfo,
    CatalogPage,
    build_catalog_graph,
    build_dataset_graph,
    catalog_sink,
    dataset_sink,
    get_profiles,
)
from service.config import Settings
from service.demo import harvest_demo
from service.rdf_formats import format_for_extension, serialize_sink
from tests.integration.mappings.profiles.test_shacl import edge_records, published_records

BASE = "http://fedcat.test"
CHAINS = (("dcat_ap_3",), ("dcat_ap_3", "schema_org"))
#: rdflib canonicalises a page of 100 benchmark datasets (~500 blank nodes) in seconds: a few pages keep the suite quick
BENCHMARK_SIZE = 400
#: how rdflib reads each syntax
_PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}


def assert_same(expected: Graph, documents: dict[str, bytes]) -> None:
    """Each document, parsed by rdflib, is isomorphic to the graph-built one (the differences shown if not)."""
    canonical = to_isomorphic(expected)  # once for every syntax: canonicalising is the slow part
    for extension, document in documents.items():
        actual = to_isomorphic(Graph().parse(data=document, format=_PARSERS[extension]))
        if actual != canonical:
            _, only_expected, only_actual = graph_diff(canonical, actual)
            pytest.fail(
                f"{extension}: {len(expected)} triples built in a graph, {len(actual)} written fast\n"
                f"only in the graph:\n{only_expected.serialize(format='nt')[:3000]}\n"
                f"only in the fast output:\n{only_actual.serialize(format='nt')[:3000]}"
            )


def written(sink, extensions) -> dict[str, bytes]:
    """The sink written in each syntax."""
    return {extension: serialize_sink(sink, format_for_extension(extension)) for extension in extensions}


def pages_of(records: list, size: int) -> list[CatalogPage]:
    """The Hydra pages a catalogue of these records has."""
    total = len(records)
    return [
        CatalogPage(
            info=CatalogInfo(base_url=BASE), records=records[start : start + size], total=total, page=start // size + 1,
            page_size=size, page_url=lambda n: f"{BASE}/catalog.ttl?page={n}&page_size={size}", modified="2026-12-01T10:00:00+00:00",
        )
        for start in range(0, max(total, 1), size)
    ]


@pytest.fixture(scope="module")
def sample_records() -> list:
    """The sample catalogue (four simulated portals, real harvesters), with edge and published records."""
    with ExitStack() as stack:
        run = harvest_demo(stack, Settings(database=":memory:", base_url=BASE), echo=lambda *args: None)
        assert all(job.status == "done" for job in run.jobs), [job.error for job in run.jobs]
        harvested = list(run.catalogue.backend.iter_records())
    return harvested + [normalise(r) for r in edge_records()] + published_records()


def test_sample_catalogue_pages_are_isomorphic_to_the_graph_built_ones(sample_records):
    profiles = get_profiles(["dcat_ap_3"])
    pages = pages_of(sample_records, 25)
    assert len(pages) >= 4
    for page in pages:
        assert_same(build_catalog_graph(page, profiles), written(catalog_sink(page, profiles), _PARSERS))


@pytest.mark.parametrize("chain", CHAINS, ids="+".join)
def test_sample_datasets_are_isomorphic_to_the_graph_built_ones(sample_records, chain):
    profiles = get_profiles(list(chain))
    for record in sample_records[::3]:
        assert_same(build_dataset_graph(record, profiles, BASE), written(dataset_sink(record, profiles, BASE), _PARSERS))


def test_benchmark_catalogue_pages_are_isomorphic_to_the_graph_built_ones():
    profiles = get_profiles(["dcat_ap_3"])
    pages = pages_of(benchmark_records(BENCHMARK_SIZE), 100)
    assert len(pages) == BENCHMARK_SIZE // 100
    for page in pages:
        assert_same(build_catalog_graph(page, profiles), written(catalog_sink(page, profiles), ("nt", "ttl")))
