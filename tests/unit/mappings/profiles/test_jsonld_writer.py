"""The compact JSON-LD writer says the same triples as rdflib's, in a readable shape."""

from __future__ import annotations

import json

import pyoxigraph
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from mappings.profiles.jsonld_writer import compact_jsonld
from mappings.profiles.page_graph import write_with_oxigraph
from service.rdf_formats import format_for_extension, serialize

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
PREFIXES = {"dcat": str(DCAT), "dct": str(DCT), "xsd": str(XSD), "odd": "http://odd.test/ns"}


def sample_graph() -> Graph:
    graph = Graph()
    dataset, distribution = URIRef("http://fedcat.test/datasets/paris%3Av%C3%A9los"), BNode()
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCT.title, Literal("Vélos en libre-service", lang="fr")))
    graph.add((dataset, DCT.title, Literal("Shared bikes", lang="en")))
    graph.add((dataset, DCT.description, Literal("plain, untagged")))
    graph.add((dataset, DCT.modified, Literal("2024-05-01", datatype=XSD.date)))
    graph.add((dataset, DCT.type, Literal("a literal type is a property")))
    graph.add((dataset, RDF.type, Literal("not a class")))
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.downloadURL, URIRef("http://files.test/a/b.csv")))
    graph.add((distribution, URIRef("http://odd.test/nsproperty"), Literal("a namespace without / or #")))
    return graph


def written(graph: Graph) -> dict:
    return json.loads(compact_jsonld(write_with_oxigraph(graph, pyoxigraph.RdfFormat.JSON_LD, {}), PREFIXES))


def test_the_triples_are_the_graphs():
    graph = sample_graph()
    body = serialize(graph, format_for_extension("jsonld"), PREFIXES)
    assert isomorphic(Graph().parse(data=body, format="json-ld"), graph)


def test_predicates_classes_and_datatypes_are_compact_and_references_whole():
    document = written(sample_graph())
    assert document["@context"] == {"dcat": str(DCAT), "dct": str(DCT), "xsd": str(XSD)}, "only namespaces JSON-LD can expand"
    (dataset,) = [node for node in document["@graph"] if "dct:title" in node]
    assert dataset["@type"] == ["dcat:Dataset"]
    assert {"@value": "Vélos en libre-service", "@language": "fr"} in dataset["dct:title"]
    assert dataset["dct:modified"] == [{"@value": "2024-05-01", "@type": "xsd:date"}]
    assert dataset["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"] == [{"@value": "not a class"}]
    (distribution,) = [node for node in document["@graph"] if node.get("@type") == ["dcat:Distribution"]]
    assert distribution["dcat:downloadURL"] == [{"@id": "http://files.test/a/b.csv"}]
    assert "http://odd.test/nsproperty" in distribution
