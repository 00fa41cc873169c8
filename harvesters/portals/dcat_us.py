"""DCAT-US 1.1 portals: a Project Open Data ``data.json`` (ArcGIS Hub, Socrata, DKAN).

The catalogue is one JSON document (the schema defines no paging); it is read
as JSON, never as JSON-LD with its remote ``@context``, and each dataset is
written as DCAT by :mod:`mappings.sources.dcat_us`. Entries that cannot be read
are failed records; a document without a ``dataset`` array fails the run.

``portal.url`` is the ``data.json`` URL itself, or the portal's root (then
``/data.json`` is asked for).
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.errors import ParseError
from harvesters.fetch.http import Response
from harvesters.fetch.safe_json import load_json
from mappings.errors import InvalidRecord
from mappings.sources.dcat_us import catalog_to_dcat

__all__ = ["DcatUsHarvester"]

_ACCEPT = "application/json, application/ld+json;q=0.9"


class DcatUsHarvester(Harvester):
    """Harvests a DCAT-US ``data.json`` catalogue."""

    kind = "dcat_us"

    def catalog_url(self) -> str:
        """The ``data.json`` to read."""
        url = self.portal.url
        return url if urlsplit(url).path.endswith(".json") else url.rstrip("/") + "/data.json"

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """The catalogue, as one page."""
        yield self.load_page(self.catalog_url(), self.parse_page, accept=_ACCEPT)

    def parse_page(self, response: Response) -> Page:
        """The DCAT graph of the catalogue and the entries it could not read."""
        document = load_json(response.content, response.url)
        try:
            graph, failures = catalog_to_dcat(document)
        except InvalidRecord as exc:
            raise ParseError(f"{exc} at {response.url}") from exc
        return Page(url=response.url, graph=graph, failures=failures)
