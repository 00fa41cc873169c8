"""DCAT-AP coverage: ``dct:spatial`` as ``dct:Location`` (named, with a WKT ``dcat:bbox``) and ``dct:temporal``."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, GEO, RDF
from rdflib.term import Node

from mappings.geo import BBox
from mappings.profiles.rdf_terms import cached_terms, date_literal, safe_iri, text_literal
from mappings.record import Concept
from mappings.vocab import LOCN

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, GEO, RDF, LOCN = map(cached_terms, (DCAT, DCTERMS, GEO, RDF, LOCN))

__all__ = ["add_location", "add_spatial", "add_temporal", "bbox_literal"]


def bbox_literal(bbox: tuple[float, float, float, float] | None) -> Literal | None:
    """The ``(west, south, east, north)`` box as a GeoSPARQL ``wktLiteral`` polygon (CRS84, longitude first)."""
    if bbox is None:
        return None
    return Literal(BBox(*bbox).to_wkt(), datatype=GEO.wktLiteral)


def add_spatial(
    graph: Graph, ref: URIRef, places: tuple[Concept, ...], bbox: tuple[float, float, float, float] | None
) -> list[Node]:
    """``dct:spatial`` locations: one per place IRI, one per named place, and the record's bounding box.

    A ``dct:Location`` has at most one ``dcat:bbox``; when the record names a
    single place that has no IRI, the box is given to that place's node.
    """
    nodes = [add_location(graph, ref, safe_iri(p.uri), p.label) for p in places if safe_iri(p.uri)]
    free = [p.label for p in places if not safe_iri(p.uri) and p.label.strip()]
    box = bbox_literal(bbox)
    if box is not None:
        node = add_location(graph, ref, None, free.pop() if len(free) == 1 else None)
        graph.add((node, DCAT.bbox, box))
        nodes.append(node)
    nodes += [add_location(graph, ref, None, label) for label in free]
    return nodes


def add_location(graph: Graph, ref: URIRef, iri: URIRef | None, name: str | None) -> Node:
    """One ``dct:Location`` (an IRI or a blank node) with its ``locn:geographicName``."""
    node = iri or BNode()
    graph.add((ref, DCTERMS.spatial, node))
    graph.add((node, RDF.type, DCTERMS.Location))
    if name and name.strip():
        graph.add((node, LOCN.geographicName, text_literal(name.strip(), "fr")))
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
