"""schema.org ``Dataset`` triples (what dataset search engines read), and their JSON-LD for dataset pages.

The profile writes ``http://schema.org/`` terms, the IRIs schema.org's own JSON-LD
context expands to, so :func:`dataset_document` can compact the graph with an
inline copy of the few context entries it needs (nothing is ever fetched) and
still label the result with the usual ``"@context": "https://schema.org"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from mappings.geo import BBox
from mappings.portals import Portal
from mappings.profiles.base import CatalogPage, Profile, dataset_ref
from mappings.profiles.dcat_distributions import NOT_A_LICENCE
from mappings.profiles.jsonld import nested_document
from mappings.profiles.places import known_place
from mappings.profiles.rdf_terms import agent_name, email_address, safe_iri
from mappings.record import Agent, Concept, Distribution, Record
from mappings.vocabularies import UNKNOWN_LICENSE, canonical_license, eu_language, file_type

__all__ = [
    "SCHEMA",
    "SCHEMA_ORG_CONTEXT",
    "SCHEMA_ORG_CONTEXT_URL",
    "SchemaOrgProfile",
    "add_catalog_link",
    "add_data_catalog",
    "add_dates",
    "add_distribution",
    "add_geo_shape",
    "add_languages",
    "add_license",
    "add_organization",
    "add_spatial_coverage",
    "dataset_document",
    "encoding_format",
    "geo_box",
    "temporal_coverage",
]

#: schema.org terms as its JSON-LD context expands them (``@vocab`` is ``http://schema.org/``).
SCHEMA = Namespace("http://schema.org/")
#: What a page writes as ``@context``: the well-known name of schema.org's context.
SCHEMA_ORG_CONTEXT_URL = "https://schema.org"
#: The entries of schema.org's context this profile's terms need, held inline so compaction fetches nothing.
#: ``@set`` only keeps repeatable properties as arrays even with one value; it does not change the data.
SCHEMA_ORG_CONTEXT: dict[str, Any] = {
    "@vocab": str(SCHEMA),
    "url": {"@id": str(SCHEMA.url), "@type": "@id"},
    "contentUrl": {"@id": str(SCHEMA.contentUrl), "@type": "@id"},
    "sameAs": {"@id": str(SCHEMA.sameAs), "@type": "@id", "@container": "@set"},
    "keywords": {"@id": str(SCHEMA.keywords), "@container": "@set"},
    "inLanguage": {"@id": str(SCHEMA.inLanguage), "@container": "@set"},
    "spatialCoverage": {"@id": str(SCHEMA.spatialCoverage), "@container": "@set"},
    "distribution": {"@id": str(SCHEMA.distribution), "@container": "@set"},
}
# Terms schema.org's context types ``@id`` but that may also hold a node (a licence as a
# ``CreativeWork``): they are coerced after nesting (see mappings.profiles.jsonld).
_IRI_TERMS = frozenset({"license"})
#: RDF types of agents that are people, not organisations
_PERSON_KINDS = frozenset({"http://xmlns.com/foaf/0.1/Person", "http://www.w3.org/2006/vcard/ns#Individual"})


class SchemaOrgProfile(Profile):
    """Writes records as schema.org ``Dataset``s and the catalogue as a ``DataCatalog``.

    :param portals: the configured portals; a record from one of them is said to
        be ``includedInDataCatalog`` that portal.
    """

    name = "schema_org"

    def __init__(self, portals: Iterable[Portal] = ()) -> None:
        self.portals = {portal.id: portal for portal in portals}

    def serialize_dataset(self, record: Record, graph: Graph, ref: URIRef) -> None:
        """See :meth:`Profile.serialize_dataset`."""
        graph.bind("schema", SCHEMA, override=True, replace=True)
        graph.add((ref, RDF.type, SCHEMA.Dataset))
        graph.add((ref, SCHEMA.name, Literal(record.title)))
        graph.add((ref, SCHEMA.description, Literal(record.description or record.title)))
        graph.add((ref, SCHEMA.url, ref))
        graph.add((ref, SCHEMA.identifier, Literal(record.identifier or record.source_uri or record.guid)))
        for link in dict.fromkeys(filter(None, (safe_iri(record.landing_page), safe_iri(record.source_uri)))):
            graph.add((ref, SCHEMA.sameAs, link))
        for keyword in record.keywords:
            graph.add((ref, SCHEMA.keywords, Literal(keyword)))
        add_dates(graph, ref, record.issued, record.modified)
        add_languages(graph, ref, record.languages)
        add_license(graph, ref, record.license)
        add_organization(graph, ref, SCHEMA.publisher, record.publisher)
        # Google's Dataset guidelines recommend a creator; the portals name their publisher as the body
        # that produced the data, and nothing else names one
        add_organization(graph, ref, SCHEMA.creator, record.publisher)
        add_spatial_coverage(graph, ref, record.spatial, record.bbox)
        coverage = temporal_coverage(record.temporal_start, record.temporal_end)
        if coverage:
            graph.add((ref, SCHEMA.temporalCoverage, Literal(coverage)))
        for distribution in record.distributions:
            add_distribution(graph, ref, distribution)
        add_catalog_link(graph, ref, self.portals.get(record.portal_id))

    def serialize_catalog(self, graph: Graph, ref: URIRef, page: CatalogPage) -> None:
        """See :meth:`Profile.serialize_catalog`."""
        graph.bind("schema", SCHEMA, override=True, replace=True)
        add_data_catalog(graph, ref, page.info.title, page.info.base_url.rstrip("/") + "/")
        graph.add((ref, SCHEMA.description, Literal(page.info.description)))
        for record in page.records:
            graph.add((ref, SCHEMA.dataset, dataset_ref(page.info.base_url, record.record_id)))


def add_dates(graph: Graph, ref: URIRef, issued: str | None, modified: str | None) -> None:
    """``datePublished`` and ``dateModified`` as ISO 8601 text, the form search engines read."""
    for predicate, value in ((SCHEMA.datePublished, issued), (SCHEMA.dateModified, modified)):
        if value:
            graph.add((ref, predicate, Literal(value)))


def add_languages(graph: Graph, ref: URIRef, codes: tuple[str, ...]) -> None:
    """``inLanguage`` as IETF tags (``fr``) for the EU language codes fedcat keeps."""
    for code in codes:
        info = eu_language(code)
        tag = info.iso639_1 if info and info.iso639_1 else None
        if tag:
            graph.add((ref, SCHEMA.inLanguage, Literal(tag)))


def add_license(graph: Graph, ref: URIRef, license_: Concept | None) -> Node | None:
    """``license``: the licence's page when it has one (what search engines follow), else a named ``CreativeWork``."""
    if license_ is None:
        return None
    info = canonical_license(license_.uri) or canonical_license(license_.label)
    known = info is not None and info.id != UNKNOWN_LICENSE
    if known and info.id in NOT_A_LICENCE:
        return None
    iri = (safe_iri(info.url or info.uri) if known else None) or safe_iri(license_.uri)
    if iri is not None:
        graph.add((ref, SCHEMA.license, iri))
        return iri
    if not license_.label.strip():
        return None
    node = BNode()
    graph.add((ref, SCHEMA.license, node))
    graph.add((node, RDF.type, SCHEMA.CreativeWork))
    graph.add((node, SCHEMA.name, Literal(license_.label.strip())))
    return node


def add_organization(graph: Graph, ref: URIRef, predicate: URIRef, agent: Agent | None) -> Node | None:
    """An ``Organization`` (a ``Person`` when the source says so) with its name, URL and e-mail when known."""
    name = agent_name(agent) if agent is not None else ""
    if not name:
        return None
    node = safe_iri(agent.uri) or BNode()
    graph.add((ref, predicate, node))
    graph.add((node, RDF.type, SCHEMA.Person if agent.kind in _PERSON_KINDS else SCHEMA.Organization))
    graph.add((node, SCHEMA.name, Literal(name)))
    url = safe_iri(agent.url) or safe_iri(agent.uri)
    if url is not None:
        graph.add((node, SCHEMA.url, url))
    if email_address(agent.email):
        graph.add((node, SCHEMA.email, Literal(email_address(agent.email))))
    return node


def add_spatial_coverage(
    graph: Graph, ref: URIRef, places: tuple[Concept, ...], bbox: tuple[float, float, float, float] | None
) -> list[Node]:
    """``spatialCoverage`` as ``Place``s; the bounding box is a ``GeoShape`` (of the only place, if just one).

    A place named without an IRI that :func:`known_place` knows gets its authority IRI as
    ``sameAs`` and, when the record has no box of its own, the box of its territory.
    """
    nodes: list[Node] = []
    for place in places:
        node = BNode()
        graph.add((ref, SCHEMA.spatialCoverage, node))
        graph.add((node, RDF.type, SCHEMA.Place))
        graph.add((node, SCHEMA.name, Literal(place.label)))
        known = None if safe_iri(place.uri) else known_place(place.label)
        same_as = safe_iri(place.uri) or (URIRef(known.iri) if known else None)
        if same_as is not None:
            graph.add((node, SCHEMA.sameAs, same_as))
        if known is not None and known.bbox is not None and bbox is None:
            add_geo_shape(graph, node, BBox(*known.bbox))
        nodes.append(node)
    if bbox is not None:
        place = nodes[0] if len(nodes) == 1 else BNode()
        if place not in nodes:
            graph.add((ref, SCHEMA.spatialCoverage, place))
            graph.add((place, RDF.type, SCHEMA.Place))
            nodes.append(place)
        add_geo_shape(graph, place, BBox(*bbox))
    return nodes


def add_geo_shape(graph: Graph, place: Node, bbox: BBox) -> Node:
    """A ``GeoShape`` box as a place's ``geo``."""
    shape = BNode()
    graph.add((place, SCHEMA.geo, shape))
    graph.add((shape, RDF.type, SCHEMA.GeoShape))
    graph.add((shape, SCHEMA.box, Literal(geo_box(bbox))))
    return shape


def geo_box(bbox: BBox) -> str:
    """A schema.org ``GeoShape`` box: the south-west then the north-east corner, latitude first."""
    return " ".join(f"{value:g}" for value in (bbox.south, bbox.west, bbox.north, bbox.east))


def temporal_coverage(start: str | None, end: str | None) -> str | None:
    """An ISO 8601 interval, open-ended with ``..`` when one bound is unknown."""
    if not start and not end:
        return None
    return f"{start or '..'}/{end or '..'}"


def add_distribution(graph: Graph, ref: URIRef, distribution: Distribution) -> Node | None:
    """A ``DataDownload`` with its ``contentUrl``, ``encodingFormat`` (media type, else file type), name and size."""
    url = safe_iri(distribution.url)
    if url is None:
        return None
    node = BNode()
    graph.add((ref, SCHEMA.distribution, node))
    graph.add((node, RDF.type, SCHEMA.DataDownload))
    graph.add((node, SCHEMA.contentUrl, url))
    encoding = encoding_format(distribution)
    if encoding:
        graph.add((node, SCHEMA.encodingFormat, Literal(encoding)))
    if distribution.title:
        graph.add((node, SCHEMA.name, Literal(distribution.title)))
    if distribution.byte_size:
        graph.add((node, SCHEMA.contentSize, Literal(f"{distribution.byte_size} B")))
    return node


def encoding_format(distribution: Distribution) -> str | None:
    """The distribution's media type, else its file type's, else the file type's label (``WMS``)."""
    if distribution.media_type:
        return distribution.media_type
    info = file_type(distribution.format, None, url=distribution.url)
    if info is None:
        return distribution.format
    return info.media_type or info.label


def add_catalog_link(graph: Graph, ref: URIRef, portal: Portal | None) -> Node | None:
    """``includedInDataCatalog``: the portal the record was harvested from, when the profile knows it.

    fedcat's own catalogue lists its datasets the other way round (``dataset``, in
    :meth:`SchemaOrgProfile.serialize_catalog`).
    """
    if portal is None:
        return None
    node = BNode()
    add_data_catalog(graph, node, portal.name, portal.url)
    graph.add((ref, SCHEMA.includedInDataCatalog, node))
    return node


def add_data_catalog(graph: Graph, node: Node, name: str, url: str) -> None:
    """A ``DataCatalog`` node with its name and URL."""
    graph.add((node, RDF.type, SCHEMA.DataCatalog))
    graph.add((node, SCHEMA.name, Literal(name)))
    link = safe_iri(url)
    if link is not None:
        graph.add((node, SCHEMA.url, link))


# -- JSON-LD for pages --------------------------------------------------------------------


def dataset_document(graph: Graph, ref: URIRef) -> dict[str, Any]:
    """The dataset ``ref`` as one JSON-LD object compacted with schema.org's context, its nodes nested.

    The context is :data:`SCHEMA_ORG_CONTEXT`, inline: no document is loaded.
    """
    root = nested_document(graph, ref, SCHEMA_ORG_CONTEXT, iri_terms=_IRI_TERMS)
    return {"@context": SCHEMA_ORG_CONTEXT_URL, **root}
