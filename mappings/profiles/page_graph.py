"""A light rdflib store for export pages: triples are added, looked up by subject, then written out.

rdflib's Memory store keeps every triple in seven indices and a context map, which
cost an export page most of its time; profiles only add triples and ask what a
subject already says (a label, a scheme title). :class:`PageStore` keeps the
triples in insertion order with a subject → predicate → objects index, behind
rdflib's ordinary ``Graph`` API, and :func:`write_ntriples` writes them without
converting each term for another library.
"""

from __future__ import annotations

from typing import Iterator

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

__all__ = ["PageStore", "page_graph", "write_ntriples", "write_with_oxigraph"]

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


def page_graph() -> Graph:
    """An empty rdflib ``Graph`` over a :class:`PageStore`."""
    return Graph(store=PageStore())


def write_ntriples(graph: Graph) -> bytes:
    """The graph as N-Triples (UTF-8), straight from a :class:`PageStore` when it has one."""
    store = graph.store
    if not isinstance(store, PageStore):
        return graph.serialize(format="nt", encoding="utf-8")
    cache: dict[Node, str] = {}
    lines = [f"{_term(s, cache)} {_term(p, cache)} {_term(o, cache)} .\n" for s, p, o in store.ordered_triples()]
    return "".join(lines).encode("utf-8")


def write_with_oxigraph(graph: Graph, fmt: pyoxigraph.RdfFormat) -> bytes:
    """A :func:`page_graph` in one of Oxigraph's syntaxes, with the graph's prefixes, each term converted once."""
    cache: dict[Node, object] = {}

    def convert(term: Node):
        converted = cache.get(term)
        if converted is None:
            converted = cache[term] = _oxigraph_term(term)
        return converted

    triples = (pyoxigraph.Triple(convert(s), convert(p), convert(o)) for s, p, o in graph.store.ordered_triples())
    return pyoxigraph.serialize(triples, format=fmt, prefixes={k: str(v) for k, v in graph.namespaces()})


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
