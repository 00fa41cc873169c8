"""French places resolved by name or identifier to an official code and a box (issue 14), offline."""

from __future__ import annotations

import pytest

from mappings.places import FRANCE_IRI, resolve_place
from mappings.vocabularies.tables import load_table


@pytest.mark.parametrize(
    "label,uri,level,code",
    [
        ("Lyon", None, "commune", "69123"),
        ("PARIS", None, "commune", "75056"),
        ("Ville de Montpellier", None, "commune", "34172"),
        ("Saint-Denis (93)", None, "commune", "93066"),
        ("St-Denis - 974", None, "commune", "97411"),
        ("Département du Rhône", None, "departement", "69"),
        ("Haute-Garonne", None, "departement", "31"),
        ("Région Occitanie", None, "region", "76"),
        ("Auvergne-Rhône-Alpes", None, "region", "84"),
        ("Métropole de Lyon", None, "epci", "200046977"),
        ("France entière et hors territoire", None, "pays", "FR"),
        ("France métropolitaine", None, "pays", "FR"),
        ("75056", "fr:commune:75056@1942-01-01", "commune", "75056"),
        (None, "fr:departement:2A", "departement", "2A"),
        (None, "fr:epci:200046977", "epci", "200046977"),
        (None, "http://id.insee.fr/geo/region/11", "region", "11"),
        (None, FRANCE_IRI, "pays", "FR"),
        ("Lyon", "http://sws.geonames.org/2996944/", "commune", "69123"),  # an unknown IRI: the name decides
    ],
)
def test_places_resolve(label, uri, level, code):
    place = resolve_place(label, uri)
    assert place is not None and (place.level, place.code) == (level, code)
    assert place.bbox is not None


@pytest.mark.parametrize("label", ["Saint-Denis", "Nulle part", "", "Saint-Denis (75)"])
def test_unknown_or_ambiguous_names_stay_unresolved(label):
    assert resolve_place(label) is None


def test_boxes_hold_the_place():
    west, south, east, north = resolve_place("Lyon").bbox
    assert west < 4.8357 < east and south < 45.7640 < north  # Lyon's Hôtel de ville
    west, south, east, north = resolve_place("Paris").bbox
    assert west < 2.3522 < east and south < 48.8566 < north
    assert resolve_place("Lyon").uri == "http://id.insee.fr/geo/commune/69123"


def test_the_table_is_complete_and_says_where_it_came_from():
    table = load_table("places")
    assert "@etalab/decoupage-administratif" in table["source"] and "france-geojson" in table["source"]
    assert len(table["communes"]) > 34_000 and len(table["departements"]) >= 101 and len(table["regions"]) >= 18
    boxed = sum(1 for row in table["communes"].values() if len(row) == 6)
    assert boxed / len(table["communes"]) > 0.99
