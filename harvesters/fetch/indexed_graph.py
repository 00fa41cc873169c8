"""A read-only graph, indexed by subject and by predicate, built straight from Oxigraph's parser.

Harvest pages are parsed once and then only read. rdflib's Memory store spends
most of a harvest adding triples to indices nobody queries and validating every
IRI again; this index keeps the two look-ups the mapping uses (what a subject
says, who says something) and offers the slice of rdflib's ``Graph`` API that
``mappings.from_rdf`` and the harvesters call. Terms are ordinary rdflib terms.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from mappings.prechecked import plain_literal

__all__ = ["IndexedGraph", "OXIGRAPH_FORMATS", "TooManyTriples", "count_triples", "parse_indexed"]

#: rdflib format name → Oxigraph format, for the syntaxes parsed this way
OXIGRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "n3": pyoxigraph.RdfFormat.N3,
}
_XSD_STRING = str(XSD.string)
_SHORT = 32
_LANG_STRING = str(RDF.langString)


class IndexedGraph:
    """Triples indexed subject → predicate → objects; the predicate → subject index is built on demand."""

    def __init__(self, triples: Iterable[tuple[Node, URIRef, Node]] = ()) -> None:
        self._by_subject: dict[Node, dict[URIRef, list[Node]]] = {}
        # filled per predicate when first asked: the mapping asks by predicate for a few predicates only
        self._predicate_index: dict[URIRef, dict[Node, list[Node]]] = {}
        self._size = 0
        # a set per long object list: membership in a list is linear, and a hostile page gives
        # one subject 50,000 keywords (tests/reliability): the lists stay, the sets only check
        self._long: dict[tuple[Node, URIRef], set[Node]] = {}
        for triple in triples:
            self.add(triple)

    def add(self, triple: tuple[Node, URIRef, Node]) -> None:
        """Add one triple (duplicates are kept once)."""
        subject, predicate, obj = triple
        predicates = self._by_subject.get(subject)
        if predicates is None:
            predicates = self._by_subject[subject] = {}
        objects = predicates.get(predicate)
        if objects is None:
            predicates[predicate] = [obj]
        elif not self._is_new(subject, predicate, objects, obj):
            return
        else:
            objects.append(obj)
        self._predicate_index.pop(predicate, None)
        self._size += 1

    def _is_new(self, subject: Node, predicate: URIRef, objects: list[Node], obj: Node) -> bool:
        if len(objects) < _SHORT:
            return obj not in objects
        seen = self._long.get((subject, predicate))
        if seen is None:
            seen = self._long[(subject, predicate)] = set(objects)
        if obj in seen:
            return False
        seen.add(obj)
        return True

    def _by_predicate(self, predicate: URIRef) -> dict[Node, list[Node]]:
        """Subject → objects of one predicate (built once, then kept until that predicate is added to)."""
        index = self._predicate_index.get(predicate)
        if index is None:
            index = self._predicate_index[predicate] = {
                subject: predicates[predicate]
                for subject, predicates in self._by_subject.items()
                if predicate in predicates
            }
        return index

    def objects(self, subject: Node | None = None, predicate: URIRef | None = None) -> Iterator[Node]:
        """Objects of ``subject predicate ?o`` (either may be None, meaning any)."""
        if subject is not None:
            by_predicate = self._by_subject.get(subject, {})
            if predicate is not None:
                yield from by_predicate.get(predicate, ())
            else:
                for values in by_predicate.values():
                    yield from values
        elif predicate is not None:
            for values in self._by_predicate(predicate).values():
                yield from values
        else:
            for _, _, obj in self:
                yield obj

    def subjects(self, predicate: URIRef | None = None, obj: Node | None = None) -> Iterator[Node]:
        """Subjects of ``?s predicate obj`` (either may be None, meaning any), each once."""
        if predicate is None:
            candidates = ((s, [v for values in ps.values() for v in values]) for s, ps in self._by_subject.items())
        else:
            candidates = self._by_predicate(predicate).items()
        for subject, values in candidates:
            if obj is None or obj in values:
                yield subject

    def subject_objects(self, predicate: URIRef) -> Iterator[tuple[Node, Node]]:
        """``(s, o)`` pairs of ``?s predicate ?o``."""
        for subject, values in self._by_predicate(predicate).items():
            for obj in values:
                yield subject, obj

    def predicate_objects(self, subject: Node) -> Iterator[tuple[URIRef, Node]]:
        """``(p, o)`` pairs of ``subject ?p ?o``."""
        for predicate, values in self._by_subject.get(subject, {}).items():
            for obj in values:
                yield predicate, obj

    def value(self, subject: Node, predicate: URIRef) -> Node | None:
        """One object of ``subject predicate ?o``, or None."""
        return next(iter(self._by_subject.get(subject, {}).get(predicate, ())), None)

    def __contains__(self, triple: tuple[Node, URIRef, Node]) -> bool:
        subject, predicate, obj = triple
        return obj in self._by_subject.get(subject, {}).get(predicate, ())

    def __iter__(self) -> Iterator[tuple[Node, URIRef, Node]]:
        for subject, by_predicate in self._by_subject.items():
            for predicate, values in by_predicate.items():
                for obj in values:
                    yield subject, predicate, obj

    def __len__(self) -> int:
        return self._size


def parse_indexed(content: bytes, rdflib_format: str, base_iri: str, *, max_triples: int | None = None) -> IndexedGraph:
    """Parse with Oxigraph into an :class:`IndexedGraph`; raises ``SyntaxError``/``ValueError`` as Oxigraph does.

    Oxigraph's parser streams: with ``max_triples``, :class:`TooManyTriples` is
    raised at the first triple over the limit, before the graph grows further.
    """
    term = _Converter().term
    graph = IndexedGraph()
    add = graph.add
    for count, quad in enumerate(pyoxigraph.parse(content, OXIGRAPH_FORMATS[rdflib_format], base_iri=base_iri), 1):
        if max_triples is not None and count > max_triples:
            raise TooManyTriples(max_triples)
        add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph


def count_triples(content: bytes, rdflib_format: str, base_iri: str, *, stop_after: int) -> int:
    """Triples in a document (Oxigraph's lenient streaming parser), counting no further than ``stop_after``."""
    count = 0
    for _ in pyoxigraph.parse(content, OXIGRAPH_FORMATS[rdflib_format], base_iri=base_iri, lenient=True):
        count += 1
        if count >= stop_after:
            break
    return count


class TooManyTriples(Exception):
    """More triples than allowed (not a syntax error: no fallback parser may retry)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class _Converter:
    """Oxigraph terms → rdflib terms, each distinct term built once per page."""

    def __init__(self) -> None:
        self._cache: dict[object, Node] = {}

    def term(self, node) -> Node:
        cached = self._cache.get(node)
        if cached is None:
            cached = self._cache[node] = self._new(node)
        return cached

    def _new(self, node) -> Node:
        if isinstance(node, pyoxigraph.NamedNode):
            # Oxigraph has already checked the IRI; rdflib's own check would only repeat it
            return str.__new__(URIRef, node.value)
        if isinstance(node, pyoxigraph.Literal):
            return self._literal(node)
        return BNode(node.value)

    @staticmethod
    def _literal(node: pyoxigraph.Literal) -> Literal:
        if node.language:
            return plain_literal(node.value, node.language)
        datatype = node.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return plain_literal(node.value, None)
        return Literal(node.value, datatype=URIRef(datatype))
