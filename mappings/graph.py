"""The contract of the graph that mappings read: :class:`ReadableGraph`.

Mappings read a page's graph through these few calls only, so a harvester may hand them
rdflib's :class:`~rdflib.Graph` or a faster read-only index
(:class:`harvesters.fetch.indexed_graph.IndexedGraph`, what Oxigraph parses pages into). Both
satisfy this protocol; ``tests/unit/mappings/test_graph_contract.py`` checks it statically (mypy)
and at run time. A mapping that needs another call adds it here first, and to the index.
"""

from __future__ import annotations

from typing import Iterator, Protocol, runtime_checkable

from rdflib.term import Node, URIRef

__all__ = ["ReadableGraph"]


@runtime_checkable
class ReadableGraph(Protocol):
    """The slice of rdflib's ``Graph`` API that :mod:`mappings` calls (arguments positional, as mappings pass them)."""

    def objects(self, subject: Node | None = None, predicate: URIRef | None = None, /) -> Iterator[Node]:
        """Objects of ``subject predicate ?o`` (None: any)."""
        ...

    def subjects(self, predicate: URIRef | None = None, obj: Node | None = None, /) -> Iterator[Node]:
        """Subjects of ``?s predicate obj`` (None: any)."""
        ...

    def subject_objects(self, predicate: URIRef, /) -> Iterator[tuple[Node, Node]]:
        """``(s, o)`` pairs of ``?s predicate ?o``."""
        ...

    def predicate_objects(self, subject: Node, /) -> Iterator[tuple[Node, Node]]:
        """``(p, o)`` pairs of ``subject ?p ?o``."""
        ...

    def __contains__(self, triple: tuple[Node, URIRef, Node], /) -> bool:
        """Whether the graph holds the ``(s, p, o)`` triple."""
        ...
