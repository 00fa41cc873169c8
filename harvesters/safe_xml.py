"""Parse untrusted XML (CSW answers, ISO records) without ever expanding or fetching an entity."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from harvesters.errors import ParseError

__all__ = ["local_name", "parse_xml"]

# ElementTree resolves no external entity, but it does expand internal ones (the
# "billion laughs"); refusing any DTD at all closes that door, and portals never need one.
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(content: bytes, url: str) -> ET.Element:
    """The document's root element; :class:`ParseError` for a DTD or malformed XML."""
    if _DTD.search(content):
        raise ParseError(f"refused XML with a DTD or entity declarations at {url}")
    try:
        return ET.fromstring(content)
    except ET.ParseError as exc:
        raise ParseError(f"could not parse XML from {url}: {exc}") from exc


def local_name(element: ET.Element) -> str:
    """An element's tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]
