"""The page sink: compact terms in, N-Triples and Turtle text out, each triple once, rdflib terms accepted."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from mappings.profiles.sink import GraphSink, PageSink, as_sink, literal

S = "http://example.org/s"
TITLE, TYPE = str(DCTERMS.title), str(RDF.type)
AWKWARD = ['guillemets " et \\ barre', "ligne\nsuivante\r\tfin", "contrôle \x01 et \x7f", "Vélos 🚲", ""]


def rdflib_graph(sink_writes) -> Graph:
    graph = Graph()
    sink_writes(GraphSink(graph))
    return graph


def writes(sink) -> None:
    node = sink.blank()
    for n, text in enumerate(AWKWARD):
        sink.add(S, TITLE, literal(text, "fr" if n % 2 else None))
    sink.add(S, str(DCTERMS.issued), literal("2024-01-31", None, str(XSD.date)))
    sink.add(S, str(DCTERMS.spatial), node)
    sink.add(node, TYPE, str(DCTERMS.Location))
    sink.add(S, str(DCTERMS.source), "http://example.org/vélo?a=1&b=2#x")
    sink.add(S, TYPE, "http://example.org/vocab#Thing")


@pytest.mark.parametrize("syntax,fmt", [("ntriples", "nt"), ("turtle", "turtle")])
def test_every_literal_and_iri_reads_back_as_rdflib_builds_it(syntax, fmt):
    sink = PageSink()
    sink.bind("dct", str(DCTERMS))
    writes(sink)
    parsed = Graph().parse(data=getattr(sink, syntax)(), format=fmt)
    assert isomorphic(parsed, rdflib_graph(writes))


def test_turtle_declares_the_prefixes_its_names_use_and_states_each_subject_once():
    sink = PageSink()
    sink.bind("dct", str(DCTERMS))
    sink.bind("unused", "http://example.org/unused#")
    writes(sink)
    text = sink.turtle().decode()
    assert text.startswith("@prefix dct: <http://purl.org/dc/terms/> .\n") and "unused" not in text
    subjects = [line.split(" ", 1)[0] for line in text.splitlines() if line and not line[0].isspace() and not line.startswith("@")]
    assert len(subjects) == len(set(subjects)) == 2


def test_a_triple_added_twice_is_written_once():
    sink = PageSink()
    for _ in range(3):
        sink.add(S, TITLE, literal("Un", "fr"))
    assert len(sink) == 1 and sink.ntriples().count(b"\n") == 1


def test_blank_nodes_of_two_pages_never_share_a_label():
    first, second = PageSink(), PageSink()
    for sink in (first, second):
        sink.add(S, str(DCTERMS.spatial), sink.blank())
    assert len(Graph().parse(data=first.ntriples() + second.ntriples(), format="nt")) == 2


def test_rdflib_terms_are_accepted_but_not_rdflib_blank_nodes():
    sink = PageSink()
    sink.add(URIRef(S), DCTERMS.title, Literal("Un", lang="fr"))
    sink.add(S, TITLE, ("Un", "fr", None))
    assert list(sink.triples()) == [(S, TITLE, ("Un", "fr", None))]
    with pytest.raises(TypeError):
        sink.add(BNode(), TITLE, literal("x"))


def test_once_answers_true_the_first_time_only_and_a_graph_keeps_its_sink():
    graph = Graph()
    assert as_sink(graph) is as_sink(graph)
    assert as_sink(graph).once("k") and not as_sink(graph).once("k")
