"""What a check of one distribution URL found, and how fedcat judges it (pure: no HTTP here).

A check records what udata-hydra records of a resource (status, final URL after
redirects, content type, size, ``Last-Modified``) and adds a verdict:

- ``ok``: the URL answers 2xx with a type that fits what the portal declared;
- ``wrong_type``: it answers 2xx, but the type contradicts the declared format
  (the usual case: a "CSV" link that serves an HTML page);
- ``broken``: 4xx or 5xx, a timeout, a redirect loop, a refused or unreachable host.

Only ``broken`` counts against a portal's link health; ``wrong_type`` is reported
apart, since the file may still be there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping

from mappings.record import Distribution, Record
from mappings.vocabularies import file_type

__all__ = [
    "LINK_STATUSES",
    "LinkCheck",
    "VERDICTS",
    "link_status_of",
    "record_urls",
    "type_fits",
    "verdict_of",
    "worst",
]

VERDICTS = ("ok", "wrong_type", "broken")
#: A record's link status (search facet ``link_status``): its worst checked URL, or unchecked.
LINK_STATUSES = ("ok", "wrong_type", "broken", "unchecked")
#: Served types that say nothing about the content: never a contradiction.
_NEUTRAL_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/x-download", "application/force-download"})
#: EU file types that are containers or generic syntaxes (GeoJSON is served as JSON, shapefiles as ZIP).
_WEAK_CODES = frozenset({"ZIP", "JSON", "XML", "BIN", "TXT", "GZIP"})
#: Declared formats that are web pages or services: an HTML answer is what they promise.
_PAGE_LIKE_CODES = frozenset({"HTML", "WMS_SRVC", "WFS_SRVC", "WMTS_SRVC", "WCS_SRVC", "REST", "SPARQLQ"})


@dataclass(frozen=True)
class LinkCheck:
    """The latest check of one URL."""

    url: str
    checked_at: str
    verdict: str
    status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    size: int | None = None
    last_modified: str | None = None
    error: str | None = None
    method: str | None = None

    @property
    def host(self) -> str:
        """The host the URL names (lower-cased, no port)."""
        from urllib.parse import urlsplit

        return (urlsplit(self.url).hostname or "").lower()

    @property
    def broken(self) -> bool:
        """True when the URL does not deliver anything."""
        return self.verdict == "broken"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkCheck:
        """Rebuild a check from :meth:`to_dict` output (unknown keys ignored)."""
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in known})


def verdict_of(status: int | None, content_type: str | None, declared: Distribution | None) -> str:
    """``ok``, ``wrong_type`` or ``broken`` for an answer (None status: no answer at all)."""
    if status is None or status >= 400:
        return "broken"
    if declared is not None and not type_fits(declared, content_type):
        return "wrong_type"
    return "ok"


def type_fits(declared: Distribution, content_type: str | None) -> bool:
    """False only when the served type clearly contradicts the declared format or media type."""
    served = (content_type or "").split(";", 1)[0].strip().lower()
    if served in _NEUTRAL_TYPES:
        return True
    expected = file_type(declared.format, declared.media_type)
    if expected is None or expected.code in _PAGE_LIKE_CODES:
        return True
    got = file_type(None, served)
    if served == "text/html":
        return False  # a data file announced, a web page served (an error page or a landing page)
    if got is None or got.code == expected.code:
        return True
    return got.code in _WEAK_CODES or expected.code in _WEAK_CODES


def record_urls(record: Record) -> list[tuple[str, Distribution]]:
    """Each distinct http(s) URL of a record's distributions (access and download), with its distribution."""
    found: dict[str, Distribution] = {}
    for distribution in record.distributions:
        for url in (distribution.download_url, distribution.access_url):
            if url and url.lower().startswith(("http://", "https://")):
                found.setdefault(url, distribution)
    return list(found.items())


def link_status_of(record: Record, checks: Mapping[str, LinkCheck]) -> str:
    """The record's worst link verdict among checked URLs, ``unchecked`` when none was checked."""
    verdicts = [checks[url].verdict for url, _ in record_urls(record) if url in checks]
    return worst(verdicts)


def worst(verdicts: Iterable[str]) -> str:
    """The worst of some verdicts (``broken`` > ``wrong_type`` > ``ok``), ``unchecked`` for none."""
    seen = set(verdicts)
    for verdict in ("broken", "wrong_type", "ok"):
        if verdict in seen:
            return verdict
    return "unchecked"
