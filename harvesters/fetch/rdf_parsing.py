"""Parse fetched bytes into an rdflib graph, safely and fast.

* The syntax is chosen by Content-Type, then by the URL's extension, then by sniffing.
* Oxigraph's Rust parsers (through oxrdflib) are tried first; sources that break
  the RDF rules they enforce (free text as IRIs, Opendatasoft style) fall back on
  rdflib's more lenient parsers.
* XML with a DTD is refused outright: no entity is ever expanded or fetched
  (:func:`harvesters.fetch.safe_xml.refuse_dtd`, whatever the document's encoding).
* JSON-LD never fetches a remote ``@context``: known contexts are bundled, and any
  other remote context is refused, wherever it appears (a node, a term
  definition's scoped context, a list); JSON is loaded by :mod:`harvesters.fetch.safe_json`
  (bounded nesting, clean strings).
* Text that cannot be stored or exported (lone surrogates, control characters
  written as escapes or raw in Turtle-family syntaxes) is replaced before parsing.
* An empty body, or an HTML page where RDF was expected, is a clear :class:`ParseError`.
"""

from __future__ import annotations

import io
import json
import logging
import re
from functools import cache
from importlib import resources
from typing import Any, Mapping
from urllib.parse import urlsplit

from rdflib import Graph

from harvesters.errors import PageTooLarge, ParseError
from harvesters.fetch.safe_json import load_json
from harvesters.fetch.safe_xml import refuse_dtd
from harvesters.fetch.indexed_graph import OXIGRAPH_FORMATS, TooManyTriples, count_triples, parse_indexed

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
_TEXT_SYNTAXES = ("turtle", "nt", "n3", "trig")
_BLANK = re.compile(rb"\s*")
_POSITION = re.compile(r"line \d+|position \d+|:\d+:\d+")
_HTML = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
_CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPE_MARKERS = (b"\\u000", b"\\u001", b"\\U0000", b"\\uD", b"\\ud")
# raw control characters (tab and newlines aside), their \u and \U escapes, and escaped surrogates
_UNSAFE_TEXT = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
    rb"|\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|\\U0000(?:00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]))"
    rb"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)

_BAD_SYNTAX = re.compile(r"Bad syntax \((.+?)\) at \^", re.DOTALL)
_AT_LINE = re.compile(r"at line (\d+)")
_MAX_REASON = 500

#: Remote JSON-LD contexts we know and ship, keyed by URL (never fetched).
BUNDLED_CONTEXTS: dict[str, str] = {
    "https://www.data.gouv.fr/api/1/site/context.jsonld": "udata.jsonld",
    "http://www.data.gouv.fr/api/1/site/context.jsonld": "udata.jsonld",
    # DCAT-US 1.1 data.json (ArcGIS Hub, Socrata, DKAN); the dcat_us kind reads it as JSON, the dcat kind as JSON-LD
    "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld": "pod-catalog-1.1.jsonld",
    "http://project-open-data.cio.gov/v1.1/schema/catalog.jsonld": "pod-catalog-1.1.jsonld",
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


def parse_rdf(
    content: bytes,
    media_type: str,
    url: str,
    *,
    contexts: Mapping[str, str] | None = None,
    indexed: bool = False,
    max_triples: int | None = None,
) -> Graph:
    """Parse a payload into a new graph, raising :class:`ParseError` with a readable reason.

    :param indexed: for pages that are only read: a strict syntax goes into a
        read-only :class:`~harvesters.fetch.indexed_graph.IndexedGraph`, several times
        faster than rdflib's store (a lenient fallback still gives a ``Graph``).
    :param contexts: more remote JSON-LD contexts to replace with a bundled one
        (URL → file name under ``mappings/contexts``), besides :data:`BUNDLED_CONTEXTS`.
    :param max_triples: a page with more triples is refused (:class:`PageTooLarge`):
        Oxigraph's syntaxes stop parsing at the first triple over it, before the
        graph grows (the lenient fallback parser only runs on a page counted under it).
    """
    fmt = guess_format(media_type, url, content)
    _refuse_non_rdf(content, url)
    if fmt == "xml":
        refuse_dtd(content, url)
    if fmt == "trig" and _DOCTYPE.search(content[:65536]):
        raise ParseError(f"refused XML with a DTD or entity declarations at {url}")
    if fmt in _TEXT_SYNTAXES:
        content = _unsafe_text_replaced(content)
    if fmt == "json-ld":
        return _within(_parse_json_ld(content, url, {**BUNDLED_CONTEXTS, **(contexts or {})}), max_triples, url)
    return _parse_syntax(content, fmt, url, indexed=indexed, max_triples=max_triples)


def _parse_syntax(content: bytes, fmt: str, url: str, *, indexed: bool, max_triples: int | None) -> Graph:
    """Oxigraph's strict parser first, then rdflib's lenient one; :class:`PageTooLarge` past ``max_triples``."""
    strict_error: Exception | None = None
    if fmt in _FAST_PARSERS:
        try:
            return _parse_strict(content, fmt, url, indexed=indexed, max_triples=max_triples)
        except PageTooLarge:
            raise
        except Exception as exc:  # noqa: BLE001 - Oxigraph raises SyntaxError and ValueError; retry leniently
            strict_error = exc
    _refuse_many_triples(content, fmt, url, max_triples)
    try:
        if fmt == "xml":  # as bytes, so the parser honours the declared encoding (ISO-8859-1 GeoNetworks)
            return _within(Graph().parse(source=io.BytesIO(content), format=fmt, publicID=url), max_triples, url)
        return _within(Graph().parse(data=content, format=fmt, publicID=url), max_triples, url)
    except PageTooLarge:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers share no exception base
        raise ParseError(f"could not parse {fmt} from {url}: {_failure_reason(strict_error, exc)}") from exc


def _parse_strict(content: bytes, fmt: str, url: str, *, indexed: bool, max_triples: int | None) -> Graph:
    """Oxigraph, into an :class:`IndexedGraph` for pages only read, else through oxrdflib into a ``Graph``."""
    try:
        if indexed and fmt in OXIGRAPH_FORMATS:
            return parse_indexed(content, fmt, url, max_triples=max_triples)
    except TooManyTriples as exc:
        raise _too_large(exc.limit, url) from None
    _refuse_many_triples(content, fmt, url, max_triples)
    return _within(Graph().parse(data=content, format=_FAST_PARSERS[fmt], publicID=url), max_triples, url)


def _too_large(limit: int, url: str) -> PageTooLarge:
    return PageTooLarge(f"page refused: more than {limit:,} triples (FEDCAT_MAX_PAGE_TRIPLES) at {url}")


def _within(graph: Graph, max_triples: int | None, url: str) -> Graph:
    """The graph, unless it holds more than ``max_triples`` (syntaxes without a streaming parser are counted after)."""
    if max_triples is not None and len(graph) > max_triples:
        raise _too_large(max_triples, url)
    return graph


def _refuse_many_triples(content: bytes, fmt: str, url: str, max_triples: int | None) -> None:
    """Before a parser that builds a whole rdflib graph: count with Oxigraph's lenient streaming parser.

    Only bodies that could hold that many triples are counted (a triple takes two bytes at the very least).
    """
    if max_triples is None or fmt not in OXIGRAPH_FORMATS or len(content) <= 2 * max_triples:
        return
    try:
        counted = count_triples(content, fmt, url, stop_after=max_triples + 1)
    except Exception:  # noqa: BLE001 - not even leniently valid: rdflib's parser will say why
        return
    if counted > max_triples:
        raise _too_large(max_triples, url)


def _refuse_non_rdf(content: bytes, url: str) -> None:
    """An empty answer, or an HTML page (an error or login page), is no catalogue: say so plainly."""
    if _BLANK.fullmatch(content):
        raise ParseError(f"empty response at {url}: no RDF to read")
    if _HTML.match(content[:1024]):
        raise ParseError(f"the portal answered an HTML page (an error or maintenance page?), not RDF, at {url}")


def _unsafe_text_replaced(content: bytes) -> bytes:
    """Turtle-family bytes with control characters made spaces and escaped lone surrogates made U+FFFD.

    Such text parses, but a lone surrogate cannot be encoded to store the
    record, and control characters make the XML exports ill-formed.
    """
    if not _may_hold_unsafe_text(content):
        return content
    return _UNSAFE_TEXT.sub(_replacement, content)


def _may_hold_unsafe_text(content: bytes) -> bool:
    """A quick test that rules out most documents before the exact search (no copy of a large body)."""
    if _CONTROL_BYTE.search(content):
        return True
    return any(marker in content for marker in _ESCAPE_MARKERS)


def _replacement(match: re.Match) -> bytes:
    return b"\\uFFFD" if match.group(0)[2:3] in (b"d", b"D") else b" "


def _parse_json_ld(content: bytes, url: str, known: Mapping[str, str]) -> Graph:
    document = load_json(content, url)
    document = _inline_contexts(document, url, known)
    try:
        return Graph().parse(data=json.dumps(document), format="json-ld", publicID=url)
    except Exception as exc:  # noqa: BLE001
        raise ParseError(f"could not parse JSON-LD from {url}: {_reason(exc)}") from exc


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
    if isinstance(context, dict):
        if "@import" in context:
            raise ParseError(f"refused JSON-LD @import in a context at {url}")
        # term definitions may carry scoped contexts of their own, which rdflib would fetch
        return _inline_contexts(context, url, known)
    return context


@cache
def _bundled_context(name: str) -> dict[str, Any]:
    text = resources.files("mappings").joinpath("contexts", name).read_text(encoding="utf-8")
    return json.loads(text)["@context"]


def _sniff(content: bytes) -> str:
    head = content[:512].lstrip()
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<"):
        return "xml"
    if head.startswith(b"@prefix") or head.startswith(b"PREFIX") or b"@prefix" in head:
        return "turtle"
    return "turtle"


def _failure_reason(strict: Exception | None, lenient: Exception) -> str:
    """Where and why a document failed to parse, in words.

    When both parsers fail, rdflib's reason leads, with Oxigraph's as detail, if
    it says where; otherwise Oxigraph's alone, which always gives the line and
    column and what was expected ("Unexpected end of file"), where rdflib's
    Turtle parser may only say "string index out of range".
    """
    lenient_reason = _reason(lenient)
    if strict is None:
        return lenient_reason
    strict_reason = _reason(strict)
    # Oxigraph's RDF/XML errors carry no position, expat's (the fallback's) do; rdflib's Turtle parser
    # may fail with a bare Python error ("string index out of range") on a cut-off document
    if _POSITION.search(lenient_reason) and not isinstance(lenient, _BARE_ERRORS):
        return f"{lenient_reason} (strict parser: {strict_reason})"
    return strict_reason


_BARE_ERRORS = (IndexError, KeyError, TypeError, AttributeError, AssertionError)


def _reason(exc: Exception) -> str:
    """Why a parser gave up, with where: rdflib puts the reason on a later line than the position."""
    text = str(exc).strip()
    bad = _BAD_SYNTAX.search(text)
    if bad:
        line = _AT_LINE.search(text)
        return bad.group(1) + (f" (near line {line.group(1)})" if line else "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines)[:_MAX_REASON] if lines else exc.__class__.__name__


class _HandledTermFilter(logging.Filter):
    """Drops rdflib's stderr noise about terms the mapping already handles.

    An ill-typed literal (``"2023"^^xsd:date``) is kept as written and read by
    its text (a year here), and an IRI holding spaces is never used as an
    identity; rdflib's traceback or warning for each, one per value, tells nobody anything.
    """

    _HANDLED = ("Failed to convert Literal lexical form",)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith(self._HANDLED) or message.endswith(_INVALID_IRI))


_INVALID_IRI = "does not look like a valid URI, trying to serialize this will break."
logging.getLogger("rdflib.term").addFilter(_HandledTermFilter())
