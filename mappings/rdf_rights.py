"""Licence, access rights and rights statements, sorted out of what sources put in ``dct:license`` and ``dct:rights``.

* ``dct:license`` holds licences, but GeoDCAT-AP outputs also put INSPIRE
  access codes there: ``LimitationsOnPublicAccess/noLimitations`` is an access
  right, ``ConditionsApplyingToAccessAndUse/…`` a conditions statement, and
  bare ISO restriction codes (``copyright``, ``license``) say nothing at all.
* ``dct:rights`` (often a ``dct:RightsStatement`` with a label or a
  description) is a licence when its text names one (GeoNetwork: "Licence
  Ouverte version 2.0 https://www.etalab…"); otherwise it is kept as the
  record's rights statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from mappings.graph import ReadableGraph
from mappings.rdf_values import best_literal, concept_from_node, iri_tail, label_of, objects
from mappings.record import Concept
from mappings.vocabularies import UNKNOWN_LICENSE, canonical_license

__all__ = ["Rights", "access_code", "rights_from_rdf"]

_ACCESS_CODES = "/metadata-codelist/LimitationsOnPublicAccess/"
_CONDITIONS_CODES = "/metadata-codelist/ConditionsApplyingToAccessAndUse/"
#: ISO 19115 MD_RestrictionCode values: they name a kind of restriction, not a licence
_RESTRICTION_CODES = frozenset(
    {"copyright", "license", "licence", "otherrestrictions", "intellectualpropertyrights", "restricted", "patent",
     "patentpending", "trademark"}
)
_LICENCE_WORDS = re.compile(r"licen[cs]e|odbl|open database|creative commons|\bcc[- ]?(by|0)\b|etalab", re.IGNORECASE)
_STATEMENT_TEXT = (RDFS.label, DCTERMS.description, SKOS.prefLabel, DCTERMS.title)


@dataclass(frozen=True)
class Rights:
    """What a node's ``dct:license`` and ``dct:rights`` say, sorted."""

    license: Concept | None = None
    access_code: Concept | None = None
    statement: str | None = None


def rights_from_rdf(graph: ReadableGraph, node: Node) -> Rights:
    """The licence (``dct:license``, else a ``dct:rights`` naming one), an access code, a rights statement."""
    licences: list = []
    codes: list = []
    statements: list = []
    for value in objects(graph, node, DCTERMS.license):
        _sort_license_value(graph, value, licences, codes, statements)
    for value in objects(graph, node, DCTERMS.rights):
        text = _statement_text(graph, value)
        if _is_licence_document(graph, value) or (text and _names_a_licence(text)):
            licences.append(concept_from_node(graph, value) if not text else Concept(label=text, uri=_iri(value)))
        elif text:
            statements.append(text)
    return Rights(
        license=next((c for c in licences if c is not None), None),
        access_code=codes[0] if codes else None,
        statement="\n".join(dict.fromkeys(statements)) or None,
    )


def access_code(value: Node) -> bool:
    """True for an INSPIRE ``LimitationsOnPublicAccess`` code (an access right, not a licence)."""
    return isinstance(value, URIRef) and _ACCESS_CODES in str(value)


def _sort_license_value(graph: ReadableGraph, value: Node, licences: list, codes: list, statements: list) -> None:
    if access_code(value):
        codes.append(Concept(label=label_of(graph, value) or iri_tail(str(value)), uri=str(value)))
    elif isinstance(value, URIRef) and _CONDITIONS_CODES in str(value):
        statements.append(label_of(graph, value) or str(value))
    elif isinstance(value, Literal) and re.sub(r"[\s_-]", "", str(value)).casefold() in _RESTRICTION_CODES:
        return
    else:
        licences.append(concept_from_node(graph, value))


def _statement_text(graph: ReadableGraph, value: Node) -> str | None:
    if isinstance(value, Literal):
        return " ".join(str(value).split()) or None
    for predicate in _STATEMENT_TEXT:
        literal = best_literal(graph.objects(value, predicate))
        if literal is not None:
            return " ".join(str(literal).split())
    return None


def _names_a_licence(text: str) -> bool:
    info = canonical_license(text)
    return bool(_LICENCE_WORDS.search(text)) or (info is not None and info.id != UNKNOWN_LICENSE)


def _is_licence_document(graph: ReadableGraph, value: Node) -> bool:
    return (value, RDF.type, DCTERMS.LicenseDocument) in graph


def _iri(value: Node) -> str | None:
    return str(value) if isinstance(value, URIRef) else None
