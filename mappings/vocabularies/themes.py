"""EU data themes for a record, from the portal's own themes and from its keywords.

None of the four portals emits EU data themes (research/portals/dcat-ap.md §3), so
they are inferred. Every :class:`ThemeAssignment` says how sure the inference is
and which rule made it; docs/vocabularies.md lists the rules and their confidences.
For one theme concept the first rule that matches wins, in this order:

``eu-theme`` (1.0)
    the concept already is an EU data-theme IRI or code.
``eu-theme:label`` (0.95)
    its label is an EU data-theme label ("Transports", "Environment").
``inspire-theme`` (0.7–0.9, from the table)
    INSPIRE theme IRI or French/English label, via SEMIC's alignment.
``iso-topic`` (0.5–0.9, from the table)
    ISO 19115 topic category code or IRI ("transportation").
``portal-theme:exact`` (from the table)
    a known portal label ("Mobilité et Transport").
``portal-theme:part`` (table confidence × 0.8)
    the parts of a composite label ("Transports, Mobilité") are known labels.
``portal-theme:keyword`` (0.7 whole label, 0.5 words in it)
    the label is, or contains, a theme keyword ("Déchets").

Keywords give ``keyword`` (0.6) or ``keyword:partial`` (0.45, a keyword term inside a
longer keyword); each further keyword pointing to the same theme adds 0.1, up to 0.8.
Per theme code the highest confidence wins.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs

from mappings.record import Concept, ThemeAssignment
from mappings.vocabularies.tables import fold, load_table

__all__ = ["ThemeAssignment", "theme_assignments", "themes_from_concepts", "themes_from_keywords"]

_EU_LABEL_CONFIDENCE = 0.95
_PART_FACTOR = 0.8
_THEME_KEYWORD_CONFIDENCE = {"exact": 0.7, "partial": 0.5}
_KEYWORD_CONFIDENCE = {"exact": 0.6, "partial": 0.45}
_KEYWORD_RULE = {"exact": "keyword", "partial": "keyword:partial"}
_KEYWORD_BOOST = 0.1
_KEYWORD_CAP = 0.8

_INSPIRE_IRI = re.compile(r"inspire\.ec\.europa\.eu/theme/([a-z]{2})/?$", re.IGNORECASE)
_TOPIC_IRI = re.compile(r"/TopicCategory/(\w+)/?$", re.IGNORECASE)
_PART_SEPARATORS = re.compile(r"\s*(?:[,;/|&+]|\s-\s|\bet\b|\band\b)\s*", re.IGNORECASE)


def theme_assignments(themes: Iterable[Concept] = (), keywords: Iterable[str] = ()) -> tuple[ThemeAssignment, ...]:
    """EU data themes for a record, most confident first (one per theme code)."""
    found = [*themes_from_concepts(themes), *themes_from_keywords(keywords)]
    best: dict[str, ThemeAssignment] = {}
    for assignment in found:
        current = best.get(assignment.code)
        if current is None or assignment.confidence > current.confidence:
            best[assignment.code] = assignment
    return tuple(sorted(best.values(), key=lambda a: (-a.confidence, a.code)))


def themes_from_concepts(concepts: Iterable[Concept]) -> list[ThemeAssignment]:
    """Assignments for the portal's theme concepts; per concept the first matching rule wins."""
    found: list[ThemeAssignment] = []
    for concept in concepts:
        for rule in _CONCEPT_RULES:
            assignments = rule(concept)
            if assignments:
                found.extend(assignments)
                break
    return found


def themes_from_keywords(keywords: Iterable[str]) -> list[ThemeAssignment]:
    """Assignments for free keywords; several keywords agreeing raise the confidence."""
    hits: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for keyword in dict.fromkeys(fold(k) for k in keywords if k):
        for code, kind in _keyword_matches(keyword).items():
            hits[code].append((_KEYWORD_CONFIDENCE[kind], _KEYWORD_RULE[kind]))
    return [_combined(code, scores) for code, scores in hits.items()]


def _from_eu_theme(concept: Concept) -> list[ThemeAssignment]:
    code = _eu_code(concept)
    if code:
        return [_assignment(code, 1.0, "eu-theme")]
    codes = _eu_label_index().get(fold(concept.label), ())
    return [_assignment(code, _EU_LABEL_CONFIDENCE, "eu-theme:label") for code in codes]


def _from_inspire_theme(concept: Concept) -> list[ThemeAssignment]:
    match = _INSPIRE_IRI.search(concept.uri or "")
    key = match.group(1).lower() if match else _inspire_label_index().get(fold(concept.label))
    themes = _inspire_themes().get(key or "")
    return _assign_all(themes["data_themes"], "inspire-theme") if themes else []


def _from_iso_topic(concept: Concept) -> list[ThemeAssignment]:
    match = _TOPIC_IRI.search(concept.uri or "")
    code = _iso_index().get(fold(match.group(1) if match else concept.label))
    return _assign_all(_iso_topics()[code]["data_themes"], "iso-topic") if code else []


def _from_portal_theme(concept: Concept) -> list[ThemeAssignment]:
    for label in _concept_labels(concept):
        themes = _portal_index().get(fold(label))
        if themes:
            return _assign_all(themes, "portal-theme:exact")
    return []


def _from_portal_parts(concept: Concept) -> list[ThemeAssignment]:
    parts = [part for part in _PART_SEPARATORS.split(concept.label) if part.strip()]
    if len(parts) < 2:
        return []
    found: dict[str, float] = {}
    for part in parts:
        for code, confidence in _portal_index().get(fold(part), {}).items():
            found[code] = max(found.get(code, 0.0), confidence * _PART_FACTOR)
    return _assign_all(found, "portal-theme:part")


def _from_theme_keywords(concept: Concept) -> list[ThemeAssignment]:
    matches = _keyword_matches(concept.label)
    return [
        _assignment(code, _THEME_KEYWORD_CONFIDENCE[kind], "portal-theme:keyword") for code, kind in matches.items()
    ]


_CONCEPT_RULES: tuple[Callable[[Concept], list[ThemeAssignment]], ...] = (
    _from_eu_theme,
    _from_inspire_theme,
    _from_iso_topic,
    _from_portal_theme,
    _from_portal_parts,
    _from_theme_keywords,
)


def _keyword_matches(text: str) -> dict[str, str]:
    """Theme codes a keyword points to, each marked ``exact`` or ``partial``."""
    words = [_singular(word) for word in fold(text).split()]
    index = _keyword_index()
    exact = index.get(" ".join(words))
    if exact:
        return dict.fromkeys(exact, "exact")
    longest = _longest_keyword()
    grams = (" ".join(words[i : i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1))
    return dict.fromkeys((code for gram in grams for code in index.get(gram, ())), "partial")


def _combined(code: str, scores: list[tuple[float, str]]) -> ThemeAssignment:
    confidence, rule = max(scores)
    boosted = min(_KEYWORD_CAP, confidence + _KEYWORD_BOOST * (len(scores) - 1))
    return _assignment(code, max(confidence, boosted), rule)


def _concept_labels(concept: Concept) -> list[str]:
    """The label, plus the ``refine.theme`` value of an Opendatasoft facet IRI."""
    labels = [concept.label]
    for text in (concept.uri, concept.label):
        if text and "?" in text:
            labels.extend(parse_qs(text.split("?", 1)[1]).get("refine.theme", []))
    return labels


def _eu_code(concept: Concept) -> str | None:
    """The code of an EU data-theme IRI, or a label that is exactly a code ("TRAN", not "Tran")."""
    base = _data_themes()["base"]
    uri = (concept.uri or "").strip().replace("https://", "http://", 1)
    candidate = uri[len(base) :].strip("/").upper() if uri.startswith(base) else concept.label.strip()
    return candidate if candidate in _data_themes()["themes"] else None


def _assign_all(themes: dict[str, float], rule: str) -> list[ThemeAssignment]:
    return [_assignment(code, confidence, rule) for code, confidence in themes.items()]


def _assignment(code: str, confidence: float, rule: str) -> ThemeAssignment:
    table = _data_themes()
    labels = table["themes"][code]
    return ThemeAssignment(code, table["base"] + code, labels["fr"], labels["en"], round(confidence, 2), rule)


def _singular(word: str) -> str:
    """Drop a French/English plural ``s`` or ``x`` (both sides of every comparison do it)."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def _data_themes() -> dict:
    return load_table("data_themes")


def _inspire_themes() -> dict:
    return load_table("inspire_themes")["themes"]


def _iso_topics() -> dict:
    return load_table("iso_topics")["topics"]


@functools.cache
def _eu_label_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for code, labels in _data_themes()["themes"].items():
        for label in (labels["fr"], labels["en"]):
            index[fold(label)] = (*index.get(fold(label), ()), code)
    return index


@functools.cache
def _inspire_label_index() -> dict[str, str]:
    index = {}
    for key, entry in _inspire_themes().items():
        for label in (entry["fr"], entry["en"], *entry.get("aliases", ())):
            index[fold(label)] = key
    return index


@functools.cache
def _iso_index() -> dict[str, str]:
    return {fold(code): code for code in _iso_topics()}


@functools.cache
def _portal_index() -> dict[str, dict[str, float]]:
    return {fold(label): themes for label, themes in load_table("portal_themes")["themes"].items()}


@functools.cache
def _keyword_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for code, terms in load_table("theme_keywords")["keywords"].items():
        for term in terms:
            key = " ".join(_singular(word) for word in fold(term).split())
            if code not in index.get(key, ()):
                index[key] = (*index.get(key, ()), code)
    return index


@functools.cache
def _longest_keyword() -> int:
    return max(len(term.split()) for term in _keyword_index())
