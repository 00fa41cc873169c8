"""udata (data.gouv.fr): the Hydra-paged site catalogue, harvested over HTTP from its simulator."""

from __future__ import annotations


import pytest
from rdflib import URIRef

from mappings.portals import Portal
from mappings.vocab import HYDRA
from simulators.dcat_render import LICENSE_URLS
from simulators.opendatasoft import OpendatasoftSimulator
from simulators.sample_data import generate
from simulators.udata import CONTEXT_URL, UdataSimulator
from tests.conftest import FAST_HTTP, NOW, quick_harvest, run_harvest
from tests.integration.harvesters.support import assert_nothing_processed

DATASETS = generate("datagouv", 25)
HARVESTED_COPIES = {
    "velib-velos-et-bornes-disponibilite-temps-reel": "https://opendata.paris.fr/explore/dataset/velib-velos-et-bornes-disponibilite-temps-reel/",
    "stations-velomagg": "https://data.montpellier3m.fr/dataset/stations-velomagg",
}


@pytest.fixture(scope="module")
def udata():
    with UdataSimulator(DATASETS) as simulator:
        yield simulator


def harvest(store, simulator, portal_id="datagouv", **options):
    portal = Portal(id=portal_id, name="data.gouv.fr", kind="udata", url=simulator.url, options={"page_size": 10, **options})
    return quick_harvest(portal, store)


def record_of(store, simulator, sample):
    return store.get(f"datagouv:{simulator.dataset_uri(sample)}").record


@pytest.mark.parametrize("fmt", ["ttl", "xml", "jsonld"])
def test_every_dataset_is_harvested_faithfully_in_each_syntax(backend, udata, fmt):
    job = harvest(backend, udata, format=fmt)
    assert job.status == "done", job.error
    assert (job.pages, job.stats.created) == (3, len(DATASETS))
    for sample in DATASETS:
        record = record_of(backend, udata, sample)
        assert record.title == sample.title
        assert "**" not in record.description and "<" not in record.description and record.description
        assert record.publisher.name == "Etalab", "of the two publishers, the organisation wins"
        assert record.license.uri == LICENSE_URLS["etalab-2.0"]
        assert {d.download_url for d in record.distributions} == {r.url for r in sample.resources}
        assert {d.format for d in record.distributions} == {r.format.upper() for r in sample.resources}


def test_markdown_description_becomes_plain_text(backend, udata):
    harvest(backend, udata)
    record = record_of(backend, udata, DATASETS[0])
    assert record.description.startswith("Le schéma de données des aménagements cyclables")
    assert "- pistes" in record.description and "**" not in record.description


def test_harvested_copies_keep_their_upstream_iri(backend, udata):
    harvest(backend, udata)
    for slug, iri in HARVESTED_COPIES.items():
        record = backend.get(f"datagouv:{iri}").record
        assert record.source_uri == iri and record.landing_page == iri
    lyon = next(d for d in DATASETS if d.slug == "stations-velo-v-de-la-metropole-de-lyon")
    assert udata.dataset_uri(lyon).startswith("https://data.grandlyon.com/geonetwork/srv/fre/catalog.search#/metadata/")


def test_the_same_iri_at_a_city_portal_and_at_data_gouv_gives_two_records(backend, udata):
    harvest(backend, udata)
    with OpendatasoftSimulator(generate("paris", 1)) as paris:
        paris_portal = Portal(id="paris", name="Paris", kind="opendatasoft", url=paris.url)
        job = run_harvest(paris_portal, backend, http=FAST_HTTP, now=lambda: NOW)
    assert job.status == "done"
    iri = HARVESTED_COPIES["velib-velos-et-bornes-disponibilite-temps-reel"]
    city = backend.get("paris:velib-velos-et-bornes-disponibilite-temps-reel").record
    copy = backend.get(f"datagouv:{iri}").record
    assert city.source_uri == copy.source_uri == iri
    assert backend.counts_by_portal() == {"datagouv": len(DATASETS), "paris": 1}


def test_remote_json_ld_context_is_the_bundled_one_and_never_fetched(backend):
    with UdataSimulator(DATASETS[:12], jsonld_context="remote") as simulator:
        job = harvest(backend, simulator, format="jsonld")
        paths = {r.path for r in simulator.requests}
    assert job.status == "done", job.error
    assert job.stats.created == 12
    assert paths == {"/api/1/site/catalog.jsonld"}
    assert CONTEXT_URL.endswith("/api/1/site/context.jsonld")


def test_the_portal_own_context_url_is_also_served_from_the_bundle(backend):
    class OwnContext(UdataSimulator):
        def _serialized(self, extension, page, page_size):
            response = super()._serialized(extension, page, page_size)
            response.body = response.body.replace(CONTEXT_URL.encode(), f"{self.url}/api/1/site/context.jsonld".encode())
            return response

    with OwnContext(DATASETS[:3], jsonld_context="remote") as simulator:
        job = harvest(backend, simulator, format="jsonld")
        paths = {r.path for r in simulator.requests}
    assert job.status == "done", job.error
    assert paths == {"/api/1/site/catalog.jsonld"}


def test_legacy_paged_collection_vocabulary(backend):
    with UdataSimulator(DATASETS, legacy_paging=True) as simulator:
        job = harvest(backend, simulator, format="jsonld")
    assert job.status == "done", job.error
    assert (job.pages, job.stats.created) == (3, len(DATASETS))


def test_paging_stops_at_the_last_page_total_items_allows(backend):
    class EndlessNext(UdataSimulator):
        def page_graph(self, extension, page, page_size):
            graph = super().page_graph(extension, page, page_size)
            view = URIRef(f"{self.url}/api/1/site/catalog.{extension}?page={page}&page_size={page_size}")
            graph.set((view, HYDRA.next, URIRef(f"{self.url}/api/1/site/catalog.{extension}?page={page + 1}&page_size={page_size}")))
            return graph

    with EndlessNext(DATASETS[:15]) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "done", job.warnings
    assert job.pages == 2 and job.stats.created == 15


def test_second_harvest_of_unchanged_pages_processes_nothing(backend, udata):
    """udata sends no validators and new blank-node names every time: the parsed graphs are compared."""
    harvest(backend, udata, format="xml")
    job = harvest(backend, udata, format="xml")
    assert_nothing_processed(job, pages=3, records=len(DATASETS))


def test_one_changed_page_is_the_only_one_read_again(backend):
    with UdataSimulator(list(DATASETS)) as simulator:
        harvest(backend, simulator)
        changed = list(DATASETS)
        changed[12] = generate("datagouv", 40)[30]
        simulator.datasets = changed
        job = harvest(backend, simulator)
    assert job.status == "done"
    assert (job.pages, job.pages_unchanged) == (3, 2)
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (1, 0, 24, 1)
