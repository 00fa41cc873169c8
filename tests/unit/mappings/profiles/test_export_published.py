"""Exporting records read from files other projects published (tests/fixtures/published/SOURCE.md).

What a source said comes out of the export as it said it: every language with its own tag
(and none invented), agents known only by IRI, rights codes that are not licences.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from harvesters.fetch.rdf_parsing import parse_rdf
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.normalise import normalise
from mappings.profiles.base import build_dataset_graph, dataset_ref, get_profiles
from tests.paths import FIXTURES

PUBLISHED = FIXTURES / "published"
BASE = "http://fedcat.test"


def exported(path: Path, media_type: str):
    graph = parse_rdf(path.read_bytes(), media_type, f"https://published.test/{path.name}")
    (record,) = [normalise(record_from_rdf(graph, node, "pub")) for node in dataset_nodes(graph)]
    ref = dataset_ref(BASE, record.record_id)
    return record, ref, build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)


def test_a_multilingual_dataset_is_exported_in_each_of_its_languages_and_no_other():
    _, ref, graph = exported(PUBLISHED / "ckanext-dcat" / "dataset_multilingual.ttl", "text/turtle")
    assert set(graph.objects(ref, DCTERMS.title)) == {
        Literal("Conjunt de dades de prova DCAT", lang="ca"),
        Literal("Test DCAT dataset", lang="en"),
        Literal("Conjunto de datos de prueba DCAT", lang="es"),
    }
    assert set(graph.objects(ref, DCTERMS.description)) == {
        Literal("Una descripció qualsevol", lang="ca"),
        Literal("Some description", lang="en"),
        Literal("Una descripción cualquiera", lang="es"),
    }
    keywords = set(graph.objects(ref, DCAT.keyword))
    assert {str(k) for k in keywords} == {"Pins", "Roures", "Oaks", "Pines", "Pinos", "Robles"}
    # every keyword keeps the tag the source gave it, the shown language's included
    assert keywords == {
        Literal("Oaks", lang="en"), Literal("Pines", lang="en"),
        Literal("Pinos", lang="es"), Literal("Robles", lang="es"),
        Literal("Pins", lang="ca"), Literal("Roures", lang="ca"),
    }
    # the dataset's and its distributions' texts (vocabulary labels are fedcat's own, in fr and en)
    subjects = {ref, *graph.objects(ref, DCAT.distribution)}
    tags = {o.language for s, _, o in graph if s in subjects and isinstance(o, Literal)}
    assert "fr" not in tags, "the source has no French: none is invented"


def test_an_agent_known_by_iri_and_a_rights_code_are_exported_as_the_source_gave_them():
    record, ref, graph = exported(PUBLISHED / "udata" / "geonetwork.xml", "application/rdf+xml")
    publisher = URIRef(record.publisher.uri)
    assert graph.value(ref, DCTERMS.publisher) == publisher
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal(record.publisher.uri)
    assert graph.value(ref, DCTERMS.title).language is None, "a plain literal stays plain"
    rights = {o for d in graph.objects(ref, DCAT.distribution) for o in graph.objects(d, DCTERMS.rights)}
    assert rights == {URIRef(record.rights)}
    assert not list(graph.objects(None, DCTERMS.license)), "no licence is made up from the INSPIRE codes"


def test_semics_example_keeps_its_english_and_its_publisher_known_only_by_iri():
    path = PUBLISHED / "semic" / "example-bee-population-2022-2023.ttl"
    graph = parse_rdf(path.read_bytes(), "text/turtle", f"https://published.test/{path.name}")
    records = [normalise(record_from_rdf(graph, node, "pub")) for node in dataset_nodes(graph)]
    assert len(records) == 2
    agency = URIRef("https://agencies.gov.gr/id/GreekEnvironmentAgency")
    for record in records:
        ref = dataset_ref(BASE, record.record_id)
        exported_graph = build_dataset_graph(record, get_profiles(["dcat_ap_3"]), BASE)
        assert exported_graph.value(ref, DCTERMS.title).language == "en"
        assert exported_graph.value(ref, DCTERMS.description).language == "en"
        assert exported_graph.value(ref, DCTERMS.publisher) == agency
        assert exported_graph.value(agency, FOAF.name) == Literal(str(agency))
