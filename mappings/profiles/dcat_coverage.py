"""DCAT-AP coverage: ``dct:spatial`` as ``dct:Location`` (known places by IRI, with a WKT ``dcat:bbox``) and ``dct:temporal``."""

from __future__ import annotations

from rdflib.namespace import DCAT, DCTERMS, GEO, RDF

from functools import lru_cache

from mappings.geo import BBox
from mappings.profiles.places import KnownPlace, known_place
from mappings.profiles.rdf_terms import add_label_once, cached_terms, date_literal, safe_iri, text_literal
from mappings.profiles.sink import Term, TripleSink, as_sink, literal
from mappings.record import Concept
from mappings.vocab import LOCN

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, GEO, RDF, LOCN = map(cached_terms, (DCAT, DCTERMS, GEO, RDF, LOCN))

__all__ = ["add_known_place", "add_location", "add_spatial", "add_temporal", "bbox_literal"]


@lru_cache(maxsize=4096)
def bbox_literal(bbox: tuple[float, float, float, float] | None) -> tuple | None:
    """The ``(west, south, east, north)`` box as a GeoSPARQL ``wktLiteral`` polygon (CRS84, longitude first)."""
    if bbox is None:
        return None
    return literal(BBox(*bbox).to_wkt(), None, GEO.wktLiteral)


def add_spatial(
    sink: TripleSink, ref: Term, places: tuple[Concept, ...], bbox: tuple[float, float, float, float] | None
) -> list[Term]:
    """``dct:spatial`` locations: one per place, and the record's bounding box.

    A place :func:`known_place` knows, by name or IRI, becomes its authority IRI with its
    official label and box; another IRI is kept as given; a name alone becomes a blank node.
    A ``dct:Location`` has at most one ``dcat:bbox``: the record's own box goes on its only
    unknown named place, else on a node of its own.
    """
    sink = as_sink(sink)
    known = [(p, known_place(p.label, p.uri)) for p in places]
    nodes = [add_known_place(sink, ref, place) for _, place in known if place is not None]
    unknown = [p for p, place in known if place is None]
    nodes += [add_location(sink, ref, safe_iri(p.uri), p.label) for p in unknown if safe_iri(p.uri)]
    free = [p.label.strip() for p in unknown if not safe_iri(p.uri) and p.label.strip()]
    box = bbox_literal(bbox)
    if box is not None:
        node = add_location(sink, ref, None, free.pop() if len(free) == 1 else None)
        sink.add(node, DCAT.bbox, box)
        nodes.append(node)
    nodes += [add_location(sink, ref, None, name) for name in free]
    return nodes


def add_known_place(sink: TripleSink, ref: Term, place: KnownPlace) -> str:
    """A known place (:func:`known_place`): its IRI as a ``dct:Location`` with ``skos:prefLabel``, name and box."""
    sink = as_sink(sink)
    iri = place.iri
    sink.add(ref, DCTERMS.spatial, iri)
    if not sink.once(("place", iri)):
        return iri
    sink.add(iri, RDF.type, DCTERMS.Location)
    # fedcat's own table gives the official French name (one prefLabel per language: France may have one already)
    add_label_once(sink, iri, place.label, "fr")
    sink.add(iri, LOCN.geographicName, text_literal(place.label, "fr"))
    box = bbox_literal(place.bbox)
    if box is not None and sink.once(("dcat:bbox", iri)):
        sink.add(iri, DCAT.bbox, box)
    return iri


def add_location(sink: TripleSink, ref: Term, iri: str | None, name: str | None) -> Term:
    """One ``dct:Location`` (an IRI or a blank node) with its ``locn:geographicName``, as the source wrote it."""
    sink = as_sink(sink)
    node = iri or sink.blank()
    sink.add(ref, DCTERMS.spatial, node)
    sink.add(node, RDF.type, DCTERMS.Location)
    if name and name.strip():
        sink.add(node, LOCN.geographicName, text_literal(name.strip()))
    return node


def add_temporal(sink: TripleSink, ref: Term, start: str | None, end: str | None) -> Term | None:
    """``dct:temporal`` as a ``dct:PeriodOfTime`` with typed ``dcat:startDate`` / ``dcat:endDate``."""
    sink = as_sink(sink)
    start_literal, end_literal = date_literal(start), date_literal(end)
    if start_literal is None and end_literal is None:
        return None
    node = sink.blank()
    sink.add(ref, DCTERMS.temporal, node)
    sink.add(node, RDF.type, DCTERMS.PeriodOfTime)
    if start_literal is not None:
        sink.add(node, DCAT.startDate, start_literal)
    if end_literal is not None:
        sink.add(node, DCAT.endDate, end_literal)
    return node
