"""EU data themes from portal themes and keywords, table entry by table entry, plus real portal values."""

from __future__ import annotations

import pytest

from mappings.record import Concept
from mappings.vocabularies import ThemeAssignment, theme_assignments, themes_from_keywords
from mappings.vocabularies.tables import load_table

DATA_THEMES = load_table("data_themes")
EU_BASE = DATA_THEMES["base"]
INSPIRE = load_table("inspire_themes")
ISO = load_table("iso_topics")
PORTAL_THEMES = load_table("portal_themes")["themes"]
KEYWORDS = [(term, code) for code, terms in load_table("theme_keywords")["keywords"].items() for term in terms]


def codes(assignments: tuple[ThemeAssignment, ...]) -> set[str]:
    return {a.code for a in assignments}


def only(assignments: tuple[ThemeAssignment, ...]) -> ThemeAssignment:
    assert len(assignments) == 1, assignments
    return assignments[0]


@pytest.mark.parametrize("code", sorted(DATA_THEMES["themes"]))
def test_eu_theme_iri_is_kept_with_full_confidence(code):
    assignment = only(theme_assignments([Concept(label=code, uri=EU_BASE + code)]))
    labels = DATA_THEMES["themes"][code]
    assert assignment == ThemeAssignment(code, EU_BASE + code, labels["fr"], labels["en"], 1.0, "eu-theme")


@pytest.mark.parametrize("code", sorted(DATA_THEMES["themes"]))
def test_eu_theme_code_and_labels_are_recognised(code):
    labels = DATA_THEMES["themes"][code]
    assert only(theme_assignments([Concept(label=code)])).rule == "eu-theme"
    for label in (labels["fr"], labels["en"].upper()):
        assignment = only(theme_assignments([Concept(label=label)]))
        assert (assignment.code, assignment.confidence, assignment.rule) == (code, 0.95, "eu-theme:label")


def test_only_an_upper_case_label_is_taken_for_a_code():
    assert theme_assignments([Concept(label="Tech")]) == ()


def test_eu_theme_https_iri_is_accepted():
    assert only(theme_assignments([Concept(label="x", uri=EU_BASE.replace("http:", "https:") + "TRAN")])).code == "TRAN"


@pytest.mark.parametrize("term,expected", PORTAL_THEMES.items())
def test_portal_theme(term, expected):
    found = theme_assignments([Concept(label=term)])
    assert codes(found) == set(expected)
    for assignment in found:
        if assignment.rule == "portal-theme:exact":
            assert assignment.confidence == expected[assignment.code]


@pytest.mark.parametrize("key,entry", INSPIRE["themes"].items())
def test_inspire_theme_by_iri_and_by_label(key, entry):
    concepts = [
        Concept(label=key, uri=INSPIRE["base"] + key),
        Concept(label=key, uri=INSPIRE["base"].replace("http:", "https:") + key + "/"),
        Concept(label=entry["fr"]),
        Concept(label=entry["en"].lower()),
    ]
    for concept in concepts:
        found = theme_assignments([concept])
        assert codes(found) == set(entry["data_themes"]), concept
        assert {a.rule for a in found} == {"inspire-theme"}
        assert {a.code: a.confidence for a in found} == entry["data_themes"]


@pytest.mark.parametrize("code,entry", ISO["topics"].items())
def test_iso_topic_by_code_and_by_iri(code, entry):
    for concept in (Concept(label=code), Concept(label="?", uri=ISO["base"] + code)):
        found = theme_assignments([concept])
        assert codes(found) == set(entry["data_themes"]), concept
        # "environment" and "health" are also EU labels, "elevation" an INSPIRE label: those rules come first
        assert {a.rule for a in found} <= {"iso-topic", "eu-theme:label", "inspire-theme"}


@pytest.mark.parametrize("term,code", KEYWORDS)
def test_keyword(term, code):
    found = {a.code: a for a in themes_from_keywords([term])}
    assert code in found
    assert (found[code].rule, found[code].confidence) == ("keyword", 0.6)


# ---- real values from the four portals (research/portals/*.md) -------------------------------


def test_paris_facet_iri_with_its_label():
    concept = Concept(
        label="Mobilité et Transport",
        uri="https://opendata.paris.fr/explore/?refine.theme=Mobilit%C3%A9+et+Transport",
    )
    assert only(theme_assignments([concept])) == ThemeAssignment(
        "TRAN", EU_BASE + "TRAN", "Transports", "Transport", 0.95, "portal-theme:exact"
    )


def test_ods_facet_iri_without_label_uses_the_refine_value():
    # from_rdf labels an unlabelled IRI with its tail, "?refine.theme=Education"
    concept = Concept(label="?refine.theme=Education", uri="https://data.rennesmetropole.fr/explore/?refine.theme=Education")
    assert only(theme_assignments([concept])).code == "EDUC"


def test_ods_default_english_theme_from_the_api_example():
    found = theme_assignments([Concept(label="Administration, Government, Public finances, Citizenship")])
    assert [(a.code, a.confidence) for a in found] == [("GOVE", 0.9), ("ECON", 0.5)]


def test_lyon_dc_subject_mixes_inspire_labels_and_iso_codes():
    subjects = ["Réseaux de transport", "Services d'utilité publique et services publics", "transportation"]
    found = theme_assignments([Concept(label=s) for s in subjects])
    assert [(a.code, a.confidence, a.rule) for a in found] == [
        ("GOVE", 0.9, "inspire-theme"),
        ("TRAN", 0.9, "inspire-theme"),
    ]


def test_geonetwork_topic_category_iri():
    concept = Concept(label="society", uri="https://inspire.ec.europa.eu/metadata-codelist/TopicCategory/society")
    assert only(theme_assignments([concept])).code == "SOCI"


def test_geonetwork_local_thesaurus_concept_gives_nothing():
    uri = "https://www.geo2france.fr/geonetwork/srv/resources/registries/vocabularies/R%C3%A9gion/concepts/HAUTS-DE-FRANCE"
    assert theme_assignments([Concept(label="HAUTS-DE-FRANCE", uri=uri)]) == ()


def test_composite_label_is_matched_part_by_part():
    found = theme_assignments([Concept(label="Transports ; Mobilité")])
    assert [(a.code, a.confidence, a.rule) for a in found] == [("TRAN", 0.76, "portal-theme:part")]


def test_unknown_category_falls_back_on_keywords():
    assert [(a.code, a.rule) for a in theme_assignments([Concept(label="Déchets ménagers")])] == [
        ("ENVI", "portal-theme:keyword")
    ]
    assert only(theme_assignments([Concept(label="Défibrillateurs")])).confidence == 0.7


def test_datagouv_tag_slugs():
    found = {a.code: a for a in theme_assignments(keywords=["transition-ecologique", "bureaux-de-vote"])}
    assert (found["ENVI"].rule, found["GOVE"].rule) == ("keyword", "keyword")


def test_matching_ignores_accents_case_and_plurals():
    for keyword in ("VÉLOS", "velo", "Vélo", "velos"):
        assert codes(tuple(themes_from_keywords([keyword]))) == {"TRAN"}, keyword


def test_keyword_inside_a_longer_keyword_is_a_partial_match():
    found = themes_from_keywords(["stationnement des vélos cargo"])
    assert [(a.code, a.confidence, a.rule) for a in found] == [("TRAN", 0.45, "keyword:partial")]


def test_several_keywords_for_one_theme_raise_confidence_up_to_a_cap():
    two = themes_from_keywords(["vélo", "tramway"])
    many = themes_from_keywords(["vélo", "tramway", "bus", "métro", "gare", "parking"])
    assert [(a.code, a.confidence) for a in two] == [("TRAN", 0.7)]
    assert [(a.code, a.confidence) for a in many] == [("TRAN", 0.8)]


def test_the_same_keyword_twice_counts_once():
    assert themes_from_keywords(["Vélo", "velo"])[0].confidence == 0.6


def test_a_theme_beats_keywords_for_the_same_code_and_results_are_sorted():
    found = theme_assignments([Concept(label="Environnement")], ["vélo", "bus", "qualité de l'air"])
    assert [(a.code, a.confidence, a.rule) for a in found] == [
        ("ENVI", 0.95, "eu-theme:label"),
        ("TRAN", 0.7, "keyword"),
    ]


def test_unknown_values_give_no_theme():
    assert theme_assignments([Concept(label="Divers")], ["xyz", "", "2019"]) == ()
    assert theme_assignments() == ()
