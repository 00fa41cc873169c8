"""Reading files other projects published (tests/fixtures/published/SOURCE.md): what each source says is kept."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from rdflib import Graph

from harvesters.errors import ParseError
from harvesters.fetch.rdf_parsing import parse_rdf
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.normalise import normalise
from mappings.record import Translation
from mappings.rdf_texts import language_tag
from mappings.sources.ckan import package_to_dcat
from tests.paths import FIXTURES

PUBLISHED = FIXTURES / "published"
INSPIRE = "http://inspire.ec.europa.eu/metadata-codelist/"


def records_of(path: Path, media_type: str) -> list:
    graph = parse_rdf(path.read_bytes(), media_type, f"https://published.test/{path.name}")
    return [normalise(record_from_rdf(graph, node, "pub")) for node in dataset_nodes(graph)]


def test_multilingual_dataset_keeps_every_language_and_invents_none():
    (record,) = records_of(PUBLISHED / "ckanext-dcat" / "dataset_multilingual.ttl", "text/turtle")
    assert (record.title, record.title_lang) == ("Test DCAT dataset", "en"), "no French, no plain text: English"
    assert (record.description, record.description_lang) == ("Some description", "en")
    assert record.keywords == ("Oaks", "Pines"), "the other languages' keywords are not merged in"
    assert set(record.translations) == {
        Translation("title", "ca", "Conjunt de dades de prova DCAT"),
        Translation("title", "es", "Conjunto de datos de prueba DCAT"),
        Translation("description", "ca", "Una descripció qualsevol"),
        Translation("description", "es", "Una descripción cualquiera"),
        Translation("keyword", "ca", "Pins"),
        Translation("keyword", "ca", "Roures"),
        Translation("keyword", "es", "Pinos"),
        Translation("keyword", "es", "Robles"),
    }
    assert "fr" not in {t.lang for t in record.translations}
    assert record.contact_point.name in ("Contact 1", "Contact 2")
    assert record.contact_point.email == f"contact{record.contact_point.name[-1]}@example.org"
    (distribution,) = record.distributions
    assert distribution.license is None, "a rights note that names no licence is no licence"


def test_dcat_ap_example_keeps_english_and_the_publisher_known_by_iri():
    records = records_of(PUBLISHED / "semic" / "example-bee-population-2022-2023.ttl", "text/turtle")
    assert [r.title for r in records] == ["Bee population 2022", "Bee population 2023"]
    for record in records:
        assert (record.title_lang, record.description_lang) == ("en", "en"), "English stays English"
        assert record.publisher.uri == "https://agencies.gov.gr/id/GreekEnvironmentAgency"
        assert record.publisher.display_name == record.publisher.uri


def test_geonetwork_dcat_keeps_agents_access_codes_and_undescribed_distributions(caplog):
    with caplog.at_level(logging.WARNING):
        (record,) = records_of(PUBLISHED / "udata" / "geonetwork.xml", "application/rdf+xml")
    assert not caplog.records, "the IRI with a space is handled, not reported once per use on stderr"
    assert " " not in record.record_id and " " not in record.guid, "the dataset IRI holds a space: it is no identity"
    assert record.guid.startswith("0c456d2d-9548-4a2a-94ef-231d9d890ce2")
    assert record.source_uri is None
    publisher = record.publisher
    assert publisher.uri == "https://sig.oreme.org/geonetwork/srv/resources/organizations/UMR%20HydroSciences%20Montpellier%20%28HSM%29"
    assert publisher.name == "" and publisher.display_name == publisher.uri, "known only by its IRI, and kept"
    assert record.license is None, "'copyright', 'license' and the INSPIRE codes are no licences"
    assert record.access_rights.uri == INSPIRE + "LimitationsOnPublicAccess/noLimitations"
    assert record.rights == INSPIRE + "ConditionsApplyingToAccessAndUse/noConditionsApply", "a conditions code, not a licence"
    assert len(record.distributions) == 4, "referenced, not described: their IRIs are the access URLs"
    assert all(d.access_url.startswith("https://sig.oreme.org/geonetwork/records/0c456d2d") for d in record.distributions)
    assert record.title_lang is None, "a plain literal stays plain"
    assert record.bbox == (3.98197778, 44.05310833, 4.00346389, 44.11806389), "ogc:asWKT, with its CRS IRI"
    assert (record.temporal_start, record.temporal_end) == ("2004-11-03", "2005-03-30")


def test_parse_errors_keep_their_reason_and_position():
    with pytest.raises(ParseError) as caught:
        parse_rdf((PUBLISHED / "ckanext-dcat" / "dataset.ttl").read_bytes(), "text/turtle", "https://published.test/dataset.ttl")
    message = str(caught.value)
    assert 'Prefix "healthdcatap:" not bound' in message
    assert "turtle" in message and "line 149" in message


def test_ill_typed_year_date_is_read_as_a_year_without_a_traceback(caplog, capsys):
    turtle = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <https://x.test/d> a dcat:Dataset ; dct:title "T" ; dct:issued "2023"^^xsd:date ."""
    with caplog.at_level(logging.WARNING):
        graph = parse_rdf(turtle, "text/turtle", "https://x.test/catalog.ttl")
        (record,) = [record_from_rdf(graph, node, "p") for node in dataset_nodes(graph)]
    assert record.issued == "2023"
    assert not [r for r in caplog.records if "Failed to convert Literal" in r.getMessage()]
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("value", ["mailto: opendata@x.fr", "mailto:opendata@x.fr ", " opendata@x.fr"])
def test_mailto_with_spaces(value):
    turtle = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
    <https://x.test/d> a dcat:Dataset ; dct:title "T" ; dcat:contactPoint [ vcard:fn "SIG" ; vcard:hasEmail "{value}" ] ."""
    graph = Graph().parse(data=turtle, format="turtle")
    (record,) = [record_from_rdf(graph, node, "p") for node in dataset_nodes(graph)]
    assert record.contact_point.email == "opendata@x.fr"


def test_dkan_map_viewer_is_an_access_url_only():
    """Région Hauts-de-France's DKAN package (udata's fixture): an mviewer page beside an xlsx file."""
    from mappings.sources.dkan import package_to_dcat as dkan_package_to_dcat, unwrap_result

    package = unwrap_result(json.loads((PUBLISHED / "udata" / "dkan-french-w-license.json").read_text())["result"])
    graph = Graph()
    dkan_package_to_dcat(graph, package, "https://opendata.hautsdefrance.fr")
    (record,) = [record_from_rdf(graph, node, "p") for node in dataset_nodes(graph)]
    viewer = next(d for d in record.distributions if "/ext/mv/" in d.access_url)
    assert viewer.download_url is None
    xlsx = next(d for d in record.distributions if d.access_url.endswith(".xlsx"))
    assert xlsx.download_url == xlsx.access_url


def test_ckan_extras_of_ckanext_dcat_are_read():
    package = json.loads((PUBLISHED / "ckanext-dcat" / "ckan_dataset.json").read_text())
    graph = Graph()
    package_to_dcat(graph, package, "https://ckan.test")
    (record,) = [normalise(record_from_rdf(graph, node, "p")) for node in dataset_nodes(graph)]
    assert record.title == "Zimbabwe Regional Geochemical Survey."
    assert record.publisher.name == "Geological Society" and record.publisher.email == "info@gs.org"
    assert record.issued == "2012-05-10"
    assert set(record.languages) == {"ENG", "SPA", "CAT"}
    (resource,) = record.distributions
    assert resource.download_url is None, "an HTML page is no file to download"


@pytest.mark.parametrize("tag,expected", [("fre", "fr"), ("FRA", "fr"), ("en-GB", "en-gb"), ("ca", "ca"), ("", None), (None, None), ("français", None)])
def test_language_tags(tag, expected):
    assert language_tag(tag) == expected
