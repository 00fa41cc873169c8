"""DCAT-AP agents: the publisher as a ``foaf:Agent`` (typed from the ADMS publisher types when the name says so)
and the contact point as a ``vcard:Kind``.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from mappings.profiles.rdf_terms import add_concept, add_scheme, agent_name, cached_terms, linked_agent, mailto, safe_iri, text_literal
from mappings.profiles.sink import Term, TripleSink, as_sink
from mappings.record import Agent
from mappings.vocab import VCARD
from mappings.vocabularies import fold

_VCARD_NS = str(VCARD)
# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, FOAF, RDF, VCARD = map(cached_terms, (DCAT, DCTERMS, FOAF, RDF, VCARD))

__all__ = [
    "PUBLISHER_TYPES",
    "PUBLISHER_TYPE_SCHEME",
    "add_agent",
    "add_contact_point",
    "add_publisher_type",
    "publisher_type",
]

#: agent classes a publisher may also have (``foaf:Organization``, ``foaf:Person``, ``org:Organization``…)
_AGENT_CLASS_NAMESPACES = ("http://xmlns.com/foaf/0.1/", "http://www.w3.org/ns/org#")
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
#: The ADMS publisher type scheme (``PublisherTypeRestriction`` in mdr-vocabularies.shape.ttl).
PUBLISHER_TYPE_SCHEME = URIRef(PUBLISHER_TYPE + "1.0")
_PUBLISHER_TYPE_SCHEME = str(PUBLISHER_TYPE_SCHEME)
#: ADMS publisher types fedcat infers, with their French and English labels.
PUBLISHER_TYPES = {
    "LocalAuthority": {"fr": "Autorité locale", "en": "Local Authority"},
    "RegionalAuthority": {"fr": "Autorité régionale", "en": "Regional Authority"},
    "NationalAuthority": {"fr": "Autorité nationale", "en": "National Authority"},
}
# Folded name prefixes that say what kind of public body publishes. Only unambiguous
# French names: "Direction régionale …" is a State service, so "régional" alone is not enough.
_NAME_PREFIXES = (
    ("conseil regional", "RegionalAuthority"),
    ("region ", "RegionalAuthority"),
    ("collectivite de corse", "RegionalAuthority"),
    ("ministere", "NationalAuthority"),
    ("premier ministre", "NationalAuthority"),
    ("ville ", "LocalAuthority"),
    ("commune ", "LocalAuthority"),
    ("mairie ", "LocalAuthority"),
    ("metropole ", "LocalAuthority"),
    ("eurometropole ", "LocalAuthority"),
    ("communaute urbaine", "LocalAuthority"),
    ("communaute d agglomeration", "LocalAuthority"),
    ("communaute de communes", "LocalAuthority"),
    ("departement ", "LocalAuthority"),
    ("conseil departemental", "LocalAuthority"),
)
# "Montpellier Méditerranée Métropole", "Toulouse Métropole": the word alone names an intercommunality.
_LOCAL_WORDS = frozenset({"metropole", "eurometropole"})


@lru_cache(maxsize=4096)
def publisher_type(name: str | None) -> str | None:
    """The ADMS publisher type code a French body's name implies (``LocalAuthority`` for "Ville de …"), or None."""
    key = fold(name or "") + " "
    for prefix, code in _NAME_PREFIXES:
        if key.startswith(prefix):
            return code
    return "LocalAuthority" if _LOCAL_WORDS & set(key.split()) else None


def add_agent(sink: TripleSink, subject: Term, predicate: str, agent: Agent | None) -> Term | None:
    """A ``foaf:Agent`` (and the source's own agent class) with its name, mailbox and homepage when known.

    An agent the source identifies only by an IRI or an e-mail is kept: DCAT-AP wants a
    ``foaf:name``, and what the source identifies it by is its name here (:attr:`Agent.display_name`).
    Its ADMS publisher type is added when the name says what kind of body it is.
    """
    sink = as_sink(sink)
    linked = linked_agent(sink, subject, predicate, agent)
    if linked is None:
        return None
    node, name = linked
    sink.add(node, RDF.type, FOAF.Agent)
    if agent.kind and agent.kind.startswith(_AGENT_CLASS_NAMESPACES) and safe_iri(agent.kind):
        sink.add(node, RDF.type, agent.kind)
    if sink.once(("foaf:name", node)):
        sink.add(node, FOAF.name, text_literal(name))
    mailbox = mailto(agent.email)
    if mailbox is not None:
        sink.add(node, FOAF.mbox, mailbox)
    homepage = safe_iri(agent.url)
    if homepage is not None:
        sink.add(node, FOAF.homepage, homepage)
        sink.add(homepage, RDF.type, FOAF.Document)
    add_publisher_type(sink, node, publisher_type(agent.name))
    return node


def add_publisher_type(sink: TripleSink, agent: Term, code: str | None) -> None:
    """``dct:type`` of an agent as an ADMS publisher type concept (at most one: the first record to say wins)."""
    sink = as_sink(sink)
    if code is None or not sink.once(("dct:type", agent)):
        return
    concept = PUBLISHER_TYPE + code
    sink.add(agent, DCTERMS.type, concept)
    add_concept(sink, concept, PUBLISHER_TYPES[code], scheme=_PUBLISHER_TYPE_SCHEME)
    add_scheme(sink, _PUBLISHER_TYPE_SCHEME, "ADMS publisher type")


def add_contact_point(sink: TripleSink, subject: Term, contact: Agent | None) -> Term | None:
    """A ``vcard:Kind`` contact point (and the source's vCard class): ``vcard:fn``, ``vcard:hasEmail``, ``vcard:hasURL``.

    A contact given only by an e-mail or an IRI is kept, with no invented name.
    """
    sink = as_sink(sink)
    if contact is None or not agent_name(contact):
        return None
    node = safe_iri(contact.uri) or sink.blank()
    sink.add(subject, DCAT.contactPoint, node)
    sink.add(node, RDF.type, VCARD.Kind)
    if contact.kind and contact.kind.startswith(_VCARD_NS) and safe_iri(contact.kind):
        sink.add(node, RDF.type, contact.kind)
    if contact.name.strip():
        sink.add(node, VCARD.fn, text_literal(contact.name.strip()))
    mailbox = mailto(contact.email)
    if mailbox is not None:
        sink.add(node, VCARD.hasEmail, mailbox)
    url = safe_iri(contact.url)
    if url is not None:
        sink.add(node, VCARD.hasURL, url)
    return node
