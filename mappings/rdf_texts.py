"""Texts with their languages: the title, description and keywords a source gave, in every language.

One text is shown (French, else an untagged one, else English, else the first
tag in alphabetical order: the order :func:`mappings.rdf_values.best_literal`
uses); the other languages are kept as :class:`Translation`.
A text keeps the tag the source gave it, written the BCP 47 way (``fre`` and
``fra`` become ``fr``); an untagged text stays untagged: nothing here guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from mappings.graph import ReadableGraph
from mappings.record import Translation
from mappings.text import clean_text
from mappings.vocabularies import eu_language

__all__ = ["LangText", "keywords_in_languages", "language_tag", "texts_in_languages"]

_PREFERRED = "fr"
_SECOND = "en"  # read by more of fedcat's users than any other language after French
_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")


@dataclass(frozen=True)
class LangText:
    """A cleaned text and its language tag (None for a plain literal)."""

    text: str
    lang: str | None


def language_tag(tag: str | None) -> str | None:
    """A BCP 47 tag from what a source wrote: lower case, ISO 639-2 primary subtags made ISO 639-1; None if it is no tag."""
    text = (tag or "").strip().lower().replace("_", "-")
    if not _TAG.match(text):
        return None
    primary, _, rest = text.partition("-")
    if len(primary) == 3:
        info = eu_language(primary)
        primary = info.iso639_1 if info is not None and info.iso639_1 else primary
    return f"{primary}-{rest}" if rest else primary


def texts_in_languages(
    graph: ReadableGraph, node: Node, predicate: URIRef, field: str, *, single_line: bool = False
) -> tuple[LangText | None, tuple[Translation, ...]]:
    """The text to show and the other languages' texts, for one property of a node."""
    texts = _lang_texts(graph.objects(node, predicate), single_line)
    if not texts:
        return None, ()
    shown = _preferred(texts)
    others = {}
    for text in texts:
        if text.lang and text.lang != shown.lang and text.lang not in others:
            others[text.lang] = Translation(field=field, lang=text.lang, text=text.text)
    return shown, tuple(others[lang] for lang in sorted(others))


def keywords_in_languages(
    graph: ReadableGraph, node: Node, predicate: URIRef
) -> tuple[tuple[str, ...], str | None, tuple[Translation, ...]]:
    """Keywords in the shown language (and untagged ones), their one tag, and the others as translations.

    The tag is the shown language's when every kept keyword carried it, None when any was plain
    (a record keeps one tag for its keywords, and never gives a plain keyword a language).
    """
    texts = _lang_texts(graph.objects(node, predicate), single_line=True)
    if not texts:
        return (), None, ()
    shown_lang = _preferred(texts).lang
    kept: dict[str, LangText] = {}
    translations: dict[tuple[str, str], Translation] = {}
    for text in sorted(texts, key=lambda t: (t.text.casefold(), t.text)):
        if text.lang in (None, shown_lang):
            kept.setdefault(text.text.casefold(), text)
        else:
            key = (text.lang, text.text.casefold())
            translations.setdefault(key, Translation(field="keyword", lang=text.lang, text=text.text))
    tags = {text.lang for text in kept.values()}
    lang = shown_lang if tags == {shown_lang} else None
    return tuple(t.text for t in kept.values()), lang, tuple(translations[key] for key in sorted(translations))


def _lang_texts(values, single_line: bool) -> list[LangText]:
    found = []
    for value in values:
        if not isinstance(value, Literal):
            continue
        text = clean_text(str(value))
        text = " ".join(text.split()) if single_line else text
        if text:
            found.append(LangText(text=text, lang=language_tag(value.language)))
    return sorted(set(found), key=lambda t: (t.lang or "", t.text))


def _preferred(texts: list[LangText]) -> LangText:
    """French first, then untagged, then English, then the first language alphabetically (a stable choice)."""

    def rank(text: LangText) -> tuple[int, str, str]:
        primary = (text.lang or "").split("-")[0]
        order = 0 if primary == _PREFERRED else 1 if text.lang is None else 2 if primary == _SECOND else 3
        return order, text.lang or "", text.text

    return min(texts, key=rank)
