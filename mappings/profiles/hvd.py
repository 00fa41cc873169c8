"""High-value datasets (Implementing Regulation (EU) 2023/138): which records are HVD, and their DCAT-AP HVD triples.

**The hook.** The record model has no HVD flag yet, so :func:`hvd_of` derives one
the only honest way the harvested data allows: data.gouv.fr's convention, where
an HVD dataset carries the tag ``hvd`` and its categories as tags named after the
category labels (``mobilite``, ``donnees-geospatiales``… — udata's
``TAG_TO_EU_HVD_CATEGORIES``); fedcat keeps those tags as keywords. When the
record model gains an HVD field (or the harvesters read ``dcatap:hvdCategory``),
change :func:`hvd_of` alone: the profile only asks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import RDF

from mappings.profiles.rdf_terms import ELI, add_concept, cached_terms
from mappings.profiles.sink import Term, TripleSink, as_sink
from mappings.record import Record
from mappings.vocab import DCATAP
from mappings.vocabularies import fold

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
RDF, DCATAP = map(cached_terms, (RDF, DCATAP))

__all__ = ["HVD_CATEGORIES", "HVD_CATEGORY_SCHEME", "HVD_LEGISLATION", "Hvd", "add_hvd", "hvd_of"]

#: The HVD implementing regulation, the value of ``dcatap:applicableLegislation``.
HVD_LEGISLATION = URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")
#: The EU vocabulary of HVD categories.
HVD_CATEGORY_SCHEME = URIRef("http://data.europa.eu/bna/asd487ae75")
_LEGISLATION, _CATEGORY_SCHEME = str(HVD_LEGISLATION), str(HVD_CATEGORY_SCHEME)
#: The six HVD categories: IRI → French and English labels.
HVD_CATEGORIES = {
    "http://data.europa.eu/bna/c_ac64a52d": {"fr": "Géospatiales", "en": "Geospatial"},
    "http://data.europa.eu/bna/c_dd313021": {
        "fr": "Observation de la terre et environnement",
        "en": "Earth observation and environment",
    },
    "http://data.europa.eu/bna/c_164e0bf5": {"fr": "Météorologiques", "en": "Meteorological"},
    "http://data.europa.eu/bna/c_e1da4e07": {"fr": "Statistiques", "en": "Statistics"},
    "http://data.europa.eu/bna/c_a9135398": {
        "fr": "Entreprises et propriété d'entreprises",
        "en": "Companies and company ownership",
    },
    "http://data.europa.eu/bna/c_b79e35eb": {"fr": "Mobilité", "en": "Mobility"},
}
_HVD_TAG = "hvd"
_LEGAL_RESOURCE = str(ELI.LegalResource)
_CATEGORY_BY_TAG = {fold(labels["fr"]): iri for iri, labels in HVD_CATEGORIES.items()}


@dataclass(frozen=True)
class Hvd:
    """A record's high-value dataset status: its category IRIs (possibly none known)."""

    categories: tuple[str, ...] = ()


def hvd_of(record: Record) -> Hvd | None:
    """The record's HVD status, or None when nothing says it is a high-value dataset (see the module docstring)."""
    tags = [fold(keyword) for keyword in record.keywords]
    if _HVD_TAG not in tags:
        return None
    categories = tuple(dict.fromkeys(_CATEGORY_BY_TAG[tag] for tag in tags if tag in _CATEGORY_BY_TAG))
    return Hvd(categories=categories)


def add_hvd(sink: TripleSink, ref: Term, hvd: Hvd | None) -> str | None:
    """``dcatap:applicableLegislation`` and ``dcatap:hvdCategory`` of an HVD; returns the legislation IRI."""
    sink = as_sink(sink)
    if hvd is None:
        return None
    sink.add(ref, DCATAP.applicableLegislation, _LEGISLATION)
    sink.add(_LEGISLATION, RDF.type, _LEGAL_RESOURCE)
    for category in hvd.categories:
        iri = category
        sink.add(ref, DCATAP.hvdCategory, iri)
        add_concept(sink, iri, HVD_CATEGORIES[category], scheme=_CATEGORY_SCHEME)
    return _LEGISLATION
