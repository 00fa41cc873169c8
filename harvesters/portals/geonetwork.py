"""GeoNetwork catalogues (DATA Grand Lyon) over CSW 2.0.2.

GetCapabilities says which output schemas GetRecords offers: a DCAT one is
preferred (each record's ``rdf:RDF`` is cut out of the CSW envelope and parsed
on its own), then ISO 19139 (mapped by :mod:`mappings.sources.iso19139`), then Dublin
Core (:mod:`mappings.sources.dublin_core`). GetRecords goes over GET when the service
allows it, else POST. Records are keyed on their metadata uuid, so a catalogue
that starts offering DCAT (new IRIs) does not duplicate them. A record that
cannot be converted is a failed record; the page goes on. GeoNetwork's own DCAT is repaired by
:mod:`mappings.sources.geonetwork_dcat`.

Portal options: ``output_schema`` (``auto``, ``dcat``, ``iso``, ``dc`` or a
schema URI), ``csw_method`` (``get`` or ``post``), ``page_size`` (100).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Iterator
from urllib.parse import urljoin

from rdflib import Graph, URIRef
from rdflib.term import Node

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.portals.csw import (
    DC_SCHEMA,
    DCAT_SCHEMAS,
    ISO_SCHEMA,
    Capabilities,
    csw_fingerprint,
    get_records_body,
    get_records_url,
    next_position,
    parse_capabilities,
    parse_search_results,
)
from harvesters.fetch.http import HttpClient, Response
from harvesters.fetch.rdf_parsing import parse_rdf
from harvesters.fetch.safe_xml import local_name
from mappings.from_rdf import dataset_nodes
from mappings.portals import Portal
from mappings.sources.dublin_core import dc_identifier, dc_to_dcat
from mappings.sources.geonetwork_dcat import renamed, repair_geonetwork_dcat, uuid_from_graph
from mappings.sources.iso19139 import iso_to_dcat, record_identifier

__all__ = ["GeonetworkHarvester"]

_XML = "application/xml, text/xml;q=0.9"
_SCHEMA_NAMES = {"iso": ISO_SCHEMA, "dc": DC_SCHEMA}
_DC_RECORDS = frozenset({"Record", "SummaryRecord", "BriefRecord"})


class GeonetworkHarvester(Harvester):
    """Harvests a CSW endpoint (``portal.url``) page by page."""

    kind = "geonetwork"

    def __init__(self, portal: Portal, http: HttpClient | None = None, **options: Any) -> None:
        super().__init__(portal, http, **options)
        self._uuids: dict[Node, str] = {}

    @property
    def endpoint(self) -> str:
        """The CSW URL without query."""
        return self.portal.url.split("?", 1)[0]

    @property
    def record_base(self) -> str:
        """Where the catalogue shows a record (``…/catalog.search#/metadata/<uuid>``), the IRI of converted records.

        Built from the portal's public address, so that records harvested through another
        address (the demo's simulator, a proxy) keep the IRIs other portals cite them by.
        """
        base = self.portal.public_base.split("?", 1)[0].rstrip("/")
        return base.removesuffix("/csw") + "/catalog.search#/metadata/"

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Read the capabilities, then page through GetRecords."""
        capabilities = self.capabilities()
        schema = self.output_schema(capabilities)
        post = self.use_post(capabilities)
        size = int(self.portal.options.get("page_size", 100))
        yield from self.follow("1", lambda cursor: self.records_page(int(cursor), size, schema, post, report), report)

    def capabilities(self) -> Capabilities:
        """The service's GetCapabilities, parsed."""
        url = f"{self.endpoint}?SERVICE=CSW&REQUEST=GetCapabilities&VERSION=2.0.2"
        response = self.http.get(url, headers={"Accept": _XML})
        return parse_capabilities(response.content, response.url)

    def output_schema(self, capabilities: Capabilities) -> str:
        """The configured output schema, or the best one the service offers."""
        wanted = str(self.portal.options.get("output_schema", "auto")).strip()
        offered = capabilities.output_schemas
        if wanted.lower() in _SCHEMA_NAMES:
            return _SCHEMA_NAMES[wanted.lower()]
        if wanted.lower() in ("auto", "dcat"):
            preferred = DCAT_SCHEMAS if wanted.lower() == "dcat" else (*DCAT_SCHEMAS, ISO_SCHEMA, DC_SCHEMA)
            found = next((schema for schema in preferred if schema in offered), None)
            if found is None and wanted.lower() == "dcat":
                raise ValueError(f"the CSW service offers no DCAT output schema (it offers {', '.join(offered)})")
            return found or DC_SCHEMA
        return wanted

    def use_post(self, capabilities: Capabilities) -> bool:
        """POST when configured so, or when the service takes GetRecords over POST only."""
        method = str(self.portal.options.get("csw_method", "")).lower()
        return method == "post" or (method != "get" and not capabilities.get and capabilities.post)

    def records_page(self, start: int, size: int, schema: str, post: bool, report: HarvestReport) -> Page:
        """One GetRecords page, through the page cache (the timestamp of each answer ignored)."""

        def build(response: Response) -> Page:
            return self.build_page(response, start, schema, report)

        if post:
            return self.load_page(
                self.endpoint,
                build,
                accept=_XML,
                method="POST",
                data=get_records_body(schema, start, size),
                key=f"POST {self.endpoint} outputSchema={schema}&startPosition={start}&maxRecords={size}",
                fingerprint=csw_fingerprint,
                headers={"Content-Type": "application/xml; charset=UTF-8"},
            )
        url = get_records_url(self.endpoint, schema, start, size)
        return self.load_page(url, build, accept=_XML, fingerprint=csw_fingerprint)

    def build_page(self, response: Response, start: int, schema: str, report: HarvestReport) -> Page:
        """Convert each record of a GetRecords answer into the page's DCAT graph."""
        results = parse_search_results(response.content, response.url)
        page = Page(url=response.url)
        for element in results.records:
            self._add_record(page, element, response.url)
        following, anomaly = next_position(results, start)
        if anomaly:
            report.incomplete(anomaly)
            page.cacheable = False
        page.next = str(following) if following else None
        return page

    def guid_for(self, graph: Graph, node: Node) -> str | None:
        """The metadata uuid of the record the dataset came from."""
        return self._uuids.get(node)

    def _add_record(self, page: Page, element: ET.Element, url: str) -> None:
        name = local_name(element)
        uuid = _element_uuid(element)
        page.add_converted(lambda graph: self._convert_into(graph, element, name, url, uuid), uuid, f"{name} record")

    def _convert_into(self, page_graph: Graph, element: ET.Element, name: str, url: str, uuid: str | None) -> None:
        """The record as DCAT, its datasets named after their metadata uuid."""
        graph = self._convert(element, name, url)
        for node in dataset_nodes(graph):
            found = uuid or uuid_from_graph(graph, node)
            if found and _relative_reference(node, url):
                node = renamed(graph, node, URIRef(self.record_base + found))
            if found:
                self._uuids[node] = found
        page_graph += graph

    def _convert(self, element: ET.Element, name: str, url: str) -> Graph:
        graph = Graph()
        if name == "RDF":
            graph = parse_rdf(ET.tostring(element, encoding="utf-8"), "application/rdf+xml", url, max_triples=self.limits.max_page_triples)
            repair_geonetwork_dcat(graph)
        elif name == "MD_Metadata":
            iso_to_dcat(graph, element, self.record_base)
        elif name in _DC_RECORDS:
            dc_to_dcat(graph, element, self.record_base)
        else:
            raise ValueError(f"unexpected record element {name}")
        return graph


def _element_uuid(element: ET.Element) -> str | None:
    name = local_name(element)
    if name == "MD_Metadata":
        return record_identifier(element)
    if name in _DC_RECORDS:
        return dc_identifier(element)
    return None


def _relative_reference(node: Node, page_url: str) -> bool:
    """True for an IRI the parser made by resolving a bare identifier (GeoDCAT-AP's ``rdf:about="fr-…/bud"``) against the CSW URL."""
    return isinstance(node, URIRef) and str(node).startswith(urljoin(page_url, "."))


