"""Plain-text cleaning of descriptions and the French analysis of the embedded index."""

import pytest

from mappings.text import clean_text
from service.search.french import analyze, fold


@pytest.mark.parametrize(
    "source,expected",
    [
        ("<p>Un <strong>texte</strong></p><p>Deux</p>", "Un texte\n\nDeux"),
        ("<script>alert('x')</script>Visible<style>p{}</style>", "Visible"),
        ("<img src=x onerror=alert(1)>Image", "Image"),
        ("L&#39;eau &amp; l&eacute;t&eacute;", "L'eau & lété"),
        ("# Titre\n\n* un\n* deux", "Titre\n\n- un\n- deux"),
        ("Voir [le site](https://x.fr) et ![logo](l.png)", "Voir le site et logo"),
        ("", ""),
        (None, ""),
        ("a < b et c > d", "a < b et c > d"),
    ],
)
def test_clean_text(source, expected):
    assert clean_text(source) == expected


@pytest.mark.parametrize(
    "a,b",
    [("vélos", "velo"), ("Vélo", "VELOS"), ("cyclables", "cyclable"), ("écoles", "ECOLE"), ("stationnements", "stationnement")],
)
def test_analysis_is_the_same_for_variants(a, b):
    assert analyze(a) == analyze(b)


def test_analysis_drops_stop_words_and_elisions():
    assert analyze("L'état de la qualité de l'air") == analyze("etat qualite air")


def test_fold():
    assert fold("Œuvre Élève ÇA") == "oeuvre eleve ca"
    assert fold("L’eau de Łódź ﬁn") == "l'eau de łodz fin"


def test_fold_is_decomposition_without_marks_for_every_character():
    """The fast path (accents dropped by an ASCII encode) gives what the plain definition does."""
    import unicodedata

    def plain(text):
        for special, folded in {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'", "‘": "'", "ʼ": "'"}.items():
            text = text.replace(special, folded)
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()

    for code in (*range(0x80, 0xD800), *range(0xE000, 0x10000)):
        text = f"aÉ{chr(code)}b"
        assert fold(text) == plain(text), hex(code)


def test_format_facet_values_are_labelled_as_people_name_them():
    from service.search.facets import facet_code, facet_label

    assert facet_label("format", "WFS_SRVC") == "WFS" and facet_code("format", "WFS_SRVC") == "WFS_SRVC"
    assert facet_label("format", "CSV") == "CSV"
    assert facet_label("format", "something-unknown") == "something-unknown"
    assert facet_label("keyword", "WFS_SRVC") == "WFS_SRVC", "only formats are file types"
