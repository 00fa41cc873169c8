"""DCAT-AP 3.0.1: the base export profile, one small function per part of a record."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from mappings.profiles.base import CatalogPage, Profile, dataset_ref
from mappings.record import Agent, Concept, Distribution, Record
from mappings.vocab import ADMS, EU_FILE_TYPE, HYDRA, IANA_MEDIA_TYPES, LOCN, VCARD

__all__ = ["DcatAp3Profile", "date_literal", "safe_iri"]

EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
_LANGUAGE_CODES = {"fr": "FRA", "fre": "FRA", "fra": "FRA", "en": "ENG", "eng": "ENG", "de": "DEU", "es": "SPA"}
#: EU file-type codes for the format labels fedcat produces (full table: mappings/vocabularies).
_FILE_TYPES = frozenset(
    "CSV JSON GEOJSON SHP XLSX XLS ZIP PDF XML KML KMZ GML ODS TXT HTML RDF_XML RDF_TURTLE JSON_LD PNG JPEG TIFF".split()
)
_FORMAT_ALIASES = {"TTL": "RDF_TURTLE", "TURTLE": "RDF_TURTLE", "RDF": "RDF_XML", "JSONLD": "JSON_LD", "JPG": "JPEG"}


class DcatAp3Profile(Profile):
    """Writes records and catalogue pages as DCAT-AP 3.0.1."""

    name = "dcat_ap_3"

    def serialize_dataset(self, record: Record, graph: Graph, ref: URIRef) -> None:
        """See :meth:`Profile.serialize_dataset`."""
        graph.add((ref, RDF.type, DCAT.Dataset))
        graph.add((ref, DCTERMS.title, Literal(record.title, lang="fr")))
        graph.add((ref, DCTERMS.description, Literal(record.description or record.title, lang="fr")))
        for keyword in record.keywords:
            graph.add((ref, DCAT.keyword, Literal(keyword, lang="fr")))
        add_themes(graph, ref, record.themes)
        add_agent(graph, ref, DCTERMS.publisher, record.publisher)
        add_contact_point(graph, ref, record.contact_point)
        add_dates(graph, ref, record.issued, record.modified)
        add_frequency(graph, ref, record.frequency)
        add_spatial(graph, ref, record.spatial)
        add_temporal(graph, ref, record.temporal_start, record.temporal_end)
        add_languages(graph, ref, record.languages)
        add_provenance(graph, ref, record)
        landing_page = safe_iri(record.landing_page)
        if landing_page:
            graph.add((ref, DCAT.landingPage, landing_page))
            graph.add((landing_page, RDF.type, FOAF.Document))
        for number, distribution in enumerate(record.distributions, 1):
            add_distribution(graph, ref, URIRef(f"{ref}#distribution-{number}"), distribution, record.license)

    def serialize_catalog(self, graph: Graph, ref: URIRef, page: CatalogPage) -> None:
        """See :meth:`Profile.serialize_catalog`."""
        info = page.info
        graph.add((ref, RDF.type, DCAT.Catalog))
        graph.add((ref, RDF.type, HYDRA.Collection))
        graph.add((ref, DCTERMS.title, Literal(info.title, lang="fr")))
        graph.add((ref, DCTERMS.description, Literal(info.description, lang="fr")))
        graph.add((ref, FOAF.homepage, URIRef(info.base_url.rstrip("/") + "/")))
        graph.add((ref, DCTERMS.language, URIRef(EU_LANGUAGE + info.language)))
        add_agent(graph, ref, DCTERMS.publisher, Agent(name=info.publisher_name))
        if page.modified:
            add_dates(graph, ref, None, page.modified)
        graph.add((ref, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
        add_hydra_view(graph, ref, page)
        for record in page.records:
            graph.add((ref, DCAT.dataset, dataset_ref(info.base_url, record.record_id)))


def add_hydra_view(graph: Graph, ref: URIRef, page: CatalogPage) -> None:
    """The Hydra ``PartialCollectionView`` of this page with first/last/previous/next links."""
    view = URIRef(page.page_url(page.page))
    graph.add((ref, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(page.page_url(1))))
    graph.add((view, HYDRA.last, URIRef(page.page_url(page.last_page))))
    if page.page > 1:
        graph.add((view, HYDRA.previous, URIRef(page.page_url(min(page.page - 1, page.last_page)))))
    if page.page < page.last_page:
        graph.add((view, HYDRA.next, URIRef(page.page_url(page.page + 1))))


def add_themes(graph: Graph, ref: URIRef, themes: tuple[Concept, ...]) -> None:
    """Themes that are IRIs, as labelled ``skos:Concept``s (free-text themes stay keywords)."""
    for theme in themes:
        iri = safe_iri(theme.uri)
        if iri is None:
            graph.add((ref, DCAT.keyword, Literal(theme.label, lang="fr")))
            continue
        graph.add((ref, DCAT.theme, iri))
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, SKOS.prefLabel, Literal(theme.label, lang="fr")))


def add_agent(graph: Graph, subject: Node, predicate: URIRef, agent: Agent | None) -> None:
    """A ``foaf:Agent`` with its name (and IRI, mailbox, homepage when known)."""
    if agent is None:
        return
    node = safe_iri(agent.uri) or BNode()
    graph.add((subject, predicate, node))
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(agent.name)))
    if agent.email:
        graph.add((node, FOAF.mbox, URIRef(f"mailto:{agent.email}")))
    homepage = safe_iri(agent.url)
    if homepage:
        graph.add((node, FOAF.homepage, homepage))


def add_contact_point(graph: Graph, ref: URIRef, contact: Agent | None) -> None:
    """A ``vcard:Kind`` contact point."""
    if contact is None:
        return
    node = BNode()
    graph.add((ref, DCAT.contactPoint, node))
    graph.add((node, RDF.type, VCARD.Kind))
    graph.add((node, VCARD.fn, Literal(contact.name)))
    if contact.email:
        graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{contact.email}")))
    url = safe_iri(contact.url)
    if url:
        graph.add((node, VCARD.hasURL, url))


def add_dates(graph: Graph, ref: URIRef, issued: str | None, modified: str | None) -> None:
    """``dct:issued`` and ``dct:modified``, typed."""
    for predicate, value in ((DCTERMS.issued, issued), (DCTERMS.modified, modified)):
        literal = date_literal(value)
        if literal is not None:
            graph.add((ref, predicate, literal))


def add_frequency(graph: Graph, ref: URIRef, frequency: Concept | None) -> None:
    """``dct:accrualPeriodicity`` when it is an IRI."""
    iri = safe_iri(frequency.uri) if frequency else None
    if iri is not None:
        graph.add((ref, DCTERMS.accrualPeriodicity, iri))
        graph.add((iri, RDF.type, DCTERMS.Frequency))


def add_spatial(graph: Graph, ref: URIRef, places: tuple[Concept, ...]) -> None:
    """``dct:spatial`` as ``dct:Location`` nodes, named when only a label is known."""
    for place in places:
        node = safe_iri(place.uri) or BNode()
        graph.add((ref, DCTERMS.spatial, node))
        graph.add((node, RDF.type, DCTERMS.Location))
        graph.add((node, LOCN.geographicName, Literal(place.label, lang="fr")))


def add_temporal(graph: Graph, ref: URIRef, start: str | None, end: str | None) -> None:
    """``dct:temporal`` as a ``dct:PeriodOfTime``."""
    start_literal, end_literal = date_literal(start), date_literal(end)
    if start_literal is None and end_literal is None:
        return
    node = BNode()
    graph.add((ref, DCTERMS.temporal, node))
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    if start_literal is not None:
        graph.add((node, DCAT.startDate, start_literal))
    if end_literal is not None:
        graph.add((node, DCAT.endDate, end_literal))


def add_languages(graph: Graph, ref: URIRef, codes: tuple[str, ...]) -> None:
    """``dct:language`` as EU language IRIs."""
    for code in codes:
        eu_code = _LANGUAGE_CODES.get(code.lower(), code.upper() if len(code) == 3 else None)
        if eu_code:
            iri = URIRef(EU_LANGUAGE + eu_code)
            graph.add((ref, DCTERMS.language, iri))
            graph.add((iri, RDF.type, DCTERMS.LinguisticSystem))


def add_provenance(graph: Graph, ref: URIRef, record: Record) -> None:
    """Where the record came from: the source dataset IRI and its identifier there."""
    source = safe_iri(record.source_uri)
    if source is not None:
        graph.add((ref, DCTERMS.source, source))
    identifier = record.identifier or record.guid
    graph.add((ref, DCTERMS.identifier, Literal(identifier)))
    node = BNode()
    graph.add((ref, ADMS.identifier, node))
    graph.add((node, RDF.type, ADMS.Identifier))
    graph.add((node, SKOS.notation, Literal(record.guid)))
    graph.add((node, DCTERMS.creator, Literal(record.portal_id)))


def add_distribution(
    graph: Graph, dataset: URIRef, ref: URIRef, distribution: Distribution, dataset_license: Concept | None
) -> None:
    """One ``dcat:Distribution``; the licence sits here, as DCAT-AP wants."""
    access_url = safe_iri(distribution.access_url) or safe_iri(distribution.download_url)
    if access_url is None:
        return
    graph.add((dataset, DCAT.distribution, ref))
    graph.add((ref, RDF.type, DCAT.Distribution))
    graph.add((ref, DCAT.accessURL, access_url))
    download_url = safe_iri(distribution.download_url)
    if download_url is not None:
        graph.add((ref, DCAT.downloadURL, download_url))
    for predicate, text in ((DCTERMS.title, distribution.title), (DCTERMS.description, distribution.description)):
        if text:
            graph.add((ref, predicate, Literal(text, lang="fr")))
    add_format(graph, ref, distribution.format, distribution.media_type)
    if distribution.byte_size is not None:
        graph.add((ref, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)))
    add_license(graph, ref, distribution.license or dataset_license)


def add_format(graph: Graph, ref: URIRef, label: str | None, media_type: str | None) -> None:
    """``dct:format`` as an EU file-type IRI and ``dcat:mediaType`` as an IANA IRI."""
    if label:
        code = _FORMAT_ALIASES.get(label.upper(), label.upper())
        if code in _FILE_TYPES:
            graph.add((ref, DCTERMS.format, EU_FILE_TYPE[code]))
            graph.add((EU_FILE_TYPE[code], RDF.type, DCTERMS.MediaTypeOrExtent))
    if media_type and "/" in media_type and " " not in media_type:
        iri = URIRef(IANA_MEDIA_TYPES + media_type)
        graph.add((ref, DCAT.mediaType, iri))
        graph.add((iri, RDF.type, DCTERMS.MediaType))


def add_license(graph: Graph, ref: URIRef, license_: Concept | None) -> None:
    """``dct:license`` as a ``dct:LicenseDocument`` (an IRI, or a labelled node)."""
    if license_ is None:
        return
    node = safe_iri(license_.uri) or BNode()
    graph.add((ref, DCTERMS.license, node))
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    graph.add((node, RDFS.label, Literal(license_.label)))


def date_literal(value: str | None) -> Literal | None:
    """An ``xsd:date`` or ``xsd:dateTime`` literal (or ``gYear``), or None."""
    if not value:
        return None
    if "T" in value:
        return Literal(value, datatype=XSD.dateTime)
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    if len(value) == 4 and value.isdigit():
        return Literal(value, datatype=XSD.gYear)
    return None


def safe_iri(value: str | None) -> URIRef | None:
    """An IRI when the text is an absolute http(s) or mailto IRI with no characters IRIs forbid."""
    if not value:
        return None
    text = value.strip()
    if not text.startswith(("http://", "https://", "urn:")):
        return None
    if any(c in text for c in ' <>"{}|\\^`') or any(ord(c) < 0x21 for c in text):
        return None
    return URIRef(text)
