"""EU frequencies from the many ways portals write ``dct:accrualPeriodicity``.

An IRI is matched on its last segment (``http://purl.org/cld/freq/daily``,
``…/frequency/DAILY``, or the relative IRI Opendatasoft makes of "En continu"),
anything else on its folded text; ISO 8601 repeating intervals (``R/P1D``) are
matched whole.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from mappings.vocabularies.tables import fold, iri_tail, load_table

__all__ = ["FrequencyInfo", "eu_frequency"]


@dataclass(frozen=True)
class FrequencyInfo:
    """An EU frequency: code, IRI and labels."""

    code: str
    uri: str
    label_fr: str
    label_en: str


@functools.lru_cache(maxsize=1024)
def eu_frequency(value: str | None) -> FrequencyInfo | None:
    """The EU frequency a value names, or None when it names none we know."""
    text = (value or "").strip()
    if not text:
        return None
    index = _index()
    code = index.get(fold(text))
    if code is None and "://" in text:
        code = index.get(fold(iri_tail(text)))
    return _info(code) if code else None


def _info(code: str) -> FrequencyInfo:
    table = load_table("frequencies")
    entry = table["frequencies"][code]
    return FrequencyInfo(code, table["base"] + code, entry["fr"], entry["en"])


@functools.cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, entry in load_table("frequencies")["frequencies"].items():
        for term in (code, entry["fr"], entry["en"], *entry["aliases"]):
            index[fold(term)] = code
    return index
