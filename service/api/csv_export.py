"""CSV for BI tools and spreadsheets: UTF-8 with a BOM (Excel reads the accents right), ``,`` or ``;``.

Rows are written as they are produced, so a large export streams instead of
sitting in memory.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Iterable, Iterator

from flask import Response, stream_with_context

from mappings.quality import DIMENSIONS
from mappings.record import Record
from service.api.views import record_links
from service.schemas import MAX_RESULT_WINDOW
from service.search.base import SearchBackend, SearchQuery

__all__ = ["DATASET_COLUMNS", "csv_response", "dataset_row", "dataset_rows", "insight_rows"]

BOM = "\ufeff"
#: The columns of /api/datasets.csv, in order.
DATASET_COLUMNS = (
    "id", "portal", "title", "publisher", "eu_themes", "themes", "keywords", "license", "formats",
    "distributions", "issued", "modified", "frequency", "overdue", "link_status", "quality",
    "landing_page", "page", "api",
)
_LIST_SEPARATOR = " | "


def csv_response(rows: Iterable[list], filename: str, sep: str) -> Response:
    """A streamed ``text/csv`` download: the BOM, then the rows."""
    response = Response(stream_with_context(_lines(rows, sep)), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _lines(rows: Iterable[list], sep: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    buffer.write(BOM)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % 200 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def dataset_rows(backend: SearchBackend, query: SearchQuery, *, all_pages: bool) -> tuple[Iterator[list], int]:
    """The header and one row per result, and how many results matched.

    ``all_pages`` walks the result pages up to the result window, or, for a query that filters
    nothing, every stored record (no window; each portal's copy of a dataset gets its own row);
    otherwise only the query's page.
    """
    if all_pages and _whole_catalogue(query):
        return _every_record(backend), backend.count()
    first = backend.search(query)

    def rows() -> Iterator[list]:
        yield list(DATASET_COLUMNS)
        page = first
        while True:
            yield from (dataset_row(hit.record) for hit in page.hits)
            next_page = page.query.page + 1
            if not all_pages or not page.hits or page.query.page * page.query.page_size >= min(page.total, MAX_RESULT_WINDOW):
                return
            page = backend.search(_page(query, next_page))

    return rows(), first.total


def _page(query: SearchQuery, page: int) -> SearchQuery:
    return replace(query, page=page)


def _whole_catalogue(query: SearchQuery) -> bool:
    """True for a query with no text, filter, range or sort: the export is then the whole catalogue."""
    unfiltered = replace(SearchQuery(), page=query.page, page_size=query.page_size, facet_size=query.facet_size)
    return query == unfiltered


def _every_record(backend: SearchBackend) -> Iterator[list]:
    yield list(DATASET_COLUMNS)
    yield from (dataset_row(record) for record in backend.iter_records())


def dataset_row(record: Record) -> list:
    """One dataset as a flat row (lists joined with `` | ``)."""
    links = record_links(record)
    return [
        record.record_id,
        record.portal_id,
        record.title,
        record.publisher.name if record.publisher else "",
        _LIST_SEPARATOR.join(t.label_fr for t in record.eu_themes),
        _LIST_SEPARATOR.join(t.label for t in record.themes),
        _LIST_SEPARATOR.join(record.keywords),
        _LIST_SEPARATOR.join(c.label for c in record.licenses),
        _LIST_SEPARATOR.join(record.formats),
        len(record.distributions),
        record.issued or "",
        record.modified or "",
        record.frequency.label if record.frequency else "",
        "" if record.overdue is None else ("true" if record.overdue else "false"),
        record.link_status or "",
        "" if record.quality is None else record.quality,
        record.landing_page or "",
        links["page"],
        links["self"],
    ]


def insight_rows(portals: list[dict]) -> Iterator[list]:
    """The header and one row per portal's figures (the totals row has portal ``*``)."""
    columns = (
        ["portal", "name", "datasets", "quality"]
        + [f"dimension_{d}" for d in DIMENSIONS]
        + ["open_license_pct", "machine_readable_pct"]
        + [f"datasets_links_{s}" for s in ("ok", "wrong_type", "broken", "unchecked")]
        + [f"urls_{s}" for s in ("ok", "wrong_type", "broken", "unchecked")]
        + [f"freshness_{s}" for s in ("fresh", "overdue", "unknown")]
        + ["only_here", "also_on_reference", "only_on_reference", "top_problem"]
    )
    yield columns
    for p in portals:
        yield (
            [p["portal"], p["name"], p["datasets"], _blank(p["quality"])]
            + [_blank(p["dimensions"][d]) for d in DIMENSIONS]
            + [_blank(p["open_license"]), _blank(p["machine_readable"])]
            + list(p["datasets_by_link_status"].values())
            + list(p["urls"].values())
            + list(p["freshness"].values())
            + [_blank(p["reference"][k]) for k in ("only_here", "shared", "only_on_reference")]
            + [p["problems"][0]["problem"] if p["problems"] else ""]
        )


def _blank(value) -> object:
    return "" if value is None else value
