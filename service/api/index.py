"""``/api``: a map of the API (also served at ``/`` to clients that ask for JSON)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from service.api.views import catalogue

__all__ = ["blueprint", "api_map"]

blueprint = Blueprint("index", __name__)

#: where each part of the API lives
LINKS = {
    "search": "/api/datasets?q=",
    "dataset": "/api/datasets/<id>",
    "portals": "/api/portals",
    "insights": "/api/insights",
    "insights_csv": "/api/insights.csv",
    "datasets_csv": "/api/datasets.csv?q=",
    "harvest_jobs": "/api/harvest/jobs",
    "catalog": "/catalog (text/turtle, application/rdf+xml, application/ld+json, application/n-triples)",
    "search_page": "/",
    "portal_pages": "/portals",
    "docs": "/api/docs",
    "sitemap": "/sitemap.xml",
    "widget": "/widget.js",
    "embed": "/embed",
}


@blueprint.get("/api")
def api_index():
    """A map of the API (also served at ``/`` to clients that ask for JSON)."""
    return jsonify(api_map())


def api_map() -> dict:
    """The API's name, its record count and its links."""
    return {
        "name": "fedcat",
        "description": "Federated catalogue of French open data",
        "records": catalogue().backend.count(),
        "links": LINKS,
    }
