"""Canonical licences, table entry by table entry, plus the variants the portals really write."""

from __future__ import annotations

import pytest

from mappings.vocabularies import UNKNOWN_LICENSE, LicenseInfo, canonical_license
from mappings.vocabularies.tables import load_table

ENTRIES = load_table("licenses")["licenses"]
URLS = {url: e["id"] for e in ENTRIES for url in e["urls"]}
LABELS = {label: e["id"] for e in ENTRIES for label in (e["id"], e["label"], *e["labels"])}
NAL = "http://publications.europa.eu/resource/authority/licence/"


@pytest.mark.parametrize("term,expected", URLS.items())
def test_license_url(term, expected):
    info = canonical_license(term)
    assert (info.id, info.rule) == (expected, "uri")


@pytest.mark.parametrize("term,expected", URLS.items())
def test_license_url_variants(term, expected):
    """Scheme, www., case and trailing slash do not matter; deeper paths and pages still match."""
    bare = term.split("://", 1)[1].removeprefix("www.")
    for variant in (f"http://{bare}/", f"https://www.{bare.upper()}", f"https://{bare}/index.html"):
        assert canonical_license(variant).id == expected, variant


@pytest.mark.parametrize("term,expected", LABELS.items())
def test_license_label(term, expected):
    info = canonical_license(term)
    assert (info.id, info.rule) == (expected, "label")
    assert canonical_license(f"  {term.upper()} ").id == expected


@pytest.mark.parametrize(
    "term,expected",
    [
        # Etalab, as the issue lists them
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "etalab-2.0"),
        ("https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf", "etalab-2.0"),
        ("Licence Ouverte v2.0 (Etalab)", "etalab-2.0"),
        ("lov2", "etalab-2.0"),
        ("fr-lo", "etalab-1.0"),
        ("etalab-2.0", "etalab-2.0"),
        ("Open Licence", "etalab-2.0"),
        # Géo2France / GeoNetwork: label and PDF URL in one literal, two spaces apart
        (
            "Licence Ouverte version 2.0  https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
            "etalab-2.0",
        ),
        # DKAN license_title holding the 2011 Etalab page
        ("http://www.etalab.gouv.fr/pages/Licence_ouverte_Open_licence-5899923.html", "etalab-1.0"),
        ("http://ddata.over-blog.com/xxxyyy/4/37/99/26/licence/Licence-Ouverte-Open-Licence.pdf", "etalab-1.0"),
        ("Licence ouverte Etalab version 1.0", "etalab-1.0"),
        ("Licence Ouverte / Open Licence", "etalab-1.0"),  # udata's title for fr-lo
        ("Licence Ouverte", "etalab-2.0"),  # version-less: the current version, as data.gouv.fr does
        ("Licence Ouverte (LO) de l'Etat", "etalab-2.0"),
        # ODbL
        ("http://opendatacommons.org/licenses/odbl/summary/", "ODbL-1.0"),
        ("http://opendatacommons.org/licenses/odbl/1.0/", "ODbL-1.0"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0"),
        ("ODbL", "ODbL-1.0"),
        ("Open Database License (ODbL)", "ODbL-1.0"),
        ("Licence ODbL de la Ville de Paris", "ODbL-1.0"),
        # Creative Commons
        ("https://creativecommons.org/licenses/by/4.0/deed.fr", "CC-BY-4.0"),
        ("http://creativecommons.org/licenses/by/3.0/fr/", "CC-BY-3.0"),
        ("https://creativecommons.org/licenses/by/2.0/", "CC-BY-2.0"),
        ("http://www.opendefinition.org/licenses/cc-by", "CC-BY"),
        ("CC-BY", "CC-BY"),
        ("Creative Commons BY-SA 4.0", "CC-BY-SA-4.0"),
        ("cc by-sa 3.0 fr", "CC-BY-SA-3.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/deed.fr", "CC0-1.0"),
        ("cc-zero", "CC0-1.0"),
        ("CC BY-NC 3.0", "CC-NC-ND"),
        ("Creative Commons Attribution - Pas d'Utilisation Commerciale 2.0", "CC-NC-ND"),
        ("https://creativecommons.org/licenses/by-nc-nd/4.0/", "CC-BY-NC-ND-4.0"),
        # EU NAL IRIs given directly
        (NAL + "CC_BY_4_0", "CC-BY-4.0"),
        (NAL + "ODC_BL", "ODbL-1.0"),
        # the ODS API example
        ("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "OGL-UK-3.0"),
        # Lyon, registration required
        ("Licence Engagée", "grandlyon-licence-engagee"),
        ("licence engagee", "grandlyon-licence-engagee"),
        # data.gouv.fr rights literal when the licence has no URL
        ("License Not Specified", "notspecified"),
    ],
)
def test_real_license_values(term, expected):
    assert canonical_license(term).id == expected


@pytest.mark.parametrize(
    "term,is_open",
    [("lov2", True), ("ODbL", True), ("CC BY-NC 4.0", False), ("Licence Engagée", False), ("notspecified", None)],
)
def test_openness(term, is_open):
    assert canonical_license(term).is_open is is_open


def test_nal_iri_is_preferred_and_the_page_is_kept():
    info = canonical_license("http://opendatacommons.org/licenses/odbl/summary/")
    assert info == LicenseInfo(
        id="ODbL-1.0",
        label="Open Data Commons Open Database License (ODbL) 1.0",
        uri=NAL + "ODC_BL",
        url="https://opendatacommons.org/licenses/odbl/1-0/",
        is_open=True,
        rule="uri",
    )


def test_etalab_iri_is_the_etalab_page_while_the_nal_entry_is_unverified():
    info = canonical_license("Licence Ouverte v2.0")
    assert info.uri == info.url == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


def test_pattern_rule_is_reported():
    assert canonical_license("Licence Ouverte d'Etalab (LO 2)").rule == "pattern"


@pytest.mark.parametrize(
    "term,uri",
    [
        ("license", None),  # Lyon's csw:Record dc:rights placeholder
        ("Pas de restriction d'accès public selon INSPIRE", None),
        ("https://example.org/conditions-generales", "https://example.org/conditions-generales"),
    ],
)
def test_unknown_licence_is_kept_as_given(term, uri):
    assert canonical_license(term) == LicenseInfo(UNKNOWN_LICENSE, term, uri, uri, None, "unknown")


@pytest.mark.parametrize("term", [None, "", "   "])
def test_empty_value_is_no_licence(term):
    assert canonical_license(term) is None
