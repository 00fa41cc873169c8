"""schema.org ``Dataset`` triples (what dataset search engines read), and their JSON-LD for dataset pages.

The profile writes ``http://schema.org/`` terms, the IRIs schema.org's own JSON-LD
context expands to, so :func:`dataset_document` can compact the graph with an
inline copy of the few context entries it needs (nothing is ever fetched) and
still label the result with the usual ``"@context": "https://schema.org"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from mappings.geo import BBox
from mappings.portals import Portal
from mappings.profiles.base import CatalogPage, Profile, dataset_iri
from mappings.profiles.dcat_distributions import licence_to_write
from mappings.profiles.jsonld import nested_document
from mappings.profiles.places import known_place
from mappings.profiles.rdf_terms import cached_terms, email_address, linked_agent, safe_iri, text_literal
from mappings.profiles.sink import Term, TripleSink, as_sink
from mappings.record import Agent, Concept, Distribution, Record
from mappings.vocabularies import eu_language, file_type

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
_S, RDF = cached_terms(SCHEMA), cached_terms(RDF)
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

    def serialize_dataset(self, record: Record, sink: TripleSink, ref: Term) -> None:
        """See :meth:`Profile.serialize_dataset`."""
        sink, ref = as_sink(sink), str(ref)
        sink.bind("schema", str(SCHEMA))
        sink.add(ref, RDF.type, _S.Dataset)
        sink.add(ref, _S.name, text_literal(record.title))
        sink.add(ref, _S.description, text_literal(record.description or record.title))
        sink.add(ref, _S.url, ref)
        sink.add(ref, _S.identifier, text_literal(record.identifier or record.source_uri or record.guid))
        for link in dict.fromkeys(filter(None, (safe_iri(record.landing_page), safe_iri(record.source_uri)))):
            sink.add(ref, _S.sameAs, link)
        for keyword in record.keywords:
            sink.add(ref, _S.keywords, text_literal(keyword))
        add_dates(sink, ref, record.issued, record.modified)
        add_languages(sink, ref, record.languages)
        add_license(sink, ref, record.license)
        add_organization(sink, ref, _S.publisher, record.publisher)
        # Google's Dataset guidelines recommend a creator; the portals name their publisher as the body
        # that produced the data, and nothing else names one
        add_organization(sink, ref, _S.creator, record.publisher)
        add_spatial_coverage(sink, ref, record.spatial, record.bbox)
        coverage = temporal_coverage(record.temporal_start, record.temporal_end)
        if coverage:
            sink.add(ref, _S.temporalCoverage, text_literal(coverage))
        for distribution in record.distributions:
            add_distribution(sink, ref, distribution)
        add_catalog_link(sink, ref, self.portals.get(record.portal_id))

    def serialize_catalog(self, sink: TripleSink, ref: Term, page: CatalogPage) -> None:
        """See :meth:`Profile.serialize_catalog`."""
        sink, ref = as_sink(sink), str(ref)
        sink.bind("schema", str(SCHEMA))
        add_data_catalog(sink, ref, page.info.title, page.info.base_url.rstrip("/") + "/")
        sink.add(ref, _S.description, text_literal(page.info.description))
        for record in page.records:
            sink.add(ref, _S.dataset, dataset_iri(page.info.base_url, record.record_id))


def add_dates(sink: TripleSink, ref: Term, issued: str | None, modified: str | None) -> None:
    """``datePublished`` and ``dateModified`` as ISO 8601 text, the form search engines read."""
    sink = as_sink(sink)
    for predicate, value in ((_S.datePublished, issued), (_S.dateModified, modified)):
        if value:
            sink.add(ref, predicate, text_literal(value))


def add_languages(sink: TripleSink, ref: Term, codes: tuple[str, ...]) -> None:
    """``inLanguage`` as IETF tags (``fr``) for the EU language codes fedcat keeps."""
    sink = as_sink(sink)
    for code in codes:
        info = eu_language(code)
        tag = info.iso639_1 if info and info.iso639_1 else None
        if tag:
            sink.add(ref, _S.inLanguage, text_literal(tag))


def add_license(sink: TripleSink, ref: Term, license_: Concept | None) -> Term | None:
    """``license``: the licence's page when it has one (what search engines follow), else a named ``CreativeWork``."""
    sink = as_sink(sink)
    licence = licence_to_write(license_)
    if licence is None:
        return None
    iri = licence.iri("url", "uri")
    if iri is not None:
        sink.add(ref, _S.license, iri)
        return iri
    if not license_.label.strip():
        return None
    node = sink.blank()
    sink.add(ref, _S.license, node)
    sink.add(node, RDF.type, _S.CreativeWork)
    sink.add(node, _S.name, text_literal(license_.label.strip()))
    return node


def add_organization(sink: TripleSink, ref: Term, predicate: str, agent: Agent | None) -> Term | None:
    """An ``Organization`` (a ``Person`` when the source says so) with its name, URL and e-mail when known."""
    sink = as_sink(sink)
    linked = linked_agent(sink, ref, predicate, agent)
    if linked is None:
        return None
    node, name = linked
    sink.add(node, RDF.type, _S.Person if agent.kind in _PERSON_KINDS else _S.Organization)
    sink.add(node, _S.name, text_literal(name))
    url = safe_iri(agent.url) or safe_iri(agent.uri)
    if url is not None:
        sink.add(node, _S.url, url)
    if email_address(agent.email):
        sink.add(node, _S.email, text_literal(email_address(agent.email)))
    return node


def add_spatial_coverage(
    sink: TripleSink, ref: Term, places: tuple[Concept, ...], bbox: tuple[float, float, float, float] | None
) -> list[Term]:
    """``spatialCoverage`` as ``Place``s; the bounding box is a ``GeoShape`` (of the only place, if just one).

    A place :func:`known_place` knows (by name or IRI) gets its authority IRI as
    ``sameAs`` and, when the record has no box of its own, the box of its territory.
    """
    sink = as_sink(sink)
    nodes: list[Term] = []
    for place in places:
        node = sink.blank()
        sink.add(ref, _S.spatialCoverage, node)
        sink.add(node, RDF.type, _S.Place)
        sink.add(node, _S.name, text_literal(place.label))
        known = known_place(place.label, place.uri)
        same_as = known.iri if known else safe_iri(place.uri)
        if same_as is not None:
            sink.add(node, _S.sameAs, same_as)
        if known is not None and known.bbox is not None and bbox is None:
            add_geo_shape(sink, node, BBox(*known.bbox))
        nodes.append(node)
    if bbox is not None:
        place = nodes[0] if len(nodes) == 1 else sink.blank()
        if place not in nodes:
            sink.add(ref, _S.spatialCoverage, place)
            sink.add(place, RDF.type, _S.Place)
            nodes.append(place)
        add_geo_shape(sink, place, BBox(*bbox))
    return nodes


def add_geo_shape(sink: TripleSink, place: Term, bbox: BBox) -> Term:
    """A ``GeoShape`` box as a place's ``geo``."""
    sink = as_sink(sink)
    shape = sink.blank()
    sink.add(place, _S.geo, shape)
    sink.add(shape, RDF.type, _S.GeoShape)
    sink.add(shape, _S.box, text_literal(geo_box(bbox)))
    return shape


def geo_box(bbox: BBox) -> str:
    """A schema.org ``GeoShape`` box: the south-west then the north-east corner, latitude first."""
    return " ".join(f"{value:g}" for value in (bbox.south, bbox.west, bbox.north, bbox.east))


def temporal_coverage(start: str | None, end: str | None) -> str | None:
    """An ISO 8601 interval, open-ended with ``..`` when one bound is unknown."""
    if not start and not end:
        return None
    return f"{start or '..'}/{end or '..'}"


def add_distribution(sink: TripleSink, ref: Term, distribution: Distribution) -> Term | None:
    """A ``DataDownload`` with its ``contentUrl``, ``encodingFormat`` (media type, else file type), name and size."""
    sink = as_sink(sink)
    url = safe_iri(distribution.url)
    if url is None:
        return None
    node = sink.blank()
    sink.add(ref, _S.distribution, node)
    sink.add(node, RDF.type, _S.DataDownload)
    sink.add(node, _S.contentUrl, url)
    encoding = encoding_format(distribution)
    if encoding:
        sink.add(node, _S.encodingFormat, text_literal(encoding))
    if distribution.title:
        sink.add(node, _S.name, text_literal(distribution.title))
    if distribution.byte_size:
        sink.add(node, _S.contentSize, text_literal(f"{distribution.byte_size} B"))
    return node


def encoding_format(distribution: Distribution) -> str | None:
    """The distribution's media type, else its file type's, else the file type's label (``WMS``)."""
    if distribution.media_type:
        return distribution.media_type
    info = file_type(distribution.format, None, url=distribution.url)
    if info is None:
        return distribution.format
    return info.media_type or info.label


def add_catalog_link(sink: TripleSink, ref: Term, portal: Portal | None) -> Term | None:
    """``includedInDataCatalog``: the portal the record was harvested from, when the profile knows it.

    fedcat's own catalogue lists its datasets the other way round (``dataset``, in
    :meth:`SchemaOrgProfile.serialize_catalog`).
    """
    sink = as_sink(sink)
    if portal is None:
        return None
    node = sink.blank()
    add_data_catalog(sink, node, portal.name, portal.url)
    sink.add(ref, _S.includedInDataCatalog, node)
    return node


def add_data_catalog(sink: TripleSink, node: Term, name: str, url: str) -> None:
    """A ``DataCatalog`` node with its name and URL."""
    sink = as_sink(sink)
    sink.add(node, RDF.type, _S.DataCatalog)
    sink.add(node, _S.name, text_literal(name))
    link = safe_iri(url)
    if link is not None:
        sink.add(node, _S.url, link)


# -- JSON-LD for pages --------------------------------------------------------------------


def dataset_document(graph: Graph, ref: URIRef) -> dict[str, Any]:
    """The dataset ``ref`` as one JSON-LD object compacted with schema.org's context, its nodes nested.

    The context is :data:`SCHEMA_ORG_CONTEXT`, inline: no document is loaded.
    """
    root = nested_document(graph, ref, SCHEMA_ORG_CONTEXT, iri_terms=_IRI_TERMS)
    return {"@context": SCHEMA_ORG_CONTEXT_URL, **root}
