"""DCAT graph → Record, field by field."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from mappings.errors import InvalidRecord
from mappings.from_rdf import dataset_nodes, format_label, record_from_rdf
from mappings.record import Agent, Concept
from mappings.vocab import VCARD

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://data.example.fr/> .
"""


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def one_record(turtle: str, portal: str = "paris"):
    graph = graph_of(turtle)
    (node,) = dataset_nodes(graph)
    return record_from_rdf(graph, node, portal)


def test_identity_uses_dataset_uri():
    record = one_record('ex:velos a dcat:Dataset ; dct:title "Vélos" ; dct:identifier "velos-id" .')
    assert record.record_id == "paris:https://data.example.fr/velos"
    assert record.guid == "https://data.example.fr/velos"
    assert record.source_uri == "https://data.example.fr/velos"
    assert record.identifier == "velos-id"


def test_blank_node_dataset_falls_back_on_identifier():
    record = one_record('[] a dcat:Dataset ; dct:title "Vélos" ; dct:identifier "velos-42" .')
    assert record.record_id == "paris:velos-42"
    assert record.source_uri is None


def test_blank_node_without_identifier_is_invalid():
    with pytest.raises(InvalidRecord, match="neither a URI nor a dct:identifier"):
        one_record('[] a dcat:Dataset ; dct:title "Vélos" .')


def test_missing_title_is_invalid():
    with pytest.raises(InvalidRecord, match="no dct:title"):
        one_record('ex:x a dcat:Dataset ; dct:description "sans titre" .')


def test_title_prefers_french_then_untagged():
    record = one_record('ex:x a dcat:Dataset ; dct:title "Bikes"@en, "Vélos"@fr, "Velos" .')
    assert record.title == "Vélos"
    record = one_record('ex:x a dcat:Dataset ; dct:title "Bikes"@en, "Velos" .')
    assert record.title == "Velos"


@pytest.mark.parametrize(
    "description,expected",
    [
        ("<p>Les <b>vélos</b> &amp; bornes</p><script>alert(1)</script>", "Les vélos & bornes"),
        ("Le **schéma** des [pistes](https://x.fr) cyclables", "Le schéma des pistes cyclables"),
        ("Texte   simple\n\n\n\nsuite", "Texte simple\n\nsuite"),
    ],
)
def test_description_becomes_plain_text(description, expected):
    graph = graph_of('ex:x a dcat:Dataset ; dct:title "T" .')
    graph.add((URIRef("https://data.example.fr/x"), DCTERMS.description, Literal(description)))
    (node,) = dataset_nodes(graph)
    assert record_from_rdf(graph, node, "p").description == expected


def test_keywords_are_trimmed_and_deduplicated_case_insensitively():
    record = one_record('ex:x a dcat:Dataset ; dct:title "T" ; dcat:keyword " vélo ", "Vélo", "mobilité"@fr .')
    assert record.keywords == ("mobilité", "Vélo")


def test_theme_resource_keeps_its_pref_label():
    record = one_record(
        """ex:x a dcat:Dataset ; dct:title "T" ; dcat:theme <https://opendata.paris.fr/explore/?refine.theme=Mobilité>, "Culture" .
        <https://opendata.paris.fr/explore/?refine.theme=Mobilité> skos:prefLabel "Mobilité et Transport" ."""
    )
    assert record.themes == (
        Concept(label="Mobilité et Transport", uri="https://opendata.paris.fr/explore/?refine.theme=Mobilité"),
        Concept(label="Culture"),
    )


def test_of_two_publishers_the_named_organisation_wins():
    record = one_record(
        """ex:x a dcat:Dataset ; dct:title "T" ; dct:publisher ex:contact, ex:org .
        ex:contact a vcard:Kind ; vcard:fn "Service SIG" .
        ex:org a foaf:Organization ; foaf:name "Ville de Vanves" ; foaf:homepage <http://www.vanves.fr> ."""
    )
    assert record.publisher == Agent(
        name="Ville de Vanves", uri="https://data.example.fr/org", url="http://www.vanves.fr", kind=str(FOAF.Organization)
    )


def test_contact_point_vcard():
    record = one_record(
        """ex:x a dcat:Dataset ; dct:title "T" ; dcat:contactPoint [ a vcard:Kind ; vcard:fn "Open data" ;
        vcard:hasEmail <mailto:opendata@paris.fr> ] ."""
    )
    assert record.contact_point == Agent(name="Open data", email="opendata@paris.fr", kind=str(VCARD.Kind))


def test_dates_are_normalised():
    record = one_record(
        'ex:x a dcat:Dataset ; dct:title "T" ; dct:issued "2019-04-19T12:21:56"^^xsd:dateTime ; dct:modified "2020-02-03" .'
    )
    assert record.issued == "2019-04-19T12:21:56"
    assert record.modified == "2020-02-03"


def test_unparseable_date_is_dropped():
    record = one_record('ex:x a dcat:Dataset ; dct:title "T" ; dct:modified "hier" .')
    assert record.modified is None


@pytest.mark.parametrize(
    "temporal,expected",
    [
        ('[ a dct:PeriodOfTime ; dcat:startDate "2011-01-01"^^xsd:date ; dcat:endDate "2011-12-31"^^xsd:date ]',
         ("2011-01-01", "2011-12-31")),
        ('"2011-01-01/2011-12-31"', ("2011-01-01", "2011-12-31")),
        ('[ a dct:PeriodOfTime ; dcat:startDate "2015-03-01"^^xsd:date ]', ("2015-03-01", None)),
        ('"2011/2015"', ("2011-01-01", "2015-12-31")),
        ('"depuis 2004"', ("2004-01-01", None)),
    ],
)
def test_temporal_coverage(temporal, expected):
    record = one_record(f'ex:x a dcat:Dataset ; dct:title "T" ; dct:temporal {temporal} .')
    assert (record.temporal_start, record.temporal_end) == expected


def test_distribution_fields_and_literal_quirks():
    record = one_record(
        """ex:x a dcat:Dataset ; dct:title "T" ; dcat:distribution ex:d1, ex:d2, ex:d3 .
        ex:d1 dcat:accessURL <https://x.fr/a.csv> ; dct:format "csv" ; dcat:mediaType "text/csv" ; dcat:byteSize "1 234" ;
            dct:title "Fichier CSV" ; dct:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> .
        ex:d2 dcat:downloadURL "https://x.fr/b.json" ;
            dcat:mediaType <https://www.iana.org/assignments/media-types/application/json> ; dct:rights "License Not Specified" .
        ex:d3 dct:title "sans lien" ."""
    )
    first, second = record.distributions
    assert (first.access_url, first.format, first.media_type, first.byte_size) == ("https://x.fr/a.csv", "CSV", "text/csv", 1234)
    assert first.title == "Fichier CSV"
    assert (second.access_url, second.download_url) == ("https://x.fr/b.json", "https://x.fr/b.json")
    assert (second.format, second.media_type) == ("JSON", "application/json")
    assert second.license == Concept(label="License Not Specified")
    assert record.license == first.license, "the dataset licence falls back on its distributions'"


@pytest.mark.parametrize(
    "value,media_type,expected",
    [
        (URIRef("http://publications.europa.eu/resource/authority/file-type/GEOJSON"), None, "GEOJSON"),
        (URIRef("https://www.iana.org/assignments/media-types/text/csv"), None, "CSV"),
        (None, "application/vnd.ms-excel", "XLS"),
        (None, None, None),
        ("shp", None, "SHP"),
    ],
)
def test_format_label(value, media_type, expected):
    assert format_label(value, media_type) == expected


def test_literal_dataset_type_is_recognised():
    graph = graph_of('ex:x a "dctype:Dataset" ; dct:title "Quirky" .')
    assert [str(n) for n in dataset_nodes(graph)] == ["https://data.example.fr/x"]


def test_languages_from_iris_and_literals():
    record = one_record(
        'ex:x a dcat:Dataset ; dct:title "T" ; dct:language <http://id.loc.gov/vocabulary/iso639-1/fr>, "fre" .'
    )
    assert record.languages == ("fr", "fre")


def test_record_round_trips_through_dict():
    record = one_record(
        """ex:x a dcat:Dataset ; dct:title "T" ; dcat:theme "Culture" ; dct:publisher [ foaf:name "Org" ] ;
        dcat:distribution [ dcat:accessURL <https://x.fr/a.csv> ; dct:license "CC-BY" ] ."""
    )
    from mappings.record import Record

    assert Record.from_dict(record.to_dict()) == record
    assert Record.from_dict(record.to_dict()).content_hash() == record.content_hash()


@pytest.mark.parametrize(
    "geometry,expected",
    [
        ('"POLYGON((2.22 48.81, 2.47 48.81, 2.47 48.90, 2.22 48.90, 2.22 48.81))"^^<http://www.opengis.net/ont/geosparql#wktLiteral>',
         (2.22, 48.81, 2.47, 48.90)),
        ('"{\\"type\\": \\"Point\\", \\"coordinates\\": [4.83, 45.76]}"', (4.83, 45.76, 4.83, 45.76)),
    ],
)
def test_bbox_from_spatial_geometry(geometry, expected):
    record = one_record(
        f"""ex:x a dcat:Dataset ; dct:title "T" ; dct:spatial [ a dct:Location ;
            <http://www.w3.org/ns/dcat#bbox> {geometry} ] ."""
    )
    assert record.bbox == pytest.approx(expected)


def test_no_geometry_and_no_known_place_no_bbox():
    # a French place name now gives its box (test_named_french_places_get_their_official_iri_and_a_box)
    assert one_record('ex:x a dcat:Dataset ; dct:title "T" ; dct:spatial "Quelque part" .').bbox is None


def test_blank_distributions_keep_one_order_across_parses():
    """Blank node ids are new at every parse: ordering on them made unchanged records look updated."""
    turtle = """ex:d a dcat:Dataset ; dct:title "D" ;
        dcat:distribution [ dcat:accessURL <https://x.fr/b> ], [ dcat:accessURL <https://x.fr/a> ],
                          <https://x.fr/dist/z> .
        <https://x.fr/dist/z> dcat:accessURL <https://x.fr/z> ."""
    orders = {tuple(d.url for d in one_record(turtle).distributions) for _ in range(8)}
    assert orders == {("https://x.fr/z", "https://x.fr/a", "https://x.fr/b")}


def test_named_french_places_get_their_official_iri_and_a_box():
    record = one_record('ex:d a dcat:Dataset ; dct:title "D" ; dct:spatial "Paris", <fr:departement:69> .')
    assert {(c.label, c.uri) for c in record.spatial} == {
        ("Paris", "http://id.insee.fr/geo/commune/75056"), ("Rhône", "fr:departement:69")}
    west, south, east, north = record.bbox
    assert west < 2.35 < east and south < 45.76 < north and north > 48.85  # Paris and the Rhône


def test_a_published_geometry_wins_over_a_place_name():
    record = one_record('''ex:d a dcat:Dataset ; dct:title "D" ;
        dct:spatial [ a dct:Location ; skos:prefLabel "Paris" ;
                      dcat:bbox "POLYGON((2.3 48.85, 2.31 48.85, 2.31 48.86, 2.3 48.86, 2.3 48.85))" ] .''')
    assert record.bbox == (2.3, 48.85, 2.31, 48.86)


def test_plain_texts_take_only_the_language_the_portal_declares():
    from mappings.from_rdf import catalogue_language

    turtle = """ex:cat a dcat:Catalog ; dct:language <http://publications.europa.eu/resource/authority/language/FRA> ;
        dcat:dataset ex:x, ex:y .
        ex:x a dcat:Dataset ; dct:title "Arbres" ; dct:description "Les arbres"@en .
        ex:y a dcat:Dataset ; dct:title "Trees"@en ."""
    graph = graph_of(turtle)
    assert catalogue_language(graph) == "fr"
    x = record_from_rdf(graph, URIRef("https://data.example.fr/x"), "p", declared_language=catalogue_language(graph))
    assert (x.title_lang, x.description_lang) == ("fr", "en"), "a tag the source gave is never replaced"
    y = record_from_rdf(graph, URIRef("https://data.example.fr/y"), "p", declared_language="fr")
    assert y.title_lang == "en"
    undeclared = record_from_rdf(graph, URIRef("https://data.example.fr/x"), "p")
    assert undeclared.title_lang is None, "nothing declared, nothing guessed"
    two = graph_of('ex:c a dcat:Catalog ; dct:language "fr", "de" .')
    assert catalogue_language(two) is None


def test_shown_language_order_french_plain_english_then_alphabetical():
    def shown(titles: str):
        record = one_record(f"ex:x a dcat:Dataset ; dct:title {titles} .")
        return record.title, record.title_lang

    assert shown('"Arbres"@fr, "Trees"@en, "Bäume"@de') == ("Arbres", "fr")
    assert shown('"Arbres", "Trees"@en') == ("Arbres", None)
    assert shown('"Bäume"@de, "Trees"@en') == ("Trees", "en")
    assert shown('"Bäume"@de, "Árboles"@es') == ("Bäume", "de")


def _keywords_graph(*literals: Literal):
    graph = Graph()
    node = URIRef("http://p.test/d")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, Literal("Vélos", lang="fr")))
    for literal in literals:
        graph.add((node, DCAT.keyword, literal))
    return graph, node


def test_keywords_keep_their_one_language_tag():
    graph, node = _keywords_graph(Literal("vélo", lang="fr"), Literal("mobilité", lang="fr"), Literal("bike", lang="en"))
    record = record_from_rdf(graph, node, "paris")
    assert set(record.keywords) == {"vélo", "mobilité"} and record.keywords_lang == "fr"


def test_keywords_with_a_plain_one_among_them_are_not_given_a_tag():
    graph, node = _keywords_graph(Literal("vélo", lang="fr"), Literal("mobilité"))
    record = record_from_rdf(graph, node, "paris")
    assert set(record.keywords) == {"vélo", "mobilité"} and record.keywords_lang is None
