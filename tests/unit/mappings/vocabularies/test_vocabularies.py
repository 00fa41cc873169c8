"""The vocabulary tables themselves: well-formed, unambiguous, consistent, and the package stays pure."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest

import mappings.vocabularies as vocabularies
from mappings.vocabularies import fold
from mappings.vocabularies.tables import iri_tail, load_table

DATA = resources.files("mappings.vocabularies") / "data"
TABLE_NAMES = sorted(p.name.removesuffix(".json") for p in DATA.iterdir() if p.name.endswith(".json"))
EU_THEMES = load_table("data_themes")["themes"]
MAPPINGS = Path(vocabularies.__file__).resolve().parent.parent
PURE_MODULES = sorted(MAPPINGS.glob("vocabularies/*.py")) + [MAPPINGS / "geo.py", MAPPINGS / "temporal.py"]


def _no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates, f"duplicate JSON keys: {duplicates}"
    return dict(pairs)


def _ambiguous(terms_by_target: dict[str, list[str]]) -> dict[str, set[str]]:
    """Folded terms that point to more than one target."""
    seen: dict[str, set[str]] = defaultdict(set)
    for target, terms in terms_by_target.items():
        for term in terms:
            if term:
                seen[fold(term)].add(target)
    return {term: targets for term, targets in seen.items() if len(targets) > 1}


def test_the_tables_are_shipped():
    assert TABLE_NAMES == [
        "data_themes",
        "file_types",
        "frequencies",
        "inspire_themes",
        "iso_topics",
        "languages",
        "licenses",
        "places",
        "portal_themes",
        "theme_keywords",
    ]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_table_is_valid_json_without_duplicate_keys(name):
    json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_table_says_where_it_comes_from(name):
    table = load_table(name)
    assert table.get("description")
    assert table.get("source") or table.get("sources")


def test_load_table_reads_once():
    assert load_table("licenses") is load_table("licenses")


def test_all_fourteen_eu_data_themes_with_both_labels():
    assert sorted(EU_THEMES) == sorted(
        "AGRI ECON EDUC ENER ENVI GOVE HEAL INTR JUST OP_DATPRO REGI SOCI TECH TRAN".split()
    )
    assert all(labels["fr"] and labels["en"] for labels in EU_THEMES.values())


@pytest.mark.parametrize("name,key", [("inspire_themes", "themes"), ("iso_topics", "topics")])
def test_theme_alignments_point_to_eu_themes_with_sane_confidences(name, key):
    for entry in load_table(name)[key].values():
        assert entry["data_themes"]
        for code, confidence in entry["data_themes"].items():
            assert code in EU_THEMES and 0 < confidence <= 1


def test_inspire_table_has_the_34_themes():
    assert len(load_table("inspire_themes")["themes"]) == 34


def test_iso_table_has_the_19_topic_categories_and_the_two_2014_additions():
    assert len(load_table("iso_topics")["topics"]) == 21


def test_portal_themes_point_to_eu_themes():
    for label, themes in load_table("portal_themes")["themes"].items():
        assert themes, label
        assert all(code in EU_THEMES and 0 < confidence <= 1 for code, confidence in themes.items()), label


def test_portal_theme_labels_stay_distinct_once_folded():
    labels = list(load_table("portal_themes")["themes"])
    assert len({fold(label) for label in labels}) == len(labels)


def test_keywords_point_to_eu_themes():
    assert set(load_table("theme_keywords")["keywords"]) <= set(EU_THEMES)


def test_inspire_labels_are_unambiguous():
    themes = load_table("inspire_themes")["themes"]
    assert not _ambiguous({k: [e["fr"], e["en"], *e.get("aliases", [])] for k, e in themes.items()})


def test_license_ids_labels_and_urls_are_unambiguous():
    entries = load_table("licenses")["licenses"]
    assert len({e["id"] for e in entries}) == len(entries)
    assert not _ambiguous({e["id"]: [e["id"], e["label"], *e["labels"]] for e in entries})
    urls = [url.lower().split("://", 1)[1].removeprefix("www.").rstrip("/") for e in entries for url in e["urls"]]
    assert len(set(urls)) == len(urls)


def test_license_entries_are_complete():
    for entry in load_table("licenses")["licenses"]:
        assert set(entry) >= {"id", "label", "uri", "url", "open", "urls", "labels"}, entry["id"]
        assert entry["open"] in (True, False, None)


def test_license_nal_iris_are_only_the_verified_ones():
    verified = set(
        "CC0 CC_BY_3_0 CC_BY_4_0 CC_BYSA_4_0 CC_BYNC_4_0 CC_BYND_4_0 CC_BYNCSA_4_0 CC_BYNCND_4_0 "
        "ODC_BL ODC_BY ODC_PDDL OGL_3_0".split()
    )
    nal = "http://publications.europa.eu/resource/authority/licence/"
    used = {e["uri"].removeprefix(nal) for e in load_table("licenses")["licenses"] if (e["uri"] or "").startswith(nal)}
    assert used == verified


def test_license_patterns_compile_and_name_known_licenses():
    ids = {e["id"] for e in load_table("licenses")["licenses"]}
    for pattern, license_id in load_table("licenses")["patterns"]:
        re.compile(pattern)
        assert license_id in ids


def test_file_type_labels_are_unambiguous():
    types = load_table("file_types")["types"]
    assert not _ambiguous({key: [key, e["label"], *e["aliases"]] for key, e in types.items()})


def test_file_type_protocols_and_weak_codes_are_known():
    table = load_table("file_types")
    codes = {entry.get("code", key) for key, entry in table["types"].items()}
    assert set(table["protocols"].values()) <= set(table["types"])
    assert set(table["weak"]) <= codes


def test_file_type_media_types_are_iana_shaped():
    pattern = re.compile(r"^[a-z]+/[\w.+-]+$")
    for entry in load_table("file_types")["types"].values():
        for media_type in (entry["media_type"], *entry["media_types"]):
            assert media_type is None or pattern.match(media_type), media_type


def test_frequency_terms_are_unambiguous():
    frequencies = load_table("frequencies")["frequencies"]
    assert not _ambiguous({code: [code, e["fr"], e["en"], *e["aliases"]] for code, e in frequencies.items()})


def test_frequency_table_has_every_eu_code_of_the_dcat_ap_notes():
    codes = set(load_table("frequencies")["frequencies"])
    assert codes == set(
        "DAILY WEEKLY MONTHLY QUARTERLY ANNUAL IRREG UNKNOWN UPDATE_CONT HOURLY 1MIN 5MIN 10MIN 15MIN 30MIN "
        "BIHOURLY TRIHOURLY 12HRS CONT DAILY_2 DAILY_3 WEEKLY_2 WEEKLY_3 WEEKLY_5 BIWEEKLY MONTHLY_2 MONTHLY_3 "
        "BIMONTHLY ANNUAL_2 ANNUAL_3 BIENNIAL TRIENNIAL QUADRENNIAL QUINQUENNIAL DECENNIAL BIDECENNIAL "
        "TRIDECENNIAL AS_NEEDED NEVER NOT_PLANNED OTHER".split()
    )


def test_language_terms_are_unambiguous():
    languages = load_table("languages")["languages"]
    terms = {
        code: [code, e["iso639_1"], e["iso639_2b"], e["fr"], e["en"], *e["aliases"]] for code, e in languages.items()
    }
    assert not _ambiguous(terms)
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in languages)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mobilité et Transport", "mobilite et transport"),
        ("transition-ecologique", "transition ecologique"),
        ("ÉCONOMIE", "economie"),
        ("Qualité de l’air", "qualite de l air"),
        ("Œuvres d'art", "oeuvres d art"),
        ("  Réseaux   de\ttransport ", "reseaux de transport"),
        ("OGC:WMS-1.3.0", "ogc wms 1 3 0"),
        ("update_cont", "update cont"),
    ],
)
def test_fold_ignores_accents_case_and_punctuation(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    "iri,expected",
    [
        ("http://purl.org/cld/freq/daily", "daily"),
        ("http://publications.europa.eu/resource/authority/frequency/DAILY/", "DAILY"),
        ("https://opendata.paris.fr/api/explore/v2.1/catalog/exports/En%20continu", "En continu"),
        ("http://example.org/vocab#term", "term"),
    ],
)
def test_iri_tail(iri, expected):
    assert iri_tail(iri) == expected


def test_exported_names_exist():
    for name in vocabularies.__all__:
        assert hasattr(vocabularies, name), name


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: p.name)
def test_modules_import_only_the_standard_library_and_mappings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    roots = {name.split(".")[0] for name in imported}
    assert roots <= set(sys.stdlib_module_names) | {"mappings"}, roots
    assert not {name for name in imported if name.startswith(("service", "harvesters", "mappings.from_rdf"))}
