"""Helpers shared by the blueprints: the current catalogue and JSON views of results."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request

from mappings.record import Record
from service.catalogue import Catalogue
from service.search.base import Hit, SearchPage

__all__ = ["base_url", "catalogue", "hit_json", "page_json", "record_links"]


def catalogue() -> Catalogue:
    """The app's :class:`Catalogue`."""
    return current_app.extensions["fedcat"]


def base_url() -> str:
    """The public URL of this service: the setting, else the request's host."""
    return catalogue().settings.base_url.rstrip("/") or request.host_url.rstrip("/")


def record_links(record: Record) -> dict[str, str]:
    """Links to the record in the API and in each RDF syntax."""
    quoted = quote(record.record_id, safe="")
    root = base_url()
    links = {"self": f"{root}/api/datasets/{quoted}", "page": f"{root}/datasets/{quoted}"}
    links.update({ext: f"{root}/datasets/{quoted}.{ext}" for ext in ("ttl", "rdf", "jsonld", "nt")})
    return links


def hit_json(hit: Hit) -> dict:
    """One record as the API shows it."""
    record = hit.record
    data = record.to_dict()
    data["id"] = record.record_id
    data["formats"] = list(record.formats)
    data["missing_since"] = hit.missing_since
    data["links"] = record_links(record)
    return data


def page_json(page: SearchPage) -> dict:
    """A search page as ``{total, page, page_size, results, facets}``."""
    query = page.query
    results = []
    for hit in page.hits:
        item = hit_json(hit)
        item["score"] = round(hit.score, 4)
        results.append(item)
    return {
        "total": page.total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, -(-page.total // query.page_size)),
        "sort": query.sort,
        "results": results,
        "facets": {name: [{"value": v.value, "count": v.count} for v in values] for name, values in page.facets.items()},
    }


