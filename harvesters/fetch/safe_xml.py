"""Parse untrusted XML (CSW answers, ISO records, RDF/XML) without ever expanding or fetching an entity.

ElementTree resolves no external entity, but it does expand internal ones (the
"billion laughs"), and Oxigraph's and rdflib's RDF/XML parsers honour entity
declarations too. Portals never need a DTD, so any document that declares one
is refused before a parser sees it. The check reads the prolog with expat,
which decodes the document as its parsers will (UTF-16 included, which a byte
search for ``<!DOCTYPE`` would miss), and stops at the root element, where a
DTD can no longer appear: it costs nothing on a large document.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Callable
from xml.parsers import expat

from harvesters.errors import ParseError

__all__ = ["local_name", "parse_xml", "refuse_dtd"]


class _DtdFound(Exception):
    """The prolog declares a DTD or an entity."""


class _RootReached(Exception):
    """The prolog is over: the root element starts."""


def refuse_dtd(content: bytes, url: str) -> None:
    """Raise :class:`ParseError` if the document declares a DTD or an entity, or its prolog is not XML."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _raise(_DtdFound)
    parser.EntityDeclHandler = _raise(_DtdFound)
    parser.StartElementHandler = _raise(_RootReached)
    try:
        parser.Parse(content, True)
    except _DtdFound:
        raise ParseError(f"refused XML with a DTD or entity declarations at {url}") from None
    except _RootReached:
        return
    except expat.ExpatError as exc:
        raise ParseError(f"could not parse XML from {url}: {exc}") from None


def parse_xml(content: bytes, url: str) -> ET.Element:
    """The document's root element; :class:`ParseError` for a DTD or malformed XML."""
    refuse_dtd(content, url)
    try:
        return ET.fromstring(content)
    except ET.ParseError as exc:
        raise ParseError(f"could not parse XML from {url}: {exc}") from exc


def local_name(element: ET.Element) -> str:
    """An element's tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def _raise(signal: type[Exception]) -> Callable[..., None]:
    """An expat handler that stops the parse by raising ``signal``."""

    def handler(*_args) -> None:
        raise signal

    return handler
