"""Opendatasoft's DCAT export as the common mapping expects it (pure: bytes or graph in, graph out).

* free text written as IRIs (``rdf:about="En continu"``) would be resolved against the export URL
  into junk IRIs: :func:`free_text_iris` protects it before parsing, :func:`labelled_free_text`
  turns it into labelled blank nodes after;
* every export format is a distribution whose ``dct:format`` is an IANA media type that blurs
  JSON and GeoJSON: :func:`export_formats` reads the format off the export URL;
* :func:`ods_dataset_id` keys a dataset on its id whatever URI style (v2, v2.1) the export used.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, unquote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS
from rdflib.term import Node

from mappings.rdf_values import text_value

__all__ = ["FREE_TEXT", "export_formats", "free_text_iris", "labelled_free_text", "ods_dataset_id"]

#: a stand-in scheme for text the export wrote where an IRI belongs
FREE_TEXT = "urn:fedcat:free-text:"
_RDF_REFERENCE = re.compile(rb'(rdf:(?:about|resource))="([^"]*)"')
_ABSOLUTE_IRI = re.compile(rb"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_EXPORT = re.compile(r"/exports/([A-Za-z0-9_]+)(?:[?#]|$)")
_DATASET_PATH = re.compile(
    r"/(?:explore/dataset|api/v2/catalog/datasets|api/explore/v2\.1/catalog/datasets)/([^/?#]+)/?$"
)


def free_text_iris(content: bytes) -> bytes:
    """Rewrite ``rdf:about``/``rdf:resource`` values that are not absolute IRIs as ``urn:fedcat:free-text:…``.

    Opendatasoft's metadata templates are free-text boxes whose content lands in
    IRI positions; left alone, the parser resolves it against the export URL.
    """

    def protect(match: re.Match) -> bytes:
        value = match.group(2)
        if _ABSOLUTE_IRI.match(value):
            return match.group(0)
        text = html.unescape(value.decode("utf-8", "replace"))
        return match.group(1) + b'="' + (FREE_TEXT + quote(text, safe="")).encode("ascii") + b'"'

    return _RDF_REFERENCE.sub(protect, content)


def labelled_free_text(graph: Graph) -> None:
    """Replace every ``urn:fedcat:free-text:`` node with a blank node labelled with the text."""
    nodes: dict[URIRef, BNode] = {}

    def repaired(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(FREE_TEXT):
            return nodes.setdefault(term, BNode())
        return term

    for triple in list(graph):
        fixed = tuple(repaired(term) for term in triple)
        if fixed != triple:
            graph.remove(triple)
            graph.add(fixed)
    for iri, node in nodes.items():
        text = unquote(str(iri)[len(FREE_TEXT) :]).strip()
        if text:
            graph.add((node, SKOS.prefLabel, Literal(text)))


def export_formats(graph: Graph) -> None:
    """Name each distribution's format after its export (``geojson``, ``shp``), which its media type blurs."""
    for distribution, url in list(graph.subject_objects(DCAT.downloadURL)):
        match = _EXPORT.search(str(url))
        if match:
            graph.remove((distribution, DCTERMS.format, None))
            graph.add((distribution, DCTERMS.format, Literal(match.group(1))))


def ods_dataset_id(graph: Graph, node: Node) -> str | None:
    """The dataset id from a v2 or v2.1 dataset IRI, else from ``dct:identifier`` (``{id}@{domain}``)."""
    match = _DATASET_PATH.search(str(node)) if isinstance(node, URIRef) else None
    if match:
        return unquote(match.group(1))
    identifier = text_value(graph, node, DCTERMS.identifier) or ""
    match = _DATASET_PATH.search(identifier)
    if match:
        return unquote(match.group(1))
    if "@" in identifier and "://" not in identifier:
        return identifier.split("@", 1)[0] or None
    return None
