"""DKAN portals (Montpellier): the CKAN-style Action API, else the DCAT-AP 1.1 ``/catalog.xml``.

The best source that answers is used:

1. ``current_package_list_with_resources?limit=&offset=``: whole packages, a page at a time;
2. ``package_list``, then ``package_show?id=`` for each dataset (DKAN wraps the
   package in a one-element ``result`` array);
3. ``/catalog.xml``, DKAN's DCAT-AP 1.1 export, which lacks licences (DKAN maps
   them to empty strings), hence last.

Every package becomes DCAT through :mod:`mappings.sources.dkan`. Records are
keyed on the package uuid, which survives a change of slug.

Portal options: ``source`` (``auto``, ``api`` or ``catalog``) and ``page_size`` (100).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlencode

from rdflib import Graph
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from harvesters.base import Harvester, HarvestReport, Page
from mappings.sources.dkan import package_to_dcat, unwrap_result
from harvesters.errors import FetchError, ParseError
from harvesters.fetch.http import Response
from harvesters.fetch.rdf_parsing import parse_rdf
from harvesters.fetch.safe_json import load_json
from mappings.jobs import FailedRecord
from mappings.rdf_values import text_value

__all__ = ["DkanHarvester", "EndpointMissing", "catalog_fingerprint"]

_JSON = "application/json"
#: statuses by which a portal says "no such endpoint here"
_MISSING = frozenset({400, 404, 405, 410, 501})
_CATALOG_STAMP = re.compile(rb"<(dct|dcterms):(issued|modified)\b[^>]*>[^<]*</\1:\2>")


class EndpointMissing(FetchError):
    """The portal has no such endpoint (or answers it with something that is not the API)."""


class DkanHarvester(Harvester):
    """Harvests a DKAN portal at ``portal.url``."""

    kind = "dkan"

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Pages of the first source that answers (see the module docstring)."""
        sources = {
            "auto": (self.resource_pages, self.package_pages, self.catalog_pages),
            "api": (self.resource_pages, self.package_pages),
            "catalog": (self.catalog_pages,),
        }[str(self.portal.options.get("source", "auto")).lower()]
        for source in sources:
            pages = source(report)
            try:
                first = next(pages)
            except EndpointMissing as exc:
                report.warnings.append(f"{source.__name__.replace('_', ' ')}: {exc}; trying the next source")
                continue
            except StopIteration:
                return
            yield first
            yield from pages
            return
        raise FetchError(f"no DKAN source answered at {self.base}")

    def resource_pages(self, report: HarvestReport) -> Iterator[Page]:
        """``current_package_list_with_resources``, paged by offset until a page comes back empty."""
        size = int(self.portal.options.get("page_size", 100))
        yield from self.follow(self._resources_url(0, size), lambda url: self._load(url, self._resources_page), report)

    def package_pages(self, report: HarvestReport) -> Iterator[Page]:
        """``package_list``, then one ``package_show`` page per dataset."""
        names = self._call(f"{self.base}/api/3/action/package_list")
        if not isinstance(names, list):
            raise EndpointMissing("package_list did not answer a list", url=f"{self.base}/api/3/action/package_list")
        for count, name in enumerate(dict.fromkeys(str(n) for n in names)):
            if count >= self.max_pages:
                report.incomplete(f"stopped after the {self.max_pages}-page cap")
                return
            yield self._show(name)

    def catalog_pages(self, report: HarvestReport) -> Iterator[Page]:
        """``/catalog.xml``, the whole catalogue in one DCAT-AP 1.1 document."""
        accept = "application/rdf+xml, application/xml;q=0.9"
        yield self._load(f"{self.base}/catalog.xml", self._catalog_page, accept=accept, fingerprint=catalog_fingerprint)

    def guid_for(self, graph: Graph, node: Node) -> str | None:
        """The package uuid (``dct:identifier``), steadier than the slug in the dataset URL."""
        return text_value(graph, node, DCTERMS.identifier)

    # -- pages -------------------------------------------------------------------

    def _load(self, url: str, build: Callable[[Response], Page], *, accept: str = _JSON, **kwargs) -> Page:
        try:
            return self.load_page(url, build, accept=accept, **kwargs)
        except EndpointMissing:
            raise
        except FetchError as exc:
            if exc.status in _MISSING:
                raise EndpointMissing(exc.reason, url=url, status=exc.status) from None
            raise

    def _show(self, name: str) -> Page:
        """One package's page; a package listed but no longer shown is a failed record, not a failed run."""
        url = f"{self.base}/api/3/action/package_show?id={quote(name, safe='')}"
        try:
            return self._load(url, self._show_page)
        except EndpointMissing as exc:
            failure = FailedRecord(reason=f"package_show failed: {exc.reason}", source=name)
            return Page(url=url, failures=[failure], cacheable=False)

    def _resources_url(self, offset: int, size: int) -> str:
        query = urlencode({"limit": size, "offset": offset})
        return f"{self.base}/api/3/action/current_package_list_with_resources?{query}"

    def _resources_page(self, response: Response) -> Page:
        packages = _flatten(_result(response))
        page = self._packages_page(response.url, packages)
        if packages:
            offset = int(_query_value(response.url, "offset") or 0) + len(packages)
            page.next = self._resources_url(offset, int(_query_value(response.url, "limit") or len(packages)))
        return page

    def _show_page(self, response: Response) -> Page:
        return self._packages_page(response.url, [unwrap_result(_result(response))])

    def _catalog_page(self, response: Response) -> Page:
        return Page(url=response.url, graph=parse_rdf(response.content, "application/rdf+xml", response.url, max_triples=self.limits.max_page_triples))

    def _packages_page(self, url: str, packages: list[Any]) -> Page:
        page = Page(url=url)
        base = self.portal.public_base.rstrip("/")
        for package in packages:
            source = package.get("id") if isinstance(package, dict) else None
            page.add_converted(lambda graph: package_to_dcat(graph, package, base), source, "package")
        return page

    def _call(self, url: str) -> Any:
        try:
            response = self.http.get(url, headers={"Accept": _JSON})
        except FetchError as exc:
            if exc.status in _MISSING:
                raise EndpointMissing(exc.reason, url=url, status=exc.status) from None
            raise
        return _result(response)


def catalog_fingerprint(content: bytes) -> bytes:
    """``/catalog.xml`` without the catalogue's issued/modified, which DKAN sets to the current time."""
    head, separator, rest = content.partition(b"<dcat:dataset")
    return _CATALOG_STAMP.sub(b"", head) + separator + rest


def _result(response: Response) -> Any:
    """The ``result`` of an Action API answer; anything else means the endpoint is not the API."""
    try:
        body = load_json(response.content, response.url)  # bounded nesting, strings safe to store
    except ParseError as exc:
        raise EndpointMissing(f"the answer is not usable JSON: {exc}", url=response.url) from None
    if not isinstance(body, dict) or body.get("success") is not True or "result" not in body:
        raise EndpointMissing("the answer is not a successful Action API result", url=response.url)
    return body["result"]


def _flatten(result: Any) -> list[Any]:
    """The packages of a list answer, tolerating one extra level of nesting."""
    if not isinstance(result, list):
        return []
    if len(result) == 1 and isinstance(result[0], list):
        return result[0]
    return result


def _query_value(url: str, name: str) -> str | None:
    match = re.search(rf"[?&]{name}=([^&#]*)", url)
    return match.group(1) if match else None
