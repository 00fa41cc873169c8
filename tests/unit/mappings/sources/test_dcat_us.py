"""DCAT-US 1.1 entries → DCAT → record: the values DCAT-US writes its own way."""

from __future__ import annotations

import pytest
from rdflib import Graph

from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.normalise import normalise
from mappings.sources.dcat_us import catalog_to_dcat
from mappings.errors import InvalidRecord


def record_of(**fields):
    graph, failures = catalog_to_dcat({"dataset": [{"identifier": "id-1", "title": "T", **fields}]})
    assert failures == []
    (node,) = dataset_nodes(graph)
    return normalise(record_from_rdf(graph, node, "us"))


@pytest.mark.parametrize(
    "temporal,expected",
    [
        ("2000-01-15/2010-01-15", ("2000-01-15", "2010-01-15")),
        ("R/2000-01-15/P1M", ("2000-01-15", None)),
        ("2000-01-15T00:00:00Z/P1W", ("2000-01-15T00:00:00+00:00", None)),
        ("2011/2015", ("2011", "2015")),
    ],
)
def test_temporal_intervals(temporal, expected):
    record = record_of(temporal=temporal)
    assert (record.temporal_start, record.temporal_end) == expected


def test_spatial_as_box_geometry_place_or_unfilled_template():
    assert record_of(spatial="-77.1,38.8,-76.9,39.0").bbox == (-77.1, 38.8, -76.9, 39.0)
    geojson = '{"type": "Point", "coordinates": [2.35, 48.85]}'
    assert record_of(spatial=geojson).bbox == (2.35, 48.85, 2.35, 48.85)
    assert [c.label for c in record_of(spatial="Lyon").spatial] == ["Lyon"]
    unfilled = record_of(spatial="{{extent:computeSpatialProperty}}")
    assert unfilled.bbox is None and unfilled.spatial == ()


@pytest.mark.parametrize("level,code", [("public", "PUBLIC"), ("restricted public", "RESTRICTED"), ("non-public", "NON_PUBLIC")])
def test_access_levels(level, code):
    record = record_of(accessLevel=level)
    assert record.access_rights.uri == f"http://publications.europa.eu/resource/authority/access-right/{code}"


def test_links_contact_licence_and_frequency():
    record = record_of(
        contactPoint={"fn": "Jane", "hasEmail": "mailto: jane@example.gov"},
        license="https://creativecommons.org/licenses/by/4.0/",
        accrualPeriodicity="R/P1M",
        distribution=[
            {"downloadURL": "https://example.gov/a.csv", "mediaType": "text/csv", "format": "CSV"},
            {"accessURL": "https://example.gov/api", "format": "API"},
            {"title": "no link at all"},
        ],
    )
    assert record.contact_point.email == "jane@example.gov"
    assert record.license.uri == "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    assert record.frequency.uri.endswith("/MONTHLY")
    assert {(d.access_url, d.download_url) for d in record.distributions} == {
        ("https://example.gov/a.csv", "https://example.gov/a.csv"),
        ("https://example.gov/api", None),
    }


def test_bad_entries_fail_alone_and_a_document_without_datasets_is_refused():
    graph, failures = catalog_to_dcat({"dataset": [{"identifier": "ok", "title": "T"}, 42]})
    assert len(dataset_nodes(graph)) == 1 and len(failures) == 1
    with pytest.raises(InvalidRecord):
        catalog_to_dcat({"datasets": []})
    assert isinstance(graph, Graph)
