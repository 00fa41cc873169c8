"""Opendatasoft portals (Paris Data): the Explore API's DCAT export, one RDF/XML document per catalogue.

The export is DCAT with Opendatasoft's habits, repaired here before the common
mapping sees it:

* free text written as IRIs (``rdf:about="En continu"``,
  ``rdf:resource="France entière et hors territoire"``) would be resolved against
  the export URL into junk IRIs; they become labelled blank nodes instead;
* every export format is a distribution whose ``dct:format`` is an IANA media
  type, the same for JSON and GeoJSON (``application/json``) and ``application/zip``
  for shapefiles; the format is read off the export URL (``…/exports/geojson``);
* a dataset keeps its record id when the export switches URI style (v2
  ``…/api/v2/catalog/datasets/{id}`` with identifier ``{id}@{domain}``, v2.1
  ``…/explore/dataset/{id}/``): records are keyed on the dataset id.

Portal options: ``api_version`` (``v2.1``, or ``v2`` for the older export),
``include_exports`` (comma-separated export formats that become distributions),
``lang`` (``fr``) and ``where`` (an ODSQL filter).
"""

from __future__ import annotations

import html
import re
from typing import Iterator
from urllib.parse import quote, unquote, urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS
from rdflib.term import Node

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.fetch.http import Response
from harvesters.fetch.rdf_parsing import parse_rdf
from mappings.rdf_values import text_value

__all__ = ["OpendatasoftHarvester", "export_formats", "free_text_iris", "labelled_free_text", "ods_dataset_id"]

DEFAULT_EXPORTS = "csv,json,geojson,shp,xlsx"
_EXPORT_PATHS = {"v2.1": "/api/explore/v2.1/catalog/exports/dcat", "v2": "/api/v2/catalog/exports/dcat"}
#: a stand-in scheme for text the export wrote where an IRI belongs
FREE_TEXT = "urn:fedcat:free-text:"
_RDF_REFERENCE = re.compile(rb'(rdf:(?:about|resource))="([^"]*)"')
_ABSOLUTE_IRI = re.compile(rb"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_EXPORT = re.compile(r"/exports/([A-Za-z0-9_]+)(?:[?#]|$)")
_DATASET_PATH = re.compile(
    r"/(?:explore/dataset|api/v2/catalog/datasets|api/explore/v2\.1/catalog/datasets)/([^/?#]+)/?$"
)


class OpendatasoftHarvester(Harvester):
    """Harvests an Opendatasoft domain from ``{url}/api/explore/v2.1/catalog/exports/dcat``."""

    kind = "opendatasoft"

    def export_url(self) -> str:
        """The DCAT export of the whole catalogue, with the configured parameters."""
        options = self.portal.options
        version = str(options.get("api_version", "v2.1"))
        if version not in _EXPORT_PATHS:
            raise ValueError(f"api_version must be one of {', '.join(_EXPORT_PATHS)}, not {version!r}")
        exports = options.get("include_exports", DEFAULT_EXPORTS)
        exports = ",".join(exports) if isinstance(exports, (list, tuple)) else str(exports)
        params = {"lang": options.get("lang", "fr"), "include_exports": exports}
        if options.get("where"):
            params["where"] = options["where"]
        return f"{self.portal.url.rstrip('/')}{_EXPORT_PATHS[version]}?{urlencode(params)}"

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """The export is a single document: no paging."""
        yield self.load_page(self.export_url(), self.parse_export, accept="application/rdf+xml")

    def parse_export(self, response: Response) -> Page:
        """Parse the export after protecting its free-text IRIs, then turn those into labels."""
        graph = parse_rdf(free_text_iris(response.content), "application/rdf+xml", response.url, max_triples=self.limits.max_page_triples)
        labelled_free_text(graph)
        export_formats(graph)
        return Page(url=response.url, graph=graph)

    def guid_for(self, graph: Graph, node: Node) -> str | None:
        """The Opendatasoft dataset id, whatever URI style the export used."""
        return ods_dataset_id(graph, node)


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
