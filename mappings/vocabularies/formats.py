"""EU file types and IANA media types from whatever portals put in ``dct:format`` and ``dcat:mediaType``.

Accepted inputs: EU file-type IRIs, IANA media-type IRIs or strings (parameters
ignored), extensions and labels ("csv", "Shapefile", "csv (taille : 2 Ko)"),
GeoNetwork protocols ("OGC:WMS-1.3.0-http-get-map"), udata literals ("ogc:wms")
and DKAN's format names in the ``mimetype`` field ("xlsx").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from mappings.vocabularies.tables import fold, iri_tail, load_table

__all__ = ["FormatInfo", "file_type"]

_MEDIA_TYPE = re.compile(r"^[a-z0-9][\w.+-]*/[\w.+-]+$")


@dataclass(frozen=True)
class FormatInfo:
    """A distribution format: EU file-type code and IRI, label, and IANA media type when registered."""

    code: str
    uri: str
    label: str
    media_type: str | None
    media_type_uri: str | None


# recent answers kept: each distribution asks up to four times (normalisation, then quality)
@functools.lru_cache(maxsize=4096)
def file_type(format: str | None, media_type: str | None = None, *, url: str | None = None) -> FormatInfo | None:
    """The EU file type of a distribution, or None when nothing says what it is.

    ``format`` wins over ``media_type``, which wins over the ``url`` extension,
    unless it only names a container or generic syntax (ZIP, JSON, XML…) and a
    later source is more specific: Opendatasoft serves GeoJSON as
    ``application/json`` and shapefiles as ``application/zip``.
    """
    weak = _table()["weak"]
    first = _from_format(format)
    if first is not None and first.code not in weak:
        return first  # the URL is not even looked at: the most common case, and splitting it is the costly part
    for info in (_from_media_type(media_type), _from_url(url) if url else None):
        if info is not None and info.code not in weak:
            return info
        first = first or info
    return first


@functools.lru_cache(maxsize=4096)  # the same few values on every distribution
def _from_format(value: str | None) -> FormatInfo | None:
    text = (value or "").strip()
    if not text:
        return None
    if _is_eu_file_type(text):
        return _from_eu_code(iri_tail(text).upper())
    if "/media-types/" in text or _MEDIA_TYPE.match(text.split(";", 1)[0].strip().lower()):
        info = _from_media_type(text)
        if info is not None:
            return info
    return _from_label(text)  # "RDF/XML" looks like a media type but is a label


@functools.lru_cache(maxsize=4096)
def _from_media_type(value: str | None) -> FormatInfo | None:
    text = (value or "").strip()
    if not text:
        return None
    key = text.split("/media-types/", 1)[-1].split(";", 1)[0].strip().lower()
    key = _media_index().get(key)
    # DKAN puts format names ("xlsx") in its mimetype field.
    return _info(key) if key else (None if "/" in text else _from_label(text))


@functools.lru_cache(maxsize=4096)
def _from_label(text: str) -> FormatInfo | None:
    for candidate in (text, text.split("(", 1)[0], text.split()[0]):
        key = fold(candidate)
        if key in _label_index():
            return _info(_label_index()[key])
        protocol = _protocol(key)
        if protocol is not None:
            return _info(protocol) if protocol else None
    return None


def _from_url(url: str | None) -> FormatInfo | None:
    """The format named by a URL: its extension, an ODS ``…/exports/<fmt>`` path or a ``format=`` query."""
    if not url:
        return None
    text = url.strip()
    # urlsplit and parse_qs cost more than the rest of a distribution's export: split by hand unless a query names a format
    if "format=" in text or "\\" in text or "[" in text:
        parts = urlsplit(text)
        path, candidates = parts.path, parse_qs(parts.query).get("format", [])
    else:
        path, candidates = _path_of(text), []
    segments = [s for s in path.split("/") if s]
    if segments and "." in segments[-1]:
        candidates.append(segments[-1].rsplit(".", 1)[1])
    elif len(segments) > 1 and segments[-2] == "exports":
        candidates.append(segments[-1])
    return next((info for c in candidates if (info := _from_label(c)) is not None), None)


def _path_of(url: str) -> str:
    """The path of a URL, as ``urlsplit`` finds it (for a URL whose query names no format)."""
    head = url.split("#", 1)[0].split("?", 1)[0]
    scheme, colon, rest = head.partition(":")
    if colon and scheme and scheme[0].isalpha() and all(c.isalnum() or c in "+-." for c in scheme):
        head = rest
    if head.startswith("//"):
        slash = head.find("/", 2)
        return head[slash:] if slash >= 0 else ""
    return head


def _protocol(key: str) -> str | None:
    """The table key for a GeoNetwork protocol, "" for a protocol that names no format, None if unknown."""
    for prefix, target in _protocol_index():
        if key == prefix or key.startswith(prefix + " "):
            return target
    return None


def _from_eu_code(code: str) -> FormatInfo:
    key = _code_index().get(code)
    if key is not None:
        return _info(key)
    return FormatInfo(code, _table()["base"] + code, code, None, None)


def _info(key: str) -> FormatInfo:
    entry = _table()["types"][key]
    code = entry.get("code", key)
    media_type = entry["media_type"]
    media_uri = _table()["iana_base"] + media_type if media_type else None
    return FormatInfo(code, _table()["base"] + code, entry["label"], media_type, media_uri)


def _is_eu_file_type(text: str) -> bool:
    return text.replace("https://", "http://", 1).startswith(_table()["base"])


def _table() -> dict:
    return load_table("file_types")


@functools.cache
def _media_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, entry in _table()["types"].items():
        for media_type in (entry["media_type"], *entry["media_types"]):
            if media_type:
                index.setdefault(media_type.lower(), key)
    return index


@functools.cache
def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, entry in _table()["types"].items():
        for label in (key, entry["label"], *entry["aliases"]):
            index.setdefault(fold(label), key)
    return index


@functools.cache
def _code_index() -> dict[str, str]:
    """EU code → table key; JSON is the JSON entry, not JSONL which shares its code."""
    index: dict[str, str] = {}
    for key, entry in _table()["types"].items():
        code = entry.get("code", key)
        if key == code or code not in index:
            index[code] = key
    return index


@functools.cache
def _protocol_index() -> list[tuple[str, str]]:
    """(folded protocol prefix, table key or "" for generic), longest first."""
    pairs = [(fold(p), key) for p, key in _table()["protocols"].items()]
    pairs += [(fold(p), "") for p in _table()["generic"]]
    return sorted(pairs, key=lambda pair: -len(pair[0]))
