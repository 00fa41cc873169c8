"""The harvester seam: a subclass walks a portal's pages, the base class does the rest.

``Harvester.records(report)`` turns every ``dcat:Dataset`` of every page into a
:class:`~mappings.record.Record`, sorting each into done, skipped or failed
(:func:`harvesters.pipeline.harvest_records`); a bad record never stops the run,
while a page that cannot be fetched or parsed raises and so fails the run (and
the store then keeps what it had). Pages are built and mapped by the harvester's
page mapper (:mod:`harvesters.page_mappers`), given when it is made.

Pages are fetched through :meth:`Harvester.load_page`, which asks the portal
whether the page changed since the last successful run (``If-None-Match``,
``If-Modified-Since``), then compares the bytes, then the parsed graph, with
what the page was; an unchanged page is not mapped again, and
:meth:`Harvester.records` yields a :class:`KeepRecords` standing for the
records it produced last time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Callable, ClassVar, Iterator, Mapping

from rdflib import Graph
from rdflib.term import Node

from harvesters.errors import InvalidRecord, PageCapReached, SkipRecord
from harvesters.fetch.http import HttpClient, HttpSettings, Response
from harvesters.fetch.limits import HarvestLimits
from harvesters.fetch.page_cache import GraphDigests, KeepRecords, KeptDataset, PageCache, PageEntry, content_digest
from harvesters.fetch.rdf_parsing import parse_rdf
from harvesters.fetch.read_ahead import ReadAhead, Request
from harvesters.page import HarvestReport, Page
from harvesters.page_mappers import PageMapper, SerialMapper
from harvesters.pipeline import harvest_records
from mappings.from_rdf import catalogue_language, dataset_nodes, record_from_rdf
from mappings.jobs import FailedRecord
from mappings.normalise import normalise
from mappings.portals import Portal
from mappings.rdf_texts import language_tag
from mappings.record import Record

__all__ = ["Harvester", "HarvestReport", "KeepRecords", "Page", "RDF_ACCEPT"]

RDF_ACCEPT = (
    "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, */*;q=0.1"
)
class Harvester(ABC):
    """Base of every harvester kind.

    :param portal: the portal to harvest; only its host may be contacted.
    :param http: the HTTP client (tests inject one with a fake sleep).
    :param max_pages: the most pages one run follows.
    :param page_cache: what the pages were at the last successful run; empty reads everything.
    :param limits: the most a page and a record may hold.
    :param mapper: who builds and maps the pages (:class:`~harvesters.page_mappers.SerialMapper`:
        this process; :class:`~harvesters.page_mappers.PooledMapper`: worker processes).

    A kind that needs its own constructor takes ``**options`` and passes them on, so that
    every kind is built the same way.
    """

    kind: ClassVar[str]

    def __init__(
        self,
        portal: Portal,
        http: HttpClient | None = None,
        *,
        max_pages: int = 2000,
        page_cache: PageCache | None = None,
        limits: HarvestLimits | None = None,
        mapper: PageMapper | None = None,
    ) -> None:
        self.portal = portal
        self.http = http or HttpClient(allowed_hosts=frozenset({portal.origin}), settings=HttpSettings())
        self.max_pages = max_pages
        self.page_cache = page_cache if page_cache is not None else PageCache()
        self.limits = limits or HarvestLimits()
        self.mapper = mapper or SerialMapper()
        self._language_graph: Graph | None = None
        self._read_ahead: ReadAhead | None = None
        self._language: str | None = None

    @abstractmethod
    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Yield the portal's catalogue page by page, each as a parsed DCAT graph.

        :param report: to note warnings, or that paging stopped early.
        :returns: an iterator of :class:`Page`; raising fails the run.
        """

    def records(self, report: HarvestReport, *, harvested_at: str | None = None) -> Iterator[Record | KeepRecords]:
        """Every record the portal publishes, de-duplicated by id, failures noted in ``report``.

        An unchanged page yields one :class:`KeepRecords` instead of its records
        (:func:`harvesters.pipeline.harvest_records`).
        """
        return harvest_records(self, report, harvested_at=harvested_at)

    @property
    def base(self) -> str:
        """The portal's URL without a trailing slash (where API paths are appended)."""
        return self.portal.url.rstrip("/")

    def guid_for(self, graph: Graph, node: Node) -> str | None:
        """A steadier guid than the dataset URI, for portals whose URIs change style; None keeps the default."""
        return None

    def load_page(
        self,
        url: str,
        build: Callable[[Response], Page],
        *,
        accept: str = RDF_ACCEPT,
        method: str = "GET",
        data: bytes | None = None,
        key: str | None = None,
        fingerprint: Callable[[bytes], bytes] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        """Fetch one page and ``build`` it, unless it is unchanged since the last successful run.

        Unchanged means a 304, the same bytes (after ``fingerprint``), or a
        built page whose graph, paging and failures are the same as last time.

        :param key: what the page is remembered by (default: the URL).
        :param fingerprint: the part of the body that matters, for portals that
            stamp every answer with the current time (it spares the parsing).
        """
        key = key or url
        cached = self.page_cache.lookup(key)
        plain = {"Accept": accept, **(headers or {})}
        sent = {**plain, **(cached.request_headers() if cached else {})}
        response = self._request(method, url, sent, data, read_ahead=plain if key == url else None)
        if cached is not None and response.not_modified:
            return self._unchanged_page(url, key, cached.revalidated(response))
        digest = content_digest(fingerprint(response.content) if fingerprint else response.content)
        if cached is not None and cached.content_hash == digest:
            return self._unchanged_page(url, key, cached.revalidated(response))
        page, graph_hash = self.mapper.build(self, build, response, cached)
        page.key, page.entry = key, PageEntry.from_response(response, digest, graph_hash)
        page.known = cached.known_datasets() if cached else {}
        if cached is not None and cached.graph_hash == graph_hash:
            return self._unchanged_page(url, key, cached.revalidated(response, digest))
        return page

    def _request(
        self, method: str, url: str, headers: Mapping[str, str], data: bytes | None, *, read_ahead: Mapping[str, str] | None
    ) -> Response:
        """Send the request, or take it from those sent ahead (a GET of a page known by its URL, given its
        headers without the conditional ones in ``read_ahead``) while sending the next ones."""
        ahead = self._read_ahead
        if ahead is not None and method == "GET" and data is None and read_ahead is not None:
            return ahead.get(url, headers, self._foreseen(url, read_ahead, ahead.depth))
        return self.http.request(method, url, headers=headers, data=data)

    @contextmanager
    def reading_ahead(self, depth: int = 3) -> Iterator[None]:
        """While open, a re-harvest sends the GETs of the next pages paging reached last time
        ahead of the walk (:mod:`harvesters.fetch.read_ahead`); a first harvest foresees nothing."""
        if not self.page_cache.previous:
            yield
            return
        with ReadAhead(self.http, depth) as self._read_ahead:
            try:
                yield
            finally:
                self._read_ahead = None

    def _foreseen(self, url: str, plain: Mapping[str, str], horizon: int) -> list[Request]:
        """The GETs that followed ``url`` last time, each with its own conditional headers, as
        :meth:`load_page` will send them (only pages that the last run fetched by their URL)."""
        foreseen: list[Request] = []
        entry = self.page_cache.lookup(url)
        while entry is not None and entry.next and len(foreseen) < horizon:
            following = self.page_cache.lookup(entry.next)
            if following is None or not entry.next.startswith(("http://", "https://")):
                break
            foreseen.append((entry.next, {**plain, **following.request_headers()}))
            entry = following
        return foreseen

    def page_with_digest(self, build: Callable[[Response], Page], response: Response) -> tuple[Page, str]:
        """``build`` the page and digest it (what a worker process does for :meth:`load_page`)."""
        page = build(response)
        page.digests = GraphDigests(page.graph)
        return page, _page_digest(page)

    def outcomes(self, page: Page, harvested_at: str | None) -> Iterator[tuple[str, Record | FailedRecord | KeptDataset | None]]:
        """Each dataset of a page, in order, with its digest, and mapped: its record, why it failed, or None
        when skipped; a :class:`KeptDataset` instead when the page mapped it last time with the same digest."""
        digests = page.digests or GraphDigests(page.graph)
        for node in dataset_nodes(page.graph):
            digest = digests.dataset(node, self._mapping_context(page.graph, node))
            kept = page.known.get(digest)
            yield digest, KeptDataset(kept) if kept is not None else self._outcome(page.graph, node, harvested_at)

    def _outcome(self, graph: Graph, node: Node, harvested_at: str | None) -> Record | FailedRecord | None:
        try:
            return self._map(graph, node, harvested_at)
        except SkipRecord:
            return None
        except Exception as exc:  # noqa: BLE001 - one odd record must never fail the harvest
            return _failure(exc, node)

    def _mapping_context(self, graph: Graph, node: Node) -> list[str]:
        """What a dataset's mapping reads besides the subjects it leads to (part of its digest)."""
        return [f"language {self._page_language(graph)}", f"guid {self.guid_for(graph, node)}"]

    def parse_rdf_page(self, response: Response) -> Page:
        """A page whose body is a DCAT document in any RDF syntax."""
        graph = parse_rdf(response.content, response.media_type, response.url, indexed=True, max_triples=self.limits.max_page_triples)
        return Page(url=response.url, graph=graph)

    def fetch_page(self, url: str, *, accept: str = RDF_ACCEPT) -> Page:
        """GET a URL and parse it as RDF (through the page cache)."""
        return self.load_page(url, self.parse_rdf_page, accept=accept)

    def follow(self, first: str, load: Callable[[str], Page], report: HarvestReport) -> Iterator[Page]:
        """Pages from cursor ``first`` along each page's ``next``, stopping at a loop; past the page cap the run fails."""
        cursor: str | None = first
        seen: set[str] = set()
        while cursor:
            if cursor in seen:
                report.incomplete(f"paging loops back to {cursor}; stopped following next links")
                return
            if len(seen) >= self.max_pages:
                raise PageCapReached(self.max_pages, cursor)
            seen.add(cursor)
            page = load(cursor)
            yield page
            cursor = page.next

    def _unchanged_page(self, url: str, key: str, entry: PageEntry) -> Page:
        return Page(url=url, next=entry.next, key=key, entry=entry, unchanged=True)

    def _page_language(self, graph: Graph) -> str | None:
        """:meth:`declared_language`, worked out once a page (the datasets of a page share its graph)."""
        if self._language_graph is not graph:
            self._language_graph, self._language = graph, self.declared_language(graph)
        return self._language

    def declared_language(self, graph: Graph) -> str | None:
        """The language the portal says its plain texts are in: the ``language`` option, else its catalogue's one ``dct:language``."""
        return language_tag(str(self.portal.options.get("language") or "")) or catalogue_language(graph)

    def _map(self, graph: Graph, node: Node, harvested_at: str | None) -> Record:
        record = record_from_rdf(
            graph,
            node,
            self.portal.id,
            guid=self.guid_for(graph, node),
            harvested_at=harvested_at,
            declared_language=self._page_language(graph),
        )
        return normalise(record)


def _page_digest(page: Page) -> str:
    failures = (f"{f.source} {f.reason}" for f in page.failures)
    digests = page.digests or GraphDigests(page.graph)
    return digests.page([f"next {page.next}", f"skipped {page.skipped}", *failures])


def _failure(exc: Exception, node: Node) -> FailedRecord:
    if isinstance(exc, InvalidRecord):
        return FailedRecord(reason=str(exc), source=str(node))
    return FailedRecord(reason=f"unexpected {exc.__class__.__name__}: {exc}", source=str(node))
