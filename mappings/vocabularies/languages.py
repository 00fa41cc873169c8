"""EU language IRIs from codes, IRIs and names portals put in ``dct:language``.

Accepted: EU IRIs and codes (``FRA``), Library of Congress IRIs
(``http://id.loc.gov/vocabulary/iso639-1/fr``, ``…/iso639-2/fre``), ISO 639-1 and
639-2/B/T codes in any case, locale tags (``fr-FR``, ``fr_CA``) and French or
English names ("français", "French").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mappings.vocabularies.tables import fold, iri_tail, load_table

__all__ = ["LanguageInfo", "eu_language"]

_LOCALE = re.compile(r"^([a-z]{2,3})[-_][a-z0-9]{2,8}$", re.IGNORECASE)


@dataclass(frozen=True)
class LanguageInfo:
    """An EU language: code, IRI, ISO 639-1 code (None for MUL/UND) and labels."""

    code: str
    uri: str
    iso639_1: str | None
    label_fr: str
    label_en: str


@functools.lru_cache(maxsize=1024)
def eu_language(value: str | None) -> LanguageInfo | None:
    """The EU language a value names, or None when it names none we know."""
    text = (value or "").strip()
    if "://" in text:
        text = iri_tail(text)
    locale = _LOCALE.match(text)
    code = _index().get(fold(locale.group(1) if locale else text))
    return _info(code) if code else None


def _info(code: str) -> LanguageInfo:
    table = load_table("languages")
    entry = table["languages"][code]
    return LanguageInfo(code, table["base"] + code, entry["iso639_1"], entry["fr"], entry["en"])


@functools.cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, entry in load_table("languages")["languages"].items():
        terms = (code, entry["iso639_1"], entry["iso639_2b"], entry["fr"], entry["en"], *entry["aliases"])
        for term in terms:
            if term:
                index[fold(term)] = code
    return index
