"""udata portals (data.gouv.fr): the site catalogue, Hydra-paged, in Turtle, RDF/XML or JSON-LD.

udata's DCAT is read by the common mapping as it is (literal formats and media
types, Markdown descriptions, two publishers of which the organisation wins);
what this harvester adds is the route, the paging guard and udata's JSON-LD
context, which is bundled (``mappings/contexts/udata.jsonld``) and never
fetched, even when a page names the portal's own copy.

Datasets data.gouv.fr harvested from a city portal keep the city's IRI; their
records stay distinct from the city's own (``datagouv:<iri>`` and
``paris:<id>``) because record ids start with the portal id.

Portal options: ``format`` (``ttl``, ``xml``/``rdf`` or ``jsonld``),
``page_size`` (100) and ``organization`` (harvest one organisation's catalogue).
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import parse_qs, urlsplit

from harvesters.base import HarvestReport, Page
from harvesters.portals.dcat import DcatHarvester
from harvesters.fetch.http import Response
from harvesters.portals.hydra import next_page_url, total_items
from harvesters.fetch.rdf_parsing import parse_rdf

__all__ = ["UdataHarvester"]

_FORMATS = ("ttl", "xml", "rdf", "jsonld", "json", "nt", "n3", "trig")
_ACCEPT = {
    "ttl": "text/turtle, application/x-turtle;q=0.9",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
}


class UdataHarvester(DcatHarvester):
    """Harvests ``{url}/api/1/site/catalog.{format}?page=&page_size=`` page by page."""

    kind = "udata"

    @property
    def format(self) -> str:
        """The catalogue syntax asked for (an extension udata routes)."""
        fmt = str(self.portal.options.get("format", "ttl")).lower()
        if fmt not in _FORMATS:
            raise ValueError(f"format must be one of {', '.join(_FORMATS)}, not {fmt!r}")
        return fmt

    def start_url(self) -> str:
        """The first page of the site (or organisation) catalogue."""
        base = self.base
        organization = self.portal.options.get("organization")
        path = f"/api/1/organizations/{organization}/catalog" if organization else "/api/1/site/catalog"
        page_size = int(self.portal.options.get("page_size", 100))
        return f"{base}{path}.{self.format}?page=1&page_size={page_size}"

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Follow ``hydra:next`` (or the legacy ``hydra:nextPage``) from the first page."""
        accept = _ACCEPT.get(self.format, "*/*")
        yield from self.follow(self.start_url(), lambda url: self.load_page(url, self.parse_page, accept=accept), report)

    def parse_page(self, response: Response) -> Page:
        """Parse a page with udata's bundled JSON-LD context; stop past the last page ``totalItems`` allows."""
        contexts = {f"{self.portal.url.rstrip('/')}/api/1/site/context.jsonld": "udata.jsonld"}
        graph = parse_rdf(response.content, response.media_type, response.url, contexts=contexts, indexed=True, max_triples=self.limits.max_page_triples)
        page = Page(url=response.url, graph=graph, next=next_page_url(graph, response.url))
        if page.next and _beyond_last_page(page.next, total_items(graph)):
            page.next = None
        return page


def _beyond_last_page(url: str, total: int | None) -> bool:
    """True when ``url`` asks for a page after the last one ``total`` items fill."""
    query = parse_qs(urlsplit(url).query)
    try:
        number, size = int(query["page"][0]), int(query["page_size"][0])
    except (KeyError, IndexError, ValueError):
        return False
    return total is not None and size > 0 and number > max(1, -(-total // size))
