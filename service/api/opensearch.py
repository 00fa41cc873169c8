"""OpenSearch: a description browsers can add as a search engine, an Atom results feed, JSON suggestions."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request

from mappings.limits import cut_text
from service.api.openapi import documented
from service.api.views import base_url, catalogue
from service.schemas import SearchArgs, SuggestArgs, load_args
from service.search.base import SearchPage

__all__ = ["blueprint"]

#: the longest entry summary of the Atom feed, cut with " […]" (the dataset page has the full text)
FEED_SUMMARY_CHARS = 1000

blueprint = Blueprint("opensearch", __name__)
ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"


@blueprint.get("/opensearch.xml")
@documented(
    summary="OpenSearch description (add fedcat to a browser's search engines)",
    tag="opensearch",
    media_types=("application/opensearchdescription+xml",),
    errors=(),
)
def description():
    """The OpenSearch 1.1 description document."""
    root = base_url()
    doc = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    _text(doc, "ShortName", "fedcat")
    _text(doc, "Description", "Jeux de données ouverts de Paris, Lyon, Montpellier et data.gouv.fr")
    _text(doc, "InputEncoding", "UTF-8")
    _text(doc, "Language", "fr-fr")
    for media_type, template in (
        ("text/html", f"{root}/?q={{searchTerms}}"),
        ("application/atom+xml", f"{root}/api/datasets.atom?q={{searchTerms}}&page={{startPage?}}"),
        ("application/json", f"{root}/api/datasets?q={{searchTerms}}&page={{startPage?}}"),
        ("application/x-suggestions+json", f"{root}/api/suggest.osjson?q={{searchTerms}}"),
    ):
        ET.SubElement(doc, "Url", type=media_type, template=template)
    return _xml(doc, "application/opensearchdescription+xml")


@blueprint.get("/api/datasets.atom")
@documented(
    summary="Search results as an Atom feed",
    tag="opensearch",
    args=SearchArgs,
    media_types=("application/atom+xml",),
    errors=("400", "503"),
)
def atom_feed():
    """The same search as ``/api/datasets``, as Atom entries with OpenSearch response elements."""
    query = load_args(SearchArgs(), request.args)
    return _xml(_feed(catalogue().search(query)), "application/atom+xml")


@blueprint.get("/api/suggest.osjson")
@documented(
    summary="Suggestions in the OpenSearch JSON format",
    tag="opensearch",
    args=SuggestArgs,
    media_types=("application/x-suggestions+json",),
    errors=("400", "503"),
    raw_schema={"type": "array", "minItems": 4, "maxItems": 4},
)
def opensearch_suggestions():
    """``[query, [completions], [descriptions], [urls]]``, as browsers expect."""
    args = load_args(SuggestArgs(), request.args)
    found = catalogue().suggest(args["q"], limit=args["limit"])
    root = base_url()
    body = [
        args["q"],
        [s.text for s in found],
        [f"{s.kind} · {s.count}" for s in found],
        [f"{root}/?{urlencode({'q': s.text})}" for s in found],
    ]
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/x-suggestions+json")


def _feed(page: SearchPage) -> ET.Element:
    root = base_url()
    query = page.query
    # plain tag names with explicit xmlns attributes: the output is namespaced Atom, with an
    # unprefixed default namespace, which ElementTree's own namespace handling cannot produce
    feed = ET.Element("feed", {"xmlns": ATOM, "xmlns:opensearch": OPENSEARCH})
    _text(feed, "title", f"fedcat — {query.q or 'tous les jeux de données'}")
    _text(feed, "id", request.url)
    ET.SubElement(feed, "link", rel="self", href=request.url)
    ET.SubElement(feed, "link", rel="search", type="application/opensearchdescription+xml", href=f"{root}/opensearch.xml")
    updated = [_timestamp(h.record.modified or h.record.harvested_at) for h in page.hits]
    _text(feed, "updated", max(updated, default=_timestamp(None)))
    _text(feed, "opensearch:totalResults", str(page.total))
    _text(feed, "opensearch:startIndex", str(query.offset + 1))
    _text(feed, "opensearch:itemsPerPage", str(query.page_size))
    ET.SubElement(feed, "opensearch:Query", role="request", searchTerms=query.q, startPage=str(query.page))
    for hit in page.hits:
        feed.append(_entry(hit.record, root))
    return feed


def _entry(record, root: str) -> ET.Element:
    page_url = f"{root}/datasets/{quote(record.record_id, safe='')}"
    entry = ET.Element("entry")
    _text(entry, "title", record.title)
    _text(entry, "id", page_url)
    _text(entry, "updated", _timestamp(record.modified or record.harvested_at))
    ET.SubElement(entry, "link", rel="alternate", type="text/html", href=page_url)
    ET.SubElement(entry, "link", rel="alternate", type="text/turtle", href=f"{page_url}.ttl")
    author = ET.SubElement(entry, "author")
    _text(author, "name", (record.publisher.display_name if record.publisher else "") or record.portal_id)
    _text(entry, "summary", cut_text(record.description, FEED_SUMMARY_CHARS))
    for theme in record.themes:
        ET.SubElement(entry, "category", term=theme.label)
    return entry


def _timestamp(value: str | None) -> str:
    """An RFC 3339 timestamp (Atom requires one) from a date, a date-time or nothing."""
    if not value:
        return "1970-01-01T00:00:00Z"
    if len(value) == 10:
        return f"{value}T00:00:00Z"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return f"{value[:4]}-01-01T00:00:00Z" if value[:4].isdigit() else "1970-01-01T00:00:00Z"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.isoformat()


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _xml(element: ET.Element, media_type: str) -> Response:
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype=media_type)
