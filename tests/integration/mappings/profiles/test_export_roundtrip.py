"""Harvest → export → parse: the same dataset titles, descriptions and distribution URLs come back."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from harvesters.fetch.http import HttpSettings
from mappings.portals import Portal
from mappings.profiles.base import dataset_ref
from mappings.vocab import HYDRA
from service.demo import DEMO_PORTALS
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW, run_harvest
from tests.integration.demo_app import harvested_demo


@pytest.fixture
def harvested(backend):
    for portal_id in ("paris", "montpellier"):
        with DcatPortalSimulator(generate(portal_id), page_size=7) as simulator:
            portal = Portal(id=portal_id, name=portal_id, kind="dcat", url=simulator.catalog_url("rdf"))
            job = run_harvest(portal, backend, http=HttpSettings(retries=0), grace=timedelta(0), now=lambda: NOW)
            assert job.status == "done", job.error
    return [d for p in ("paris", "montpellier") for d in generate(p)]


def exported_graph(client, extension: str, rdflib_format: str, *, expected_pages: int | None = 5) -> Graph:
    """Walk our own Hydra pages, as a harvester of fedcat would."""
    graph, url, pages = Graph(), f"/catalog.{extension}?page_size=10", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = Graph().parse(data=response.data, format=rdflib_format)
        graph += page
        pages += 1
        view = next(page.subjects(RDF.type, HYDRA.PartialCollectionView))
        next_page = page.value(view, HYDRA.next)
        url = str(next_page).removeprefix("http://fedcat.test") if next_page else None
    if expected_pages is not None:
        assert pages == expected_pages
    return graph


@pytest.mark.parametrize("extension,rdflib_format", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")])
def test_export_round_trip_keeps_titles_and_distribution_urls(client, harvested, extension, rdflib_format):
    graph = exported_graph(client, extension, rdflib_format)
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(harvested)
    titles = {str(graph.value(d, DCTERMS.title)) for d in datasets}
    assert titles == {d.title for d in harvested}
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls == {r.url for d in harvested for r in d.resources}


def test_every_exported_dataset_has_the_mandatory_dcat_ap_properties(client, harvested):
    graph = exported_graph(client, "ttl", "turtle")
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert graph.value(dataset, DCTERMS.title) and graph.value(dataset, DCTERMS.description)
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        assert graph.value(distribution, DCAT.accessURL) is not None


# -- the four simulated portal kinds, through their real harvesters ----------------------

BASE = "http://fedcat.test"
SYNTAXES = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


@pytest.fixture(scope="module")
def demo():
    """Opendatasoft, GeoNetwork, DKAN and udata simulators harvested through the real harvesters."""
    with ExitStack() as stack:
        run, client = harvested_demo(stack, BASE)
        exports = {ext: exported_graph(client, ext, fmt, expected_pages=None) for ext, fmt in SYNTAXES.items()}
        yield run, exports


def portal_records(run, portal_id: str) -> list:
    return [r for r in run.catalogue.backend.iter_records() if r.portal_id == portal_id]


@pytest.mark.parametrize("extension", SYNTAXES)
@pytest.mark.parametrize("portal_id,kind", [(p, k) for p, _, k in DEMO_PORTALS], ids=[k for _, _, k in DEMO_PORTALS])
def test_each_portal_kind_keeps_titles_descriptions_and_distribution_urls(demo, portal_id, kind, extension):
    run, exports = demo
    graph = exports[extension]
    records = portal_records(run, portal_id)
    simulator = run.simulators[[p for p, _, _ in DEMO_PORTALS].index(portal_id)]
    assert {r.title for r in records} == {d.title for d in simulator.datasets}, f"{kind} harvest lost titles"
    for record in records:
        node = dataset_ref(BASE, record.record_id)
        assert (node, RDF.type, DCAT.Dataset) in graph, record.record_id
        assert {str(t) for t in graph.objects(node, DCTERMS.title)} == {record.title}
        assert {str(d) for d in graph.objects(node, DCTERMS.description)} == {record.description or record.title}
        exported_urls = {
            str(url)
            for distribution in graph.objects(node, DCAT.distribution)
            for url in (*graph.objects(distribution, DCAT.accessURL), *graph.objects(distribution, DCAT.downloadURL))
        }
        record_urls = {u for d in record.distributions for u in (d.access_url, d.download_url) if u}
        assert exported_urls == record_urls, record.record_id


def test_the_export_lists_each_record_once_and_only_records(demo):
    run, exports = demo
    graph = exports["ttl"]
    expected = {dataset_ref(BASE, r.record_id) for r in run.catalogue.backend.iter_records()}
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == expected
    assert set(graph.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset)) == expected
