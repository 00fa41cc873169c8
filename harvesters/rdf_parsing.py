"""Parse fetched bytes into an rdflib graph, safely and fast.

* The syntax is chosen by Content-Type, then by the URL's extension, then by sniffing.
* Oxigraph's Rust parsers (through oxrdflib) are tried first; sources that break
  the RDF rules they enforce (free text as IRIs, Opendatasoft style) fall back on
  rdflib's more lenient parsers.
* XML with a DTD is refused outright: no entity is ever expanded or fetched.
* JSON-LD never fetches a remote ``@context``: known contexts are bundled, and any
  other remote context is refused.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, Mapping
from urllib.parse import urlsplit

from rdflib import Graph

from harvesters.errors import ParseError

__all__ = ["BUNDLED_CONTEXTS", "guess_format", "parse_rdf"]

_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "text/n3": "n3",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "application/trig": "trig",
}
_EXTENSIONS = {
    ".ttl": "turtle",
    ".n3": "n3",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".trig": "trig",
}
_FAST_PARSERS = {"turtle": "ox-turtle", "xml": "ox-xml", "nt": "ox-ntriples", "trig": "ox-trig"}
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_MAX_JSON_DEPTH = 64

#: Remote JSON-LD contexts we know and ship, keyed by URL (never fetched).
BUNDLED_CONTEXTS: dict[str, str] = {
    "https://www.data.gouv.fr/api/1/site/context.jsonld": "udata.jsonld",
    "http://www.data.gouv.fr/api/1/site/context.jsonld": "udata.jsonld",
}


def guess_format(media_type: str, url: str, content: bytes = b"") -> str:
    """The rdflib format name for a payload."""
    if media_type in _MEDIA_TYPES:
        return _MEDIA_TYPES[media_type]
    path = urlsplit(url).path.lower()
    for extension, fmt in _EXTENSIONS.items():
        if path.endswith(extension):
            return fmt
    return _sniff(content)


def parse_rdf(content: bytes, media_type: str, url: str, *, contexts: Mapping[str, str] | None = None) -> Graph:
    """Parse a payload into a new graph, raising :class:`ParseError` with a readable reason.

    :param contexts: more remote JSON-LD contexts to replace with a bundled one
        (URL → file name under ``mappings/contexts``), besides :data:`BUNDLED_CONTEXTS`.
    """
    fmt = guess_format(media_type, url, content)
    if fmt in ("xml", "trig") and _DOCTYPE.search(content[:65536]):
        raise ParseError(f"refused XML with a DTD or entity declarations at {url}")
    if fmt == "json-ld":
        return _parse_json_ld(content, url, {**BUNDLED_CONTEXTS, **(contexts or {})})
    graph = Graph()
    fast = _FAST_PARSERS.get(fmt)
    if fast:
        try:
            return graph.parse(data=content, format=fast, publicID=url)
        except Exception:  # noqa: BLE001 - Oxigraph raises SyntaxError and ValueError; retry leniently
            graph = Graph()
    try:
        return graph.parse(data=content, format=fmt, publicID=url)
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers share no exception base
        raise ParseError(f"could not parse {fmt} from {url}: {_first_line(exc)}") from exc


def _parse_json_ld(content: bytes, url: str, known: Mapping[str, str]) -> Graph:
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"invalid JSON at {url}: {exc}") from exc
    _check_depth(document, url)
    document = _inline_contexts(document, url, known)
    try:
        return Graph().parse(data=json.dumps(document), format="json-ld", publicID=url)
    except Exception as exc:  # noqa: BLE001
        raise ParseError(f"could not parse JSON-LD from {url}: {_first_line(exc)}") from exc


def _inline_contexts(node: Any, url: str, known: Mapping[str, str]) -> Any:
    """Replace every remote ``@context`` reference with its bundled copy, or refuse it."""
    if isinstance(node, list):
        return [_inline_contexts(item, url, known) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _inline_contexts(value, url, known) for key, value in node.items() if key != "@context"}
    if "@context" in node:
        result["@context"] = _resolve_context(node["@context"], url, known)
    return result


def _resolve_context(context: Any, url: str, known: Mapping[str, str]) -> Any:
    if isinstance(context, list):
        return [_resolve_context(item, url, known) for item in context]
    if isinstance(context, str):
        if context not in known:
            raise ParseError(f"refused to fetch remote JSON-LD context {context!r} at {url}")
        return _bundled_context(known[context])
    if isinstance(context, dict) and "@import" in context:
        raise ParseError(f"refused JSON-LD @import in a context at {url}")
    return context


@cache
def _bundled_context(name: str) -> dict[str, Any]:
    text = resources.files("mappings").joinpath("contexts", name).read_text(encoding="utf-8")
    return json.loads(text)["@context"]


def _check_depth(document: Any, url: str) -> None:
    stack = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {_MAX_JSON_DEPTH} levels at {url}")
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def _sniff(content: bytes) -> str:
    head = content[:512].lstrip()
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<"):
        return "xml"
    if head.startswith(b"@prefix") or head.startswith(b"PREFIX") or b"@prefix" in head:
        return "turtle"
    return "turtle"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__
