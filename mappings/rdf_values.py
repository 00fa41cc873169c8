"""Small helpers that read one value out of an rdflib graph, tolerating sloppy sources.

Portals put literals where IRIs belong and leave out language tags, so every
reader here accepts both and prefers French when there is a choice.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS
from rdflib.term import Node

from mappings.graph import ReadableGraph
from mappings.record import Concept
from mappings.vocab import VCARD

__all__ = [
    "best_literal",
    "concept_from_node",
    "iri_or_literal",
    "label_of",
    "normalise_date",
    "objects",
    "text_value",
]

_LANGUAGE_PREFERENCE = ("fr", None, "en")
_LABEL_PREDICATES = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title, VCARD.fn, SKOS.notation)


def objects(graph: ReadableGraph, node: Node, predicate: URIRef) -> list[Node]:
    """Objects of ``node predicate ?o`` in a stable order."""
    return sorted(graph.objects(node, predicate), key=_node_sort_key)


def best_literal(values: Iterable[Node]) -> Literal | None:
    """The literal to show: French first, then untagged, then English, then any."""
    literals = [v for v in values if isinstance(v, Literal) and str(v).strip()]
    if not literals:
        return None

    def rank(lit: Literal) -> tuple[int, str]:
        lang = (lit.language or "").split("-")[0].lower() or None
        position = _LANGUAGE_PREFERENCE.index(lang) if lang in _LANGUAGE_PREFERENCE else len(_LANGUAGE_PREFERENCE)
        return position, str(lit)

    return min(literals, key=rank)


def text_value(graph: ReadableGraph, node: Node, predicate: URIRef) -> str | None:
    """The preferred literal of ``predicate`` as a stripped string, or None."""
    literal = best_literal(graph.objects(node, predicate))
    return str(literal).strip() if literal is not None else None


def iri_or_literal(graph: ReadableGraph, node: Node, predicate: URIRef) -> str | None:
    """A link that may be given as an IRI or, wrongly, as a literal."""
    for value in objects(graph, node, predicate):
        if isinstance(value, (URIRef, Literal)) and str(value).strip():
            return str(value).strip()
    return None


def label_of(graph: ReadableGraph, node: Node) -> str | None:
    """A readable label for a resource, from the usual label properties."""
    for predicate in _LABEL_PREDICATES:
        label = text_value(graph, node, predicate)
        if label:
            return label
    return None


def concept_from_node(graph: ReadableGraph, node: Node) -> Concept | None:
    """A :class:`Concept` from an IRI (labelled if the graph says how) or a literal."""
    if isinstance(node, Literal):
        text = str(node).strip()
        return Concept(label=text) if text else None
    label = label_of(graph, node)
    if isinstance(node, BNode):
        return Concept(label=label) if label else None
    return Concept(label=label or iri_tail(str(node)), uri=str(node))


def iri_tail(iri: str) -> str:
    """The last meaningful segment of an IRI (``…/file-type/CSV`` → ``CSV``)."""
    stripped = iri.rstrip("/#")
    for separator in ("#", "/", ":"):
        if separator in stripped:
            stripped = stripped.rsplit(separator, 1)[1]
            break
    return stripped or iri


_DATE_PATTERNS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}$"), "%Y-%m"),
    (re.compile(r"^\d{4}$"), "%Y"),
    (re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%d/%m/%Y"),
)


def normalise_date(value: Node | str | None) -> str | None:
    """An ISO 8601 date or date-time string, or None when the value is not a date."""
    if value is None:
        return None
    if isinstance(value, Literal) and isinstance(value.toPython(), (datetime, date)):
        return value.toPython().isoformat()
    text = str(value).strip()
    if not text:
        return None
    for pattern, fmt in _DATE_PATTERNS:
        if pattern.match(text):
            return _checked_date(text, fmt)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _checked_date(text: str, fmt: str) -> str | None:
    """The date in ISO form; years and year-months stay as given (they are valid xsd:gYear…)."""
    try:
        parsed = datetime.strptime(text, fmt).date()
    except ValueError:
        return None
    return text if fmt in ("%Y", "%Y-%m") else parsed.isoformat()


def _node_sort_key(node: Node) -> tuple[int, str]:
    order = 0 if isinstance(node, URIRef) else 1 if isinstance(node, Literal) else 2
    return order, str(node)
