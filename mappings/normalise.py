"""Raw record → normalised record: every value mapped onto the EU vocabularies, and a quality score.

``from_rdf`` keeps what the portal said; this step makes the four portals
comparable. A value no table recognises is kept as given.
"""

from __future__ import annotations

from dataclasses import replace

from mappings.quality import quality_score
from mappings.record import Concept, Distribution, Record
from mappings.vocabularies import (
    UNKNOWN_LICENSE,
    canonical_license,
    eu_frequency,
    eu_language,
    file_type,
    theme_assignments,
)

__all__ = ["normalise", "normalise_distribution", "normalise_frequency", "normalise_languages", "normalise_license"]


def normalise(record: Record) -> Record:
    """The record with EU themes, canonical licences, formats, frequency and languages, and its quality."""
    normalised = replace(
        record,
        eu_themes=theme_assignments(record.themes, record.keywords),
        license=normalise_license(record.license),
        frequency=normalise_frequency(record.frequency),
        languages=normalise_languages(record.languages),
        distributions=tuple(normalise_distribution(d) for d in record.distributions),
    )
    return replace(normalised, quality=quality_score(normalised))


def normalise_license(license_: Concept | None) -> Concept | None:
    """The canonical licence (label and IRI); an unrecognised one stays as given."""
    if license_ is None:
        return None
    for text in (license_.uri, license_.label):
        info = canonical_license(text)
        if info is not None and info.id != UNKNOWN_LICENSE:
            return Concept(label=info.label, uri=info.uri or info.url)
    return license_


def normalise_distribution(distribution: Distribution) -> Distribution:
    """EU file-type code as the format, the registered media type, the canonical licence."""
    info = file_type(distribution.format, distribution.media_type, url=distribution.download_url or distribution.access_url)
    return replace(
        distribution,
        format=info.code if info else distribution.format,
        media_type=(info.media_type if info and info.media_type else distribution.media_type),
        license=normalise_license(distribution.license),
    )


def normalise_frequency(frequency: Concept | None) -> Concept | None:
    """The EU frequency (French label, EU IRI) for a Dublin Core, EU, ISO or French value."""
    if frequency is None:
        return None
    for text in (frequency.uri, frequency.label):
        info = eu_frequency(text)
        if info is not None:
            return Concept(label=info.label_fr, uri=info.uri)
    return frequency


def normalise_languages(codes: tuple[str, ...]) -> tuple[str, ...]:
    """EU language codes (``FRA``) for ISO 639 codes, LoC tails and names; unknown ones kept."""
    normalised = []
    for code in codes:
        info = eu_language(code)
        value = info.code if info else code
        if value not in normalised:
            normalised.append(value)
    return tuple(normalised)
