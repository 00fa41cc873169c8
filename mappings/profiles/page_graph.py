"""Writing an rdflib graph of export pages out: statements grouped by subject, only the prefixes used.

The export's hot path writes no graph (:class:`~mappings.profiles.sink.PageSink`); a graph is
built where one is wanted (SHACL validation, the isomorphism tests, callers that pass an rdflib
``Graph``) through a :class:`~mappings.profiles.sink.GraphSink` into a plain rdflib ``Graph``, and
written out here: N-Triples directly, Turtle, RDF/XML and JSON-LD by Oxigraph, each term converted once.
"""

from __future__ import annotations

import pyoxigraph
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = [
    "PREFERRED_PREFIXES",
    "bound_prefixes",
    "grouped_triples",
    "page_graph",
    "used_prefixes",
    "write_ntriples",
    "write_with_oxigraph",
]

_Triple = tuple[Node, Node, Node]




def page_graph() -> Graph:
    """An empty graph (with rdflib's core prefixes only: profiles bind what they use)."""
    return Graph(bind_namespaces="core")


def write_ntriples(graph: Graph) -> bytes:
    """The graph as N-Triples (UTF-8), each subject's statements together."""
    cache: dict[Node, str] = {}
    lines = [f"{_term(s, cache)} {_term(p, cache)} {_term(o, cache)} .\n" for s, p, o in grouped_triples(graph)]
    return "".join(lines).encode("utf-8")


def write_with_oxigraph(graph: Graph, fmt: pyoxigraph.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """A graph in one of Oxigraph's syntaxes: statements grouped by subject, only the prefixes they use.

    Each term is converted once. ``prefixes`` replaces the used ones (a multi-page document
    wants the same declarations on every page).
    """
    cache: dict[Node, object] = {}

    def convert(term: Node):
        converted = cache.get(term)
        if converted is None:
            converted = cache[term] = _oxigraph_term(term)
        return converted

    triples = grouped_triples(graph)
    prefixes = used_prefixes(graph) if prefixes is None else prefixes
    statements = (pyoxigraph.Triple(convert(s), convert(p), convert(o)) for s, p, o in triples)
    return pyoxigraph.serialize(statements, format=fmt, prefixes=prefixes)


def grouped_triples(graph: Graph) -> list[_Triple]:
    """Every triple, each subject's together (subjects in order of first use), so Turtle states each subject once."""
    by_subject = _index(graph)
    return [(s, p, o) for s, predicates in by_subject.items() for p, objects in predicates.items() for o in objects]


#: the prefix written for a namespace bound under several (rdflib binds ``dcterms`` too)
PREFERRED_PREFIXES = {"http://purl.org/dc/terms/": "dct"}


def used_prefixes(graph: Graph) -> dict[str, str]:
    """``{prefix: namespace}`` of the graph's bindings that its terms use, one prefix per namespace.

    The terms a serialiser writes with a prefix are predicates, classes (objects of
    ``rdf:type``) and datatypes; other IRIs are written in full when no declared prefix
    covers them, which keeps this one pass cheap.
    """
    bound = _bound_namespaces(graph)
    used: dict[str, str] = {}
    for iri in _prefixable_terms(graph):
        text = str(iri)
        namespace = text[: max(text.rfind("#"), text.rfind("/")) + 1]
        if namespace in bound:
            used[bound[namespace]] = namespace
    return dict(sorted(used.items()))


def _prefixable_terms(graph: Graph) -> set[Node]:
    """Every predicate, class and datatype of the graph (``rdf:type`` aside: each syntax has a word for it)."""
    by_subject = _index(graph)
    rdf_type = RDF.type
    terms: set[Node] = set()
    datatypes: set[Node] = set()
    for predicates in by_subject.values():
        terms.update(predicates)
        terms.update(predicates.get(rdf_type, ()))
        for objects in predicates.values():
            datatypes.update(o.datatype for o in objects if type(o) is Literal)
    terms.discard(rdf_type)
    datatypes.discard(None)
    return terms | datatypes


def _index(graph: Graph) -> dict[Node, dict[Node, dict[Node, None]]]:
    """subject -> predicate -> objects of any graph, in first-use order."""
    by_subject: dict[Node, dict[Node, dict[Node, None]]] = {}
    for s, p, o in graph:
        by_subject.setdefault(s, {}).setdefault(p, {})[o] = None
    return by_subject


def bound_prefixes(graph: Graph) -> dict[str, str]:
    """``{prefix: namespace}`` of every namespace bound in the graph, one prefix each (the preferred one)."""
    return dict(sorted((prefix, namespace) for namespace, prefix in _bound_namespaces(graph).items()))


def _bound_namespaces(graph: Graph) -> dict[str, str]:
    """``{namespace: prefix}``: the first prefix bound to each namespace, or its preferred one."""
    bindings = list(graph.namespaces())
    bound: dict[str, str] = {}
    for prefix, namespace in bindings:
        if prefix and str(namespace) not in bound:
            bound[str(namespace)] = prefix
    for namespace, prefix in PREFERRED_PREFIXES.items():
        if (prefix, URIRef(namespace)) in bindings:
            bound[namespace] = prefix
    return bound


def _oxigraph_term(term: Node):
    if isinstance(term, Literal):
        datatype = pyoxigraph.NamedNode(term.datatype) if term.datatype is not None else None
        return pyoxigraph.Literal(term, language=term.language, datatype=datatype)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(term)
    return pyoxigraph.NamedNode(term)


def _term(term: Node, cache: dict[Node, str]) -> str:
    text = cache.get(term)
    if text is None:
        text = cache[term] = _ntriples_term(term)
    return text


def _ntriples_term(term: Node) -> str:
    if isinstance(term, Literal):
        lexical = f'"{term.translate(_STRING_ESCAPES)}"'
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype is not None:
            return f"{lexical}^^<{str(term.datatype).translate(_IRI_ESCAPES)}>"
        return lexical
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{str(term).translate(_IRI_ESCAPES)}>"


#: N-Triples string escapes (ECHAR, and UCHAR for the other control characters)
_STRING_ESCAPES = {
    **{code: f"\\u{code:04X}" for code in range(0x20)},
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x7F: "\\u007F",
}
#: characters an N-Triples IRI may not hold, written as UCHAR escapes
_IRI_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x21), *map(ord, '<>"{}|^`\\'))}
