"""DCAT-AP coverage: ``dct:spatial`` as ``dct:Location`` (known places by IRI, with a WKT ``dcat:bbox``) and ``dct:temporal``."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, GEO, RDF
from rdflib.term import Node

from mappings.geo import BBox
from mappings.profiles.page_graph import memo_of
from mappings.profiles.places import KnownPlace, known_place
from mappings.profiles.rdf_terms import add_label_once, cached_terms, date_literal, safe_iri, text_literal
from mappings.record import Concept
from mappings.vocab import LOCN

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, GEO, RDF, LOCN = map(cached_terms, (DCAT, DCTERMS, GEO, RDF, LOCN))

__all__ = ["add_known_place", "add_location", "add_spatial", "add_temporal", "bbox_literal"]


def bbox_literal(bbox: tuple[float, float, float, float] | None) -> Literal | None:
    """The ``(west, south, east, north)`` box as a GeoSPARQL ``wktLiteral`` polygon (CRS84, longitude first)."""
    if bbox is None:
        return None
    return Literal(BBox(*bbox).to_wkt(), datatype=GEO.wktLiteral)


def add_spatial(
    graph: Graph, ref: URIRef, places: tuple[Concept, ...], bbox: tuple[float, float, float, float] | None
) -> list[Node]:
    """``dct:spatial`` locations: one per place IRI, one per named place, and the record's bounding box.

    A place named without an IRI becomes its authority IRI when :func:`known_place`
    knows it (with its official label and box), else a blank node with the name.
    A ``dct:Location`` has at most one ``dcat:bbox``: the record's own box goes on
    its only unknown named place, else on a node of its own.
    """
    nodes = [add_location(graph, ref, safe_iri(p.uri), p.label) for p in places if safe_iri(p.uri)]
    named = [p.label.strip() for p in places if not safe_iri(p.uri) and p.label.strip()]
    nodes += [add_known_place(graph, ref, known_place(name)) for name in named if known_place(name)]
    free = [name for name in named if not known_place(name)]
    box = bbox_literal(bbox)
    if box is not None:
        node = add_location(graph, ref, None, free.pop() if len(free) == 1 else None)
        graph.add((node, DCAT.bbox, box))
        nodes.append(node)
    nodes += [add_location(graph, ref, None, name) for name in free]
    return nodes


def add_known_place(graph: Graph, ref: URIRef, place: KnownPlace) -> URIRef:
    """A place of :data:`KNOWN_PLACES`: its IRI as a ``dct:Location`` with ``skos:prefLabel``, name and box."""
    iri = URIRef(place.iri)
    graph.add((ref, DCTERMS.spatial, iri))
    memo = memo_of(graph)
    if memo is not None:
        if ("place", iri) in memo:
            return iri
        memo.add(("place", iri))
    graph.add((iri, RDF.type, DCTERMS.Location))
    # fedcat's own table gives the official French name (one prefLabel per language: France may have one already)
    add_label_once(graph, iri, place.label, "fr")
    graph.add((iri, LOCN.geographicName, text_literal(place.label, "fr")))
    box = bbox_literal(place.bbox)
    if box is not None and graph.value(iri, DCAT.bbox) is None:
        graph.add((iri, DCAT.bbox, box))
    return iri


def add_location(graph: Graph, ref: URIRef, iri: URIRef | None, name: str | None) -> Node:
    """One ``dct:Location`` (an IRI or a blank node) with its ``locn:geographicName``, as the source wrote it."""
    node = iri or BNode()
    graph.add((ref, DCTERMS.spatial, node))
    graph.add((node, RDF.type, DCTERMS.Location))
    if name and name.strip():
        graph.add((node, LOCN.geographicName, text_literal(name.strip())))
    return node


def add_temporal(graph: Graph, ref: URIRef, start: str | None, end: str | None) -> Node | None:
    """``dct:temporal`` as a ``dct:PeriodOfTime`` with typed ``dcat:startDate`` / ``dcat:endDate``."""
    start_literal, end_literal = date_literal(start), date_literal(end)
    if start_literal is None and end_literal is None:
        return None
    node = BNode()
    graph.add((ref, DCTERMS.temporal, node))
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    if start_literal is not None:
        graph.add((node, DCAT.startDate, start_literal))
    if end_literal is not None:
        graph.add((node, DCAT.endDate, end_literal))
    return node
