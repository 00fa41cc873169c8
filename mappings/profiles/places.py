"""Places a record names, as export profiles write them: authority IRI, official label, box.

A name alone (``locn:geographicName "Paris"``) is dropped by data.gouv.fr's harvester,
which needs a geometry, and by CKAN's, which reads ``skos:prefLabel``. A place that
:func:`mappings.places.resolve_place` knows, by name or by its INSEE / EU IRI, is exported
as that IRI, with its official label and the box of its territory (IGN Admin Express,
see ``scripts/build_places.py``). France gets no box: the country includes its overseas
departments, and a box around them all would say nothing useful.
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.places import resolve_place

__all__ = ["KnownPlace", "known_place"]


@dataclass(frozen=True)
class KnownPlace:
    """A place with an authority IRI, its official label and, when useful, its ``(west, south, east, north)`` box."""

    iri: str
    label: str
    bbox: tuple[float, float, float, float] | None = None


def known_place(name: str | None, uri: str | None = None) -> KnownPlace | None:
    """The place a name, or else an identifier, designates when it has an authority IRI; else None.

    A place given by an IRI is known only through that IRI (a GeoNames IRI labelled "Paris" stays
    the source's own). Intercommunalities (EPCI) have no authority IRI and stay named places.
    """
    place = resolve_place(None, uri) if uri else resolve_place(name.strip() if name else None)
    if place is None or place.uri is None:
        return None
    return KnownPlace(place.uri, place.name, None if place.level == "pays" else place.bbox)
