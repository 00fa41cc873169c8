"""The Flask application factory: ``gunicorn 'service.app:create_app()'``."""

from __future__ import annotations

from flask import Flask, jsonify

from service.api import export, portals, search
from service.catalogue import Catalogue
from service.config import Settings
from service.errors import register_error_handlers

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
    register_error_handlers(app)
    for module in (search, portals, export):
        app.register_blueprint(module.blueprint)

    @app.get("/")
    def index():
        """A map of the API."""
        return jsonify(
            {
                "name": "fedcat",
                "description": "Federated catalogue of French open data",
                "records": catalogue.backend.count(),
                "links": {
                    "search": "/api/datasets?q=",
                    "dataset": "/api/datasets/<id>",
                    "portals": "/api/portals",
                    "harvest_jobs": "/api/harvest/jobs",
                    "catalog": "/catalog (text/turtle, application/rdf+xml, application/ld+json, application/n-triples)",
                },
            }
        )

    return app
