"""A light rdflib store for export pages: triples are added, looked up by subject, then written out.

rdflib's Memory store keeps every triple in seven indices and a context map, which
cost an export page most of its time; profiles only add triples and ask what a
subject already says (a label, a scheme title). :class:`PageStore` keeps the
triples in insertion order with a subject → predicate → objects index, behind
rdflib's ordinary ``Graph`` API, and :func:`write_ntriples` writes them without
converting each term for another library. :class:`PageGraph` is the ``Graph`` over
it: ``add`` and the ``(subject, predicate)`` look-ups go straight to the store.
Profiles write through a :class:`~mappings.profiles.sink.GraphSink` into it when a graph is wanted;
the export's hot path skips it (:class:`~mappings.profiles.sink.PageSink`).
"""

from __future__ import annotations

from typing import Iterator

import pyoxigraph
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

__all__ = [
    "PREFERRED_PREFIXES",
    "PageGraph",
    "PageStore",
    "bound_prefixes",
    "grouped_triples",
    "page_graph",
    "used_prefixes",
    "write_ntriples",
    "write_with_oxigraph",
]

_Triple = tuple[Node, Node, Node]


class PageStore(Store):
    """Triples in insertion order, each once, indexed by subject then predicate (one graph, no contexts)."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self) -> None:
        super().__init__()
        self._triples: list[_Triple] = []
        self._by_subject: dict[Node, dict[Node, dict[Node, None]]] = {}
        self._prefixes: dict[str, URIRef] = {}
        self._namespaces: dict[URIRef, str] = {}

    def add(self, triple: _Triple, context=None, quoted: bool = False) -> None:  # noqa: ARG002 - rdflib's signature
        """Add a triple (once)."""
        subject, predicate, obj = triple
        predicates = self._by_subject.get(subject)
        if predicates is None:
            predicates = self._by_subject[subject] = {}
        objects = predicates.get(predicate)
        if objects is None:
            objects = predicates[predicate] = {}
        elif obj in objects:
            return
        objects[obj] = None
        self._triples.append(triple)

    def remove(self, pattern, context=None) -> None:  # noqa: ARG002
        """Remove the triples matching a pattern (rarely used: rebuilds the list)."""
        doomed = {triple for triple, _ in self.triples(pattern)}
        if not doomed:
            return
        self._triples = [t for t in self._triples if t not in doomed]
        for subject, predicate, obj in doomed:
            del self._by_subject[subject][predicate][obj]

    def triples(self, pattern, context=None) -> Iterator[tuple[_Triple, Iterator]]:  # noqa: ARG002
        """The triples matching ``(s, p, o)``, any of which may be None."""
        subject, predicate, obj = pattern
        if subject is None:
            matches = (t for t in self._triples if _matches(t, predicate, obj))
        else:
            matches = self._about(subject, predicate, obj)
        for triple in matches:
            yield triple, iter(())

    def _about(self, subject: Node, predicate: Node | None, obj: Node | None) -> Iterator[_Triple]:
        predicates = self._by_subject.get(subject, {})
        for p in (predicate,) if predicate is not None else list(predicates):
            objects = predicates.get(p, {})
            if obj is not None:
                if obj in objects:
                    yield subject, p, obj
            else:
                for o in list(objects):
                    yield subject, p, o

    def __len__(self, context=None) -> int:  # noqa: ARG002
        return len(self._triples)

    def ordered_triples(self) -> list[_Triple]:
        """Every triple, in the order it was first added."""
        return self._triples

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        """Bind a prefix (an existing binding stays unless ``override``)."""
        if not override and (prefix in self._prefixes or namespace in self._namespaces):
            return
        old = self._prefixes.pop(prefix, None)
        if old is not None:
            self._namespaces.pop(old, None)
        self._namespaces.pop(namespace, None)
        self._prefixes[prefix] = namespace
        self._namespaces[namespace] = prefix

    def namespace(self, prefix: str) -> URIRef | None:
        """The namespace bound to a prefix."""
        return self._prefixes.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        """The prefix bound to a namespace."""
        return self._namespaces.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        """Every ``(prefix, namespace)`` binding."""
        yield from list(self._prefixes.items())


def _matches(triple: _Triple, predicate: Node | None, obj: Node | None) -> bool:
    return (predicate is None or triple[1] == predicate) and (obj is None or triple[2] == obj)


class PageGraph(Graph):
    """rdflib's ``Graph`` over a :class:`PageStore`; adding and asking what a subject says skip rdflib's dispatch."""

    def __init__(self, store=None, *args, **kwargs) -> None:  # rdflib and pyshacl build graphs of a graph's type
        super().__init__(PageStore() if store is None else store, *args, **kwargs)
        self._page_store: PageStore | None = self.store if isinstance(self.store, PageStore) else None

    def add(self, triple: _Triple) -> PageGraph:
        """Add a triple (each term must be an rdflib term, as ``Graph.add`` asserts)."""
        if self._page_store is None:
            return super().add(triple)
        s, p, o = triple
        if type(s) not in _TERM_TYPES or type(p) is not URIRef or type(o) not in _TERM_TYPES:
            assert isinstance(s, Node) and isinstance(p, Node) and isinstance(o, Node), f"{triple} holds a non-term"
        self._page_store.add(triple)
        return self

    def __add__(self, other: Graph) -> Graph:
        """Both graphs' triples in an ordinary rdflib ``Graph`` (what ``Graph() + other`` gives, a context-aware store)."""
        result = Graph()
        for prefix, namespace in {*self.namespaces(), *other.namespaces()}:
            result.bind(prefix, namespace)
        for triple in (*self, *other):
            result.add(triple)
        return result

    def objects(self, subject=None, predicate=None, unique: bool = False):
        """The objects of ``subject`` and ``predicate`` (straight from the index when both are given)."""
        if subject is None or predicate is None or self._page_store is None:
            return super().objects(subject, predicate, unique)
        return iter(list(self._page_store._by_subject.get(subject, {}).get(predicate, ())))

    def value(self, subject=None, predicate=RDF.value, object=None, default=None, any=True):  # noqa: A002 - rdflib's names
        """The first object of ``subject`` and ``predicate`` (straight from the index), else as ``Graph.value``."""
        if subject is None or predicate is None or object is not None or not any or self._page_store is None:
            return super().value(subject, predicate, object, default, any)
        return next(iter(self._page_store._by_subject.get(subject, {}).get(predicate, ())), default)


_TERM_TYPES = frozenset({URIRef, BNode, Literal})


def page_graph() -> Graph:
    """An empty :class:`PageGraph` (with rdflib's core prefixes only: profiles bind what they use)."""
    return PageGraph(bind_namespaces="core")


def write_ntriples(graph: Graph) -> bytes:
    """The graph as N-Triples (UTF-8), straight from a :class:`PageStore` when it has one."""
    store = graph.store
    if not isinstance(store, PageStore):
        return graph.serialize(format="nt", encoding="utf-8")
    cache: dict[Node, str] = {}
    lines = [f"{_term(s, cache)} {_term(p, cache)} {_term(o, cache)} .\n" for s, p, o in store.ordered_triples()]
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
    store = graph.store
    by_subject = store._by_subject if isinstance(store, PageStore) else _index(graph)
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
    store = graph.store
    by_subject = store._by_subject if isinstance(store, PageStore) else _index(graph)
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
