"""The graph mappings read (:class:`mappings.graph.ReadableGraph`): rdflib's Graph and the page index both satisfy it.

Checked three ways: statically (mypy over the mappings that read graphs, and over an assignment of
each graph class to the protocol), at run time (``isinstance`` with the runtime-checkable protocol),
and by behaviour (the same page mapped from either graph gives the same records).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from harvesters.fetch.indexed_graph import IndexedGraph, parse_indexed
from mappings import from_rdf
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.graph import ReadableGraph

ROOT = Path(__file__).resolve().parents[3]
#: the mappings that read a page's graph: they may call only what the protocol offers
GRAPH_READERS = [
    "mappings/graph.py",
    "mappings/from_rdf.py",
    "mappings/rdf_agents.py",
    "mappings/rdf_rights.py",
    "mappings/rdf_texts.py",
    "mappings/rdf_values.py",
]
BOTH_SATISFY = """
from rdflib import Graph
from harvesters.fetch.indexed_graph import IndexedGraph
from mappings.graph import ReadableGraph

def from_rdflib(graph: Graph) -> ReadableGraph:
    return graph

def from_the_index(graph: IndexedGraph) -> ReadableGraph:
    return graph
"""
NOT_A_GRAPH = """
from mappings.graph import ReadableGraph

class OnlyObjects:
    def objects(self, subject=None, predicate=None):
        return iter(())

def wrong(graph: OnlyObjects) -> ReadableGraph:
    return graph
"""
PAGE = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/ds/1> a dcat:Dataset ;
    dct:title "Arbres d'alignement"@fr ;
    dct:publisher [ a <http://xmlns.com/foaf/0.1/Organization> ; <http://xmlns.com/foaf/0.1/name> "Ville" ] ;
    dct:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> ;
    dcat:keyword "arbres"@fr, "nature"@fr ;
    dcat:distribution <https://example.org/ds/1/csv>, <https://example.org/ds/1/described-only> .
<https://example.org/ds/1/csv> a dcat:Distribution ; dcat:downloadURL <https://example.org/arbres.csv> ;
    dct:format "CSV" .
<https://example.org/ds/1/described-only> a dcat:Distribution ; dct:title "Sans lien"@fr .
<https://example.org/ds/2> a dcat:Dataset ; dct:title "Parkings"@fr ;
    dcat:distribution <https://example.org/ds/2/typed-only> .
<https://example.org/ds/2/typed-only> a dcat:Distribution .
"""


def run_mypy(tmp_path: Path, *files: str) -> subprocess.CompletedProcess:
    """mypy over ``files`` (errors in what they import are not reported: each module answers for itself)."""
    command = [sys.executable, "-m", "mypy", "--follow-imports=silent", "--ignore-missing-imports", "--no-error-summary"]
    command += ["--cache-dir", str(tmp_path / "mypy-cache"), *files]
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_mypy_says_both_graphs_satisfy_the_protocol_and_mappings_call_nothing_else(tmp_path):
    check = tmp_path / "both_satisfy.py"
    check.write_text(BOTH_SATISFY)
    result = run_mypy(tmp_path, *GRAPH_READERS, str(check))
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_refuses_a_graph_that_lacks_a_call(tmp_path):
    """The static check can fail: a class with only ``objects`` is not a ReadableGraph."""
    check = tmp_path / "not_a_graph.py"
    check.write_text(NOT_A_GRAPH)
    result = run_mypy(tmp_path, str(check))
    assert result.returncode == 1
    assert 'expected "ReadableGraph"' in result.stdout


def test_both_graphs_are_readable_graphs_at_run_time():
    assert isinstance(Graph(), ReadableGraph)
    assert isinstance(IndexedGraph(), ReadableGraph)
    assert not isinstance(object(), ReadableGraph)


@pytest.mark.parametrize(
    "name", [name for name, _ in inspect.getmembers(from_rdf, inspect.isfunction) if name.endswith("_from_rdf")]
)
def test_the_mappings_are_typed_with_the_protocol(name):
    signature = inspect.signature(getattr(from_rdf, name))
    assert signature.parameters["graph"].annotation == "ReadableGraph"


def test_the_same_page_maps_to_the_same_records_from_either_graph():
    """Includes a distribution described by nothing but its type: its IRI is its access URL.

    (That path once called ``graph.predicates``, which the page index lacks: every such dataset of
    a harvested page failed with an AttributeError. The static check above now refuses such a call.)
    """
    rdflib_graph = Graph().parse(data=PAGE, format="turtle")
    index = parse_indexed(PAGE, "turtle", "https://example.org/")

    def records(graph):
        return [record_from_rdf(graph, node, "demo").to_dict() for node in dataset_nodes(graph)]

    mapped = records(index)
    assert mapped == records(rdflib_graph)
    assert [r["title"] for r in mapped] == ["Arbres d'alignement", "Parkings"]
    assert [d["access_url"] for d in mapped[0]["distributions"]] == ["https://example.org/arbres.csv"]
    assert [d["access_url"] for d in mapped[1]["distributions"]] == ["https://example.org/ds/2/typed-only"]
