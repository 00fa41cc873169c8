"""The bits of OGC CSW 2.0.2 a harvester needs: GetCapabilities, GetRecords over GET or POST, paging.

Paging follows ``startPosition``/``maxRecords`` and the answer's
``nextRecord``; it stops on ``nextRecord`` 0 or past ``numberOfRecordsMatched``,
and calls anything else odd (no record before the announced end, a
``nextRecord`` that does not move forward) an incomplete harvest rather than
guess, as GeoNetwork's own harvester and udata's do.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from harvesters.errors import FetchError
from harvesters.fetch.safe_xml import local_name, parse_xml

__all__ = [
    "DC_SCHEMA",
    "DCAT_SCHEMAS",
    "ISO_SCHEMA",
    "Capabilities",
    "SearchResults",
    "csw_fingerprint",
    "get_records_body",
    "get_records_url",
    "next_position",
    "parse_capabilities",
    "parse_search_results",
]

DC_SCHEMA = "http://www.opengis.net/cat/csw/2.0.2"
ISO_SCHEMA = "http://www.isotc211.org/2005/gmd"
#: DCAT output schemas GeoNetwork may offer, best first: GeoDCAT-AP, DCAT-AP, DCAT core, the legacy mapping.
DCAT_SCHEMAS = (
    "http://data.europa.eu/930/",
    "http://data.europa.eu/r5r/",
    "http://www.w3.org/ns/dcat#core",
    "http://www.w3.org/ns/dcat#",
)
_TIMESTAMP = re.compile(rb'(<[\w:]*SearchStatus\b[^>]*?)\s+timestamp="[^"]*"')


@dataclass(frozen=True)
class Capabilities:
    """What GetCapabilities says about GetRecords."""

    output_schemas: tuple[str, ...] = (DC_SCHEMA,)
    get: bool = True
    post: bool = True


@dataclass(frozen=True)
class SearchResults:
    """One GetRecords answer: the paging counters and the record elements."""

    matched: int | None
    returned: int | None
    next_record: int | None
    records: list[ET.Element]


def parse_capabilities(content: bytes, url: str) -> Capabilities:
    """The output schemas and HTTP methods GetRecords accepts."""
    root = parse_xml(content, url)
    _raise_exception_report(root, url)
    operation = next(
        (op for op in root.iter() if local_name(op) == "Operation" and op.get("name") == "GetRecords"), None
    )
    if operation is None:
        return Capabilities()
    schemas = tuple(
        (value.text or "").strip()
        for parameter in operation.iter()
        if local_name(parameter) == "Parameter" and parameter.get("name", "").lower() == "outputschema"
        for value in parameter
        if local_name(value) == "Value"
    )
    methods = {local_name(element) for element in operation.iter()}
    return Capabilities(output_schemas=schemas or (DC_SCHEMA,), get="Get" in methods, post="Post" in methods)


def get_records_url(endpoint: str, schema: str, start: int, size: int) -> str:
    """A GetRecords request in KVP, sorted by identifier for stable pages."""
    params = {
        "SERVICE": "CSW",
        "VERSION": "2.0.2",
        "REQUEST": "GetRecords",
        "typeNames": "csw:Record",
        "resultType": "results",
        "elementSetName": "full",
        "outputSchema": schema,
        "startPosition": start,
        "maxRecords": size,
        "sortBy": "Identifier:A",
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def get_records_body(schema: str, start: int, size: int) -> bytes:
    """The same request as an XML document to POST."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" '
        f'service="CSW" version="2.0.2" resultType="results" startPosition="{start}" maxRecords="{size}" '
        f'outputSchema="{escape(schema)}" outputFormat="application/xml">'
        '<csw:Query typeNames="csw:Record"><csw:ElementSetName>full</csw:ElementSetName>'
        "<ogc:SortBy><ogc:SortProperty><ogc:PropertyName>Identifier</ogc:PropertyName>"
        "<ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy></csw:Query></csw:GetRecords>"
    ).encode("utf-8")


def parse_search_results(content: bytes, url: str) -> SearchResults:
    """The counters and records of a GetRecordsResponse."""
    root = parse_xml(content, url)
    _raise_exception_report(root, url)
    results = next((e for e in root.iter() if local_name(e) == "SearchResults"), None)
    if results is None:
        raise FetchError("the CSW answer has no csw:SearchResults", url=url)
    return SearchResults(
        matched=_int(results.get("numberOfRecordsMatched")),
        returned=_int(results.get("numberOfRecordsReturned")),
        next_record=_int(results.get("nextRecord")),
        records=list(results),
    )


def next_position(results: SearchResults, start: int) -> tuple[int | None, str | None]:
    """Where the next page starts (None at the end), and what looked wrong if paging cannot go on safely."""
    returned = results.returned if results.returned is not None else len(results.records)
    matched = results.matched
    if returned == 0:
        if matched is not None and start <= matched:
            return None, f"GetRecords returned no record at startPosition {start} of {matched} announced"
        return None, None
    following = results.next_record if results.next_record is not None else start + returned
    if following == 0 or (matched is not None and following > matched):
        seen_up_to = start + returned - 1
        if matched is not None and following == 0 and seen_up_to < matched:
            return None, f"paging ended at record {seen_up_to} of {matched} announced"
        return None, None
    if following <= start:
        return None, f"nextRecord {following} does not move past startPosition {start}"
    return following, None


def csw_fingerprint(content: bytes) -> bytes:
    """The answer without its ``csw:SearchStatus`` timestamp, which changes on every request."""
    return _TIMESTAMP.sub(rb"\1", content, count=1)


def _raise_exception_report(root: ET.Element, url: str) -> None:
    if local_name(root) != "ExceptionReport":
        return
    texts = [" ".join((e.text or "").split()) for e in root.iter() if local_name(e) == "ExceptionText"]
    codes = [e.get("exceptionCode", "") for e in root.iter() if local_name(e) == "Exception"]
    raise FetchError(f"CSW exception {', '.join(filter(None, codes))}: {'; '.join(filter(None, texts))}", url=url)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
