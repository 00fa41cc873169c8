"""The harvester seam: a subclass walks a portal's pages, the base class does the rest.

``Harvester.records(report)`` turns every ``dcat:Dataset`` of every page into a
:class:`~mappings.record.Record`, sorting each into done, skipped or failed; a
bad record never stops the run, while a page that cannot be fetched or parsed
raises and so fails the run (and the store then keeps what it had).

Pages are fetched through :meth:`Harvester.load_page`, which asks the portal
whether the page changed since the last successful run (``If-None-Match``,
``If-Modified-Since``), then compares the bytes, then the parsed graph, with
what the page was; an unchanged page is not mapped again, and
:meth:`Harvester.records` yields a :class:`KeepRecords` standing for the
records it produced last time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, ClassVar, Iterable, Iterator, Mapping

from rdflib import Graph
from rdflib.term import Node

from harvesters.errors import InvalidRecord, PageCapReached, PageTooLarge, SkipRecord
from harvesters.fetch.limits import HarvestLimits
from mappings.limits import bound_record
from harvesters.fetch.http import HttpClient, HttpSettings, Response
from harvesters.fetch.page_cache import KeepRecords, PageCache, PageEntry, content_digest, graph_digest
from harvesters.page_pool import PagePool, prefetched
from harvesters.fetch.rdf_parsing import parse_rdf
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
_MAX_REPORTED_FAILURES = 1000
_LIMIT_WORDS = {
    "FEDCAT_MAX_LITERAL_CHARS": "had a text cut",
    "FEDCAT_MAX_KEYWORDS": "had keywords left out",
    "FEDCAT_MAX_DISTRIBUTIONS": "had distributions left out",
}


@dataclass
class Page:
    """One page of a portal's catalogue: parsed into DCAT, or known unchanged since the last run.

    ``next`` is where paging goes on (a URL or a harvester's own cursor),
    ``failures``/``skipped`` note source records that never became DCAT, and a
    page that is not ``cacheable`` (paging looked wrong on it) is read again next time.
    """

    url: str
    graph: Graph = field(default_factory=Graph)
    next: str | None = None
    failures: list[FailedRecord] = field(default_factory=list)
    skipped: int = 0
    key: str | None = None
    entry: PageEntry | None = None
    unchanged: bool = False
    cacheable: bool = True
    #: the page's outcomes (see :meth:`Harvester.outcomes`) when a worker process maps it
    outcomes: Future | None = None


@dataclass
class HarvestReport:
    """What a run saw, filled in as records stream out of :meth:`Harvester.records`.

    ``complete`` turns False when paging stopped early (a loop): the
    store then adds and updates but removes nothing.
    """

    pages: int = 0
    pages_unchanged: int = 0
    records: int = 0
    skipped: int = 0
    failed: list[FailedRecord] = field(default_factory=list)
    failed_count: int = 0
    warnings: list[str] = field(default_factory=list)
    complete: bool = True
    _limits: dict[str, tuple[int, list[str], int]] = field(default_factory=dict, repr=False)

    def fail(self, reason: str, source: str | None) -> None:
        """Note one dataset that could not be mapped (keeps the first thousand reasons)."""
        self.failed_count += 1
        if len(self.failed) < _MAX_REPORTED_FAILURES:
            self.failed.append(FailedRecord(reason=reason, source=source))

    def limit_hit(self, setting: str, record_id: str) -> None:
        """Note a record cut down to a limit: one warning per setting, with a count and the first records."""
        count, examples, index = self._limits.get(setting, (0, [], len(self.warnings)))
        if index == len(self.warnings):
            self.warnings.append("")
        count += 1
        if len(examples) < 3:
            examples.append(record_id)
        self._limits[setting] = (count, examples, index)
        what = _LIMIT_WORDS.get(setting, "cut to a limit")
        more = ", …" if count > len(examples) else ""
        self.warnings[index] = f"{count} record(s) {what} ({setting}): {', '.join(examples)}{more}"

    def incomplete(self, warning: str) -> None:
        """Note that the run did not see the whole catalogue."""
        self.complete = False
        self.warnings.append(warning)


class Harvester(ABC):
    """Base of every harvester kind.

    :param portal: the portal to harvest; only its host may be contacted.
    :param http: the HTTP client (tests inject one with a fake sleep).
    :param max_pages: the most pages one run follows.
    :param page_cache: what the pages were at the last successful run; empty reads everything.
    :param workers: processes that build and map pages; 1 does everything in this process.
    """

    kind: ClassVar[str]

    def __init__(
        self,
        portal: Portal,
        http: HttpClient | None = None,
        *,
        max_pages: int = 2000,
        page_cache: PageCache | None = None,
        workers: int = 1,
    ) -> None:
        self.portal = portal
        self.http = http or HttpClient(allowed_hosts=frozenset({portal.origin}), settings=HttpSettings())
        self.max_pages = max_pages
        self.page_cache = page_cache if page_cache is not None else PageCache()
        self.workers = workers
        #: an attribute, like ``workers``: subclasses' constructors need not know it
        self.limits = HarvestLimits()
        self._pool: PagePool | None = None
        self._built_pages = 0
        self._language_graph: Graph | None = None
        self._language: str | None = None

    @abstractmethod
    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Yield the portal's catalogue page by page, each as a parsed DCAT graph.

        :param report: to note warnings, or that paging stopped early.
        :returns: an iterator of :class:`Page`; raising fails the run.
        """

    def records(self, report: HarvestReport, *, harvested_at: str | None = None) -> Iterator[Record | KeepRecords]:
        """Every record the portal publishes, de-duplicated by id, failures noted in ``report``.

        An unchanged page yields one :class:`KeepRecords` instead of its records.
        """
        seen: set[str] = set()
        with self._paging(report, harvested_at) as pages:
            try:
                for page in pages:
                    report.pages += 1
                    if page.unchanged:
                        yield from self._replay(page, report, seen)
                    else:
                        yield from self._process(page, report, seen, harvested_at)
            except PageTooLarge as exc:  # memory is bounded per page: that page is left out, not the whole run
                report.incomplete(f"{exc}; paging stopped there, so nothing was removed")

    @contextmanager
    def _paging(self, report: HarvestReport, harvested_at: str | None) -> Iterator[Iterator[Page]]:
        """The pages, fetched ahead by a thread and built by worker processes when there are several."""
        if self.workers <= 1:
            yield self.pages(report)
            return
        with PagePool(self.workers, (type(self), self.portal, self.max_pages, harvested_at, self.limits)) as pool:
            self._pool = pool
            try:
                yield prefetched(self.pages(report), depth=self.workers)
            finally:
                self._pool = None

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
        sent = {"Accept": accept, **(headers or {}), **(cached.request_headers() if cached else {})}
        response = self.http.request(method, url, headers=sent, data=data)
        if cached is not None and response.not_modified:
            return self._unchanged_page(url, key, cached.revalidated(response))
        digest = content_digest(fingerprint(response.content) if fingerprint else response.content)
        if cached is not None and cached.content_hash == digest:
            return self._unchanged_page(url, key, cached.revalidated(response))
        page, graph_hash = self._build(build, response, cached.graph_hash if cached else None)
        page.key, page.entry = key, PageEntry.from_response(response, digest, graph_hash)
        if cached is not None and cached.graph_hash == graph_hash:
            return self._unchanged_page(url, key, cached.revalidated(response, digest))
        return page

    def page_with_digest(self, build: Callable[[Response], Page], response: Response) -> tuple[Page, str]:
        """``build`` the page and digest it (what a worker process does for :meth:`load_page`)."""
        page = build(response)
        return page, _page_digest(page)

    def outcomes(self, page: Page, harvested_at: str | None) -> Iterator[Record | FailedRecord | None]:
        """Each dataset of a page, in order, mapped: its record, why it failed, or None when skipped."""
        for node in dataset_nodes(page.graph):
            try:
                yield self._map(page.graph, node, harvested_at)
            except SkipRecord:
                yield None
            except Exception as exc:  # noqa: BLE001 - one odd record must never fail the harvest
                yield _failure(exc, node)

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

    def _build(self, build: Callable[[Response], Page], response: Response, cached_hash: str | None) -> tuple[Page, str]:
        """Build in this process, or in a worker once paging has shown the catalogue has more than one page.

        Only the harvester's own methods go to a worker, which rebuilds the
        harvester from its portal: builds holding state (closures) stay here.
        """
        first, self._built_pages = self._built_pages == 0, self._built_pages + 1
        if self._pool is None or first or getattr(build, "__self__", None) is not self:
            return self.page_with_digest(build, response)
        parsed_future, outcomes = self._pool.submit(build.__name__, response, cached_hash)
        parsed = parsed_future.result()
        page = Page(url=parsed.url, next=parsed.next, failures=parsed.failures, skipped=parsed.skipped)
        page.cacheable, page.outcomes = parsed.cacheable, outcomes
        return page, parsed.graph_hash

    def _unchanged_page(self, url: str, key: str, entry: PageEntry) -> Page:
        return Page(url=url, next=entry.next, key=key, entry=entry, unchanged=True)

    def _replay(self, page: Page, report: HarvestReport, seen: set[str]) -> Iterator[KeepRecords]:
        entry = page.entry or PageEntry()
        report.pages_unchanged += 1
        report.skipped += entry.skipped
        for failure in entry.failed:
            report.fail(failure.reason, failure.source)
        kept = tuple(rid for rid in entry.record_ids if rid not in seen)
        seen.update(kept)
        report.records += len(kept)
        self.page_cache.remember(page.key or page.url, entry)
        if kept:
            yield KeepRecords(page_key=page.key or page.url, record_ids=kept)

    def _process(
        self, page: Page, report: HarvestReport, seen: set[str], harvested_at: str | None
    ) -> Iterator[Record]:
        ids: list[str] = []
        failures = list(page.failures)
        for failure in failures:
            report.fail(failure.reason, failure.source)
        skipped = page.skipped
        for record in self._page_outcomes(page, harvested_at):
            if record is None:
                skipped += 1
                continue
            if isinstance(record, FailedRecord):
                failures.append(record)
                report.fail(record.reason, record.source)
                continue
            if record.record_id in seen:
                continue
            record, limits_hit = bound_record(record, self.limits.record)
            for setting in limits_hit:
                report.limit_hit(setting, record.record_id)
            seen.add(record.record_id)
            ids.append(record.record_id)
            report.records += 1
            yield record
        report.skipped += skipped
        if page.key is not None and page.entry is not None and page.cacheable:
            produced = replace(page.entry, record_ids=tuple(ids), next=page.next, failed=tuple(failures), skipped=skipped)
            self.page_cache.remember(page.key, produced)

    def _page_outcomes(self, page: Page, harvested_at: str | None) -> Iterable[Record | FailedRecord | None]:
        return page.outcomes.result() if page.outcomes is not None else self.outcomes(page, harvested_at)

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
    return graph_digest(page.graph, [f"next {page.next}", f"skipped {page.skipped}", *failures])


def _failure(exc: Exception, node: Node) -> FailedRecord:
    if isinstance(exc, InvalidRecord):
        return FailedRecord(reason=str(exc), source=str(node))
    return FailedRecord(reason=f"unexpected {exc.__class__.__name__}: {exc}", source=str(node))
