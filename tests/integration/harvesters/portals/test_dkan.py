"""DKAN (Montpellier): the CKAN-style Action API and /catalog.xml, harvested over HTTP from the simulator."""

from __future__ import annotations


import pytest

from harvesters.portals.dkan import catalog_fingerprint
from mappings.sources.dkan import french_datetime, parse_size, unwrap_result
from mappings.portals import Portal
from mappings.vocabularies import canonical_license
from simulators.dcat_render import LICENSE_URLS
from simulators.dkan import DkanSimulator, french_date, human_size, package_id
from simulators.sample_data import generate
from tests.conftest import quick_harvest
from tests.integration.harvesters.support import assert_nothing_processed

DATASETS = generate("montpellier", 23)


@pytest.fixture(scope="module")
def dkan():
    with DkanSimulator(DATASETS) as simulator:
        yield simulator


def harvest(store, simulator, **options):
    portal = Portal(id="montpellier", name="Montpellier", kind="dkan", url=simulator.url, options={"page_size": 10, **options})
    return quick_harvest(portal, store)


def check_every_record(store, *, with_licence: bool = True) -> None:
    for sample in DATASETS:
        record = store.get(f"montpellier:{package_id(sample.slug)}").record
        assert record.title == sample.title
        assert record.description and "<" not in record.description
        assert record.publisher.name == "Montpellier Méditerranée Métropole"
        assert {d.download_url for d in record.distributions} == {r.url for r in sample.resources}
        assert record.source_uri == f"https://data.montpellier3m.fr/dataset/{sample.slug}"
        if with_licence:
            assert record.license.uri == LICENSE_URLS["odbl"] or "odbl" in record.license.label.lower()


def test_paged_packages_with_resources(backend, dkan):
    job = harvest(backend, dkan)
    assert job.status == "done", job.error
    assert job.stats.created == len(DATASETS)
    assert job.pages == 4, "three full pages, then an empty one ends the paging"
    check_every_record(backend)


def test_dkan_quirks_are_read(backend, dkan):
    harvest(backend, dkan)
    velomagg = backend.get(f"montpellier:{package_id('stations-velomagg')}").record
    assert velomagg.description == "Localisation des stations de vélos en libre-service Vélomagg et leur capacité."
    sample = DATASETS[1]
    record = backend.get(f"montpellier:{package_id(sample.slug)}").record
    assert record.issued == f"{sample.issued.isoformat()}T09:23:00", "from 'jeu, 19/12/2019 - 09:23'"
    assert record.modified == f"{sample.modified.isoformat()}T22:00:00"
    assert record.contact_point.email == sample.contact_email
    sizes = {d.download_url: d.byte_size for d in record.distributions}
    for resource in sample.resources:
        assert abs(sizes[resource.url] - resource.byte_size) <= resource.byte_size * 0.001
    formats = {d.format for r in backend.iter_records() for d in r.distributions}
    assert formats == {"CSV", "JSON", "GEOJSON", "XLSX", "SHP"}, "format names in mimetype did not leak"


def test_licence_given_as_url_or_as_label(backend, dkan):
    harvest(backend, dkan)
    by_url = backend.get(f"montpellier:{package_id(DATASETS[0].slug)}").record.license
    by_label = backend.get(f"montpellier:{package_id(DATASETS[1].slug)}").record.license
    # the harvest normalises licences: the portal's URL and label both become the canonical ODbL
    canonical = canonical_license(LICENSE_URLS["odbl"])
    assert by_url == by_label
    assert (by_url.uri, by_url.label) == (canonical.uri, canonical.label)
    assert "odbl" in by_label.label.lower()


def test_package_list_and_package_show_when_the_paged_endpoint_is_missing(backend):
    with DkanSimulator(DATASETS, with_resources=False) as simulator:
        job = harvest(backend, simulator)
        shown = [r for r in simulator.requests if r.path.endswith("/package_show")]
    assert job.status == "done", job.error
    assert job.pages == len(DATASETS) and len(shown) == len(DATASETS)
    assert any("trying the next source" in w for w in job.warnings)
    check_every_record(backend)


def test_catalog_xml_when_the_api_does_not_answer(backend):
    with DkanSimulator(DATASETS, api=False) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "done", job.error
    assert job.pages == 1 and job.stats.created == len(DATASETS)
    check_every_record(backend, with_licence=False)  # DKAN maps licences to empty strings in /catalog.xml
    record = backend.get(f"montpellier:{package_id(DATASETS[0].slug)}").record
    assert record.license is None


def test_nothing_answering_fails_the_harvest(backend):
    with DkanSimulator(DATASETS, api=False, catalog_xml=False) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "failed" and "no DKAN source answered" in job.error


def test_a_capped_page_size_is_followed_by_offset(backend):
    with DkanSimulator(DATASETS, max_limit=4) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "done" and job.stats.created == len(DATASETS)
    assert job.pages == 7


def test_same_records_whichever_source(backend):
    with DkanSimulator(DATASETS, api=False) as simulator:
        harvest(backend, simulator)
    with DkanSimulator(DATASETS) as simulator:
        job = harvest(backend, simulator)
    assert (job.stats.created, job.stats.deleted) == (0, 0)
    assert backend.count() == len(DATASETS)


def test_second_harvest_gets_304s_and_processes_nothing(backend, dkan):
    harvest(backend, dkan)
    job = harvest(backend, dkan)
    assert_nothing_processed(job, pages=4, records=len(DATASETS))
    conditional = [r for r in dkan.requests[-4:] if "If-None-Match" in r.headers]
    assert len(conditional) == 4


def test_catalog_xml_stamped_with_now_is_still_unchanged(backend):
    with DkanSimulator(DATASETS[:5], api=False) as simulator:
        harvest(backend, simulator)
        job = harvest(backend, simulator)
    assert (job.pages_unchanged, job.stats.unchanged) == (1, 5)


def test_a_changed_page_is_read_again_and_a_removed_dataset_goes(backend):
    with DkanSimulator(list(DATASETS)) as simulator:
        harvest(backend, simulator)
        simulator.replace_datasets(DATASETS[:22])
        job = harvest(backend, simulator)
    assert (job.stats.created, job.stats.updated, job.stats.unchanged, job.stats.deleted) == (0, 0, 22, 1)
    assert job.pages_unchanged == 2, "pages 1 and 2 answered 304; page 3 changed, and the empty page moved"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jeu, 19/12/2019 - 03:00", "2019-12-19T03:00:00"),
        ("Date changed  jeu, 19/12/2019 - 03:00", "2019-12-19T03:00:00"),
        ("mar, 10/12/2019 - 09:23", "2019-12-10T09:23:00"),
        ("2019-09-30 22:00:00", "2019-09-30T22:00:00"),
        ("2019-09-30", "2019-09-30T00:00:00"),
        ("31/02/2019", None),
        ("", None),
        (None, None),
    ],
)
def test_french_dates(text, expected):
    assert french_datetime(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("42 octets", 42), ("46,88 Ko", 48005), ("1,2 Mo", 1258291), ("1.5 MB", 1572864), (512, 512), ("beaucoup", None), (None, None)],
)
def test_human_sizes(text, expected):
    assert parse_size(text) == expected


def test_simulator_writes_what_the_harvester_reads():
    day = DATASETS[0].issued
    assert french_datetime(french_date(day, 9, 23)) == f"{day.isoformat()}T09:23:00"
    assert abs(parse_size(human_size(48005)) - 48005) < 10


def test_package_show_result_is_unwrapped_from_its_array():
    assert unwrap_result([{"id": "x"}]) == {"id": "x"}
    assert unwrap_result({"id": "x"}) == {"id": "x"}


def test_catalog_fingerprint_ignores_the_catalogue_timestamps_only():
    head = b'<rdf:RDF><dcat:Catalog><dct:issued>2026-01-01T10:00:00+01:00</dct:issued><dct:modified>%s</dct:modified>'
    body = b"<dcat:dataset><dct:issued>2019-01-01</dct:issued></dcat:dataset></dcat:Catalog></rdf:RDF>"
    a = head % b"2026-01-01T10:00:00+01:00" + body
    b = head % b"2026-01-01T10:05:00+01:00" + body
    assert catalog_fingerprint(a) == catalog_fingerprint(b)
    assert catalog_fingerprint(a) != catalog_fingerprint(a.replace(b"2019-01-01", b"2019-01-02"))


def test_a_listed_package_that_is_not_shown_is_a_failed_record(backend):
    class Vanishing(DkanSimulator):
        def _action(self, action, request):
            if action == "package_show" and request.arg("id") == DATASETS[2].slug:
                return None  # answered with Drupal's 404 page
            return super()._action(action, request)

    with Vanishing(DATASETS[:5], with_resources=False) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "done-with-errors" and backend.count() == 4
    assert [(f.source, f.reason.startswith("package_show failed: HTTP 404")) for f in job.failed] == [(DATASETS[2].slug, True)]
