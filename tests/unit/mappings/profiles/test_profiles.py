"""Export profiles, part by part: DCAT-AP 3.0.1 (``dcat_ap_3``) and schema.org (``schema_org``)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, GEO, PROV, RDF, RDFS, SKOS, XSD

from mappings.normalise import normalise
from mappings.vocabularies import canonical_license
from mappings.portals import Portal
from mappings.profiles.base import (
    CatalogInfo,
    CatalogPage,
    base_url_of,
    build_catalog_graph,
    build_dataset_graph,
    catalog_ref,
    dataset_ref,
    get_profiles,
)
from mappings.profiles.dcat_agents import add_agent, add_contact_point, publisher_type
from mappings.profiles.dcat_ap_3 import (
    DcatAp3Profile,
    access_right_code,
    add_access_rights,
    add_eu_themes,
    add_frequency,
    add_languages,
    add_portal_themes,
    add_provenance,
)
from mappings.profiles.dcat_coverage import add_spatial, add_temporal, bbox_literal
from mappings.profiles.licence_registries import REGISTRY_NAMES
from mappings.profiles.places import known_place
from mappings.profiles.dcat_distributions import add_format, add_license, add_media_type
from mappings.profiles.hvd import HVD_LEGISLATION, Hvd, add_hvd, hvd_of
from mappings.profiles.rdf_terms import date_literal, mailto, safe_iri
from mappings.profiles.sink import as_sink, to_rdflib
from mappings.profiles.schema_org import SchemaOrgProfile, dataset_document, geo_box, temporal_coverage
from mappings.record import Agent, Concept, Distribution, ThemeAssignment, Translation
from mappings.geo import BBox
from mappings.vocab import ADMS, DCATAP, LOCN, VCARD
from tests.factories import DistributionFactory, RecordFactory

BASE = "http://fedcat.test"
REF = URIRef(f"{BASE}/datasets/paris%3Ajeu")
DIST = URIRef(f"{REF}#distribution-1")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"



def rdf(term, graph: Graph | None = None):
    """A helper's compact term as the rdflib term ``graph`` holds (None stays None)."""
    if term is None:
        return None
    return as_sink(graph).rdflib_term(term) if graph is not None else to_rdflib(term)

def turtle(text: str) -> Graph:
    prefixes = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix locn: <http://www.w3.org/ns/locn#> .
        @prefix gsp: <http://www.opengis.net/ont/geosparql#> .
    """
    return Graph().parse(data=prefixes + text, format="turtle")


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    """rdflib's GraphHelper idea: compare as graphs and show what differs."""
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            "graphs differ\nonly expected:\n"
            + only_expected.serialize(format="nt")
            + "\nonly actual:\n"
            + only_actual.serialize(format="nt")
        )


def objects(graph: Graph, predicate: URIRef, subject=REF) -> set:
    return set(graph.objects(subject, predicate))


# -- themes ------------------------------------------------------------------------------


def test_eu_themes_are_labelled_concepts_of_the_eu_scheme():
    graph = Graph()
    add_eu_themes(graph, REF, (ThemeAssignment("TRAN", EU + "data-theme/TRAN", "Transports", "Transport", 0.9, "keyword"),))
    assert_isomorphic(
        turtle(f"""
            <{REF}> dcat:theme <{EU}data-theme/TRAN> .
            <{EU}data-theme/TRAN> a skos:Concept ; skos:inScheme <{EU}data-theme> ;
                skos:prefLabel "Transports"@fr, "Transport"@en .
        """),
        graph,
    )


@pytest.mark.parametrize(
    "theme,kept",
    [
        (Concept("Réseaux de transport", "http://inspire.ec.europa.eu/theme/tn"), True),
        (Concept("Transport", "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/transportation"), True),
        (Concept("Environnement", EU + "data-theme/ENVI"), True),
        (Concept("Mobilité et Transport", "https://opendata.paris.fr/explore/?refine.theme=Mobilit%C3%A9+et+Transport"), False),
        (Concept("Environnement"), False),
        (Concept("Urbanisme", "https://example.org/themes/urbanisme"), False),
    ],
)
def test_portal_themes_stay_themes_only_when_they_are_concepts_of_a_known_scheme(theme, kept):
    graph = Graph()
    add_portal_themes(graph, REF, (theme,))
    if kept:
        assert objects(graph, DCAT.theme) == {URIRef(theme.uri)}
        assert (URIRef(theme.uri), RDF.type, SKOS.Concept) in graph
        # the portal's label, untagged: the portal did not say which language it is in
        assert graph.value(URIRef(theme.uri), SKOS.prefLabel) == Literal(theme.label)
        assert objects(graph, DCAT.keyword) == set()
    else:
        assert objects(graph, DCAT.theme) == set()
        assert objects(graph, DCAT.keyword) == {Literal(theme.label)}


def test_a_concept_labelled_twice_in_one_language_keeps_the_first_label():
    graph = Graph()
    iri = "http://inspire.ec.europa.eu/theme/tn"
    add_portal_themes(graph, REF, (Concept("Réseaux de transport", iri),))
    add_portal_themes(graph, URIRef(f"{BASE}/datasets/b"), (Concept("Transports", iri),))
    assert list(graph.objects(URIRef(iri), SKOS.prefLabel)) == [Literal("Réseaux de transport")]


# -- formats and media types -------------------------------------------------------------


@pytest.mark.parametrize(
    "distribution,file_type,media_type",
    [
        (Distribution(access_url="https://x.fr/a", format="CSV", media_type="text/csv"), "CSV", "text/csv"),
        (Distribution(access_url="https://x.fr/a", format="GEOJSON", media_type="application/geo+json"), "GEOJSON", "application/geo+json"),
        (Distribution(access_url="https://x.fr/a.shp", format="SHP"), "SHP", "application/vnd.shp"),
        (Distribution(access_url="https://x.fr/a", format="XLSX"), "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Distribution(access_url="https://x.fr/export.json", media_type="application/json"), "JSON", "application/json"),
        (Distribution(access_url="https://x.fr/wms", format="WMS_SRVC"), "WMS_SRVC", None),
        (Distribution(access_url="https://x.fr/a.zip", media_type="application/x-zip-compressed"), "ZIP", "application/zip"),
        (Distribution(access_url="https://x.fr/a", format="truc inconnu", media_type="application/x-truc"), None, None),
    ],
)
def test_formats_are_eu_file_types_and_media_types_iana_iris(distribution, file_type, media_type):
    graph = Graph()
    add_format(graph, DIST, distribution)
    add_media_type(graph, DIST, distribution)
    expected_format = {URIRef(EU + "file-type/" + file_type)} if file_type else set()
    assert objects(graph, DCTERMS.format, DIST) == expected_format
    assert objects(graph, DCAT.mediaType, DIST) == ({URIRef(IANA + media_type)} if media_type else set())
    for iri in expected_format:
        assert {DCTERMS.MediaTypeOrExtent, SKOS.Concept} <= set(graph.objects(iri, RDF.type))
        assert (iri, SKOS.inScheme, URIRef(EU + "file-type")) in graph
    for iri in objects(graph, DCAT.mediaType, DIST):
        assert (iri, RDF.type, DCTERMS.MediaType) in graph


# -- licences ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "licence,iri,types",
    [
        (Concept("Licence Ouverte v2.0", ETALAB), ETALAB, {"Attribution"}),
        (Concept("ODbL", "http://opendatacommons.org/licenses/odbl/"), EU + "licence/ODC_BL", {"Attribution", "ViralEffect-ShareAlike"}),
        (Concept("CC0"), EU + "licence/CC0", {"PublicDomain"}),
        (Concept("Licence maison", "https://ville.example.fr/licence"), "https://ville.example.fr/licence", set()),
    ],
)
def test_known_licences_are_licence_documents_typed_with_adms_licence_types(licence, iri, types):
    graph = Graph()
    add_license(graph, DIST, licence)
    assert objects(graph, DCTERMS.license, DIST) == {URIRef(iri)}
    assert (URIRef(iri), RDF.type, DCTERMS.LicenseDocument) in graph
    found = {str(t).rsplit("/", 1)[1] for t in graph.objects(URIRef(iri), DCTERMS.type)}
    assert found == types
    for concept in graph.objects(URIRef(iri), DCTERMS.type):
        assert graph.value(concept, SKOS.prefLabel) is not None, "every skos:Concept needs a prefLabel"


def test_a_free_text_licence_is_a_labelled_blank_licence_document():
    graph = Graph()
    add_license(graph, DIST, Concept("Réutilisation libre sous réserve de citer la source"))
    assert_isomorphic(
        turtle(f"""
            <{DIST}> dct:license [ a dct:LicenseDocument ;
                rdfs:label "Réutilisation libre sous réserve de citer la source" ] .
        """),
        graph,
    )


def test_licence_not_specified_is_not_exported_as_a_licence():
    graph = Graph()
    add_license(graph, DIST, Concept("License Not Specified"))
    assert len(graph) == 0


def test_every_distribution_carries_a_licence_its_own_or_the_datasets():
    own = DistributionFactory(license=Concept("CC0"))
    inherited = DistributionFactory(license=None)
    record = RecordFactory(distributions=(own, inherited), license=Concept("Licence Ouverte v2.0", ETALAB))
    graph = build_dataset_graph(record, [DcatAp3Profile()], BASE)
    ref = dataset_ref(BASE, record.record_id)
    licences = {d: graph.value(d, DCTERMS.license) for d in graph.objects(ref, DCAT.distribution)}
    assert sorted(map(str, licences.values())) == [EU + "licence/CC0", ETALAB]
    assert graph.value(ref, DCTERMS.license) is None, "DCAT-AP has no licence on the dataset"


# -- agents and contact points -----------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Ville de Paris", "LocalAuthority"),
        ("Métropole de Lyon", "LocalAuthority"),
        ("Montpellier Méditerranée Métropole", "LocalAuthority"),
        ("Commune de Saint-Denis", "LocalAuthority"),
        ("Département de la Gironde", "LocalAuthority"),
        ("Communauté d'agglomération du Grand Avignon", "LocalAuthority"),
        ("Région Île-de-France", "RegionalAuthority"),
        ("Conseil régional de Bretagne", "RegionalAuthority"),
        ("Ministère de la Culture", "NationalAuthority"),
        ("Etalab", None),
        ("Direction régionale de l'environnement", None),
        ("Villeurbanne Data", None),
        ("", None),
    ],
)
def test_publisher_type_from_the_name(name, expected):
    assert publisher_type(name) == expected


def test_a_publisher_is_a_named_foaf_agent_with_its_adms_type():
    graph = Graph()
    add_agent(graph, REF, DCTERMS.publisher, Agent(name="Ville de Paris", email="opendata@paris.fr", url="https://www.paris.fr"))
    assert_isomorphic(
        turtle(f"""
            <{REF}> dct:publisher [ a foaf:Agent ; foaf:name "Ville de Paris" ;
                foaf:mbox <mailto:opendata@paris.fr> ; foaf:homepage <https://www.paris.fr> ;
                dct:type <http://purl.org/adms/publishertype/LocalAuthority> ] .
            <https://www.paris.fr> a foaf:Document .
            <http://purl.org/adms/publishertype/LocalAuthority> a skos:Concept ;
                skos:prefLabel "Local Authority"@en, "Autorité locale"@fr ;
                skos:inScheme <http://purl.org/adms/publishertype/1.0> .
            <http://purl.org/adms/publishertype/1.0> a skos:ConceptScheme ; dct:title "ADMS publisher type"@en .
        """),
        graph,
    )


def test_an_agent_shared_by_records_keeps_one_type():
    graph = Graph()
    uri = "https://opendata.paris.fr/explore/?refine.publisher=Ville+de+Paris"
    add_agent(graph, REF, DCTERMS.publisher, Agent(name="Ville de Paris", uri=uri))
    add_agent(graph, URIRef(f"{BASE}/datasets/b"), DCTERMS.publisher, Agent(name="Région Île-de-France", uri=uri))
    assert len(list(graph.objects(URIRef(uri), DCTERMS.type))) == 1, "foaf:Agent has dct:type 0..1"


@pytest.mark.parametrize(
    "contact,expected",
    [
        (
            Agent(name="Service open data", email="opendata@lyon.fr", url="https://data.lyon.fr"),
            '[ a vcard:Kind ; vcard:fn "Service open data" ; vcard:hasEmail <mailto:opendata@lyon.fr> ; vcard:hasURL <https://data.lyon.fr> ]',
        ),
        (Agent(name="Service open data", email="pas une adresse"), '[ a vcard:Kind ; vcard:fn "Service open data" ]'),
        (Agent(name="Contact", email="mailto:a@b.fr"), '[ a vcard:Kind ; vcard:fn "Contact" ; vcard:hasEmail <mailto:a@b.fr> ]'),
    ],
)
def test_contact_points_are_vcard_kinds_with_mailto_iris(contact, expected):
    graph = Graph()
    add_contact_point(graph, REF, contact)
    assert_isomorphic(turtle(f"<{REF}> dcat:contactPoint {expected} ."), graph)


def test_no_agent_without_a_name():
    graph = Graph()
    add_agent(graph, REF, DCTERMS.publisher, Agent(name="  "))
    add_contact_point(graph, REF, None)
    assert len(graph) == 0


# -- dates, temporal and spatial coverage ------------------------------------------------


@pytest.mark.parametrize(
    "value,datatype",
    [
        ("2024-01-31", XSD.date),
        ("2022-01-18T08:16:43+00:00", XSD.dateTime),
        ("2017-01-19T09:30:12", XSD.dateTime),
        ("2017-01-19T09:30:12.123456Z", XSD.dateTime),
        ("2024-06", XSD.gYearMonth),
        ("2024", XSD.gYear),
        ("2024-02-30", None),
        ("2024-13", None),
        ("19/01/2017", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_typed_or_dropped(value, datatype):
    literal = rdf(date_literal(value))
    assert (literal.datatype if literal is not None else None) == datatype
    if literal is not None:
        assert not literal.ill_typed


def test_temporal_coverage_is_a_period_of_time():
    graph = Graph()
    add_temporal(graph, REF, "2014-01-01", "2017-12-31")
    assert_isomorphic(
        turtle(f"""<{REF}> dct:temporal [ a dct:PeriodOfTime ;
            dcat:startDate "2014-01-01"^^xsd:date ; dcat:endDate "2017-12-31"^^xsd:date ] ."""),
        graph,
    )


@pytest.mark.parametrize("start,end,count", [("2014", None, 1), (None, "2020-05", 1), ("pas une date", None, 0), (None, None, 0)])
def test_temporal_coverage_with_one_bound_or_none(start, end, count):
    graph = Graph()
    add_temporal(graph, REF, start, end)
    assert len(objects(graph, DCTERMS.temporal)) == count


def test_the_bounding_box_is_a_wkt_polygon_longitude_first():
    literal = rdf(bbox_literal((2.224, 48.815, 2.47, 48.902)))
    assert literal.datatype == GEO.wktLiteral
    assert str(literal) == "POLYGON((2.224 48.815, 2.47 48.815, 2.47 48.902, 2.224 48.902, 2.224 48.815))"
    assert str(literal) == BBox(2.224, 48.815, 2.47, 48.902).to_wkt()


def test_one_unknown_named_place_and_the_bbox_share_one_location():
    graph = Graph()
    add_spatial(graph, REF, (Concept("Quartier des Halles"),), (2.32, 48.79, 2.35, 48.81))
    assert_isomorphic(
        turtle(f"""<{REF}> dct:spatial [ a dct:Location ; locn:geographicName "Quartier des Halles" ;
            dcat:bbox "{BBox(2.32, 48.79, 2.35, 48.81).to_wkt()}"^^gsp:wktLiteral ] ."""),
        graph,
    )


def test_a_known_place_named_alone_becomes_its_insee_iri_with_label_and_box():
    graph = Graph()
    add_spatial(graph, REF, (Concept("Paris"),), None)
    paris = known_place("paris")
    assert paris.iri == "http://id.insee.fr/geo/commune/75056"
    assert_isomorphic(
        turtle(f"""<{REF}> dct:spatial <{paris.iri}> .
            <{paris.iri}> a dct:Location ; skos:prefLabel "Paris"@fr ; locn:geographicName "Paris"@fr ;
                dcat:bbox "{BBox(*paris.bbox).to_wkt()}"^^gsp:wktLiteral ."""),
        graph,
    )


def test_the_source_geometry_of_a_known_place_is_kept_on_a_location_of_its_own():
    graph = Graph()
    add_spatial(graph, REF, (Concept("Lyon"),), (4.8, 45.74, 4.85, 45.77))
    locations = objects(graph, DCTERMS.spatial)
    lyon = URIRef("http://id.insee.fr/geo/commune/69123")
    assert lyon in locations and len(locations) == 2
    (own,) = locations - {lyon}
    assert graph.value(own, DCAT.bbox) == rdf(bbox_literal((4.8, 45.74, 4.85, 45.77)))
    assert graph.value(lyon, DCAT.bbox) == rdf(bbox_literal(known_place("Lyon").bbox))


def test_france_named_by_a_record_keeps_one_label_per_language_on_the_country_concept():
    graph = build_catalog_graph(
        CatalogPage(CatalogInfo(BASE), [RecordFactory(spatial=(Concept("France entière"),))], 1, 1, 10, lambda n: BASE),
        get_profiles(["dcat_ap_3"]),
    )
    france = URIRef(EU + "country/FRA")
    labels = [label.language for label in graph.objects(france, SKOS.prefLabel)]
    assert sorted(labels) == ["en", "fr"]


@pytest.mark.parametrize("name", ["Paris 15e", "Lyon et alentours", "Saint-Denis", "Métropole de Lyon et environs"])
def test_only_names_that_designate_one_place_are_known_places(name):
    assert known_place(name) is None


def test_a_place_given_by_its_insee_iri_is_written_as_a_known_place():
    graph = Graph()
    lyon = "http://id.insee.fr/geo/commune/69123"
    add_spatial(graph, REF, (Concept("69123", uri=lyon),), None)
    assert graph.value(URIRef(lyon), SKOS.prefLabel) == Literal("Lyon", lang="fr")
    assert graph.value(URIRef(lyon), DCAT.bbox) == rdf(bbox_literal(known_place(None, lyon).bbox))


def test_place_iris_several_names_and_a_bbox_are_separate_locations():
    graph = Graph()
    geonames = "https://sws.geonames.org/2988507/"
    add_spatial(graph, REF, (Concept("Paris", geonames), Concept("Quartier Nord"), Concept("Zone industrielle Sud")), (2.2, 43.2, 5.5, 48.9))
    locations = objects(graph, DCTERMS.spatial)
    assert len(locations) == 4 and URIRef(geonames) in locations
    assert all((node, RDF.type, DCTERMS.Location) in graph for node in locations)
    assert len([n for n in locations if graph.value(n, DCAT.bbox) is not None]) == 1
    names = {str(graph.value(n, LOCN.geographicName)) for n in locations}
    assert names == {"Paris", "Quartier Nord", "Zone industrielle Sud", "None"}


# -- languages, frequency, access rights -------------------------------------------------


@pytest.mark.parametrize("codes,expected", [(("FRA",), {"FRA"}), (("fr", "fre", "eng"), {"FRA", "ENG"}), (("klingon",), set())])
def test_languages_are_eu_language_iris(codes, expected):
    graph = Graph()
    add_languages(graph, REF, codes)
    iris = objects(graph, DCTERMS.language)
    assert iris == {URIRef(EU + "language/" + code) for code in expected}
    assert all((iri, RDF.type, DCTERMS.LinguisticSystem) in graph for iri in iris)


@pytest.mark.parametrize(
    "frequency,code",
    [
        (Concept("Mensuelle", EU + "frequency/MONTHLY"), "MONTHLY"),
        (Concept("daily", "http://purl.org/cld/freq/daily"), "DAILY"),
        (Concept("Irrégulière"), "IRREG"),
        (Concept("quand on y pense"), None),
        (None, None),
    ],
)
def test_frequency_is_an_eu_frequency_or_nothing(frequency, code):
    graph = Graph()
    add_frequency(graph, REF, frequency)
    expected = {URIRef(EU + "frequency/" + code)} if code else set()
    assert objects(graph, DCTERMS.accrualPeriodicity) == expected
    assert all((iri, RDF.type, DCTERMS.Frequency) in graph for iri in expected)


@pytest.mark.parametrize(
    "rights,code",
    [
        (Concept("PUBLIC", EU + "access-right/PUBLIC"), "PUBLIC"),
        (Concept("Accès libre"), "PUBLIC"),
        (Concept("restricted"), "RESTRICTED"),
        (Concept("non-public"), "NON_PUBLIC"),
        (Concept("Sur demande motivée"), None),
    ],
)
def test_access_rights_map_onto_the_eu_vocabulary(rights, code):
    assert access_right_code(rights) == code


def test_unrecognised_access_rights_are_a_labelled_rights_statement():
    graph = Graph()
    add_access_rights(graph, REF, Concept("Sur demande motivée"))
    assert_isomorphic(
        turtle(f'<{REF}> dct:accessRights [ a dct:RightsStatement ; rdfs:label "Sur demande motivée" ] .'),
        graph,
    )


def test_eu_access_rights_are_typed_rights_statements():
    graph = Graph()
    add_access_rights(graph, REF, Concept("public"))
    iri = URIRef(EU + "access-right/PUBLIC")
    assert objects(graph, DCTERMS.accessRights) == {iri}
    assert {DCTERMS.RightsStatement, SKOS.Concept} <= set(graph.objects(iri, RDF.type))


# -- provenance --------------------------------------------------------------------------


def test_provenance_identifies_the_dataset_uniquely_and_keeps_the_upstream_ids():
    record = RecordFactory(guid="https://opendata.paris.fr/explore/dataset/velib/", identifier="velib",
                           source_uri="https://opendata.paris.fr/explore/dataset/velib/", title="Vélib", description="Stations")
    graph = Graph()
    add_provenance(graph, REF, record)
    upstream = URIRef(record.source_uri)
    # unique in fedcat's catalogue: a copy of the same dataset on data.gouv.fr has another IRI
    assert graph.value(REF, DCTERMS.identifier) == Literal(str(REF))
    assert objects(graph, PROV.wasDerivedFrom) == {upstream}
    assert objects(graph, DCTERMS.source) == set()
    assert set(graph.predicate_objects(upstream)) == set(), "the upstream copy is not described as a dataset"
    notations = {}
    for identifier in objects(graph, ADMS.identifier):
        assert (identifier, RDF.type, ADMS.Identifier) in graph
        assert graph.value(identifier, ADMS.schemaAgency) == Literal("paris")
        notations[graph.value(identifier, SKOS.notation)] = identifier
    assert set(notations) == {Literal(record.guid, datatype=XSD.anyURI), Literal("velib")}


def test_no_upstream_class_is_declared_anywhere():
    graph = build_dataset_graph(RecordFactory(), get_profiles(["dcat_ap_3"]), BASE)
    assert not list(graph.triples((None, RDFS.subClassOf, None)))
    assert set(graph.subjects(RDF.type, DCAT.Dataset)) == {dataset_ref(BASE, graph_record_id(graph))}


def graph_record_id(graph: Graph) -> str:
    from urllib.parse import unquote

    (ref,) = set(graph.subjects(RDF.type, DCAT.Dataset))
    return unquote(str(ref).rsplit("/datasets/", 1)[1])


def test_no_source_without_an_upstream_iri():
    graph = Graph()
    add_provenance(graph, REF, RecordFactory(source_uri=None, guid="jeu-42", identifier=None))
    assert objects(graph, PROV.wasDerivedFrom) == set()
    assert graph.value(REF, DCTERMS.identifier) == Literal(str(REF))
    (identifier,) = objects(graph, ADMS.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal("jeu-42")


# -- high-value datasets -----------------------------------------------------------------


@pytest.mark.parametrize(
    "keywords,expected",
    [
        (("hvd", "mobilite", "velo"), Hvd(("http://data.europa.eu/bna/c_b79e35eb",))),
        (("HVD", "donnees-geospatiales", "entreprises-et-propriete-d-entreprises"), Hvd(("http://data.europa.eu/bna/c_a9135398",))),
        (("hvd", "geospatiales", "statistiques"), Hvd(("http://data.europa.eu/bna/c_ac64a52d", "http://data.europa.eu/bna/c_e1da4e07"))),
        (("hvd",), Hvd(())),
        (("mobilite", "statistiques"), None),
    ],
)
def test_hvd_status_from_datagouv_tags(keywords, expected):
    assert hvd_of(RecordFactory(keywords=keywords)) == expected


def test_hvd_datasets_and_their_distributions_name_the_regulation():
    record = RecordFactory(keywords=("hvd", "mobilite"))
    graph = build_dataset_graph(record, [DcatAp3Profile()], BASE)
    ref = dataset_ref(BASE, record.record_id)
    assert objects(graph, DCATAP.applicableLegislation, ref) == {HVD_LEGISLATION}
    assert objects(graph, DCATAP.hvdCategory, ref) == {URIRef("http://data.europa.eu/bna/c_b79e35eb")}
    for distribution in graph.objects(ref, DCAT.distribution):
        assert objects(graph, DCATAP.applicableLegislation, distribution) == {HVD_LEGISLATION}
    assert (HVD_LEGISLATION, RDF.type, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) in graph


def test_non_hvd_datasets_have_no_hvd_triples():
    graph = Graph()
    assert add_hvd(graph, REF, None) is None and len(graph) == 0


# -- helpers and the profile seam --------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [("https://a.fr/x?y=1", "https://a.fr/x?y=1"), ("urn:uuid:1", "urn:uuid:1"), ("a b", None), ("ftp://a", None), ("https://a.fr/<x>", None)],
)
def test_safe_iri(value, expected):
    assert rdf(safe_iri(value)) == (URIRef(expected) if expected else None)


def test_mailto():
    assert rdf(mailto("a@b.fr")) == URIRef("mailto:a@b.fr") and mailto("a b@c.fr") is None and mailto(None) is None


def test_dataset_and_catalogue_refs():
    ref = dataset_ref(BASE + "/", "paris:https://x.fr/a/b")
    assert base_url_of(ref) == BASE and catalog_ref(BASE + "/") == URIRef(BASE + "/catalog")


def test_profiles_chain_in_order():
    profiles = get_profiles(["dcat_ap_3", "schema_org"])
    assert [p.name for p in profiles] == ["dcat_ap_3", "schema_org"]
    record = normalise(RecordFactory())
    graph = build_dataset_graph(record, profiles, BASE)
    ref = dataset_ref(BASE, record.record_id)
    assert {DCAT.Dataset, URIRef("http://schema.org/Dataset")} <= set(graph.objects(ref, RDF.type))


# -- schema.org --------------------------------------------------------------------------


@pytest.fixture
def no_remote_context(monkeypatch):
    """Fail if rdflib tries to load a JSON-LD context from anywhere."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"tried to load a JSON-LD context: {args}")

    monkeypatch.setattr("rdflib.plugins.shared.jsonld.context.source_to_json", refuse)


def page_document(record, portal=None) -> dict:
    graph = Graph()
    SchemaOrgProfile(portals=[portal] if portal else ()).serialize_dataset(record, graph, REF)
    return dataset_document(graph, REF)


def test_schema_org_document_is_compacted_with_nested_nodes(no_remote_context):
    record = normalise(
        RecordFactory(
            title="Vélib",
            keywords=("velo", "abri", "station"),
            publisher=Agent(name="Ville de Paris", url="https://www.paris.fr"),
            issued="2015-11-02",
            modified="2024-01-31T10:00:00+00:00",
            spatial=(Concept("Paris"),),
            bbox=(2.224, 48.815, 2.47, 48.902),
            temporal_start="2014-01-01",
            languages=("fr",),
        )
    )
    portal = Portal(id="paris", name="Paris Data", kind="opendatasoft", url="https://opendata.paris.fr")
    data = page_document(record, portal)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset" and data["@id"] == str(REF)
    assert data["name"] == "Vélib" and data["url"] == str(REF)
    assert data["keywords"] == ["velo", "abri", "station"], "the record's order"
    assert data["dateModified"] == "2024-01-31T10:00:00+00:00" and data["datePublished"] == "2015-11-02"
    assert data["publisher"] == {"@type": "Organization", "name": "Ville de Paris", "url": "https://www.paris.fr"}
    assert data["includedInDataCatalog"] == {"@type": "DataCatalog", "name": "Paris Data", "url": "https://opendata.paris.fr"}
    assert data["spatialCoverage"] == [
        {"@type": "Place", "name": "Paris", "sameAs": ["http://id.insee.fr/geo/commune/75056"],
         "geo": {"@type": "GeoShape", "box": "48.815 2.224 48.902 2.47"}}
    ], "the record's own box, and the place's INSEE IRI"
    assert data["temporalCoverage"] == "2014-01-01/.." and data["inLanguage"] == ["fr"]
    assert data["license"] == ETALAB
    (download,) = data["distribution"]
    assert download["@type"] == "DataDownload" and download["encodingFormat"] == "text/csv"
    assert download["contentUrl"] == record.distributions[0].download_url


@pytest.mark.parametrize(
    "licence,expected",
    [
        (Concept("ODbL", "http://opendatacommons.org/licenses/odbl/"), "https://opendatacommons.org/licenses/odbl/1-0/"),
        (Concept("Licence maison", "https://ville.example.fr/licence"), "https://ville.example.fr/licence"),
        (Concept("Licence maison"), {"@type": "CreativeWork", "name": "Licence maison"}),
        (Concept("License Not Specified"), None),
    ],
)
def test_schema_org_licence_is_its_page_or_a_named_creative_work(no_remote_context, licence, expected):
    data = page_document(RecordFactory(license=licence, distributions=(), keywords=("seul",)))
    assert data.get("license") == expected
    assert data["keywords"] == ["seul"] and "distribution" not in data
    assert "includedInDataCatalog" not in data, "no portal given"


def test_the_schema_org_catalogue_lists_its_datasets():
    records = [RecordFactory(), RecordFactory()]
    page = CatalogPage(CatalogInfo(base_url=BASE), records, total=2, page=1, page_size=10, page_url=lambda n: f"{BASE}/catalog.ttl?page={n}")
    graph = build_catalog_graph(page, [SchemaOrgProfile()])
    catalog = catalog_ref(BASE)
    schema = "http://schema.org/"
    assert (catalog, RDF.type, URIRef(schema + "DataCatalog")) in graph
    assert set(graph.objects(catalog, URIRef(schema + "dataset"))) == {dataset_ref(BASE, r.record_id) for r in records}


@pytest.mark.parametrize("start,end,expected", [("2014", "2015", "2014/2015"), (None, "2015", "../2015"), (None, None, None)])
def test_temporal_coverage_interval(start, end, expected):
    assert temporal_coverage(start, end) == expected


def test_geo_box_is_latitude_first():
    assert geo_box(BBox(west=-1.5, south=43.0, east=7.25, north=51.0)) == "43 -1.5 51 7.25"


def test_schema_org_document_with_a_blank_node_used_twice_keeps_its_label(no_remote_context):
    graph = Graph()
    shared = BNode()
    schema = "http://schema.org/"
    graph.add((REF, RDF.type, URIRef(schema + "Dataset")))
    graph.add((REF, URIRef(schema + "publisher"), shared))
    graph.add((REF, URIRef(schema + "creator"), shared))
    graph.add((shared, URIRef(schema + "name"), Literal("Ville de Paris")))
    data = dataset_document(graph, REF)
    assert data["publisher"]["@id"] == data["creator"]["@id"] and data["creator"]["name"] == "Ville de Paris"


def test_record_with_nothing_optional_still_gives_a_full_dataset():
    record = replace(RecordFactory(), keywords=(), themes=(), publisher=None, license=None, distributions=(), modified=None)
    graph = build_dataset_graph(record, [DcatAp3Profile()], BASE)
    ref = dataset_ref(BASE, record.record_id)
    assert graph.value(ref, DCTERMS.title) is not None and graph.value(ref, DCTERMS.description) is not None
    assert (ref, FOAF.page, None) not in graph and (ref, VCARD.fn, None) not in graph


# -- languages: as the source gave them, never invented ------------------------------------


def test_texts_keep_the_language_the_source_gave_and_plain_literals_stay_plain():
    record = RecordFactory(title="Luftqualität", title_lang="de", description="Messwerte", description_lang=None,
                           keywords=("luft",), themes=(), translations=())
    graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
    ref = dataset_ref(BASE, record.record_id)
    assert objects(graph, DCTERMS.title, ref) == {Literal("Luftqualität", lang="de")}
    assert objects(graph, DCTERMS.description, ref) == {Literal("Messwerte")}
    assert objects(graph, DCAT.keyword, ref) == {Literal("luft")}


def test_every_language_of_titles_descriptions_and_keywords_is_exported():
    record = RecordFactory(
        title="Qualité de l'air", title_lang="fr", description="Mesures", description_lang="fr", keywords=("air",),
        translations=(
            Translation("title", "en", "Air quality"),
            Translation("title", "ca", "Qualitat de l'aire"),
            Translation("description", "en", "Measurements"),
            Translation("keyword", "en", "air quality"),
        ),
    )
    graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
    ref = dataset_ref(BASE, record.record_id)
    assert objects(graph, DCTERMS.title, ref) == {
        Literal("Qualité de l'air", lang="fr"), Literal("Air quality", lang="en"), Literal("Qualitat de l'aire", lang="ca")
    }
    assert objects(graph, DCTERMS.description, ref) == {Literal("Mesures", lang="fr"), Literal("Measurements", lang="en")}
    assert Literal("air quality", lang="en") in objects(graph, DCAT.keyword, ref)


def test_an_empty_description_falls_back_on_the_title_in_the_titles_language():
    record = RecordFactory(title="Air quality", title_lang="en", description="")
    graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
    assert objects(graph, DCTERMS.description, dataset_ref(BASE, record.record_id)) == {Literal("Air quality", lang="en")}


# -- agents known by IRI, type and e-mail ------------------------------------------------------


def test_an_agent_without_a_name_keeps_its_iri_type_and_e_mail():
    graph = Graph()
    agent = Agent(name="", uri="https://example.eu/GreekEnvironmentAgency", email="mailto: info@example.eu",
                  kind="http://xmlns.com/foaf/0.1/Organization")
    node = rdf(add_agent(graph, REF, DCTERMS.publisher, agent), graph)
    assert node == URIRef(agent.uri)
    assert set(graph.objects(node, RDF.type)) == {FOAF.Agent, FOAF.Organization}
    assert graph.value(node, FOAF.mbox) == URIRef("mailto:info@example.eu")
    # DCAT-AP makes foaf:name mandatory: what the source identifies the agent by
    assert graph.value(node, FOAF.name) == Literal("info@example.eu")


def test_a_vcard_organisation_contact_keeps_its_class_and_e_mail_without_an_invented_name():
    graph = Graph()
    contact = Agent(name="", email="contact@geo.example.fr", kind="http://www.w3.org/2006/vcard/ns#Organization")
    node = rdf(add_contact_point(graph, REF, contact), graph)
    assert set(graph.objects(node, RDF.type)) == {VCARD.Kind, VCARD.Organization}
    assert graph.value(node, VCARD.hasEmail) == URIRef("mailto:contact@geo.example.fr")
    assert graph.value(node, VCARD.fn) is None


def test_an_agent_class_from_another_vocabulary_is_not_copied():
    graph = Graph()
    node = rdf(add_agent(graph, REF, DCTERMS.publisher, Agent(name="X", kind="http://example.org/Thing")), graph)
    assert set(graph.objects(node, RDF.type)) == {FOAF.Agent}


# -- licences as the clients' registries name them ---------------------------------------------


@pytest.mark.parametrize("license_id,names", sorted(REGISTRY_NAMES.items()))
def test_known_licences_carry_the_registries_titles(license_id, names):
    info = next(i for i in map(canonical_license, (license_id,)) if i)
    graph = Graph()
    node = rdf(add_license(graph, DIST, Concept(info.label, info.uri)), graph)
    assert graph.value(node, RDFS.label) == Literal(names.udata_title or info.label)
    assert graph.value(node, DCTERMS.title) == Literal(names.ckan_title or names.udata_title or info.label)


def test_the_odbl_is_labelled_as_data_gouv_fr_and_ckan_know_it():
    graph = Graph()
    node = rdf(add_license(graph, DIST, Concept("Open Data Commons Open Database License (ODbL) 1.0")), graph)
    assert node == URIRef(EU + "licence/ODC_BL")
    assert graph.value(node, RDFS.label) == Literal("Open Data Commons Open Database License (ODbL)")
    assert graph.value(node, DCTERMS.title) == Literal("Open Data Commons Open Database License (ODbL)")


def test_an_unknown_licence_iri_keeps_the_portals_label_once():
    graph = Graph()
    add_license(graph, DIST, Concept("Licence maison", "https://example.fr/licence"))
    add_license(graph, URIRef(f"{DIST}-2"), Concept("Autre libellé", "https://example.fr/licence"))
    assert list(graph.objects(URIRef("https://example.fr/licence"), RDFS.label)) == [Literal("Licence maison")]


# -- nothing the source does not say -------------------------------------------------------------


def test_a_distribution_says_nothing_the_source_did_not():
    record = RecordFactory(distributions=(Distribution(access_url="https://example.fr/donnees"),), license=None)
    graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
    (distribution,) = graph.subjects(RDF.type, DCAT.Distribution)
    said = set(graph.predicates(distribution))
    assert said == {RDF.type, DCAT.accessURL}
    assert not list(graph.triples((None, DCATAP.availability, None)))


def test_a_rights_statement_that_is_not_a_licence_goes_on_each_distribution():
    record = RecordFactory(rights="Réutilisation soumise à l'accord du producteur")
    graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        (statement,) = graph.objects(distribution, DCTERMS.rights)
        assert (statement, RDF.type, DCTERMS.RightsStatement) in graph
        assert graph.value(statement, RDFS.label) == Literal(record.rights)


@pytest.mark.parametrize("tag,expected", [("fr_FR", None), ("en gb", None), ("EN", "en"), ("ca-ES", "ca-es"), (None, None)])
def test_a_language_tag_rdf_cannot_carry_leaves_the_text_plain(tag, expected):
    record = RecordFactory(title="Titre", title_lang=tag, translations=(Translation("title", tag or "x y", "Autre"),))
    graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
    titles = set(graph.objects(dataset_ref(BASE, record.record_id), DCTERMS.title))
    assert Literal("Titre", lang=expected) in titles


# -- the tables behind places and licence names --------------------------------------------------


@pytest.mark.parametrize("name", ["Paris", "Lyon", "Montpellier", "Villeurbanne", "Rhône", "Occitanie", "France entière"])
def test_known_places_have_an_authority_iri_a_sane_box_and_their_own_name(name):
    place = known_place(name)
    assert place.iri.startswith(("http://id.insee.fr/geo/", EU + "country/"))
    assert known_place(place.label) == place, "its official name designates it too"
    if place.bbox is not None:
        west, south, east, north = place.bbox
        assert -6 < west < east < 10 and 41 < south < north < 52, "a box within metropolitan France"


@pytest.mark.parametrize("license_id", sorted(REGISTRY_NAMES))
def test_registry_names_are_keyed_by_canonical_licence_ids(license_id):
    info = canonical_license(license_id)
    assert info is not None and info.id == license_id
