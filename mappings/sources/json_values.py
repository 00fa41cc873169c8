"""Reading values out of portal JSON (CKAN and DKAN packages, DCAT-US entries) without trusting their types."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from mappings.sources.dcat_builder import is_http_url, licence_node

__all__ = ["compact_json", "package_licence", "string_value"]


def string_value(value: Any) -> str:
    """``value`` trimmed when it is a string, else ``""`` (portals put numbers, nulls and lists anywhere)."""
    return value.strip() if isinstance(value, str) else ""


def compact_json(text: str) -> str:
    """A JSON text without its spaces (a GeoJSON extra read as a geometry literal); other text unchanged."""
    try:
        return json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        return text


def package_licence(graph: Graph, package: dict) -> Node | None:
    """The licence node of a CKAN-style package: its ``license_title`` (or id) and ``license_url``."""
    url = string_value(package.get("license_url"))
    label = string_value(package.get("license_title")) or string_value(package.get("license_id"))
    return licence_node(graph, label, url if is_http_url(url) else None)
