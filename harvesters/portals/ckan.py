"""CKAN portals: the Action API's ``package_search``, or ckanext-dcat's ``/catalog.ttl``.

* ``auto`` (the default): ckanext-dcat's catalogue where the portal offers it
  (it carries what the DCAT-AP schema of the portal adds to packages), else the API;
* ``api``: ``/api/3/action/package_search?rows=&start=&sort=id asc``,
  page after page until ``start`` reaches the ``count`` the first answer gave
  (sorted by id so that paging is stable while the portal changes); every
  package becomes DCAT through :mod:`mappings.sources.ckan`, keyed on its id;
* ``catalog``: ckanext-dcat's ``/catalog.ttl``, Hydra-paged, for portals that
  publish richer DCAT than their packages hold.

Portal options: ``source`` (``auto``, ``api`` or ``catalog``), ``page_size`` (100; CKAN caps it at 1000),
``fq`` (a Solr filter, e.g. ``organization:ville-de-lyon``).
"""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

from rdflib import Graph
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from harvesters.base import Harvester, HarvestReport, Page
from harvesters.errors import FetchError, ParseError
from harvesters.fetch.http import Response
from harvesters.portals.hydra import next_page_url
from harvesters.fetch.safe_json import load_json
from mappings.rdf_values import text_value
from mappings.sources.ckan import package_to_dcat

__all__ = ["CkanHarvester"]

_JSON = "application/json"
_ROWS_MAX = 1000
#: statuses by which a portal says it has no such endpoint (no ckanext-dcat)
_MISSING = frozenset({400, 404, 405, 410, 501})


class CkanHarvester(Harvester):
    """Harvests a CKAN portal at ``portal.url`` (its root)."""

    kind = "ckan"

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """The packages page by page, or ckanext-dcat's catalogue (see the module docstring)."""
        source = str(self.portal.options.get("source", "auto")).lower()
        if source not in ("auto", "api", "catalog"):
            raise ValueError(f"source must be 'auto', 'api' or 'catalog', not {source!r}")
        if source == "api":
            yield from self.api_pages(report)
            return
        catalog = self.catalog_pages(report)
        try:
            first = next(catalog)
        except StopIteration:
            return
        except (FetchError, ParseError) as exc:
            if source == "catalog" or (isinstance(exc, FetchError) and exc.status not in _MISSING):
                raise
            report.warnings.append(f"no ckanext-dcat catalogue ({exc}); reading the Action API")
            yield from self.api_pages(report)
            return
        yield first
        yield from catalog

    def api_pages(self, report: HarvestReport) -> Iterator[Page]:
        """``package_search``, page after page."""
        yield from self.follow(self.search_url(0), lambda url: self.load_page(url, self._search_page, accept=_JSON), report)

    def catalog_pages(self, report: HarvestReport) -> Iterator[Page]:
        """ckanext-dcat's ``/catalog.ttl``, along its Hydra links."""
        yield from self.follow(f"{self.base}/catalog.ttl", lambda url: self.load_page(url, self._catalog_page), report)

    def search_url(self, start: int) -> str:
        """One ``package_search`` page."""
        rows = min(int(self.portal.options.get("page_size", 100)), _ROWS_MAX)
        query = {"rows": rows, "start": start, "sort": "id asc"}
        if self.portal.options.get("fq"):
            query["fq"] = str(self.portal.options["fq"])
        return f"{self.base}/api/3/action/package_search?{urlencode(query)}"

    def guid_for(self, graph: Graph, node: Node) -> str | None:
        """The package id, which survives a change of name."""
        return text_value(graph, node, DCTERMS.identifier)

    def _search_page(self, response: Response) -> Page:
        result = _search_result(response)
        packages = result["results"]
        page = Page(url=response.url)
        for package in packages:
            self._add_package(page, package)
        start = int(parse_qs(urlsplit(response.url).query).get("start", ["0"])[0]) + len(packages)
        if packages and start < result["count"]:
            page.next = self.search_url(start)
        return page

    def _add_package(self, page: Page, package: Any) -> None:
        source = package.get("id") if isinstance(package, dict) else None
        page.add_converted(lambda graph: package_to_dcat(graph, package, self.base), source, "package")

    def _catalog_page(self, response: Response) -> Page:
        page = self.parse_rdf_page(response)
        page.next = next_page_url(page.graph, page.url)
        return page


def _search_result(response: Response) -> dict[str, Any]:
    """``package_search``'s result, checked: a ``count`` and a list of ``results``."""
    body = load_json(response.content, response.url)
    result = body.get("result") if isinstance(body, dict) and body.get("success") is True else None
    if not isinstance(result, dict) or not isinstance(result.get("results"), list) or not isinstance(result.get("count"), int):
        raise ParseError(f"not a CKAN package_search answer at {response.url}")
    return result
