"""EU file types and IANA media types, table entry by table entry, plus real portal values."""

from __future__ import annotations

from collections import Counter

import pytest

from mappings.vocabularies import FormatInfo, file_type
from mappings.vocabularies.tables import load_table

TABLE = load_table("file_types")
TYPES = TABLE["types"]
BASE = TABLE["base"]
IANA = TABLE["iana_base"]
LABELS = {term: e.get("code", key) for key, e in TYPES.items() for term in (key, e["label"], *e["aliases"])}
MEDIA_TYPES = [(m, e.get("code", key)) for key, e in TYPES.items() for m in (e["media_type"], *e["media_types"]) if m]
ODS_EXPORTS = "https://opendata.paris.fr/api/explore/v2.1/catalog/datasets/x/exports/"
LYON_WS = "https://download.data.grandlyon.com/ws/rdata/tcl_sytral.tcllignemf/"
# application/zip is both ZIP and GTFS, image/tiff both TIFF and GeoTIFF: a media type alone gives the first.
SHARED = {m: {c for mt, c in MEDIA_TYPES if mt == m} for m, n in Counter(m for m, _ in MEDIA_TYPES).items() if n > 1}


def code_of(*args, **kwargs) -> str | None:
    info = file_type(*args, **kwargs)
    return info.code if info else None


@pytest.mark.parametrize("term,expected", LABELS.items())
def test_format_label(term, expected):
    assert code_of(term) == expected
    assert code_of(term.upper()) == expected
    assert code_of("." + term) == expected


@pytest.mark.parametrize("term,expected", MEDIA_TYPES)
def test_media_type(term, expected):
    allowed = SHARED.get(term, {expected})
    assert code_of(None, term) in allowed
    assert code_of(None, IANA + term) in allowed
    assert code_of(term + "; charset=UTF-8") in allowed


def test_shared_media_types_resolve_to_the_plain_format():
    assert code_of(None, "application/zip") == "ZIP"
    assert code_of(None, "image/tiff") == "TIFF"


@pytest.mark.parametrize("key,entry", TYPES.items())
def test_eu_file_type_iri(key, entry):
    code = entry.get("code", key)
    assert code_of(BASE + code) == code
    assert code_of(BASE.replace("http:", "https:") + code.lower()) == code


@pytest.mark.parametrize("protocol,expected", TABLE["protocols"].items())
def test_geonetwork_protocol(protocol, expected):
    assert code_of(protocol) == TYPES[expected].get("code", expected)
    assert code_of(protocol + "-1.1.1-http-get-capabilities") == TYPES[expected].get("code", expected)


@pytest.mark.parametrize("protocol", TABLE["generic"])
def test_generic_protocol_names_no_format(protocol):
    assert file_type(protocol) is None
    assert code_of(protocol, "text/csv") == "CSV"


def test_format_info_carries_iris():
    assert file_type("csv") == FormatInfo(
        code="CSV",
        uri=BASE + "CSV",
        label="CSV",
        media_type="text/csv",
        media_type_uri="https://www.iana.org/assignments/media-types/text/csv",
    )


def test_services_and_unregistered_types_have_no_media_type():
    assert file_type("OGC:WFS").media_type is None
    assert file_type("rss").media_type_uri is None


def test_unknown_eu_code_is_kept():
    assert file_type(BASE + "MSG_HTTP") == FormatInfo("MSG_HTTP", BASE + "MSG_HTTP", "MSG_HTTP", None, None)


@pytest.mark.parametrize(
    "format,media_type,url,expected",
    [
        # Opendatasoft: IANA IRIs in dct:format and dcat:mediaType
        (IANA + "text/csv", IANA + "text/csv", None, "CSV"),
        # ODS serves GeoJSON as application/json and shapefiles as application/zip: the export URL is more specific
        (IANA + "application/json", IANA + "application/json", ODS_EXPORTS + "geojson", "GEOJSON"),
        (IANA + "application/zip", IANA + "application/zip", ODS_EXPORTS + "shp", "SHP"),
        (IANA + "application/json", None, ODS_EXPORTS + "json", "JSON"),
        # ODS export names
        ("csv", None, None, "CSV"),
        ("json", None, None, "JSON"),
        ("geojson", None, None, "GEOJSON"),
        ("shp", None, None, "SHP"),
        ("xlsx", None, None, "XLSX"),
        ("kml", None, None, "KML"),
        ("parquet", None, None, "PARQUET"),
        ("jsonl", None, None, "JSON"),
        ("fgb", None, None, "BIN"),
        ("gpx", None, None, "XML"),
        ("rdfxml", None, None, "RDF_XML"),
        ("turtle", None, None, "RDF_TURTLE"),
        ("jsonld", None, None, "JSON_LD"),
        ("n3", None, None, "N3"),
        ("ov2", None, None, "BIN"),
        # GeoNetwork protocols
        ("OGC:WMS", None, None, "WMS_SRVC"),
        ("OGC:WMS-1.3.0-http-get-map", None, None, "WMS_SRVC"),
        ("OGC:WFS", None, None, "WFS_SRVC"),
        ("OGC:WMTS-1.0.0-http-get-tile", None, None, "WMTS_SRVC"),
        ("ESRI:REST", None, None, "REST"),
        ("WWW:DOWNLOAD-1.0-http--download", None, None, None),
        ("WWW:LINK-1.0-http--link", None, LYON_WS + "all.json", "JSON"),
        ("WWW:LINK-1.0-http--link", None, LYON_WS + "all.csv", "CSV"),
        ("DB:POSTGIS", None, None, None),
        ("image/png", None, None, "PNG"),  # Lyon's thumbnail "protocol"
        # Lyon dc:format free text
        ("csv (taille : 2 Ko)", None, None, "CSV"),
        ("application/json", None, None, "JSON"),
        # udata literals
        ("csv", "text/csv", None, "CSV"),
        ("ogc:wms", None, None, "WMS_SRVC"),
        ("ogc:wfs", None, None, "WFS_SRVC"),
        ("zip", "application/zip", None, "ZIP"),
        # DKAN: format names in the mimetype field
        ("xlsx", "xlsx", None, "XLSX"),
        (None, "csv", None, "CSV"),
        (None, "XLSX", None, "XLSX"),
        # ODS v1 download link
        (None, None, "https://example.org/explore/dataset/x/download/?format=geojson", "GEOJSON"),
        # nothing usable
        (None, None, None, None),
        ("", "", "", None),
        ("données", None, None, None),
        (None, "application/x-unknown", "https://example.org/file", None),
    ],
)
def test_real_format_values(format, media_type, url, expected):
    assert code_of(format, media_type, url=url) == expected


def test_specific_format_is_not_overridden_by_a_container_url():
    assert code_of("csv", None, url="https://example.org/data.zip") == "CSV"
