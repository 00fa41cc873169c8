"""The generic DCAT harvester: one RDF document, possibly split into Hydra pages."""

from __future__ import annotations

from typing import Iterator

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.hydra import next_page_url

__all__ = ["DcatHarvester"]


class DcatHarvester(Harvester):
    """Harvests ``portal.url`` as DCAT in any RDF syntax, following Hydra ``next`` links."""

    kind = "dcat"

    def start_url(self) -> str:
        """The first page to fetch (the portal URL itself)."""
        return self.portal.url

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Follow ``hydra:next`` from the first page, guarding against loops and endless catalogues."""
        url: str | None = self.start_url()
        seen: set[str] = set()
        while url:
            if url in seen:
                report.incomplete(f"paging loops back to {url}; stopped following next links")
                return
            if len(seen) >= self.max_pages:
                report.incomplete(f"stopped after the {self.max_pages}-page cap")
                return
            seen.add(url)
            page = self.fetch_page(url)
            yield page
            url = next_page_url(page.graph, page.url)
