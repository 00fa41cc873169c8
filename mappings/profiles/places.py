"""Places the harvested portals name without an IRI, with their official IRI, label and bounding box.

A name alone (``locn:geographicName "Paris"``) is dropped by data.gouv.fr's harvester,
which needs a geometry, and by CKAN's, which reads ``skos:prefLabel``. A place this
table knows is exported as its authority IRI — INSEE's code officiel géographique
for communes (``http://id.insee.fr/geo/commune/<code INSEE>``), the EU country table
for France — with its official label and the box of its territory.

The boxes are those of the communes' administrative boundaries (IGN ADMIN EXPRESS,
rounded outwards to 0.001°). France has none: the country includes its overseas
departments, and a box around them all would say nothing useful.
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.vocabularies import fold

__all__ = ["KNOWN_PLACES", "KnownPlace", "known_place"]

_EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
_INSEE_COMMUNE = "http://id.insee.fr/geo/commune/"


@dataclass(frozen=True)
class KnownPlace:
    """A place with an authority IRI, its official label and, when useful, its ``(west, south, east, north)`` box."""

    iri: str
    label: str
    bbox: tuple[float, float, float, float] | None = None
    names: tuple[str, ...] = ()


KNOWN_PLACES: tuple[KnownPlace, ...] = (
    KnownPlace(_INSEE_COMMUNE + "75056", "Paris", (2.224, 48.815, 2.470, 48.903), ("Paris", "Ville de Paris")),
    KnownPlace(_INSEE_COMMUNE + "69123", "Lyon", (4.771, 45.707, 4.899, 45.809), ("Lyon", "Ville de Lyon")),
    KnownPlace(
        _INSEE_COMMUNE + "34172", "Montpellier", (3.807, 43.566, 3.942, 43.654), ("Montpellier", "Ville de Montpellier")
    ),
    KnownPlace(_INSEE_COMMUNE + "69266", "Villeurbanne", (4.860, 45.754, 4.922, 45.789), ("Villeurbanne",)),
    KnownPlace(_EU_COUNTRY + "FRA", "France", None, ("France", "France entière")),
)
_BY_NAME = {fold(name): place for place in KNOWN_PLACES for name in place.names}


def known_place(name: str | None) -> KnownPlace | None:
    """The known place a name designates exactly (accents and case aside), or None."""
    return _BY_NAME.get(fold(name or ""))
