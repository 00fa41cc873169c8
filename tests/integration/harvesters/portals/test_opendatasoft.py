"""Opendatasoft (Paris Data): the Explore API's DCAT export, harvested over HTTP from its simulator."""

from __future__ import annotations


import pytest
import requests

from mappings.portals import Portal
from mappings.vocabularies import canonical_license, eu_frequency
from simulators.dcat_render import LICENSE_URLS
from simulators.opendatasoft import OpendatasoftSimulator
from simulators.sample_data import generate
from tests.conftest import quick_harvest
from tests.integration.harvesters.support import assert_nothing_processed

DATASETS = generate("paris", 30)
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.fixture(scope="module")
def ods():
    with OpendatasoftSimulator(DATASETS) as simulator:
        yield simulator


def portal(simulator: OpendatasoftSimulator, **options) -> Portal:
    return Portal(id="paris", name="Paris Data", kind="opendatasoft", url=simulator.url, options=options)


def harvest(store, simulator, **options):
    return quick_harvest(portal(simulator, **options), store)


def test_every_dataset_is_harvested_faithfully(backend, ods):
    job = harvest(backend, ods)
    assert job.status == "done", job.error
    assert (job.pages, job.stats.created) == (1, len(DATASETS))
    for sample in DATASETS:
        record = backend.get(f"paris:{sample.slug}").record
        assert record.title == sample.title
        assert "<" not in record.description and record.description
        assert record.publisher.name == "Ville de Paris"
        assert record.license.uri == canonical_license(LICENSE_URLS["odbl"]).uri, "normalised to the EU licence"
        assert {d.download_url for d in record.distributions} == set(ods.export_urls(sample))
        assert record.source_uri == f"https://opendata.paris.fr/explore/dataset/{sample.slug}/"


def test_html_description_in_cdata_becomes_plain_text(backend, ods):
    harvest(backend, ods)
    record = backend.get("paris:velib-velos-et-bornes-disponibilite-temps-reel").record
    assert record.description.startswith("Disponibilité en temps réel des vélos en libre-service Vélib' Métropole")
    assert "<b>" not in record.description


def test_free_text_written_as_iris_becomes_labels(backend, ods):
    harvest(backend, ods)
    records = {r.guid: r for r in backend.iter_records()}
    first = records[DATASETS[0].slug]  # index 0: the "France entière" place
    assert [c.label for c in first.spatial] == ["France entière et hors territoire"]
    # not the free text written as an IRI: the place's official IRI (mappings.places resolves French places)
    assert [c.uri for c in first.spatial] == ["http://publications.europa.eu/resource/authority/country/FRA"]
    # the harvest normalises the free-text frequencies onto the EU frequency vocabulary
    uris = {r.frequency.uri for r in records.values()}
    assert {eu_frequency(label).uri for label in ("En continu", "Mensuelle", "Irrégulière")} <= uris
    assert all(uri.startswith(EU_FREQUENCY) for uri in uris), "no junk IRI resolved against the export URL"


def test_facet_urls_keep_their_labels(backend, ods):
    harvest(backend, ods)
    record = backend.get(f"paris:{DATASETS[4].slug}").record
    assert [t.label for t in record.themes] == [DATASETS[4].theme]
    assert record.themes[0].uri.startswith("https://opendata.paris.fr/explore/?refine.theme=")
    assert record.publisher.uri.startswith("https://opendata.paris.fr/explore/?refine.publisher=")


def test_missing_or_wrong_language_tags_do_not_lose_texts(backend, ods):
    harvest(backend, ods)
    for index in (3, 4):  # untagged, then tagged "en" although French
        record = backend.get(f"paris:{DATASETS[index].slug}").record
        assert record.title == DATASETS[index].title
        assert set(record.keywords) == set(DATASETS[index].keywords)


def test_export_formats_name_each_distribution(backend, ods):
    harvest(backend, ods)
    formats = {d.format for r in backend.iter_records() for d in r.distributions}
    assert formats == {"CSV", "JSON", "GEOJSON", "SHP", "XLSX"}


def test_include_exports_limits_the_distributions(backend, ods):
    harvest(backend, ods, include_exports="csv,geojson")
    formats = {d.format for r in backend.iter_records() for d in r.distributions}
    assert formats <= {"CSV", "GEOJSON"}
    assert ods.requests[-1].query["include_exports"] == ["csv,geojson"]
    assert ods.requests[-1].query["lang"] == ["fr"]


def test_a_uri_style_change_does_not_duplicate_records(backend, ods):
    first = harvest(backend, ods, api_version="v2")
    assert first.status == "done" and first.stats.created == len(DATASETS)
    assert backend.get(f"paris:{DATASETS[0].slug}").record.identifier == f"{DATASETS[0].slug}@parisdata"
    second = harvest(backend, ods)  # the v2.1 export: landing-page IRIs
    assert (second.stats.created, second.stats.deleted) == (0, 0)
    assert backend.count() == len(DATASETS)
    assert backend.get(f"paris:{DATASETS[0].slug}").record.source_uri.endswith(f"/explore/dataset/{DATASETS[0].slug}/")


def test_second_harvest_of_the_unchanged_export_processes_nothing(backend, ods):
    harvest(backend, ods)
    job = harvest(backend, ods)
    assert_nothing_processed(job, pages=1, records=len(DATASETS))


def test_a_changed_export_is_read_again(backend):
    with OpendatasoftSimulator(DATASETS[:5]) as simulator:
        harvest(backend, simulator)
        simulator.datasets = DATASETS[:6]
        job = harvest(backend, simulator)
    assert (job.pages_unchanged, job.stats.created, job.stats.unchanged) == (0, 1, 5)


def test_rate_limit_headers_are_sent(ods):
    answer = requests.get(ods.url + "/api/explore/v2.1/catalog/exports/dcat", timeout=5)
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(answer.headers)
    assert "ETag" not in answer.headers, "Opendatasoft documents no validators"


def test_validators_when_a_proxy_adds_them_give_304s(backend):
    with OpendatasoftSimulator(DATASETS[:4], conditional_get=True) as simulator:
        harvest(backend, simulator)
        job = harvest(backend, simulator)
        last = simulator.requests[-1]
    assert "If-None-Match" in last.headers and "If-Modified-Since" in last.headers
    assert (job.pages_unchanged, job.stats.unchanged) == (1, 4)
