"""``fedcat export``: the whole catalogue as one RDF document, written page by page.

Memory holds one page of records and its triples at a time, never the whole
catalogue. Each page is written by the export profiles into a page sink exactly as
``/catalog`` writes one, but as a page of a single page covering the whole
catalogue (``hydra:totalItems`` is the full count, first = last = the export),
so the catalogue's own triples are identical on every page and the merged
document is the graph of the whole catalogue. Each page's blank nodes carry a
random label prefix, so labels from different pages never collide.

How pages are stitched into one correct document, per syntax:

* N-Triples: line-based; pages are concatenated.
* Turtle: ``@prefix`` directives may appear anywhere between statements; each
  page's prefixes are written the first time they appear, then its statements.
* RDF/XML: one ``rdf:RDF`` root; each page's top-level node elements are
  re-emitted from a parse of rdflib's output, each declaring the namespaces it uses.
* JSON-LD: one ``{"@context", "@graph"}`` object; every page is compacted with
  the same context and its node objects are appended to ``@graph`` (objects
  with the same ``@id`` on several pages merge, as JSON-LD specifies).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from itertools import islice
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph

from mappings.profiles.base import CatalogInfo, CatalogPage, catalog_sink
from mappings.profiles.jsonld_writer import compact_jsonld
from mappings.profiles.sink import PageSink
from mappings.record import Record
from service.catalogue import Catalogue
from service.export_pool import TEXT_EXTENSIONS, PageJob, export_workers, rendered_in_order
from service.rdf_formats import RdfFormat, serialize_sink

__all__ = ["PAGE_SIZE", "PageWriter", "export_catalogue", "writer_for"]

#: records per page: a page graph of this size takes a few MiB at most
PAGE_SIZE = 500
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_ROOT_START = re.compile(rb"<rdf:RDF(?:\s+[^\s=>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*>")
_DIRECTIVE = re.compile(rb"^\s*(@prefix|@base|PREFIX\s|BASE\s)", re.IGNORECASE)


class PageWriter:
    """Writes one RDF document from page sinks: :meth:`begin`, :meth:`page` per page, :meth:`end`."""

    def __init__(self, out: BinaryIO, fmt: RdfFormat) -> None:
        self.out = out
        self.fmt = fmt

    def begin(self) -> None:
        """Write what comes before the first page."""

    def page(self, sink: PageSink) -> None:
        """Write one page (N-Triples: pages simply follow each other)."""
        self.rendered(serialize_sink(sink, self.fmt))

    def rendered(self, data: bytes) -> None:
        """Write one page already serialised in this writer's syntax (N-Triples and Turtle only)."""
        self.out.write(data)

    def end(self) -> None:
        """Write what comes after the last page."""


class TurtleWriter(PageWriter):
    """Turtle: each prefix declared once, before the first statement that may use it."""

    def __init__(self, out: BinaryIO, fmt: RdfFormat) -> None:
        super().__init__(out, fmt)
        self._declared: set[bytes] = set()

    def rendered(self, data: bytes) -> None:
        """The page's new prefix directives, then its statements."""
        lines = data.splitlines(keepends=True)
        directives = 0
        while directives < len(lines) and _is_directive(lines[directives]):
            directives += 1
        for line in lines[:directives]:
            if line.strip() not in self._declared:
                self._declared.add(line.strip())
                self.out.write(line)
        self.out.writelines(lines[directives:])
        self.out.write(b"\n")


class RdfXmlWriter(PageWriter):
    """RDF/XML: one root, the node elements of every page inside it.

    The root is the first page's: its namespace declarations are all the
    graph's bindings, the same on every page, so a page whose root matches is
    copied as it is. Any other page is parsed and its node elements re-emitted,
    each declaring the namespaces it uses.
    """

    def __init__(self, out: BinaryIO, fmt: RdfFormat) -> None:
        super().__init__(out, fmt)
        self._root: bytes | None = None

    def page(self, sink: PageSink) -> None:
        """The page's node elements inside the one root."""
        # every namespace the export binds, declared the same on every page: each page fits the first root
        data = serialize_sink(sink, self.fmt, dict(sorted(sink.prefixes.items())))
        split = _split_root(data)
        if self._root is None:
            self._root = split[0] if split else f'<rdf:RDF xmlns:rdf="{_RDF_NS}">'.encode()
            self.out.write(b'<?xml version="1.0" encoding="utf-8"?>\n' + self._root + b"\n")
        if split is not None and split[0] == self._root:
            self.out.write(split[1])
        else:
            self._reemit(data)

    def end(self) -> None:
        """Close the root element."""
        self.out.write(b"</rdf:RDF>\n")

    def _reemit(self, data: bytes) -> None:
        root = ET.fromstring(data)  # our own serialisation: no DTD, no entities
        for node in root:
            node.tail = None
            self.out.write(ET.tostring(node, encoding="utf-8", xml_declaration=False) + b"\n")


class JsonLdWriter(PageWriter):
    """JSON-LD: one context, every page's node objects in one ``@graph``."""

    def __init__(self, out: BinaryIO, fmt: RdfFormat) -> None:
        super().__init__(out, fmt)
        self._context: dict[str, str] | None = None
        self._nodes = 0

    def page(self, sink: PageSink) -> None:
        """The page's node objects, compacted with the context of the first page."""
        if self._context is None:
            self._context = dict(sorted(sink.prefixes.items()))
            self.out.write(b'{"@context": ' + _json(self._context) + b',\n "@graph": [\n')
        document = json.loads(compact_jsonld(sink.oxigraph(pyoxigraph.RdfFormat.JSON_LD, {}), self._context))
        for node in _node_objects(document):
            self.out.write((b",\n" if self._nodes else b"") + _json(node))
            self._nodes += 1

    def end(self) -> None:
        """Close ``@graph`` (or write an empty document when there was no page)."""
        if self._context is None:
            self.out.write(b'{"@graph": [')
        self.out.write(b"\n]}\n")


_WRITERS: dict[str, type[PageWriter]] = {"ttl": TurtleWriter, "rdf": RdfXmlWriter, "jsonld": JsonLdWriter, "nt": PageWriter}


def writer_for(fmt: RdfFormat, out: BinaryIO) -> PageWriter:
    """The page writer of an RDF format."""
    return _WRITERS[fmt.extension](out, fmt)


def export_catalogue(
    catalogue: Catalogue,
    fmt: RdfFormat,
    out: BinaryIO,
    *,
    base_url: str,
    page_size: int = PAGE_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write the whole catalogue to ``out`` in ``fmt``, one page of records at a time.

    :param on_progress: called with (records written, total) after each page.
    :param workers: processes writing N-Triples or Turtle pages (``service.export_pool``);
        default: :func:`~service.export_pool.export_workers`, 0 for none.
    :returns: how many records were written.
    """
    total = catalogue.backend.count()
    workers = export_workers(total, fmt.extension) if workers is None else workers
    job = PageJob(
        records=[], info=CatalogInfo(base_url=base_url), total=total, whole=f"{base_url.rstrip('/')}/catalog.{fmt.extension}",
        modified=catalogue.last_modified(), profiles=tuple(catalogue.settings.export_profiles), extension=fmt.extension,
    )
    writer = writer_for(fmt, out)
    writer.begin()
    written = 0
    for count in _write_pages(catalogue, writer, job, page_size, workers):
        written += count
        if on_progress is not None:
            on_progress(written, total)
    writer.end()
    return written


def _write_pages(catalogue: Catalogue, writer: PageWriter, job: PageJob, page_size: int, workers: int) -> Iterator[int]:
    """Write every page (in this process, or by ``workers`` processes); yield each page's record count."""
    if workers and job.extension in TEXT_EXTENSIONS:
        jobs = (replace(job, records=texts) for texts in _pages(catalogue.backend.iter_record_json(), page_size))
        for done, data in rendered_in_order(jobs, workers):
            writer.rendered(data)
            yield len(done.records)
        return
    for records in _pages(catalogue.backend.iter_records(), page_size):
        page = CatalogPage(
            info=job.info, records=records, total=job.total, page=1, page_size=max(job.total, 1),
            page_url=lambda n: job.whole, modified=job.modified,
        )
        writer.page(catalog_sink(page, catalogue.profiles))
        yield len(records)


def _pages(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    """Pages of ``size`` records; one empty page for an empty catalogue (which is still described).

    One pass over the store's stable order: OFFSET paging would re-read the skipped rows for every page.
    """
    iterator = iter(records)
    page = list(islice(iterator, size))
    yield page
    while page := list(islice(iterator, size)):
        yield page


def _split_root(document: bytes) -> tuple[bytes, bytes] | None:
    """``(root start tag, content)`` of an RDF/XML document whose root is ``rdf:RDF``, else None."""
    start = _ROOT_START.search(document)
    end = document.rfind(b"</rdf:RDF>")
    if start is None or end < start.end():
        return None
    return start.group(0), document[start.end() : end]


def _is_directive(line: bytes) -> bool:
    return _DIRECTIVE.match(line) is not None


def _node_objects(document: dict | list) -> list[dict]:
    """The node objects of a compacted JSON-LD document (a ``@graph``, or one top-level node)."""
    if isinstance(document, list):
        return document
    if "@graph" in document:
        return document["@graph"]
    node = {k: v for k, v in document.items() if k != "@context"}
    return [node] if node else []


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
