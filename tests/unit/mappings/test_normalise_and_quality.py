"""The normalisation step and the quality score."""

import pytest

from mappings.normalise import normalise, normalise_frequency, normalise_languages, normalise_license
from mappings.quality import MAX_POINTS, assess
from mappings.record import Agent, Concept, Record
from tests.factories import DistributionFactory, RecordFactory

ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


@pytest.mark.parametrize(
    "given,label_contains,uri_contains",
    [
        (Concept("odbl", "http://opendatacommons.org/licenses/odbl/"), "ODbL", "ODC_BL"),
        (Concept("Licence Ouverte v2.0 (Etalab)"), "2.0", "etalab.gouv.fr"),
        (Concept("Licence Engagée"), "Engagée", None),
    ],
)
def test_licences_become_canonical(given, label_contains, uri_contains):
    result = normalise_license(given)
    assert label_contains in result.label
    assert (uri_contains is None and result.uri is None) or uri_contains in (result.uri or "")


def test_unknown_licence_is_kept_as_given():
    odd = Concept("Conditions particulières de la mairie")
    assert normalise_license(odd) == odd


def test_frequencies_and_languages():
    assert normalise_frequency(Concept("En continu")).uri.endswith("/frequency/UPDATE_CONT")
    assert normalise_frequency(Concept("daily", "http://purl.org/cld/freq/daily")).uri.endswith("/frequency/DAILY")
    assert normalise_languages(("fr", "fre", "http-tail-unknown")) == ("FRA", "http-tail-unknown")


def test_normalise_maps_themes_formats_and_scores():
    record = RecordFactory(
        themes=(Concept("Mobilité et Transport"),),
        keywords=("vélo",),
        distributions=(DistributionFactory(format="geojson", media_type="application/json",
                                           download_url="https://x.fr/api/exports/geojson", access_url="https://x.fr/a"),),
    )
    result = normalise(record)
    assert [t.code for t in result.eu_themes][:1] == ["TRAN"]
    assert result.distributions[0].format == "GEOJSON"
    assert result.quality == assess(result).score


def test_a_complete_record_scores_100_and_an_empty_one_low():
    full = normalise(RecordFactory(
        keywords=("arbres",), themes=(Concept("Environnement"),), spatial=(Concept("Paris"),),
        temporal_start="2020-01-01", issued="2020-01-01", modified="2021-01-01",
        contact_point=Agent("Service", email="a@b.fr"), publisher=Agent("Ville de Paris"),
        access_rights=Concept("public", "http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
    ))
    assert full.quality == 100, assess(full).missing
    bare = Record(record_id="p:x", portal_id="p", guid="x", title="T")
    assert assess(bare).score < 25
    assert sum(possible for _, possible in assess(bare).dimensions.values()) == MAX_POINTS
