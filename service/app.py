"""The Flask application factory: ``gunicorn 'service.app:create_app()'``."""

from __future__ import annotations

from flask import Flask

from service.api import admin, export, health, index, insights, openapi, opensearch, pages, portal_pages, portals, search
from service.catalogue import Catalogue
from service.config import Settings
from service.errors import register_error_handlers
from service.http_hygiene import install as install_http_hygiene
from service.security import install as install_security
from service.security import install_response_ceiling
from service.logging_ import configure_logging, install_request_id
from service.json_bodies import OrjsonProvider
from service.metrics import install_request_metrics

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, *, catalogue: Catalogue | None = None) -> Flask:
    """Build the app from settings (``FEDCAT_*`` variables when none are given).

    :param catalogue: an already built catalogue (the demo and tests share one).
    """
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    catalogue = catalogue or Catalogue(settings or Settings.from_env())
    app.extensions["fedcat"] = catalogue
    configure_logging(catalogue.settings.log_format, catalogue.settings.log_level)
    install_request_id(app)
    install_request_metrics(app)
    register_error_handlers(app)
    install_security(app, catalogue.settings)
    install_http_hygiene(app, cors_origins=catalogue.settings.cors_origins, max_age=catalogue.settings.cache_max_age)
    install_response_ceiling(app)  # after the compression hook, so that it runs before it
    for module in (index, search, portals, export, openapi, opensearch, pages, portal_pages, health, insights):
        app.register_blueprint(module.blueprint)
    admin.install(app, catalogue)

    return app
