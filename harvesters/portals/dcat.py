"""The generic DCAT harvester: one RDF document, possibly split into Hydra pages."""

from __future__ import annotations

from typing import Iterator

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.fetch.http import Response
from harvesters.portals.hydra import next_page_url

__all__ = ["DcatHarvester"]


class DcatHarvester(Harvester):
    """Harvests ``portal.url`` as DCAT in any RDF syntax, following Hydra ``next`` links."""

    kind = "dcat"

    def start_url(self) -> str:
        """The first page to fetch (the portal URL itself)."""
        return self.portal.url

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Follow ``hydra:next`` from the first page, guarding against loops and endless catalogues."""
        yield from self.follow(self.start_url(), lambda url: self.load_page(url, self.parse_page), report)

    def parse_page(self, response: Response) -> Page:
        """Parse one page and find where the next one is."""
        page = self.parse_rdf_page(response)
        page.next = next_page_url(page.graph, page.url)
        return page
