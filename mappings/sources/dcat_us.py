"""DCAT-US 1.1 (Project Open Data ``data.json``: ArcGIS Hub, Socrata, DKAN) → DCAT.

Each entry of the catalogue's ``dataset`` array becomes a ``dcat:Dataset``
(a blank node: its guid is its ``identifier``). What DCAT-US says differently:

* ``accessLevel`` (public, restricted public, non-public) is ``dct:accessRights``,
  as the EU access-right authority's terms;
* ``spatial`` is a bounding box ``west,south,east,north``, a GeoJSON geometry or a
  place name (ArcGIS Hub leaves ``{{extent:computeSpatialProperty}}`` unfilled);
* ``temporal`` is an ISO 8601 interval (``2000-01-15/2010-01-15``,
  ``R/2000-01-15/P1M``, ``2000-01-15T00:00:00Z/P1W``);
* ``license`` is a URL, or text (ArcGIS Hub: HTML naming the licence and its URL);
* ``contactPoint`` is a vCard with ``fn`` and ``hasEmail`` (ArcGIS Hub writes ``email``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from mappings.errors import InvalidRecord
from mappings.jobs import FailedRecord
from mappings.sources.dcat_builder import (
    add_agent,
    add_bbox,
    add_concept,
    add_contact,
    add_date,
    add_distribution,
    add_period,
    add_text,
    is_http_url,
    licence_node,
)
from mappings.sources.links import is_download_link
from mappings.text import html_to_text, looks_like_html
from mappings.vocab import LOCN

__all__ = ["ACCESS_LEVELS", "catalog_to_dcat", "dataset_to_dcat"]

_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"
#: DCAT-US accessLevel → (EU access-right term, French label)
ACCESS_LEVELS = {
    "public": ("PUBLIC", "Public"),
    "restricted public": ("RESTRICTED", "Restreint"),
    "non-public": ("NON_PUBLIC", "Non public"),
}
_BBOX = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_DATE_START = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def catalog_to_dcat(document: Any) -> tuple[Graph, list[FailedRecord]]:
    """The DCAT graph of a ``data.json`` catalogue, and the entries that could not be read.

    :raises InvalidRecord: when the document is no DCAT-US catalogue (no ``dataset`` array).
    """
    datasets = document.get("dataset") if isinstance(document, dict) else None
    if not isinstance(datasets, list):
        raise InvalidRecord("not a DCAT-US catalogue: no 'dataset' array")
    graph, failures = Graph(), []
    for number, entry in enumerate(datasets, start=1):
        source = _string(entry.get("identifier")) if isinstance(entry, dict) else ""
        try:
            if not isinstance(entry, dict):
                raise InvalidRecord("a dataset entry that is not an object")
            one = Graph()
            dataset_to_dcat(one, entry)
        except Exception as exc:  # noqa: BLE001 - one odd entry must not lose the others
            failures.append(FailedRecord(reason=f"could not read the DCAT-US dataset: {exc}", source=source or f"dataset[{number}]"))
            continue
        graph += one
    return graph, failures


def dataset_to_dcat(graph: Graph, entry: dict[str, Any]) -> Node:
    """Write one DCAT-US dataset as a ``dcat:Dataset`` node of ``graph``."""
    node = BNode()
    graph.add((node, RDF.type, DCAT.Dataset))
    add_text(graph, node, DCTERMS.identifier, _string(entry.get("identifier")))
    add_text(graph, node, DCTERMS.title, _string(entry.get("title")))
    add_text(graph, node, DCTERMS.description, _string(entry.get("description")))
    for keyword in _strings(entry.get("keyword")):
        add_text(graph, node, DCAT.keyword, keyword)
    for theme in _strings(entry.get("theme")):
        add_concept(graph, node, DCAT.theme, theme)
    add_date(graph, node, DCTERMS.issued, _string(entry.get("issued")))
    add_date(graph, node, DCTERMS.modified, _string(entry.get("modified")))
    _add_link(graph, node, DCAT.landingPage, _string(entry.get("landingPage")))
    for language in _strings(entry.get("language")):
        add_text(graph, node, DCTERMS.language, language)
    add_text(graph, node, DCTERMS.accrualPeriodicity, _string(entry.get("accrualPeriodicity")))
    _agents(graph, node, entry)
    _rights(graph, node, entry)
    _spatial(graph, node, _string(entry.get("spatial")))
    _temporal(graph, node, _string(entry.get("temporal")))
    for distribution in entry.get("distribution") or []:
        if isinstance(distribution, dict):
            _distribution(graph, node, distribution)
    return node


def _agents(graph: Graph, node: Node, entry: dict[str, Any]) -> None:
    publisher = entry.get("publisher") if isinstance(entry.get("publisher"), dict) else {}
    if _string(publisher.get("name")):
        add_agent(graph, node, DCTERMS.publisher, _string(publisher.get("name")))
    contact = entry.get("contactPoint") if isinstance(entry.get("contactPoint"), dict) else {}
    email = _string(contact.get("hasEmail")) or _string(contact.get("email"))
    name = _string(contact.get("fn"))
    if name or email.removeprefix("mailto:").strip():
        add_contact(graph, node, name or email.removeprefix("mailto:").strip(), email=email)


def _rights(graph: Graph, node: Node, entry: dict[str, Any]) -> None:
    level = _string(entry.get("accessLevel")).lower()
    if level in ACCESS_LEVELS:
        code, label = ACCESS_LEVELS[level]
        add_concept(graph, node, DCTERMS.accessRights, label, _ACCESS_RIGHTS + code)
    licence = _string(entry.get("license"))
    licence = html_to_text(licence) if looks_like_html(licence) else licence
    licence_value = licence_node(graph, licence)
    if licence_value is not None:
        graph.add((node, DCTERMS.license, licence_value))
    add_text(graph, node, DCTERMS.rights, _string(entry.get("rights")))


def _spatial(graph: Graph, node: Node, spatial: str) -> None:
    """A bounding box, a GeoJSON geometry or a place name; an unfilled template says nothing."""
    if not spatial or spatial.startswith("{{"):
        return
    box = _BBOX.match(spatial)
    if box:
        west, south, east, north = (float(value) for value in box.groups())
        add_bbox(graph, node, west, east, south, north)
    elif spatial.startswith("{"):
        location = BNode()
        graph.add((node, DCTERMS.spatial, location))
        graph.add((location, RDF.type, DCTERMS.Location))
        graph.add((location, LOCN.geometry, Literal(_compact_json(spatial))))
    else:
        add_concept(graph, node, DCTERMS.spatial, spatial)


def _temporal(graph: Graph, node: Node, temporal: str) -> None:
    """An ISO 8601 interval as a period; repetitions (``R/``) dropped, a duration leaves the end open."""
    parts = [part.strip() for part in temporal.split("/") if part.strip()]
    if parts and parts[0].upper().startswith("R"):
        parts = parts[1:]
    dates = [part for part in parts if _DATE_START.match(part)]
    if not dates:
        add_text(graph, node, DCTERMS.temporal, temporal)
        return
    add_period(graph, node, dates[0], dates[1] if len(dates) > 1 else None)


def _distribution(graph: Graph, node: Node, entry: dict[str, Any]) -> None:
    download = _string(entry.get("downloadURL"))
    access = _string(entry.get("accessURL"))
    if not (is_http_url(download) or is_http_url(access)):
        return
    fmt, media_type = _string(entry.get("format")), _string(entry.get("mediaType"))
    add_distribution(
        graph,
        node,
        access_url=access if is_http_url(access) else download,
        download_url=download if is_http_url(download) and is_download_link(download, fmt or media_type) else None,
        title=_string(entry.get("title")),
        description=_string(entry.get("description")),
        format=fmt or None,
        media_type=media_type if "/" in media_type else None,
    )


def _add_link(graph: Graph, node: Node, predicate: URIRef, url: str) -> None:
    if is_http_url(url):
        graph.add((node, predicate, URIRef(url)))


def _compact_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        return text


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [text for text in (_string(v) for v in values) if text]
