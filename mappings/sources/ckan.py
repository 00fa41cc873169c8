"""CKAN packages (Action API ``package_search`` / ``package_show``) → DCAT.

Mapped the way ckanext-dcat's own serializer reads a package, so that a CKAN
portal harvested through its API says what its ``/catalog.ttl`` would:

* the dataset IRI is ``{portal}/dataset/{id}`` and its ``dct:identifier`` the
  package id (a package keeps it when its name changes); the landing page is
  ``{portal}/dataset/{name}``;
* ``tags`` are keywords, ``groups`` themes (``{portal}/group/{name}``), the
  ``organization`` the publisher (``{portal}/organization/{name}``), the
  maintainer (else the author) the contact point;
* ``license_id`` is resolved to its canonical licence (CKAN's ids: ``cc-by``,
  ``odc-odbl``, ``lo-2``…), else ``license_title`` / ``license_url`` are kept;
* ``resources`` are distributions (a download URL only when the link gets a file);
* ckanext-fluent's ``title_translated`` / ``notes_translated`` keep their languages;
* ckanext-spatial's ``spatial`` extra (GeoJSON) is the dataset's geometry.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from mappings.errors import InvalidRecord, SkipRecord
from mappings.sources.dcat_builder import (
    add_agent,
    add_concept,
    add_contact,
    add_date,
    add_distribution,
    add_text,
    is_http_url,
    licence_node,
)
from mappings.sources.links import is_download_link
from mappings.vocab import LOCN
from mappings.vocabularies import UNKNOWN_LICENSE, canonical_license

__all__ = ["package_to_dcat"]

_HIDDEN_STATES = frozenset({"deleted", "draft"})


def package_to_dcat(graph: Graph, package: Any, base: str) -> Node:
    """Write one CKAN package as a ``dcat:Dataset`` of ``graph``.

    :param base: the portal's root URL, from which CKAN's own IRIs are built.
    :raises SkipRecord: for a deleted, draft or private package.
    :raises InvalidRecord: for something that is no package (no id).
    """
    if not isinstance(package, dict) or not _string(package.get("id")):
        raise InvalidRecord("not a CKAN package (no id)")
    if package.get("state") in _HIDDEN_STATES or package.get("private") is True:
        raise SkipRecord(f"package {package['id']} is {package.get('state') or 'private'}")
    base = base.rstrip("/")
    node = URIRef(f"{base}/dataset/{package['id']}")
    graph.add((node, RDF.type, DCAT.Dataset))
    add_text(graph, node, DCTERMS.identifier, package["id"])
    _texts(graph, node, package)
    if _string(package.get("name")):
        graph.add((node, DCAT.landingPage, URIRef(f"{base}/dataset/{package['name']}")))
    extras = _extras(package)
    add_date(graph, node, DCTERMS.issued, extras.get("issued") or _string(package.get("metadata_created")))
    add_date(graph, node, DCTERMS.modified, extras.get("modified") or _string(package.get("metadata_modified")))
    _vocabularies(graph, node, package, base)
    _agents(graph, node, package, base)
    _coverage(graph, node, extras)
    licence = _licence(graph, package)
    if licence is not None:
        graph.add((node, DCTERMS.license, licence))
    for resource in package.get("resources") or []:
        if isinstance(resource, dict) and resource.get("state") not in _HIDDEN_STATES:
            _resource(graph, node, resource, licence)
    return node


def _texts(graph: Graph, node: Node, package: dict) -> None:
    """Title and description, in every language ckanext-fluent gives, else as plain text."""
    for field, predicate, plain in (("title", DCTERMS.title, "title"), ("notes", DCTERMS.description, "notes")):
        translated = package.get(f"{field}_translated")
        if isinstance(translated, dict) and any(_string(v) for v in translated.values()):
            for lang, text in translated.items():
                if _string(text):
                    graph.add((node, predicate, Literal(_string(text), lang=str(lang))))
        else:
            add_text(graph, node, predicate, _string(package.get(plain)))


def _vocabularies(graph: Graph, node: Node, package: dict, base: str) -> None:
    for tag in package.get("tags") or []:
        name = _string(tag.get("display_name")) or _string(tag.get("name")) if isinstance(tag, dict) else _string(tag)
        add_text(graph, node, DCAT.keyword, name)
    for group in package.get("groups") or []:
        if isinstance(group, dict) and (_string(group.get("title")) or _string(group.get("name"))):
            label = _string(group.get("title")) or _string(group.get("display_name")) or _string(group.get("name"))
            uri = f"{base}/group/{group['name']}" if _string(group.get("name")) else None
            add_concept(graph, node, DCAT.theme, label, uri)


def _agents(graph: Graph, node: Node, package: dict, base: str) -> None:
    organization = package.get("organization") if isinstance(package.get("organization"), dict) else {}
    name = _string(organization.get("title")) or _string(organization.get("name"))
    if name:
        uri = f"{base}/organization/{organization['name']}" if _string(organization.get("name")) else None
        add_agent(graph, node, DCTERMS.publisher, name, uri=uri)
    elif _extras(package).get("publisher_name"):  # ckanext-dcat keeps a harvested publisher in extras
        extras = _extras(package)
        add_agent(graph, node, DCTERMS.publisher, extras["publisher_name"], email=extras.get("publisher_email"))
    contact = _string(package.get("maintainer")) or _string(package.get("author"))
    email = _string(package.get("maintainer_email")) or _string(package.get("author_email"))
    if contact or email:
        add_contact(graph, node, contact or email, email=email)


def _coverage(graph: Graph, node: Node, extras: dict[str, str]) -> None:
    if extras.get("spatial", "").startswith("{"):
        location = BNode()
        graph.add((node, DCTERMS.spatial, location))
        graph.add((location, RDF.type, DCTERMS.Location))
        graph.add((location, LOCN.geometry, Literal(_compact_json(extras["spatial"]))))
    for language in (extras.get("language") or "").split(","):
        add_text(graph, node, DCTERMS.language, language)
    add_text(graph, node, DCTERMS.accrualPeriodicity, extras.get("frequency"))


def _licence(graph: Graph, package: dict) -> Node | None:
    """The canonical licence of CKAN's ``license_id``, else its title and URL as given."""
    info = canonical_license(_string(package.get("license_id")))
    if info is not None and info.id != UNKNOWN_LICENSE and (info.uri or info.url):
        return licence_node(graph, info.label, info.uri or info.url)
    url = _string(package.get("license_url"))
    label = _string(package.get("license_title")) or _string(package.get("license_id"))
    return licence_node(graph, label, url if is_http_url(url) else None)


def _resource(graph: Graph, node: Node, resource: dict, licence: Node | None) -> None:
    url = _string(resource.get("url"))
    if not is_http_url(url):
        return
    fmt, mimetype = _string(resource.get("format")), _string(resource.get("mimetype"))
    size = resource.get("size")
    add_distribution(
        graph,
        node,
        access_url=url,
        download_url=url if is_download_link(url, fmt or mimetype) else None,
        title=_string(resource.get("name")),
        description=_string(resource.get("description")),
        format=fmt or None,
        media_type=mimetype if "/" in mimetype else None,
        byte_size=size if isinstance(size, int) and size >= 0 else None,
        issued=_string(resource.get("created")),
        modified=_string(resource.get("last_modified")),
        licence=licence,
        uri=f"{node}/resource/{resource['id']}" if _string(resource.get("id")) else None,
    )


def _extras(package: dict) -> dict[str, str]:
    """CKAN's free ``extras`` as a dict; ckanext-dcat's ``dcat_``-prefixed keys under their plain names."""
    found: dict[str, str] = {}
    for extra in package.get("extras") or []:
        if isinstance(extra, dict) and _string(extra.get("key")) and isinstance(extra.get("value"), str):
            found[extra["key"].strip().removeprefix("dcat_")] = extra["value"].strip()
    return found


def _compact_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        return text


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
