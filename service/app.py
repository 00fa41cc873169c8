"""The Flask application factory: ``gunicorn 'service.app:create_app()'``."""

from __future__ import annotations

from flask import Flask, jsonify

from service.api import admin, export, health, insights, openapi, opensearch, pages, portals, search
from service.catalogue import Catalogue
from service.config import Settings
from service.errors import register_error_handlers
from service.http_hygiene import install as install_http_hygiene
from service.security import install as install_security
from service.security import install_response_ceiling
from service.logging_ import configure_logging, install_request_id
from service.metrics import install_request_metrics

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, *, catalogue: Catalogue | None = None) -> Flask:
    """Build the app from settings (``FEDCAT_*`` variables when none are given).

    :param catalogue: an already built catalogue (the demo and tests share one).
    """
    app = Flask(__name__)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    catalogue = catalogue or Catalogue(settings or Settings.from_env())
    app.extensions["fedcat"] = catalogue
    configure_logging(catalogue.settings.log_format, catalogue.settings.log_level)
    install_request_id(app)
    install_request_metrics(app)
    register_error_handlers(app)
    install_security(app, catalogue.settings)
    install_http_hygiene(app, cors_origins=catalogue.settings.cors_origins, max_age=catalogue.settings.cache_max_age)
    install_response_ceiling(app)  # after the compression hook, so that it runs before it
    for module in (search, portals, export, openapi, opensearch, pages, health, insights):
        app.register_blueprint(module.blueprint)
    admin.install(app, catalogue)

    @app.get("/api")
    def api_index():
        """A map of the API (also served at ``/`` to clients that ask for JSON)."""
        return jsonify(
            {
                "name": "fedcat",
                "description": "Federated catalogue of French open data",
                "records": catalogue.backend.count(),
                "links": {
                    "search": "/api/datasets?q=",
                    "dataset": "/api/datasets/<id>",
                    "portals": "/api/portals",
                    "insights": "/api/insights",
                    "insights_csv": "/api/insights.csv",
                    "datasets_csv": "/api/datasets.csv?q=",
                    "harvest_jobs": "/api/harvest/jobs",
                    "catalog": "/catalog (text/turtle, application/rdf+xml, application/ld+json, application/n-triples)",
                    "search_page": "/",
                    "widget": "/widget.js",
                    "embed": "/embed",
                },
            }
        )

    return app
