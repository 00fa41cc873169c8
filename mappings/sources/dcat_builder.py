"""Small writers that put DCAT into a graph, shared by the converters of non-DCAT sources.

ISO 19139, Dublin Core and DKAN records are first written as DCAT with these,
so that :func:`mappings.from_rdf.record_from_rdf` stays the one place where a
record is made.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from mappings.vocab import DCAT3, VCARD

__all__ = [
    "LICENCE_HINT",
    "WKT_LITERAL",
    "add_agent",
    "add_bbox",
    "add_concept",
    "add_contact",
    "add_date",
    "add_distribution",
    "add_period",
    "add_text",
    "is_http_url",
    "licence_node",
]

#: Words that tell a constraint or a rights statement is a licence.
LICENCE_HINT = re.compile(r"licen[cs]e|odbl|open database|creative commons|\bcc[- ]?(by|0)\b|etalab", re.IGNORECASE)
WKT_LITERAL = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
_URL = re.compile(r"https?://[^\s<>\"']+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_http_url(value: str | None) -> bool:
    """True for an absolute http(s) URL without spaces."""
    return bool(value) and bool(re.match(r"^https?://[^\s]+$", value.strip()))


def add_text(graph: Graph, subject: Node, predicate: URIRef, value: str | None) -> None:
    """A plain literal, unless the value is empty."""
    text = (value or "").strip()
    if text:
        graph.add((subject, predicate, Literal(text)))


def add_date(graph: Graph, subject: Node, predicate: URIRef, value: str | None) -> None:
    """An ``xsd:date`` or ``xsd:dateTime`` literal from an ISO 8601 string; other text stays a plain literal."""
    text = (value or "").strip()
    if text:
        graph.add((subject, predicate, _date_literal(text)))


def _date_literal(text: str) -> Literal:
    try:
        if _DATE.match(text):
            return Literal(date.fromisoformat(text).isoformat(), datatype=XSD.date)
        return Literal(datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat(), datatype=XSD.dateTime)
    except ValueError:
        return Literal(text)


def add_agent(
    graph: Graph,
    subject: Node,
    predicate: URIRef,
    name: str,
    *,
    email: str | None = None,
    url: str | None = None,
    uri: str | None = None,
) -> Node:
    """A ``foaf:Organization`` (publisher, creator…), named by ``uri`` when the source gives it one."""
    agent = URIRef(uri.strip()) if is_http_url(uri) else BNode()
    graph.add((subject, predicate, agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, Literal(" ".join(name.split()))))
    if _mailto(email):
        graph.add((agent, FOAF.mbox, _mailto(email)))
    if is_http_url(url):
        graph.add((agent, FOAF.homepage, URIRef(url.strip())))
    return agent


def add_contact(graph: Graph, subject: Node, name: str, *, email: str | None = None, url: str | None = None) -> BNode:
    """A ``dcat:contactPoint`` vCard."""
    contact = BNode()
    graph.add((subject, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(" ".join(name.split()))))
    if _mailto(email):
        graph.add((contact, VCARD.hasEmail, _mailto(email)))
    if is_http_url(url):
        graph.add((contact, VCARD.hasURL, URIRef(url.strip())))
    return contact


def _mailto(email: str | None) -> URIRef | None:
    """``mailto:`` and the bare address, whatever spaces or prefix it came with; None without an address."""
    address = (email or "").strip()
    address = address[len("mailto:"):].strip() if address.lower().startswith("mailto:") else address
    return URIRef(f"mailto:{address}") if address and not any(c.isspace() for c in address) else None


def add_concept(graph: Graph, subject: Node, predicate: URIRef, label: str, uri: str | None = None) -> Node:
    """A ``skos:Concept`` labelled in the graph (an IRI when one is known)."""
    concept = URIRef(uri.strip()) if is_http_url(uri) else BNode()
    graph.add((subject, predicate, concept))
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.prefLabel, Literal(" ".join(label.split()))))
    return concept


def licence_node(graph: Graph, text: str | None, url: str | None = None) -> Node | None:
    """A licence as given: a ``dct:LicenseDocument`` IRI (the URL, or one found in the text) labelled
    with the rest of the text, else the text as a literal."""
    label = " ".join((text or "").split())
    if not is_http_url(url):
        found = _URL.search(label)
        url = found.group(0).rstrip(".,;)") if found else None
        if found:
            label = " ".join(label.replace(found.group(0), " ").split()).strip(" -–:")
    if url:
        node = URIRef(url.strip())
        graph.add((node, RDF.type, DCTERMS.LicenseDocument))
        if label:
            graph.add((node, RDFS.label, Literal(label)))
        return node
    return Literal(label) if label else None


def add_period(graph: Graph, subject: Node, start: str | None, end: str | None) -> None:
    """A ``dct:temporal`` period, when at least one end is known."""
    if not (start or end):
        return
    period = BNode()
    graph.add((subject, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    add_date(graph, period, DCAT.startDate, start)
    add_date(graph, period, DCAT.endDate, end)


def add_bbox(
    graph: Graph, subject: Node, west: float, east: float, south: float, north: float, *, label: str | None = None
) -> Node | None:
    """A ``dct:spatial`` location with a WKT ``dcat:bbox``, sides put back in order; None if out of range."""
    west, east = sorted((west, east))
    south, north = sorted((south, north))
    if max(abs(south), abs(north)) > 90 >= max(abs(west), abs(east)):
        # latitude written where longitude belongs
        (west, east), (south, north) = (south, north), (west, east)
    if max(abs(west), abs(east)) > 180 or max(abs(south), abs(north)) > 90:
        return None
    location = BNode()
    graph.add((subject, DCTERMS.spatial, location))
    graph.add((location, RDF.type, DCTERMS.Location))
    wkt = f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"
    graph.add((location, DCAT3.bbox, Literal(wkt, datatype=WKT_LITERAL)))
    if label:
        graph.add((location, SKOS.prefLabel, Literal(label)))
    return location


def add_distribution(
    graph: Graph,
    dataset: Node,
    *,
    access_url: str,
    download_url: str | None = None,
    title: str | None = None,
    description: str | None = None,
    format: str | None = None,
    media_type: str | None = None,
    byte_size: int | None = None,
    issued: str | None = None,
    modified: str | None = None,
    licence: Node | None = None,
    uri: str | None = None,
) -> Node:
    """A ``dcat:Distribution`` of ``dataset``."""
    node = URIRef(uri) if is_http_url(uri) else BNode()
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, URIRef(access_url.strip())))
    if download_url:
        graph.add((node, DCAT.downloadURL, URIRef(download_url.strip())))
    add_text(graph, node, DCTERMS.title, title)
    add_text(graph, node, DCTERMS.description, description)
    add_text(graph, node, DCTERMS.format, format)
    add_text(graph, node, DCAT.mediaType, media_type)
    if byte_size is not None:
        graph.add((node, DCAT.byteSize, Literal(byte_size, datatype=XSD.nonNegativeInteger)))
    add_date(graph, node, DCTERMS.issued, issued)
    add_date(graph, node, DCTERMS.modified, modified)
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    return node
