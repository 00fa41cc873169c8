"""The harvester seam: a subclass walks a portal's pages, the base class does the rest.

``Harvester.records(report)`` turns every ``dcat:Dataset`` of every page into a
:class:`~mappings.record.Record`, sorting each into done, skipped or failed; a
bad record never stops the run, while a page that cannot be fetched or parsed
raises and so fails the run (and the store then keeps what it had).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Iterator

from rdflib import Graph
from rdflib.term import Node

from harvesters.errors import InvalidRecord, SkipRecord
from harvesters.http import HttpClient, HttpSettings
from harvesters.rdf_parsing import parse_rdf
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.jobs import FailedRecord
from mappings.portals import Portal
from mappings.record import Record

__all__ = ["Harvester", "HarvestReport", "Page", "RDF_ACCEPT"]

RDF_ACCEPT = (
    "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, */*;q=0.1"
)
_MAX_REPORTED_FAILURES = 1000


@dataclass
class Page:
    """One parsed page of a portal's catalogue."""

    url: str
    graph: Graph


@dataclass
class HarvestReport:
    """What a run saw, filled in as records stream out of :meth:`Harvester.records`.

    ``complete`` turns False when paging stopped early (page cap, a loop): the
    store then adds and updates but removes nothing.
    """

    pages: int = 0
    records: int = 0
    skipped: int = 0
    failed: list[FailedRecord] = field(default_factory=list)
    failed_count: int = 0
    warnings: list[str] = field(default_factory=list)
    complete: bool = True

    def fail(self, reason: str, source: str | None) -> None:
        """Note one dataset that could not be mapped (keeps the first thousand reasons)."""
        self.failed_count += 1
        if len(self.failed) < _MAX_REPORTED_FAILURES:
            self.failed.append(FailedRecord(reason=reason, source=source))

    def incomplete(self, warning: str) -> None:
        """Note that the run did not see the whole catalogue."""
        self.complete = False
        self.warnings.append(warning)


class Harvester(ABC):
    """Base of every harvester kind.

    :param portal: the portal to harvest; only its host may be contacted.
    :param http: the HTTP client (tests inject one with a fake sleep).
    :param max_pages: the most pages one run follows.
    """

    kind: ClassVar[str]

    def __init__(self, portal: Portal, http: HttpClient | None = None, *, max_pages: int = 2000) -> None:
        self.portal = portal
        self.http = http or HttpClient(allowed_hosts=frozenset({portal.host}), settings=HttpSettings())
        self.max_pages = max_pages

    @abstractmethod
    def pages(self, report: HarvestReport) -> Iterator[Page]:
        """Yield the portal's catalogue page by page, each as a parsed DCAT graph.

        :param report: to note warnings, or that paging stopped early.
        :returns: an iterator of :class:`Page`; raising fails the run.
        """

    def records(self, report: HarvestReport, *, harvested_at: str | None = None) -> Iterator[Record]:
        """Every record the portal publishes, de-duplicated by id, failures noted in ``report``."""
        seen: set[str] = set()
        for page in self.pages(report):
            report.pages += 1
            for node in dataset_nodes(page.graph):
                record = self._map(page.graph, node, report, harvested_at)
                if record is None or record.record_id in seen:
                    continue
                seen.add(record.record_id)
                report.records += 1
                yield record

    def guid_for(self, graph: Graph, node: Node) -> str | None:
        """A steadier guid than the dataset URI, for portals whose URIs change style; None keeps the default."""
        return None

    def fetch_page(self, url: str, *, accept: str = RDF_ACCEPT) -> Page:
        """GET a URL and parse it as RDF."""
        response = self.http.get(url, headers={"Accept": accept})
        return Page(url=response.url, graph=parse_rdf(response.content, response.media_type, response.url))

    def _map(self, graph: Graph, node: Node, report: HarvestReport, harvested_at: str | None) -> Record | None:
        try:
            return record_from_rdf(
                graph, node, self.portal.id, guid=self.guid_for(graph, node), harvested_at=harvested_at
            )
        except SkipRecord:
            report.skipped += 1
        except InvalidRecord as exc:
            report.fail(str(exc), str(node))
        except Exception as exc:  # noqa: BLE001 - one odd record must never fail the harvest
            report.fail(f"unexpected {exc.__class__.__name__}: {exc}", str(node))
        return None
