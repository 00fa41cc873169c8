"""Normalisation tables (data/*.json) and the small mappers that read them.

Pure: no Flask, no HTTP, no rdflib. Each mapper takes the strings a portal
published and returns a frozen dataclass with the EU vocabulary IRI, or None.
"""

from mappings.vocabularies.formats import FormatInfo, file_type
from mappings.vocabularies.frequencies import FrequencyInfo, eu_frequency
from mappings.vocabularies.languages import LanguageInfo, eu_language
from mappings.vocabularies.licenses import UNKNOWN_LICENSE, LicenseInfo, canonical_license
from mappings.vocabularies.tables import fold
from mappings.vocabularies.themes import (
    ThemeAssignment,
    theme_assignments,
    themes_from_concepts,
    themes_from_keywords,
)

__all__ = [
    "UNKNOWN_LICENSE",
    "FormatInfo",
    "FrequencyInfo",
    "LanguageInfo",
    "LicenseInfo",
    "ThemeAssignment",
    "canonical_license",
    "eu_frequency",
    "eu_language",
    "file_type",
    "fold",
    "theme_assignments",
    "themes_from_concepts",
    "themes_from_keywords",
]
