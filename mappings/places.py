"""French places named in ``dct:spatial``, resolved to an official code and a bounding box.

Portals often describe coverage by name only ("Lyon", "Département du Rhône",
"France entière") or by a code in an identifier (``fr:commune:69123``,
``http://id.insee.fr/geo/departement/69``). This resolves both, offline, against
``vocabularies/data/places.json`` (built by ``scripts/build_places.py`` from Etalab's
``@etalab/decoupage-administratif`` and IGN Admin Express outlines; see that file's
``source``) — never a geocoding service.

What is matched:

* identifiers: INSEE-style IRIs ``…/geo/commune|departement|region/<code>``, data.gouv.fr
  zone ids ``fr:commune:<code>``, ``fr:departement:<code>``, ``fr:region:<code>``,
  ``fr:epci:<siren>``, ``country:fr`` (a ``@date`` suffix is ignored), the EU country
  IRI for France;
* names, compared without accents, case, hyphens or apostrophes ("st" = "saint"):
  communes, departments, regions and EPCI (intercommunalities) by their official name,
  optionally prefixed ("commune de", "ville de", "département du", "région") or followed
  by a department code in brackets ("Saint-Denis (93)"); "France", "France entière",
  "France métropolitaine" and the like.

A prefix names the level; otherwise a commune is tried first, then a department, a
region and an EPCI. A name several communes share ("Saint-Denis") is resolved only with
a department code; otherwise it stays unresolved rather than be guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from mappings.vocabularies.tables import load_table

__all__ = ["FRANCE_IRI", "Place", "resolve_place"]

FRANCE_IRI = "http://publications.europa.eu/resource/authority/country/FRA"
INSEE_GEO = "http://id.insee.fr/geo"
_LEVELS = ("commune", "departement", "region", "epci")
_ZONE_ID = re.compile(r"^fr:(commune|departement|region|epci):([0-9A-Za-z]+)(?:@.*)?$")
_INSEE_IRI = re.compile(r"/geo/(commune|departement|region)/([0-9AB]{2,5})/?$", re.I)
_DEPARTMENT_HINT = re.compile(r"^(.*?)\s*(?:\(\s*(\d[0-9AB]|\d{3})\s*\)|[-–,]\s*(\d[0-9AB]|\d{3}))\s*$", re.I)
_PREFIXES = (
    ("commune", ("commune de ", "commune d ", "ville de ", "ville d ", "commune ")),
    ("departement", ("departement de la ", "departement de l ", "departement des ", "departement du ", "departement de ",
                     "departement d ", "departement ")),
    ("region", ("region ", "collectivite territoriale de ")),
)
_FRANCE_NAMES = {"france", "france entiere", "france entiere et hors territoire", "territoire national",
                 "france metropolitaine et outre mer", "national"}
_METROPOLE_NAMES = {"france metropolitaine", "metropole"}


@dataclass(frozen=True)
class Place:
    """A resolved place: its level, official code (INSEE, or SIREN for an EPCI), name, IRI and box."""

    level: str
    code: str
    name: str
    uri: str | None
    bbox: tuple[float, float, float, float] | None


@functools.lru_cache(maxsize=8192)  # a portal names the same few places on every record
def resolve_place(label: str | None = None, uri: str | None = None) -> Place | None:
    """The place an identifier or a name designates, or None when unknown or ambiguous."""
    if uri:
        found = _from_identifier(uri.strip())
        if found is not None:
            return found
    return _from_name(label) if label else None


def _from_identifier(identifier: str) -> Place | None:
    if identifier.rstrip("/") == FRANCE_IRI or identifier.lower() in ("country:fr", "fr"):
        return _france("entiere")
    match = _ZONE_ID.match(identifier) or _INSEE_IRI.search(identifier)
    return _place(match.group(1).lower(), match.group(2).upper()) if match else None


def _from_name(label: str) -> Place | None:
    text = fold(label)
    if text in _FRANCE_NAMES:
        return _france("entiere")
    if text in _METROPOLE_NAMES:
        return _france("metropole")
    hint = _DEPARTMENT_HINT.match(label.strip())
    department = (hint.group(2) or hint.group(3)).upper() if hint else None
    if hint:
        text = fold(hint.group(1))
    for level, prefixes in _PREFIXES:
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                return _unique(level, text[len(prefix):], department)
    for level in _LEVELS:
        found = _unique(level, text, department)
        if found is not None:
            return found
    return None


def _unique(level: str, name: str, department: str | None) -> Place | None:
    codes = _name_index()[level].get(name, ())
    if department and level == "commune":
        codes = tuple(code for code in codes if _table()["communes"][code][1] == department)
    return _place(level, codes[0]) if len(codes) == 1 else None


def _place(level: str, code: str) -> Place | None:
    table = _table()
    key = {"commune": "communes", "departement": "departements", "region": "regions", "epci": "epci"}[level]
    row = table[key].get(code)
    if row is None:
        return None
    name, numbers = row[0], [v for v in row[1:] if isinstance(v, (int, float))]
    uri = f"{INSEE_GEO}/{level}/{code}" if level != "epci" else None
    return Place(level, code, name, uri, tuple(numbers) if len(numbers) == 4 else None)


def _france(which: str) -> Place:
    name, *box = _table()["france"][which]
    return Place("pays", "FR", name, FRANCE_IRI, tuple(box))


def fold(text: str) -> str:
    """A name compared loosely: no accents, lower case, words only, "st"/"ste" spelled out."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain)
    return " ".join({"st": "saint", "ste": "sainte"}.get(word, word) for word in words)


@functools.cache
def _table() -> dict:
    return load_table("places")


@functools.cache
def _name_index() -> dict[str, dict[str, tuple[str, ...]]]:
    """level → folded name → codes (several when communes share a name)."""
    table = _table()
    index: dict[str, dict[str, tuple[str, ...]]] = {}
    for level, key in (("commune", "communes"), ("departement", "departements"), ("region", "regions"), ("epci", "epci")):
        names: dict[str, list[str]] = {}
        for code, row in table[key].items():
            names.setdefault(fold(row[0]), []).append(code)
        index[level] = {name: tuple(codes) for name, codes in names.items()}
    return index
