"""DCAT-AP distributions: URLs, EU file type, IANA media type, size and the licence (which DCAT-AP puts here)."""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD
from rdflib.term import Node

from mappings.profiles.licence_registries import registry_names
from mappings.profiles.page_graph import memo_of
from mappings.profiles.rdf_terms import cached_terms, add_concept, eu_scheme, safe_iri, text_literal
from mappings.record import Concept, Distribution
from mappings.vocab import DCATAP, IANA_MEDIA_TYPES
from mappings.vocabularies import UNKNOWN_LICENSE, canonical_license, file_type

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, RDF, RDFS, XSD, DCATAP = map(cached_terms, (DCAT, DCTERMS, RDF, RDFS, XSD, DCATAP))

__all__ = [
    "LICENCE_TYPES",
    "LICENCE_TYPE_SCHEME",
    "NOT_A_LICENCE",
    "add_distribution",
    "add_format",
    "add_licence_names",
    "add_license",
    "add_media_type",
    "add_rights",
    "licence_node",
]

LICENCE_TYPE = "http://purl.org/adms/licencetype/"
#: The ADMS licence type scheme (``LicenceTypeRestriction`` in mdr-vocabularies.shape.ttl).
LICENCE_TYPE_SCHEME = URIRef(LICENCE_TYPE + "1.0")
_LICENCE_TYPE_LABELS = {
    "Attribution": "Attribution",
    "PublicDomain": "Public domain",
    "ViralEffect-ShareAlike": "Viral effect (a.k.a. Share-alike)",
    "NonCommercialUseOnly": "Non-commercial use only",
    "NoDerivativeWork": "No derivative work",
}
_BY, _SA, _PD = "Attribution", "ViralEffect-ShareAlike", "PublicDomain"
_NC, _ND = "NonCommercialUseOnly", "NoDerivativeWork"
#: ADMS licence types of the canonical licences (ids of mappings/vocabularies/data/licenses.json).
LICENCE_TYPES: dict[str, tuple[str, ...]] = {
    "etalab-2.0": (_BY,),
    "etalab-1.0": (_BY,),
    "ODbL-1.0": (_BY, _SA),
    "ODC-By-1.0": (_BY,),
    "PDDL-1.0": (_PD,),
    "CC0-1.0": (_PD,),
    "CC-BY-4.0": (_BY,),
    "CC-BY-3.0": (_BY,),
    "CC-BY-2.0": (_BY,),
    "CC-BY": (_BY,),
    "CC-BY-SA-4.0": (_BY, _SA),
    "CC-BY-SA-3.0": (_BY, _SA),
    "CC-BY-SA": (_BY, _SA),
    "CC-BY-NC-4.0": (_BY, _NC),
    "CC-BY-ND-4.0": (_BY, _ND),
    "CC-BY-NC-SA-4.0": (_BY, _NC, _SA),
    "CC-BY-NC-ND-4.0": (_BY, _NC, _ND),
    "OGL-UK-3.0": (_BY,),
    "other-at": (_BY,),
    "other-pd": (_PD,),
}
#: Canonical ids that say no licence is known: exporting them as a licence document would mislead.
NOT_A_LICENCE = frozenset({"notspecified"})
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")


def add_distribution(
    graph: Graph,
    dataset: URIRef,
    ref: URIRef,
    distribution: Distribution,
    dataset_license: Concept | None,
    legislation: URIRef | None = None,
    rights: str | None = None,
) -> URIRef | None:
    """One ``dcat:Distribution``, or None when it has no usable URL (``dcat:accessURL`` is mandatory).

    :param dataset_license: the record's licence, used when the distribution has none.
    :param rights: the record's rights statement that is not a licence (DCAT-AP puts ``dct:rights`` here).
    :param legislation: ``dcatap:applicableLegislation`` of a high-value dataset's distributions.
    """
    access_url = safe_iri(distribution.access_url) or safe_iri(distribution.download_url)
    if access_url is None:
        return None
    graph.add((dataset, DCAT.distribution, ref))
    graph.add((ref, RDF.type, DCAT.Distribution))
    graph.add((ref, DCAT.accessURL, access_url))
    download_url = safe_iri(distribution.download_url)
    if download_url is not None:
        graph.add((ref, DCAT.downloadURL, download_url))
    for predicate, text in ((DCTERMS.title, distribution.title), (DCTERMS.description, distribution.description)):
        if text:
            graph.add((ref, predicate, text_literal(text)))
    add_format(graph, ref, distribution)
    add_media_type(graph, ref, distribution)
    if distribution.byte_size is not None and distribution.byte_size >= 0:
        graph.add((ref, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)))
    add_license(graph, ref, distribution.license or dataset_license)
    add_rights(graph, ref, rights)
    if legislation is not None:
        graph.add((ref, DCATAP.applicableLegislation, legislation))
    return ref


def add_format(graph: Graph, ref: URIRef, distribution: Distribution) -> URIRef | None:
    """``dct:format`` as the EU file-type IRI of the distribution's format, media type or URL."""
    info = file_type(distribution.format, distribution.media_type, url=distribution.url)
    if info is None:
        return None
    iri = URIRef(info.uri)
    graph.add((ref, DCTERMS.format, iri))
    add_concept(graph, iri, {"en": info.label}, scheme=eu_scheme("file-type"), types=(DCTERMS.MediaTypeOrExtent,))
    return iri


def add_media_type(graph: Graph, ref: URIRef, distribution: Distribution) -> URIRef | None:
    """``dcat:mediaType`` as an IANA IRI: the distribution's own type, else its file type's registered one.

    Experimental ``x-`` subtypes are not IANA registrations, so they are never exported.
    """
    media_type = (distribution.media_type or "").strip().lower()
    if not _MEDIA_TYPE.match(media_type) or media_type.split("/", 1)[1].startswith("x-"):
        info = file_type(distribution.format, None, url=distribution.url)
        media_type = info.media_type if info and info.media_type else ""
    if not media_type:
        return None
    iri = URIRef(IANA_MEDIA_TYPES + media_type)
    graph.add((ref, DCAT.mediaType, iri))
    graph.add((iri, RDF.type, DCTERMS.MediaType))
    return iri


def add_rights(graph: Graph, ref: URIRef, rights: str | None) -> Node | None:
    """``dct:rights``: the source's rights statement, as a labelled ``dct:RightsStatement`` (its IRI if it is one)."""
    text = (rights or "").strip()
    if not text:
        return None
    node = safe_iri(text) or BNode()
    graph.add((ref, DCTERMS.rights, node))
    graph.add((node, RDF.type, DCTERMS.RightsStatement))
    if isinstance(node, BNode):
        graph.add((node, RDFS.label, text_literal(text)))
    return node


def add_license(graph: Graph, ref: URIRef, license_: Concept | None) -> Node | None:
    """``dct:license``: a ``dct:LicenseDocument``, typed with ADMS licence types when the licence is known."""
    node = licence_node(graph, license_)
    if node is not None:
        graph.add((ref, DCTERMS.license, node))
    return node


def licence_node(graph: Graph, license_: Concept | None) -> Node | None:
    """The licence document node: its canonical IRI, the portal's IRI, or a labelled blank node for free text.

    A known licence is labelled the way clients' registries name it (``rdfs:label``:
    data.gouv.fr's title; ``dct:title``: CKAN's), so their harvesters recognise it.
    """
    if license_ is None:
        return None
    info = canonical_license(license_.uri) or canonical_license(license_.label)
    known = info is not None and info.id != UNKNOWN_LICENSE
    if known and info.id in NOT_A_LICENCE:
        return None
    iri = (safe_iri(info.uri or info.url) if known else None) or safe_iri(license_.uri)
    if iri is None and not license_.label.strip():
        return None
    node = iri or BNode()
    if _already_described(graph, ("licence", node)):
        return node
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    if known:
        add_licence_names(graph, node, info.id, info.label)
    elif graph.value(node, RDFS.label) is None:
        graph.add((node, RDFS.label, text_literal(license_.label.strip() or str(node))))
    for code in LICENCE_TYPES.get(info.id, ()) if known else ():
        concept = URIRef(LICENCE_TYPE + code)
        graph.add((node, DCTERMS.type, concept))
        add_concept(graph, concept, {"en": _LICENCE_TYPE_LABELS[code]}, scheme=LICENCE_TYPE_SCHEME)
    return node


def add_licence_names(graph: Graph, node: Node, license_id: str, label: str) -> None:
    """``rdfs:label`` as data.gouv.fr names the licence and ``dct:title`` as CKAN does (fedcat's label otherwise)."""
    names = registry_names(license_id)
    if graph.value(node, RDFS.label) is None:
        graph.add((node, RDFS.label, text_literal(names.udata_title or label)))
    if graph.value(node, DCTERMS.title) is None:
        graph.add((node, DCTERMS.title, text_literal(names.ckan_title or names.udata_title or label)))


def _already_described(graph: Graph, key: tuple) -> bool:
    """True when a page graph already holds the triples of ``key``'s call (an IRI licence described once per page)."""
    memo = memo_of(graph)
    if memo is None or isinstance(key[1], BNode):
        return False
    if key in memo:
        return True
    memo.add(key)
    return False
