"""Facet values for people: stable codes beside labels, and filters that accept either, in any case.

A theme filters by its EU data-theme code (``TRAN``) or label, a format by its EU file-type code
(``csv``, ``WMS_SRVC``) or label, a licence by its id (``etalab-2.0``, ``ODbL-1.0``) or label, and
any facet by its stored value, all compared folded (case and accents ignored). A value that
matches nothing in the catalogue is refused with the values that would.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace

from mappings.vocabularies.formats import file_type
from mappings.vocabularies.licenses import canonical_license
from mappings.vocabularies.themes import _data_themes
from service.search.base import FacetValue, SearchBackend, SearchQuery
from service.search.french import fold

__all__ = ["FacetResolver", "facet_code", "facet_label", "UnknownFacetValue"]

#: how long the catalogue's facet values are reused when the backend cannot say whether data changed
_TTL_SECONDS = 30.0
_SHOWN = 40


class UnknownFacetValue(ValueError):
    """A filter value that matches no value of its facet; the message names valid ones."""

    def __init__(self, facet: str, value: str, valid: list[str]) -> None:
        self.facet = facet
        shown = ", ".join(valid[:_SHOWN]) + (f", … ({len(valid)} in all)" if len(valid) > _SHOWN else "")
        super().__init__(f"{facet}={value!r} matches nothing in the catalogue; valid values: {shown or 'none yet'}")


@functools.lru_cache(maxsize=1)
def _theme_codes() -> dict[str, str]:
    return {labels["fr"]: code for code, labels in _data_themes()["themes"].items()}


@functools.lru_cache(maxsize=8192)
def facet_code(facet: str, value: str) -> str:
    """The stable code of a stored facet value (the value itself when it has none)."""
    if facet == "theme":
        return _theme_codes().get(value, value)
    if facet == "format":
        info = file_type(value)
        return info.code if info else value
    if facet == "license":
        info = canonical_license(value)
        return info.id if info and info.rule != "unknown" else value
    return value


@functools.lru_cache(maxsize=8192)
def facet_label(facet: str, value: str) -> str:
    """How people name a stored facet value: a file type's label (``WFS_SRVC`` → "WFS"), else the value."""
    if facet == "format":
        info = file_type(value)
        return info.label if info else value
    return value


class FacetResolver:
    """Turns filter values as users type them into the values the index stores, per data version."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        self._known: tuple[object, float, dict[str, dict[str, str]]] = (None, 0.0, {})

    def resolve(self, query: SearchQuery) -> SearchQuery:
        """``query`` with each filter value replaced by the stored value it names.

        :raises UnknownFacetValue: when a value names nothing in the catalogue.
        """
        if not any(values for facet, values in query.filters.items() if facet != "quality"):
            return query
        known = self._known_values()
        filters = {}
        for facet, values in query.filters.items():
            filters[facet] = values if facet == "quality" else tuple(_resolved(facet, v, known.get(facet, {})) for v in values)
        return replace(query, filters=filters)

    def labelled(self, facet: str, value: FacetValue) -> dict:
        """A facet value as the API shows it: the value to filter with, its code, its label and its count."""
        label = value.label or facet_label(facet, value.value)
        return {"value": value.value, "code": facet_code(facet, value.value), "label": label, "count": value.count}

    def _known_values(self) -> dict[str, dict[str, str]]:
        """Facet → {folded value or code: stored value}, for every value the catalogue holds."""
        version = self.backend.data_version()
        cached_version, at, known = self._known
        if known and (version is not None and version == cached_version or version is None and time.monotonic() - at < _TTL_SECONDS):
            return known
        # every value of every facet (5,000 at most each: below the engines' bucket limits)
        page = self.backend.search(SearchQuery(page_size=1, facet_size=5_000))
        known = {}
        for facet, values in page.facets.items():
            keys = known.setdefault(facet, {})
            for v in values:
                keys.setdefault(fold(facet_code(facet, v.value)), v.value)
                keys.setdefault(fold(v.value), v.value)
                if v.label:
                    keys.setdefault(fold(v.label), v.value)
        self._known = (version, time.monotonic(), known)
        return known


def _resolved(facet: str, value: str, known: dict[str, str]) -> str:
    for candidate in (value, facet_code(facet, value)):
        stored = known.get(fold(candidate))
        if stored is not None:
            return stored
    if facet == "license":  # a licence label spelled another way ("ODbL") names the same licence
        for key, stored in known.items():
            if facet_code("license", stored) == facet_code("license", value):
                return stored
    valid = sorted({f"{facet_code(facet, stored)}" for stored in known.values()}, key=fold)
    raise UnknownFacetValue(facet, value, valid)
