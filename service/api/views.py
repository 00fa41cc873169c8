"""Helpers shared by the blueprints: the current catalogue and the public URL it builds links under."""

from __future__ import annotations

from flask import current_app, request

from mappings.record import Record
from service import results
from service.catalogue import Catalogue

__all__ = ["base_url", "catalogue", "record_links"]


def catalogue() -> Catalogue:
    """The app's :class:`Catalogue`."""
    return current_app.extensions["fedcat"]


def base_url() -> str:
    """The public URL of this service: the setting, else the request's host."""
    return catalogue().settings.base_url.rstrip("/") or request.host_url.rstrip("/")


def record_links(record: Record) -> dict[str, str]:
    """Links to the record in the API and in each RDF syntax."""
    return results.record_links(record, base_url())
