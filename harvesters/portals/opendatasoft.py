"""Opendatasoft portals (Paris Data): the Explore API's DCAT export, one RDF/XML document per catalogue.

The export is DCAT with Opendatasoft's habits, repaired by :mod:`mappings.sources.opendatasoft`
before the common mapping sees it:

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

from typing import Iterator
from urllib.parse import urlencode

from rdflib import Graph
from rdflib.term import Node

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.fetch.http import Response
from harvesters.fetch.rdf_parsing import parse_rdf
from mappings.sources.opendatasoft import export_formats, free_text_iris, labelled_free_text, ods_dataset_id

__all__ = ["OpendatasoftHarvester"]

DEFAULT_EXPORTS = "csv,json,geojson,shp,xlsx"
_EXPORT_PATHS = {"v2.1": "/api/explore/v2.1/catalog/exports/dcat", "v2": "/api/v2/catalog/exports/dcat"}


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


