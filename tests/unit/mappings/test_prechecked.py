"""A literal built without rdflib's checks equals, hashes and serialises as ``Literal()``'s."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from mappings.prechecked import plain_literal


@pytest.mark.parametrize("text, language", [("Vélos en libre-service", "fr"), ("Bikes", "en"), ("sans langue", None), ("", None)])
def test_the_same_literal_as_rdflib_builds(text, language):
    built, reference = plain_literal(text, language), Literal(text, lang=language)
    assert built == reference and hash(built) == hash(reference)
    assert (built.language, built.datatype, built.value) == (reference.language, reference.datatype, reference.value)
    assert built.n3() == reference.n3()
    graph = Graph()
    graph.add((URIRef("http://example.org/d"), URIRef("http://purl.org/dc/terms/title"), built))
    assert (URIRef("http://example.org/d"), URIRef("http://purl.org/dc/terms/title"), reference) in graph
