"""schema.org ``Dataset`` JSON-LD for the HTML dataset pages, for dataset search engines.

The triples come from the ``schema_org`` export profile
(:mod:`mappings.profiles.schema_org`), so the page and the RDF exports say the
same thing; the page embeds the result in a ``<script type="application/ld+json">``
data block (see :func:`script_json`).
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import URIRef

from mappings.portals import Portal
from mappings.profiles.base import new_graph
from mappings.profiles.schema_org import SchemaOrgProfile, dataset_document
from mappings.record import Record

__all__ = ["dataset_jsonld", "script_json"]

# Characters that could end the <script> element or start markup inside it.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dataset_jsonld(record: Record, *, page_url: str, portal: Portal | None = None) -> dict[str, Any]:
    """The record as a schema.org ``Dataset``, built by the ``schema_org`` profile and compacted as JSON-LD."""
    graph, ref = new_graph(), URIRef(page_url)
    SchemaOrgProfile(portals=[portal] if portal else ()).serialize_dataset(record, graph, ref)
    return dataset_document(graph, ref)


def script_json(data: dict[str, Any]) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` are written as escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return "".join(_SCRIPT_ESCAPES.get(char, char) for char in text)
