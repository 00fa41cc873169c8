"""GeoNetwork's DCAT as the common mapping expects it (pure: graph in, graph out).

GeoNetwork's DCAT and GeoDCAT-AP outputs carry habits of their own: distributions that are no
data, protocols in ``dct:format``, licences as "label URL" text, unlabelled theme IRIs, WKT
without ``dcat:bbox``, and the metadata uuid only in the catalogue record or in IRIs.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS
from rdflib.term import Node

from mappings.from_rdf import dataset_nodes
from mappings.sources.dcat_builder import WKT_LITERAL, licence_node
from mappings.sources.iso19139 import TOPIC_CATEGORY_LABELS
from mappings.sources.online_resources import OnlineResource, is_distribution, resource_format
from mappings.vocab import DCAT3

__all__ = ["renamed", "repair_geonetwork_dcat", "uuid_from_graph"]

_METADATA_UUID = re.compile(r"(?:/metadata/|/records/)([^/?#]+)$")
_GEO_AS_WKT = URIRef("http://www.opengis.net/ont/geosparql#asWKT")


def repair_geonetwork_dcat(graph: Graph) -> None:
    """GeoNetwork's DCAT output as the common mapping expects it.

    Distributions that are no data (databases, thumbnails, licence documents)
    are dropped, protocols in ``dct:format`` become format names, licences
    written as "label URL" text become labelled licence documents, unlabelled
    theme IRIs get a label, and a WKT geometry is also given as ``dcat:bbox``.
    """
    for dataset in dataset_nodes(graph):
        for distribution in list(graph.objects(dataset, DCAT.distribution)):
            _repair_distribution(graph, dataset, distribution)
        for theme in graph.objects(dataset, DCAT.theme):
            _label_theme(graph, theme)
        for place in graph.objects(dataset, DCTERMS.spatial):
            for wkt in list(graph.objects(place, _GEO_AS_WKT)):
                graph.add((place, DCAT3.bbox, Literal(str(wkt), datatype=WKT_LITERAL)))
        for licence in list(graph.objects(dataset, DCTERMS.license)):
            if isinstance(licence, Literal):
                graph.remove((dataset, DCTERMS.license, licence))
                node = licence_node(graph, str(licence))
                if node is not None:
                    graph.add((dataset, DCTERMS.license, node))


def _repair_distribution(graph: Graph, dataset: Node, distribution: Node) -> None:
    url = next((str(v).strip() for p in (DCAT.accessURL, DCAT.downloadURL) for v in graph.objects(distribution, p)), "")
    protocol = str(graph.value(distribution, DCTERMS.format) or "")
    resource = OnlineResource(
        url=url,
        protocol=protocol,
        name=str(graph.value(distribution, DCTERMS.title) or ""),
        description=str(graph.value(distribution, DCTERMS.description) or ""),
    )
    if not is_distribution(resource):
        graph.remove((dataset, DCAT.distribution, distribution))
        graph.remove((distribution, None, None))
        return
    graph.remove((distribution, DCTERMS.format, None))
    fmt = resource_format(resource)
    if fmt:
        graph.add((distribution, DCTERMS.format, Literal(fmt)))
    if not resource.is_service and not any(graph.objects(distribution, DCAT.downloadURL)):
        graph.add((distribution, DCAT.downloadURL, URIRef(url)))


def _label_theme(graph: Graph, theme: Node) -> None:
    """A readable label for a theme IRI: the topic category's French name, else the decoded last segment."""
    if not isinstance(theme, URIRef) or any(graph.objects(theme, SKOS.prefLabel)):
        return
    tail = unquote(str(theme).rstrip("/").rsplit("/", 1)[-1])
    graph.add((theme, SKOS.prefLabel, Literal(TOPIC_CATEGORY_LABELS.get(tail, tail))))


def uuid_from_graph(graph: Graph, node: Node) -> str | None:
    """The metadata uuid of a dataset in GeoNetwork's DCAT or GeoDCAT-AP output.

    GeoDCAT-AP gives it as the ``dct:identifier`` of the dataset's catalogue
    record; the legacy DCAT output only in IRIs: the dataset's
    (``…#/metadata/<uuid>``), else its catalogue record's.
    """
    for record in _catalogue_records(graph, node):
        identifier = str(graph.value(record, DCTERMS.identifier) or "").strip()
        if identifier and not re.search(r"\s", identifier):
            return identifier
    match = _METADATA_UUID.search(str(node)) if isinstance(node, URIRef) else None
    if match:
        return match.group(1)
    records = list(graph.subjects(RDF.type, DCAT.CatalogRecord))
    match = _METADATA_UUID.search(str(records[0])) if len(records) == 1 else None
    return match.group(1) if match else None


def _catalogue_records(graph: Graph, node: Node) -> list[Node]:
    records = set(graph.objects(node, FOAF.isPrimaryTopicOf)) | set(graph.subjects(FOAF.primaryTopic, node))
    return sorted(records, key=str)


def renamed(graph: Graph, old: Node, new: URIRef) -> URIRef:
    """``old`` renamed ``new`` wherever it stands in the graph."""
    for predicate, value in list(graph.predicate_objects(old)):
        graph.remove((old, predicate, value))
        graph.add((new, predicate, value))
    for subject, predicate in list(graph.subject_predicates(old)):
        graph.remove((subject, predicate, old))
        graph.add((subject, predicate, new))
    return new
