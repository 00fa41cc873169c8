"""Publishers and contact points: FOAF agents and vCards, named or known only by IRI or e-mail.

An agent keeps whatever identifies it: its IRI, its RDF type, its e-mail and
home page, and a name from ``foaf:name``, ``vcard:fn``,
``vcard:organization-name``, ``skos:prefLabel`` or ``rdfs:label`` in any
language (French preferred). An agent the source names nowhere keeps an empty
name rather than being dropped.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS
from rdflib.term import Node

from mappings.graph import ReadableGraph
from mappings.rdf_values import iri_or_literal, objects, text_value
from mappings.record import Agent
from mappings.vocab import VCARD

__all__ = ["ORGANISATION_TYPES", "agent_from_node", "clean_email"]

_NAME_PREDICATES = (FOAF.name, VCARD.fn, VCARD["organization-name"], VCARD["organisation-name"], SKOS.prefLabel, RDFS.label)
_EMAIL_PREDICATES = (VCARD.hasEmail, FOAF.mbox, VCARD.email)
_URL_PREDICATES = (FOAF.homepage, VCARD.hasURL, FOAF.page)
#: the types that say an agent is an organisation (preferred among several publishers)
ORGANISATION_TYPES = frozenset({str(FOAF.Organization), str(VCARD.Organization)})
_TYPE_ORDER = (FOAF.Organization, VCARD.Organization, FOAF.Person, VCARD.Individual, FOAF.Agent, VCARD.Kind)


def agent_from_node(graph: ReadableGraph, node: Node) -> Agent | None:
    """The agent a node describes, or None when nothing identifies it (an empty blank node)."""
    if isinstance(node, Literal):
        name = " ".join(str(node).split())
        return Agent(name=name) if name else None
    uri = str(node).strip() if isinstance(node, URIRef) and str(node).strip() else None
    email = clean_email(_first_link(graph, node, _EMAIL_PREDICATES))
    name = _agent_name(graph, node)
    if not (name or uri or email):
        return None
    return Agent(
        name=name,
        uri=uri,
        email=email,
        url=_first_link(graph, node, _URL_PREDICATES),
        kind=_agent_kind(graph, node),
    )


def clean_email(value: str | None) -> str | None:
    """An address from ``mailto:x``, ``mailto: x`` or ``x``; None when nothing is left."""
    if not value:
        return None
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    text = text.strip().split("?", 1)[0].strip()
    return text or None


def _agent_name(graph: ReadableGraph, node: Node) -> str:
    name = _agent_name_here(graph, node)
    if name:
        return name
    for organisation in objects(graph, node, VCARD.org):  # GeoDCAT-AP: vcard:org [ vcard:organisation-name … ]
        if isinstance(organisation, BNode | URIRef) and organisation != node:
            name = _agent_name_here(graph, organisation)
            if name:
                return name
    return ""


def _agent_name_here(graph: ReadableGraph, node: Node) -> str:
    for predicate in _NAME_PREDICATES:
        name = text_value(graph, node, predicate)
        if name:
            return " ".join(name.split())
    return ""


def _agent_kind(graph: ReadableGraph, node: Node) -> str | None:
    types = set(graph.objects(node, RDF.type))
    for known in _TYPE_ORDER:
        if known in types:
            return str(known)
    iris = sorted(str(t) for t in types if isinstance(t, URIRef))
    return iris[0] if iris else None


def _first_link(graph: ReadableGraph, node: Node, predicates) -> str | None:
    for predicate in predicates:
        value = iri_or_literal(graph, node, predicate)
        if value:
            return value
    return None
