"""``/sitemap.xml``: the addresses search engines should crawl (sitemaps.org protocol 0.9).

Dataset pages carry schema.org ``Dataset`` JSON-LD, which dataset search engines
read; the sitemap lists every one of them with its last modification date, plus the
search page and the portal pages. A sitemap holds at most 50,000 addresses, so a
larger catalogue is split into pages listed by a sitemap index.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Response

from service.api.views import catalogue
from service.errors import RecordNotFound

__all__ = ["SITEMAP_LIMIT", "render_sitemap"]

SITEMAP_LIMIT = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def render_sitemap(root: str, page_text: str) -> Response:
    """The sitemap (or, for a catalogue of several sitemaps, the index on page 1, each page at ``?page=N``)."""
    total = catalogue().backend.count()
    pages = max(1, -(-total // SITEMAP_LIMIT))
    if not page_text and pages > 1:
        return _xml(_index(root, pages))
    page = int(page_text) if page_text.isdigit() else 1
    if not 1 <= page <= pages:
        raise RecordNotFound(f"No sitemap page {page_text!r}; there are {pages}.")
    fixed = _fixed_pages(root) if page == 1 else []
    return _xml(_urlset(fixed + list(_dataset_entries(root, (page - 1) * SITEMAP_LIMIT))))


def _fixed_pages(root: str) -> list[tuple[str, str | None]]:
    return [(f"{root}/", None), (f"{root}/portals", None)] + [
        (f"{root}/portals/{quote(p.id, safe='')}", None) for p in catalogue().portals
    ]


def _dataset_entries(root: str, offset: int) -> Iterable[tuple[str, str | None]]:
    for record in catalogue().backend.iter_records(offset=offset, limit=SITEMAP_LIMIT):
        changed = record.modified or record.harvested_at
        yield f"{root}/datasets/{quote(record.record_id, safe='')}", str(changed)[:10] if changed else None


def _urlset(entries: Iterable[tuple[str, str | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    for location, changed in entries:
        lastmod = f"<lastmod>{escape(changed)}</lastmod>" if changed else ""
        lines.append(f"  <url><loc>{escape(location)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _index(root: str, pages: int) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    lines += [f"  <sitemap><loc>{escape(root)}/sitemap.xml?page={n}</loc></sitemap>" for n in range(1, pages + 1)]
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def _xml(text: str) -> Response:
    return Response(text, mimetype="application/xml")
