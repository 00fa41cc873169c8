"""Bounding boxes from WKT, GeoJSON, GML/OWS literals and ISO extents, with axis repair."""

from __future__ import annotations

import math

import pytest

from mappings.geo import (
    FRANCE,
    BBox,
    bbox_from_coordinates,
    bbox_from_extent,
    bbox_from_geojson,
    bbox_from_gml,
    bbox_from_text,
    bbox_from_wkt,
)

PARIS = BBox(west=2.22, south=48.81, east=2.47, north=48.9)
CRS84 = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
EPSG4326 = "<http://www.opengis.net/def/crs/EPSG/0/4326>"


@pytest.mark.parametrize(
    "wkt",
    [
        "POLYGON((2.22 48.81, 2.47 48.81, 2.47 48.9, 2.22 48.9, 2.22 48.81))",
        "polygon ((2.22 48.81, 2.47 48.9))",
        "MULTIPOLYGON(((2.22 48.81, 2.3 48.85, 2.22 48.81)), ((2.4 48.85, 2.47 48.9, 2.4 48.85)))",
        "POLYGON Z ((2.22 48.81 35, 2.47 48.9 60, 2.22 48.81 35))",
        "LINESTRING(2.22 48.81, 2.47 48.9)",
        "ENVELOPE(2.22, 2.47, 48.9, 48.81)",
        f"{CRS84} POLYGON((2.22 48.81, 2.47 48.9))",
        f"{EPSG4326} POLYGON((48.81 2.22, 48.9 2.47))",  # EPSG:4326 axis order: latitude first
        "SRID=4326;POLYGON((2.22 48.81, 2.47 48.9))",
        # latitude written first without saying so: repaired because only the swapped box lies in France
        "POLYGON((48.81 2.22, 48.81 2.47, 48.9 2.47, 48.9 2.22, 48.81 2.22))",
        "POLYGON((2.47 48.9, 2.22 48.81))",  # corners in the wrong order
        "POLYGON((2.22e0 4.881E1, 2.47 48.9))",
    ],
)
def test_wkt(wkt):
    assert bbox_from_wkt(wkt) == PARIS


def test_wkt_from_geo2france_dcat():
    wkt = "Polygon((1.32898744824151 48.79422289313, 3.1 48.8, 3.1 50.0, 1.32898744824151 48.79422289313))"
    assert bbox_from_wkt(wkt) == BBox(1.32898744824151, 48.79422289313, 3.1, 50.0)


def test_point_gives_a_degenerate_box():
    assert bbox_from_wkt("POINT(4.83 45.76)") == BBox(4.83, 45.76, 4.83, 45.76)


@pytest.mark.parametrize(
    "wkt",
    ["POLYGON EMPTY", "", "not a geometry", "POLYGON((651000 6861000, 652000 6862000))"],  # last: Lambert-93 metres
)
def test_wkt_without_usable_degrees(wkt):
    assert bbox_from_wkt(wkt) is None


@pytest.mark.parametrize(
    "geometry",
    [
        '{"type": "Polygon", "coordinates": [[[2.22, 48.81], [2.47, 48.81], [2.47, 48.9], [2.22, 48.81]]]}',
        {"type": "MultiPoint", "coordinates": [[2.22, 48.81], [2.47, 48.9]]},
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [[2.22, 48.81], [2.47, 48.9]]}},
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.22, 48.81]}},
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.47, 48.9, 40.0]}},
            ],
        },
        {
            "type": "GeometryCollection",
            "geometries": [{"type": "Point", "coordinates": [2.22, 48.81]}, {"type": "Point", "coordinates": [2.47, 48.9]}],
        },
        {"type": "Feature", "bbox": [2.22, 48.81, 2.47, 48.9], "geometry": None},
        {"type": "Polygon", "bbox": [2.22, 48.81, 0, 2.47, 48.9, 100], "coordinates": []},
    ],
)
def test_geojson(geometry):
    assert bbox_from_geojson(geometry) == PARIS


@pytest.mark.parametrize("geometry", ["{not json", "[]", {"type": "Point"}, {"type": "Point", "coordinates": []}, 42])
def test_geojson_without_coordinates(geometry):
    assert bbox_from_geojson(geometry) is None


def test_lyon_ows_bounding_box_with_swapped_longitudes_and_a_misleading_crs():
    # csw:Record from rdata_docs: labelled EPSG:3946 but in degrees, Lower/Upper longitudes swapped
    xml = """<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::RGF93 / CC46 (EPSG:3946)">
        <ows:LowerCorner>5.1410943067093 45.486705557736</ows:LowerCorner>
        <ows:UpperCorner>4.629545313738 45.945335689366</ows:UpperCorner>
      </ows:BoundingBox>"""
    assert bbox_from_gml(xml) == BBox(4.629545313738, 45.486705557736, 5.1410943067093, 45.945335689366)


@pytest.mark.parametrize(
    "xml",
    [
        "<gml:Envelope srsName='http://www.opengis.net/def/crs/OGC/1.3/CRS84'>"
        "<gml:lowerCorner>2.22 48.81</gml:lowerCorner><gml:upperCorner>2.47 48.9</gml:upperCorner></gml:Envelope>",
        '<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326">'
        "<gml:lowerCorner>48.81 2.22</gml:lowerCorner><gml:upperCorner>48.9 2.47</gml:upperCorner></gml:Envelope>",
        "<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>2.22 48.81 2.47 48.81 2.47 48.9 2.22 48.81"
        "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>",
        "<gml:Box><gml:coordinates>2.22,48.81 2.47,48.9</gml:coordinates></gml:Box>",
        "<Envelope><lowerCorner>2.22 48.81</lowerCorner><upperCorner>2.47 48.9</upperCorner></Envelope>",
    ],
)
def test_gml(xml):
    assert bbox_from_gml(xml) == PARIS


@pytest.mark.parametrize(
    "literal",
    [
        "POLYGON((2.22 48.81, 2.47 48.9))",
        f"{CRS84} POLYGON((2.22 48.81, 2.47 48.9))",
        '{"type": "Polygon", "coordinates": [[[2.22, 48.81], [2.47, 48.9]]]}',
        "<gml:Envelope><gml:lowerCorner>2.22 48.81</gml:lowerCorner><gml:upperCorner>2.47 48.9</gml:upperCorner></gml:Envelope>",
    ],
)
def test_dcat_bbox_literal_in_any_encoding(literal):
    assert bbox_from_text(literal) == PARIS


@pytest.mark.parametrize("literal", [None, "", "   ", "France entière et hors territoire"])
def test_dcat_bbox_literal_without_geometry(literal):
    assert bbox_from_text(literal) is None


@pytest.mark.parametrize(
    "west,east,south,north,expected",
    [
        (2.22, 2.47, 48.81, 48.9, PARIS),
        ("2.22", "2.47", "48.81", "48.9", PARIS),  # DKAN extras are strings
        ("2,22", "2,47", "48,81", "48,9", PARIS),  # French decimal comma
        (2.47, 2.22, 48.9, 48.81, PARIS),  # min > max
        (48.81, 48.9, 2.22, 2.47, PARIS),  # latitude and longitude swapped
        (-5.5, 9.8, 41.2, 51.3, BBox(-5.5, 41.2, 9.8, 51.3)),  # metropolitan France
        (55.2, 55.9, -21.4, -20.8, BBox(55.2, -21.4, 55.9, -20.8)),  # La Réunion stays as given
        (-180, 180, -90, 90, BBox(-180, -90, 180, 90)),
    ],
)
def test_iso_extent(west, east, south, north, expected):
    assert bbox_from_extent(west, east, south, north) == expected


def test_latitudes_beyond_90_are_swapped_with_plausible_longitudes():
    # general rule, far from France: the "latitude" pair (100..110) is impossible, the "longitude" pair fits ±90
    assert bbox_from_extent(20, 30, 100, 110) == BBox(100, 20, 110, 30)


@pytest.mark.parametrize(
    "values",
    [(None, 2.47, 48.81, 48.9), ("", 2.47, 48.81, 48.9), ("est", 2.47, 48.81, 48.9), (120, 130, -100, -95), (200, 210, 10, 20)],
)
def test_unusable_extent(values):
    assert bbox_from_extent(*values) is None


def test_region_hint_can_be_switched_off():
    assert bbox_from_extent(48.81, 48.9, 2.22, 2.47, region=None) == BBox(48.81, 2.22, 48.9, 2.47)


def test_non_finite_coordinates_are_rejected():
    assert bbox_from_coordinates([2.2, math.nan], [48.8, 48.9]) is None
    assert bbox_from_coordinates([], []) is None


def test_bbox_serialisations():
    assert PARIS.as_tuple() == (2.22, 48.81, 2.47, 48.9)
    assert PARIS.to_wkt() == "POLYGON((2.22 48.81, 2.47 48.81, 2.47 48.9, 2.22 48.9, 2.22 48.81))"
    assert BBox(-5, 41, 10, 52).to_wkt() == "POLYGON((-5 41, 10 41, 10 52, -5 52, -5 41))"
    assert bbox_from_wkt(FRANCE.to_wkt()) == FRANCE
