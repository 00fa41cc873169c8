"""Canonical licences from the labels and URLs portals write in ``dct:license`` / ``dct:rights``.

A value is matched, in order, by any URL it contains (longest known prefix wins,
scheme and ``www.`` ignored), by its whole folded label, then by the ordered
patterns of ``data/licenses.json``. Anything else is kept as given with the id
``unknown``: the record still shows what the portal said.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mappings.vocabularies.tables import fold, load_table

__all__ = ["LicenseInfo", "UNKNOWN_LICENSE", "canonical_license"]

#: The id given to licences no rule recognises.
UNKNOWN_LICENSE = "unknown"

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_BOUNDARIES = frozenset("/?#.")


@dataclass(frozen=True)
class LicenseInfo:
    """A recognised licence (or an unknown one kept as given).

    ``uri`` is the EU licence NAL IRI when one is verified, else the licence's own
    page; ``is_open`` is None when openness is not known; ``rule`` says how it was
    recognised: ``uri``, ``label``, ``pattern`` or ``unknown``.
    """

    id: str
    label: str
    uri: str | None
    url: str | None
    is_open: bool | None
    rule: str


@functools.lru_cache(maxsize=4096)
def canonical_license(label_or_uri: str | None) -> LicenseInfo | None:
    """The canonical licence for a label, a URL or both; None for an empty value."""
    text = (label_or_uri or "").strip()
    if not text:
        return None
    return _from_urls(text) or _from_label(text) or _unknown(text)


def _from_urls(text: str) -> LicenseInfo | None:
    for url in _URL.findall(text):
        entry = _entry_for_url(url)
        if entry is not None:
            return _info(entry, "uri")
    return None


def _from_label(text: str) -> LicenseInfo | None:
    key = fold(_URL.sub(" ", text))
    if not key:
        return None
    entry = _label_index().get(key)
    return _info(entry, "label") if entry is not None else _from_patterns(key)


def _from_patterns(key: str) -> LicenseInfo | None:
    # Order matters: "CC BY-NC 3.0" must hit the NonCommercial pattern before the CC-BY-3.0 one.
    for pattern, license_id in _patterns():
        if pattern.search(key):
            return _info(_entries_by_id()[license_id], "pattern")
    return None


def _unknown(text: str) -> LicenseInfo:
    link = text if _URL.fullmatch(text) else None
    return LicenseInfo(UNKNOWN_LICENSE, text, link, link, None, "unknown")


def _entry_for_url(url: str) -> dict | None:
    key = _url_key(url)
    for prefix, entry in _url_prefixes():
        if key == prefix or (key.startswith(prefix) and key[len(prefix)] in _URL_BOUNDARIES):
            return entry
    return None


def _url_key(url: str) -> str:
    """``HTTPS://www.Example.org/a/`` → ``example.org/a`` (trailing punctuation dropped too)."""
    key = re.sub(r"^[a-z]+://", "", url.strip().lower()).removeprefix("www.")
    return key.rstrip("/.,;:)]")


def _info(entry: dict, rule: str) -> LicenseInfo:
    return LicenseInfo(entry["id"], entry["label"], entry["uri"], entry["url"], entry["open"], rule)


def _entries() -> list[dict]:
    return load_table("licenses")["licenses"]


@functools.cache
def _entries_by_id() -> dict[str, dict]:
    return {entry["id"]: entry for entry in _entries()}


@functools.cache
def _label_index() -> dict[str, dict]:
    return {fold(label): entry for entry in _entries() for label in (entry["id"], entry["label"], *entry["labels"])}


@functools.cache
def _url_prefixes() -> list[tuple[str, dict]]:
    """Every known URL as a match key, longest first so the most specific wins."""
    prefixes = [(_url_key(url), entry) for entry in _entries() for url in (*entry["urls"], entry["uri"] or "")]
    return sorted((p for p in prefixes if p[0]), key=lambda p: -len(p[0]))


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(pattern), license_id) for pattern, license_id in load_table("licenses")["patterns"]]
