"""GeoNetwork (DATA Grand Lyon): CSW 2.0.2 in each output schema, harvested over HTTP from its simulator."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

from harvesters.portals.csw import SearchResults, csw_fingerprint, next_position
from harvesters.errors import ParseError
from mappings.sources.iso19139 import iso_to_dcat
from harvesters.fetch.safe_xml import parse_xml
from mappings.portals import Portal
from mappings.vocab import DCAT3
from simulators.dcat_render import LICENSE_URLS
from simulators.geonetwork import GeonetworkSimulator
from simulators.geonetwork_records import distribution_links, iso_record, record_uuid
from simulators.sample_data import generate
from tests.conftest import quick_harvest
from tests.integration.harvesters.support import assert_nothing_processed

DATASETS = generate("lyon", 23)
NOT_DISTRIBUTIONS = ("jdbc:", "LicenceOuverte.pdf", "thumb")


def harvest(store, simulator, **options):
    portal = Portal(id="lyon", name="DATA Grand Lyon", kind="geonetwork", url=simulator.csw_url, options={"page_size": 10, **options})
    return quick_harvest(portal, store)


def expected_urls(sample) -> set[str]:
    return {url for _, url, _, _ in distribution_links(sample)}


def check_every_record(store, *, licence_uri: str | None, with_contact: bool = True) -> None:
    for sample in DATASETS:
        record = store.get(f"lyon:{record_uuid(sample.slug)}").record
        assert record.title == sample.title
        assert record.description == sample.description
        assert record.publisher.name == "Métropole de Lyon"
        assert "licence ouverte" in record.license.label.lower()
        if licence_uri:
            assert record.license.uri == licence_uri
        urls = {d.url for d in record.distributions}
        assert urls == expected_urls(sample)
        assert not any(marker in url for url in urls for marker in NOT_DISTRIBUTIONS)
        assert (record.contact_point is not None) == with_contact


@pytest.mark.parametrize("method", ["get", "post"])
def test_iso_19139_records_over_get_and_post(backend, method):
    with GeonetworkSimulator(DATASETS) as simulator:
        job = harvest(backend, simulator, csw_method=method)
        methods = {r.method for r in simulator.requests if r.query.get("REQUEST") != ["GetCapabilities"]}
    assert job.status == "done", job.error
    assert (job.pages, job.stats.created) == (3, len(DATASETS))
    assert methods == {method.upper()}
    check_every_record(backend, licence_uri=LICENSE_URLS["etalab-2.0"])


def test_post_is_used_when_the_service_takes_getrecords_over_post_only(backend):
    with GeonetworkSimulator(DATASETS[:5], get=False) as simulator:
        job = harvest(backend, simulator)
        posts = [r for r in simulator.requests if r.method == "POST"]
    assert job.status == "done", job.error
    assert posts and b"<csw:GetRecords" in posts[0].body
    assert posts[0].headers["Content-Type"].startswith("application/xml")


def test_iso_mapping_details(backend):
    with GeonetworkSimulator(DATASETS) as simulator:
        harvest(backend, simulator)
    velov = backend.get(f"lyon:{record_uuid('stations-velo-v-de-la-metropole-de-lyon')}").record
    themes = {t.label: t.uri for t in velov.themes}
    assert themes["Réseaux de transport"] == "http://inspire.ec.europa.eu/theme/tn"
    assert themes["Transport"].endswith("/TopicCategory/transportation")
    assert set(velov.keywords) == {"vélo", "vélo'v", "mobilité"}
    assert velov.contact_point.name.endswith("Direction de l'innovation numérique")
    assert velov.contact_point.email == "opendata@grandlyon.com"
    assert velov.frequency.uri.endswith("/frequency/DAILY")
    assert velov.languages == ("FRA",)
    assert (velov.issued, velov.modified) == (DATASETS[0].issued.isoformat(), DATASETS[0].modified.isoformat())
    with_period = next(d for i, d in enumerate(DATASETS) if d.temporal)
    record = backend.get(f"lyon:{record_uuid(with_period.slug)}").record
    assert (record.temporal_start, record.temporal_end) == tuple(d.isoformat() for d in with_period.temporal)
    assert [c.label for c in record.spatial] == ["Lyon"]


def test_owner_stands_in_for_a_missing_publisher(backend):
    """Every third record names the Métropole only as owner."""
    with GeonetworkSimulator(DATASETS[:4]) as simulator:
        harvest(backend, simulator)
    ordered = sorted(DATASETS[:4], key=lambda d: record_uuid(d.slug))
    assert backend.get(f"lyon:{record_uuid(ordered[0].slug)}").record.publisher.name == "Métropole de Lyon"


def test_swapped_bounding_box_is_put_back_in_order():
    sample = DATASETS[0]
    record = parse_xml(iso_record(sample, 1).encode(), "test")  # index 1: longitudes swapped
    assert "<gmd:westBoundLongitude><gco:Decimal>5.111" in iso_record(sample, 1)
    graph = Graph()
    node = iso_to_dcat(graph, record, "https://data.grandlyon.com/geonetwork/srv/fre/catalog.search#/metadata/")
    (place,) = [p for p in graph.objects(node, DCTERMS.spatial) if (p, DCAT3.bbox, None) in graph]
    wkt = str(graph.value(place, DCAT3.bbox))
    assert wkt == "POLYGON((4.681 45.556, 5.111 45.556, 5.111 45.917, 4.681 45.917, 4.681 45.556))"


def test_dcat_output_schema_is_preferred_when_advertised(backend):
    with GeonetworkSimulator(DATASETS, dcat=True) as simulator:
        job = harvest(backend, simulator)
        schemas = {r.query.get("outputSchema", [""])[0] for r in simulator.requests}
    assert job.status == "done", job.error
    assert "http://www.w3.org/ns/dcat#" in schemas
    assert job.stats.created == len(DATASETS)
    check_every_record(backend, licence_uri=LICENSE_URLS["etalab-2.0"])
    record = backend.get(f"lyon:{record_uuid(DATASETS[0].slug)}").record
    assert record.source_uri.endswith(f"/catalog.search#/metadata/{record_uuid(DATASETS[0].slug)}")
    assert {t.label for t in record.themes} == {"Réseaux de transport", "Transport"}


def test_switching_output_schema_keeps_the_same_records(backend):
    with GeonetworkSimulator(DATASETS, dcat=True) as simulator:
        harvest(backend, simulator, output_schema="iso")
        job = harvest(backend, simulator)
    assert (job.stats.created, job.stats.deleted) == (0, 0)
    assert backend.count() == len(DATASETS)


def test_dublin_core_is_the_last_resort(backend):
    with GeonetworkSimulator(DATASETS) as simulator:
        job = harvest(backend, simulator, output_schema="dc")
    assert job.status == "done", job.error
    check_every_record(backend, licence_uri=None, with_contact=False)
    record = backend.get(f"lyon:{record_uuid('stations-velo-v-de-la-metropole-de-lyon')}").record
    assert "license" not in record.license.label.lower().split()
    assert "Transport" in {t.label for t in record.themes}


def test_second_harvest_of_unchanged_records_processes_nothing(backend):
    """GeoNetwork stamps every answer with the time and sends no validators."""
    with GeonetworkSimulator(DATASETS) as simulator:
        harvest(backend, simulator)
        job = harvest(backend, simulator)
    assert_nothing_processed(job, pages=3, records=len(DATASETS))


def one_record_changed(position: int, old: str, new: str) -> type[GeonetworkSimulator]:
    """A GeoNetwork simulator whose record at ``position`` has ``old`` replaced by ``new``."""

    class OneChanged(GeonetworkSimulator):
        def _render(self, schema, dataset, index):
            text = super()._render(schema, dataset, index)
            return text.replace(old, new) if index == position else text

    return OneChanged


def test_a_broken_record_fails_alone_with_its_reason(backend):
    with one_record_changed(2, "gmd:identificationInfo>", "gmd:nothing>")(DATASETS[:5]) as simulator:
        job = harvest(backend, simulator)
    broken = record_uuid(simulator.ordered()[2].slug)
    assert job.status == "done-with-errors" and backend.count() == 4
    assert [(f.source, f.reason) for f in job.failed] == [
        (broken, f"could not convert the MD_Metadata record: ISO record {broken} has no identification section")
    ]


def test_a_service_record_is_skipped(backend):
    with one_record_changed(0, 'codeListValue="dataset"', 'codeListValue="service"')(DATASETS[:3]) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "done" and job.skipped == 1 and backend.count() == 2


def test_a_record_without_title_is_reported(backend):
    class Untitled(GeonetworkSimulator):
        def _render(self, schema, dataset, index):
            text = super()._render(schema, dataset, index)
            return re.sub(r"(<gmd:title><gco:CharacterString>)[^<]*", r"\1", text, count=1) if index == 1 else text

    with Untitled(DATASETS[:3]) as simulator:
        job = harvest(backend, simulator)
    assert job.status == "done-with-errors"
    assert len(job.failed) == 1 and "no dct:title" in job.failed[0].reason
    assert backend.count() == 2


def test_csw_exception_fails_the_harvest(backend):
    with GeonetworkSimulator(DATASETS[:3]) as simulator:
        job = harvest(backend, simulator, output_schema="http://example.org/unknown")
    assert job.status == "failed" and "HTTP 400" in job.error


def test_xml_with_a_dtd_is_refused():
    with pytest.raises(ParseError, match="DTD"):
        parse_xml(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>', "test")


@pytest.mark.parametrize(
    "matched, returned, next_record, start, following, anomaly",
    [
        (23, 10, 11, 1, 11, None),
        (23, 3, 0, 21, None, None),
        (23, 10, 24, 11, None, None),
        (23, 0, 0, 11, None, "no record"),
        (23, 10, 5, 11, None, "does not move"),
        (23, 10, 0, 1, None, "paging ended"),
    ],
)
def test_next_position(matched, returned, next_record, start, following, anomaly):
    results = SearchResults(matched=matched, returned=returned, next_record=next_record, records=[])
    found, warning = next_position(results, start)
    assert found == following
    assert (warning is None) if anomaly is None else (anomaly in warning)


def test_search_status_timestamp_is_ignored_by_the_fingerprint():
    a = b'<csw:GetRecordsResponse><csw:SearchStatus timestamp="2026-01-01T10:00:00" /><x/></csw:GetRecordsResponse>'
    b = a.replace(b"10:00:00", b"10:00:07")
    assert csw_fingerprint(a) == csw_fingerprint(b) and a != b
    assert b"<x/>" in csw_fingerprint(a)
