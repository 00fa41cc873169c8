"""A DKAN (or CKAN) package, as the Action API returns it → DCAT.

DKAN's French habits are read here: dates like ``"jeu, 19/12/2019 - 03:00"``
(sometimes prefixed ``"Date changed"``, sometimes ISO-like), sizes like
``"42 octets"`` or ``"46,88 Ko"``, format names in ``mimetype``, licences as a
URL or a label in ``license_title``, publishers as groups. Descriptions stay
HTML here; the common mapping makes them plain text.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from mappings.sources.dcat_builder import (
    add_agent,
    add_contact,
    add_date,
    add_distribution,
    add_text,
    is_http_url,
    licence_node,
)
from mappings.errors import InvalidRecord, SkipRecord
from mappings.sources.links import is_download_link

__all__ = ["french_datetime", "package_to_dcat", "parse_size", "unwrap_result"]

_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\D+(\d{1,2})[:h](\d{2}))?")
_ISO_LIKE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Z]*)\s*$")
_UNITS = {
    "": 1, "o": 1, "octet": 1, "octets": 1, "b": 1, "byte": 1, "bytes": 1,
    "ko": 1024, "kb": 1024, "kio": 1024, "kib": 1024,
    "mo": 1024**2, "mb": 1024**2, "mio": 1024**2, "mib": 1024**2,
    "go": 1024**3, "gb": 1024**3, "gio": 1024**3, "gib": 1024**3,
    "to": 1024**4, "tb": 1024**4,
}  # fmt: skip
_HIDDEN_STATES = frozenset({"deleted", "draft"})


def unwrap_result(result: Any) -> Any:
    """``package_show``'s result: DKAN wraps the package in a one-element array, CKAN does not."""
    if isinstance(result, list) and len(result) == 1 and isinstance(result[0], dict):
        return result[0]
    return result


def french_datetime(value: Any) -> str | None:
    """An ISO 8601 date-time from DKAN's French or ISO-like dates; None when there is no date."""
    text = str(value or "")
    match = _ISO_LIKE.search(text)
    if match:
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    else:
        match = _DAY_FIRST.search(text)
        if not match:
            return None
        day, month, year, hour, minute = (int(g) if g else 0 for g in match.groups())
        second = 0
    try:
        return datetime(year, month, day, hour, minute, second).isoformat()
    except ValueError:
        return None


def parse_size(value: Any) -> int | None:
    """Bytes from ``"42 octets"``, ``"46,88 Ko"``, ``"1.2 MB"`` or a number; None when unreadable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if value >= 0 else None
    match = _SIZE.match(str(value or ""))
    if not match or match.group(2).lower() not in _UNITS:
        return None
    return int(float(match.group(1).replace(",", ".")) * _UNITS[match.group(2).lower()])


def package_to_dcat(graph: Graph, package: Any, portal_url: str) -> Node:
    """Add the dataset a package describes to ``graph``.

    :raises InvalidRecord: when the package is not an object with an id or a name.
    :raises SkipRecord: for deleted and draft packages.
    """
    if not isinstance(package, dict) or not (package.get("id") or package.get("name")):
        raise InvalidRecord("package is not an object with an id or a name")
    if str(package.get("state") or "active").lower() in _HIDDEN_STATES:
        raise SkipRecord(f"package state is {package.get('state')}")
    node = URIRef(_dataset_iri(package, portal_url))
    graph.add((node, RDF.type, DCAT.Dataset))
    add_text(graph, node, DCTERMS.identifier, str(package.get("id") or package.get("name")))
    add_text(graph, node, DCTERMS.title, _string(package.get("title")))
    add_text(graph, node, DCTERMS.description, _string(package.get("notes")))
    for tag in package.get("tags") or []:
        add_text(graph, node, DCAT.keyword, _string(tag.get("name") if isinstance(tag, dict) else tag))
    add_date(graph, node, DCTERMS.issued, french_datetime(package.get("metadata_created")))
    modified = package.get("metadata_modified") or package.get("revision_timestamp")
    add_date(graph, node, DCTERMS.modified, french_datetime(modified))
    if is_http_url(_string(package.get("url"))):
        graph.add((node, DCAT.landingPage, URIRef(package["url"].strip())))
    _agents(graph, node, package)
    licence = _licence(graph, package)
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    for resource in package.get("resources") or []:
        if isinstance(resource, dict):
            _resource(graph, node, resource, licence)
    return node


def _dataset_iri(package: dict, portal_url: str) -> str:
    """The package's page: its ``url`` when that is a clean link, else ``{portal}/dataset/{name}``."""
    url = _string(package.get("url"))
    if is_http_url(url) and "?" not in url and "/dataset/" in url:
        return url
    return f"{portal_url.rstrip('/')}/dataset/{package.get('name') or package.get('id')}"


def _agents(graph: Graph, node: Node, package: dict) -> None:
    groups = [g for g in package.get("groups") or [] if isinstance(g, dict) and g.get("title")]
    organization = package.get("organization") if isinstance(package.get("organization"), dict) else {}
    contact_name = _string(package.get("maintainer")) or _string(package.get("author"))
    email = _string(package.get("maintainer_email")) or _string(package.get("author_email"))
    publisher = _string(groups[0]["title"]) if groups else _string(organization.get("title")) or contact_name
    if publisher:
        add_agent(graph, node, DCTERMS.publisher, publisher)
    if contact_name or email:
        add_contact(graph, node, contact_name or publisher or email, email=email)


def _licence(graph: Graph, package: dict) -> Node | None:
    url = _string(package.get("license_url"))
    label = _string(package.get("license_title")) or _string(package.get("license_id"))
    return licence_node(graph, label, url if is_http_url(url) else None)


def _resource(graph: Graph, node: Node, resource: dict, licence: Node | None) -> None:
    url = _string(resource.get("url"))
    if not is_http_url(url):
        return
    mimetype = _string(resource.get("mimetype"))
    add_distribution(
        graph,
        node,
        access_url=url,
        download_url=url if is_download_link(url, _string(resource.get("format")) or mimetype) else None,
        title=_string(resource.get("name")),
        description=_string(resource.get("description")),
        format=_string(resource.get("format")) or (mimetype if "/" not in mimetype else None),
        media_type=mimetype if "/" in mimetype else None,
        byte_size=parse_size(resource.get("size")),
        issued=french_datetime(resource.get("created")),
        modified=french_datetime(resource.get("last_modified")),
        licence=licence,
        uri=f"{node}/resource/{resource['id']}" if resource.get("id") else None,
    )


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
