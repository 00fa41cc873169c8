"""EU languages, table entry by table entry, plus the real spellings of the portals."""

from __future__ import annotations

import pytest

from mappings.vocabularies import LanguageInfo, eu_language
from mappings.vocabularies.tables import load_table

TABLE = load_table("languages")
BASE = TABLE["base"]
LANGUAGES = TABLE["languages"]
TERMS = {
    term: code
    for code, e in LANGUAGES.items()
    for term in (code, e["iso639_1"], e["iso639_2b"], e["fr"], e["en"], *e["aliases"])
    if term
}


@pytest.mark.parametrize("term,expected", TERMS.items())
def test_language_term(term, expected):
    assert eu_language(term).code == expected
    assert eu_language(term.upper()).code == expected


@pytest.mark.parametrize("code,entry", LANGUAGES.items())
def test_language_iris(code, entry):
    expected = LanguageInfo(code, BASE + code, entry["iso639_1"], entry["fr"], entry["en"])
    assert eu_language(BASE + code) == expected
    assert eu_language("http://id.loc.gov/vocabulary/iso639-2/" + entry["iso639_2b"]) == expected
    if entry["iso639_1"]:
        assert eu_language("http://id.loc.gov/vocabulary/iso639-1/" + entry["iso639_1"]) == expected


@pytest.mark.parametrize(
    "term,expected",
    [
        ("http://id.loc.gov/vocabulary/iso639-1/fr", "FRA"),  # Opendatasoft
        ("http://id.loc.gov/vocabulary/iso639-2/fre", "FRA"),
        ("fre", "FRA"),  # GeoNetwork
        ("fr", "FRA"),  # udata catalogue
        ("fra", "FRA"),
        ("français", "FRA"),
        ("Francais", "FRA"),
        ("French", "FRA"),
        ("fr-FR", "FRA"),
        ("fr_CA", "FRA"),
        ("en", "ENG"),
        ("eng", "ENG"),
        ("en-GB", "ENG"),
        ("de", "DEU"),
        ("ger", "DEU"),
        ("deu", "DEU"),
        ("es", "SPA"),
        ("spa", "SPA"),
        ("it", "ITA"),
        ("ita", "ITA"),
        ("http://lexvo.org/id/iso639-3/bre", "BRE"),
        ("http://publications.europa.eu/resource/authority/language/OCI", "OCI"),
        ("multilingue", "MUL"),
    ],
)
def test_real_language_values(term, expected):
    assert eu_language(term).code == expected


@pytest.mark.parametrize("term", [None, "", "xx", "klingon", "http://id.loc.gov/vocabulary/iso639-1/zz"])
def test_unknown_language(term):
    assert eu_language(term) is None
