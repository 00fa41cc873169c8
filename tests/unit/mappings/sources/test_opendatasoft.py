"""Opendatasoft's DCAT export repaired for the common mapping (mappings/sources/opendatasoft.py): pure, no I/O."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from harvesters.fetch.rdf_parsing import parse_rdf
from mappings.sources.opendatasoft import free_text_iris, labelled_free_text, ods_dataset_id


@pytest.mark.parametrize(
    "uri, identifier, expected",
    [
        ("https://opendata.paris.fr/explore/dataset/velib/", None, "velib"),
        ("https://data.rennesmetropole.fr/api/v2/catalog/datasets/etablissements", None, "etablissements"),
        ("https://opendata.paris.fr/api/explore/v2.1/catalog/datasets/arbres", None, "arbres"),
        ("urn:x:unknown", "les-arbres@parisdata", "les-arbres"),
        ("urn:x:unknown", None, None),
    ],
)
def test_dataset_id_from_either_uri_style(uri, identifier, expected):
    turtle = f'<{uri}> <http://purl.org/dc/terms/identifier> "{identifier}" .' if identifier else ""
    graph = Graph().parse(data=turtle, format="turtle")
    assert ods_dataset_id(graph, URIRef(uri)) == expected


def test_free_text_protection_keeps_real_iris_and_curies():
    content = (
        b'<x rdf:about="En continu"/><y rdf:resource="https://a.fr/b?c=1&amp;d=2"/>'
        b'<z rdf:resource="dctype:Dataset"/><w rdf:about="Mensuelle"/>'
    )
    protected = free_text_iris(content)
    assert b'rdf:about="urn:fedcat:free-text:En%20continu"' in protected
    assert b'rdf:resource="https://a.fr/b?c=1&amp;d=2"' in protected
    assert b'rdf:resource="dctype:Dataset"' in protected
    assert b'rdf:about="urn:fedcat:free-text:Mensuelle"' in protected


def test_labelled_free_text_replaces_the_stand_in_iris():
    document = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns:dcterms="http://purl.org/dc/terms/"><rdf:Description rdf:about="https://p.fr/d">
      <dcterms:spatial rdf:resource="France enti&#232;re"/></rdf:Description></rdf:RDF>"""
    graph = parse_rdf(free_text_iris(document), "application/rdf+xml", "https://p.fr/api/explore/v2.1/catalog/exports/dcat")
    labelled_free_text(graph)
    labels = [str(o) for o in graph.objects(None, None) if "France" in str(o)]
    assert labels == ["France entière"]
    assert not any("free-text" in str(t) for triple in graph for t in triple)
