"""Every French text the templates translate has its English version (a missing one would show French)."""

from __future__ import annotations

import re

import pytest

from service.api.page_text import ENGLISH, count_text, date_text, translate
from service.api.pages import FACET_LABELS, SORT_OPTIONS
from service.api.portal_pages import STATUS_WORDS
from tests.paths import ROOT

TEMPLATES = ROOT / "service" / "templates"
LITERAL = re.compile(r"""\btr\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")


def template_texts() -> set[str]:
    found = set()
    for template in TEMPLATES.glob("*.html"):
        found |= {a or b for a, b in LITERAL.findall(template.read_text(encoding="utf-8"))}
    return found


def test_templates_translate_texts():
    assert len(template_texts()) > 60


@pytest.mark.parametrize("text", sorted(template_texts() | set(FACET_LABELS.values()) | {l for _, l in SORT_OPTIONS} | set(STATUS_WORDS.values())))
def test_every_page_text_has_its_english(text):
    assert text in ENGLISH, f"no English for {text!r} in service/api/page_text.py"


def test_translation_dates_and_counts():
    assert translate("Rechercher", "en") == "Search" and translate("Rechercher", "fr") == "Rechercher"
    assert translate("pas dans la table", "en") == "pas dans la table"
    assert date_text("2019-03-01", "fr") == "1er mars 2019" and date_text("2019-03-01T10:00:00Z", "en") == "1 March 2019"
    assert (count_text(0, "en"), count_text(1, "en"), count_text(1234, "en")) == ("No datasets", "1 dataset", "1,234 datasets")
    assert count_text(1234) == "1\u202f234 jeux de données"


def test_the_widgets_service_format_names_are_the_vocabularys():
    from mappings.vocabularies.formats import file_type

    widget = (TEMPLATES.parent / "static" / "widget.js").read_text(encoding="utf-8")
    (table,) = re.findall(r"const SERVICE_FORMATS = \{([^}]*)\}", widget)
    pairs = dict(re.findall(r'(\w+): "([^"]+)"', table))
    assert pairs and all(file_type(code).label == label for code, label in pairs.items())
