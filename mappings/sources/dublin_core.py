"""CSW Dublin Core (``csw:Record``) → DCAT, the last resort when a catalogue offers nothing richer.

GeoNetwork's Dublin Core mixes INSPIRE themes, free keywords and ISO topic
categories in ``dc:subject`` (topic categories become themes, the rest
keywords), writes "license" as a rights statement next to the real licence
name, swaps bounding-box corners, and lists every online resource as
``dc:URI`` with its protocol, thumbnails and licence documents included.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from mappings.sources.dcat_builder import (
    LICENCE_HINT,
    add_agent,
    add_bbox,
    add_concept,
    add_date,
    add_text,
    licence_node,
)
from mappings.sources.iso19139 import TOPIC_CATEGORY_LABELS
from mappings.sources.online_resources import OnlineResource, add_resource
from mappings.errors import SkipRecord

__all__ = ["dc_to_dcat", "dc_identifier"]

NS = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "ows": "http://www.opengis.net/ows",
}
_TOPIC_IRI = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"
_NOT_DATASETS = frozenset({"service", "application", "collectionSession", "software", "model", "tile"})
_BARE_RIGHTS = frozenset({"license", "licence", "licenses", "licences"})


def dc_identifier(record: ET.Element) -> str | None:
    """The record's ``dc:identifier``."""
    return _first(record, "dc:identifier")


def dc_to_dcat(graph: Graph, record: ET.Element, record_base: str) -> Node:
    """Add the dataset a ``csw:Record`` describes to ``graph``.

    :raises SkipRecord: for a record of a service or an application.
    """
    if (_first(record, "dc:type") or "dataset") in _NOT_DATASETS:
        raise SkipRecord("the record describes no dataset")
    uuid = dc_identifier(record)
    node: Node = URIRef(record_base + uuid) if uuid else BNode()
    graph.add((node, RDF.type, DCAT.Dataset))
    add_text(graph, node, DCTERMS.identifier, uuid)
    add_text(graph, node, DCTERMS.title, _first(record, "dc:title"))
    add_text(graph, node, DCTERMS.description, _first(record, "dct:abstract") or _first(record, "dc:description"))
    add_date(graph, node, DCTERMS.issued, _first(record, "dct:issued") or _first(record, "dct:created"))
    add_date(graph, node, DCTERMS.modified, _first(record, "dct:modified") or _first(record, "dc:date"))
    add_text(graph, node, DCTERMS.language, _first(record, "dc:language"))
    add_text(graph, node, DCTERMS.accrualPeriodicity, _first(record, "dct:accrualPeriodicity"))
    _subjects(graph, node, record)
    _publisher(graph, node, record)
    _licence(graph, node, record)
    _bounding_box(graph, node, record)
    _distributions(graph, node, record)
    return node


def _subjects(graph: Graph, node: Node, record: ET.Element) -> None:
    for subject in _all(record, "dc:subject"):
        if subject in TOPIC_CATEGORY_LABELS:
            add_concept(graph, node, DCAT.theme, TOPIC_CATEGORY_LABELS[subject], _TOPIC_IRI + subject)
        else:
            graph.add((node, DCAT.keyword, Literal(subject)))


def _publisher(graph: Graph, node: Node, record: ET.Element) -> None:
    # dc:creator is often a SIREN number, which names nobody
    creators = [c for c in _all(record, "dc:creator") if not c.replace(" ", "").isdigit()]
    name = _first(record, "dc:publisher") or (creators[0] if creators else None)
    if name:
        add_agent(graph, node, DCTERMS.publisher, name)


def _licence(graph: Graph, node: Node, record: ET.Element) -> None:
    statements = _all(record, "dct:license") + _all(record, "dc:rights") + _all(record, "dct:rights")
    named = [s for s in statements if LICENCE_HINT.search(s) and s.strip().lower() not in _BARE_RIGHTS]
    documents = [r.url for r in _resources(record) if LICENCE_HINT.search(r.name) or LICENCE_HINT.search(r.description)]
    if named or documents:
        licence = licence_node(graph, named[0] if named else None, documents[0] if documents else None)
        if licence is not None:
            graph.add((node, DCTERMS.license, licence))


def _bounding_box(graph: Graph, node: Node, record: ET.Element) -> None:
    box = record.find("ows:BoundingBox", NS)
    box = box if box is not None else record.find("ows:WGS84BoundingBox", NS)
    if box is None:
        return
    try:
        lower_x, lower_y = (float(v) for v in (box.findtext("ows:LowerCorner", "", NS)).split()[:2])
        upper_x, upper_y = (float(v) for v in (box.findtext("ows:UpperCorner", "", NS)).split()[:2])
    except ValueError:
        return
    add_bbox(graph, node, lower_x, upper_x, lower_y, upper_y)


def _distributions(graph: Graph, node: Node, record: ET.Element) -> None:
    formats = [f for f in _all(record, "dc:format") if "/" not in f and len(f) < 20]
    fallback = formats[0] if len(set(formats)) == 1 else None
    seen = set()
    for resource in _resources(record):
        add_resource(graph, node, resource, fallback, seen)


def _resources(record: ET.Element) -> list[OnlineResource]:
    return [
        OnlineResource(
            url=(uri.text or "").strip(),
            protocol=uri.get("protocol", ""),
            name=uri.get("name", ""),
            description=uri.get("description", ""),
        )
        for uri in record.findall("dc:URI", NS)
    ]


def _all(record: ET.Element, path: str) -> list[str]:
    return [" ".join(e.text.split()) for e in record.findall(path, NS) if e.text and e.text.strip()]


def _first(record: ET.Element, path: str) -> str | None:
    values = _all(record, path)
    return values[0] if values else None
