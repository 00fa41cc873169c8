"""EU frequencies, table entry by table entry, plus the real spellings of the portals."""

from __future__ import annotations

import pytest

from mappings.vocabularies import FrequencyInfo, eu_frequency
from mappings.vocabularies.tables import load_table

TABLE = load_table("frequencies")
BASE = TABLE["base"]
TERMS = {term: code for code, e in TABLE["frequencies"].items() for term in (code, e["fr"], e["en"], *e["aliases"])}
DUBLIN_CORE = {
    "continuous": "UPDATE_CONT",
    "daily": "DAILY",
    "threeTimesAWeek": "WEEKLY_3",
    "semiweekly": "WEEKLY_2",
    "weekly": "WEEKLY",
    "biweekly": "BIWEEKLY",
    "threeTimesAMonth": "MONTHLY_3",
    "semimonthly": "MONTHLY_2",
    "monthly": "MONTHLY",
    "bimonthly": "BIMONTHLY",
    "quarterly": "QUARTERLY",
    "threeTimesAYear": "ANNUAL_3",
    "semiannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "biennial": "BIENNIAL",
    "triennial": "TRIENNIAL",
    "irregular": "IRREG",
}
ISO_MAINTENANCE = {
    "continual": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "fortnightly": "BIWEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "biannually": "ANNUAL_2",
    "annually": "ANNUAL",
    "asNeeded": "AS_NEEDED",
    "irregular": "IRREG",
    "notPlanned": "NOT_PLANNED",
    "unknown": "UNKNOWN",
}


@pytest.mark.parametrize("term,expected", TERMS.items())
def test_frequency_term(term, expected):
    assert eu_frequency(term).code == expected
    assert eu_frequency(term.upper()).code == expected


@pytest.mark.parametrize("code", TABLE["frequencies"])
def test_eu_frequency_iri(code):
    entry = TABLE["frequencies"][code]
    assert eu_frequency(BASE + code) == FrequencyInfo(code, BASE + code, entry["fr"], entry["en"])


@pytest.mark.parametrize("term,expected", DUBLIN_CORE.items())
def test_dublin_core_frequency_iri(term, expected):
    assert eu_frequency("http://purl.org/cld/freq/" + term).code == expected


@pytest.mark.parametrize("term,expected", ISO_MAINTENANCE.items())
def test_iso_maintenance_frequency_code(term, expected):
    assert eu_frequency(term).code == expected
    iri = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#MD_MaintenanceFrequencyCode_" + term
    assert eu_frequency(iri) is None or eu_frequency(iri).code == expected


@pytest.mark.parametrize(
    "term,expected",
    [
        ("En continu", "UPDATE_CONT"),
        # rdflib resolves ODS's rdf:about="En continu" against the document URL
        ("https://opendata.paris.fr/api/explore/v2.1/catalog/exports/En continu", "UPDATE_CONT"),
        ("https://opendata.paris.fr/api/explore/v2.1/catalog/exports/En%20continu", "UPDATE_CONT"),
        ("Quotidienne", "DAILY"),
        ("quotidien", "DAILY"),
        ("Hebdomadaire", "WEEKLY"),
        ("Mensuelle", "MONTHLY"),
        ("Annuelle", "ANNUAL"),
        ("Temps réel", "UPDATE_CONT"),
        ("temps reel", "UPDATE_CONT"),
        ("Irrégulière", "IRREG"),
        ("Ponctuelle", "AS_NEEDED"),
        ("punctual", "AS_NEEDED"),  # data.gouv.fr id
        ("CONT", "CONT"),  # GeoNetwork DCAT literal
        ("R/P1D", "DAILY"),  # DKAN / Project Open Data
        ("R/PT1S", "UPDATE_CONT"),
        ("R/P0.5M", "MONTHLY_2"),
        ("r/p1y", "ANNUAL"),
        ("  Trimestrielle ", "QUARTERLY"),
    ],
)
def test_real_frequency_values(term, expected):
    assert eu_frequency(term).code == expected


@pytest.mark.parametrize("term", [None, "", "parfois", "http://example.org/freq/whenever", "fourTimesADay"])
def test_unknown_frequency(term):
    assert eu_frequency(term) is None
