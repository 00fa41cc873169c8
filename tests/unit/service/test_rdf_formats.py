"""The export's RDF documents are tidy: only the prefixes they use, one per namespace, each subject stated once."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from mappings.profiles.base import CatalogInfo, CatalogPage, build_catalog_graph, catalog_sink, get_profiles
from mappings.profiles.page_graph import used_prefixes
from service.rdf_formats import format_for_extension, serialize, serialize_sink
from tests.factories import RecordFactory

BASE = "http://fedcat.test"
_PREFIX = re.compile(r"^@prefix (\w*): <([^>]+)> \.$", re.M)


@pytest.fixture(scope="module")
def page() -> CatalogPage:
    records = [RecordFactory(record_id=f"paris:jeu-{n}", guid=f"jeu-{n}") for n in range(3)]
    return CatalogPage(CatalogInfo(BASE), records, 3, 1, 10, lambda n: f"{BASE}/catalog?page={n}")


@pytest.fixture(scope="module")
def page_graph(page) -> Graph:
    return build_catalog_graph(page, get_profiles(["dcat_ap_3", "schema_org"]))


@pytest.fixture(scope="module", params=["graph", "sink"])
def write(request, page, page_graph):
    """The page in a syntax: serialised from its graph, or written by the export's page sink (the hot path)."""
    if request.param == "graph":
        return lambda extension: serialize(page_graph, format_for_extension(extension))
    sink = catalog_sink(page, get_profiles(["dcat_ap_3", "schema_org"]))
    return lambda extension: serialize_sink(sink, format_for_extension(extension))


def test_turtle_declares_only_the_prefixes_it_uses_one_per_namespace(write):
    text = write("ttl").decode()
    declared = dict(_PREFIX.findall(text))
    body = _PREFIX.sub("", text)
    assert declared, "the export uses prefixes"
    for prefix in declared:
        assert re.search(rf"(?<![\w:/#]){prefix}:", body), f"@prefix {prefix} is declared but unused"
    assert len(set(declared.values())) == len(declared), "a namespace has two prefixes"
    assert "dcterms" not in declared and declared["dct"] == "http://purl.org/dc/terms/"
    assert not {"brick", "sosa", "qb", "doap", "owl"} & set(declared)


def test_turtle_states_each_subject_once(write, page_graph):
    text = write("ttl").decode()
    starts = [line.split(" ", 1)[0] for line in text.splitlines() if line and not line[0].isspace() and not line.startswith("@")]
    assert len(starts) == len(set(starts))
    assert isomorphic(Graph().parse(data=text, format="turtle"), page_graph)


def test_json_ld_context_holds_only_used_prefixes(write, page_graph):
    document = json.loads(write("jsonld"))
    context = document["@context"]
    assert "dct" in context and "dcterms" not in context and "brick" not in context
    assert isomorphic(Graph().parse(data=json.dumps(document), format="json-ld"), page_graph)


def test_rdf_xml_round_trips(write, page_graph):
    data = write("rdf")
    assert b"xmlns:brick" not in data
    assert isomorphic(Graph().parse(data=data, format="xml"), page_graph)


def test_only_used_namespaces_are_declared_each_under_its_preferred_prefix():
    graph = Graph(bind_namespaces="rdflib")  # rdflib binds dcterms, and brick, sosa, qb…
    graph.add((URIRef(f"{BASE}/d"), DCTERMS.title, Literal("Titre")))
    assert used_prefixes(graph) == {"dcterms": str(DCTERMS)}
    graph.bind("dct", DCTERMS)
    assert used_prefixes(graph) == {"dct": str(DCTERMS)}


def test_pages_of_a_streamed_rdf_xml_export_share_one_root():
    """``fedcat export --format rdf`` copies pages whose root matches the first one's (no re-parse)."""
    from mappings.profiles.page_graph import bound_prefixes
    from mappings.record import Agent

    def page(record) -> bytes:
        graph = build_catalog_graph(
            CatalogPage(CatalogInfo(BASE), [record], 2, 1, 2, lambda n: f"{BASE}/catalog.rdf"), get_profiles(["dcat_ap_3"])
        )
        data = serialize(graph, format_for_extension("rdf"), bound_prefixes(graph))
        return re.search(rb"<rdf:RDF[^>]*>", data).group(0)

    with_contact = RecordFactory(contact_point=Agent(name="Contact", email="c@x.fr"))
    without = RecordFactory(contact_point=None, distributions=(), publisher=None)
    assert page(with_contact) == page(without)
