"""Harvest → export → parse: the same dataset titles and distribution URLs come back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from harvesters.http import HttpSettings
from harvesters.runner import harvest_portal
from mappings.portals import Portal
from mappings.vocab import HYDRA
from simulators.dcat_portal import DcatPortalSimulator
from simulators.sample_data import generate
from tests.conftest import NOW


@pytest.fixture
def harvested(backend):
    for portal_id in ("paris", "montpellier"):
        with DcatPortalSimulator(generate(portal_id), page_size=7) as simulator:
            portal = Portal(id=portal_id, name=portal_id, kind="dcat", url=simulator.catalog_url("rdf"))
            job = harvest_portal(portal, backend, http_settings=HttpSettings(retries=0), grace=timedelta(0), now=lambda: NOW)
            assert job.status == "done", job.error
    return [d for p in ("paris", "montpellier") for d in generate(p)]


def exported_graph(client, extension: str, rdflib_format: str) -> Graph:
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
    assert pages == 5
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
