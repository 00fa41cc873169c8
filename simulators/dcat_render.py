"""Render sample datasets as DCAT graphs (the shapes every DCAT-speaking simulator starts from)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from mappings.vocab import HYDRA, VCARD
from simulators.sample_data import SampleDataset

__all__ = ["LICENSE_URLS", "add_dataset", "add_hydra_view", "MEDIA_TYPES"]

LICENSE_URLS = {
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "odbl": "http://opendatacommons.org/licenses/odbl/",
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GeoJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "SHP": "application/zip",
}
_FREQ = "http://purl.org/cld/freq/"


def add_dataset(graph: Graph, dataset: SampleDataset, uri: str) -> URIRef:
    """Add one dataset in plain DCAT (the generic shape; portal simulators add their quirks)."""
    ref = URIRef(uri)
    graph.add((ref, RDF.type, DCAT.Dataset))
    graph.add((ref, DCTERMS.identifier, Literal(dataset.slug)))
    graph.add((ref, DCTERMS.title, Literal(dataset.title, lang="fr")))
    graph.add((ref, DCTERMS.description, Literal(dataset.description, lang="fr")))
    for keyword in dataset.keywords:
        graph.add((ref, DCAT.keyword, Literal(keyword, lang="fr")))
    graph.add((ref, DCAT.theme, Literal(dataset.theme, lang="fr")))
    graph.add((ref, DCTERMS.issued, Literal(dataset.issued.isoformat(), datatype=XSD.date)))
    graph.add((ref, DCTERMS.modified, Literal(dataset.modified.isoformat(), datatype=XSD.date)))
    graph.add((ref, DCTERMS.accrualPeriodicity, URIRef(_FREQ + dataset.frequency)))
    graph.add((ref, DCAT.landingPage, ref))
    publisher = BNode()
    graph.add((ref, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(dataset.publisher)))
    contact = BNode()
    graph.add((ref, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(dataset.publisher)))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    graph.add((ref, DCTERMS.spatial, Literal(dataset.spatial)))
    if dataset.temporal:
        period = BNode()
        graph.add((ref, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(dataset.temporal[0].isoformat(), datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(dataset.temporal[1].isoformat(), datatype=XSD.date)))
    for number, resource in enumerate(dataset.resources, 1):
        dist = URIRef(f"{uri}#resource-{number}")
        graph.add((ref, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(resource.title)))
        graph.add((dist, DCAT.accessURL, URIRef(resource.url)))
        graph.add((dist, DCAT.downloadURL, URIRef(resource.url)))
        graph.add((dist, DCTERMS.format, Literal(resource.format)))
        graph.add((dist, DCAT.mediaType, Literal(MEDIA_TYPES[resource.format])))
        if resource.byte_size:
            graph.add((dist, DCAT.byteSize, Literal(resource.byte_size, datatype=XSD.integer)))
        graph.add((dist, DCTERMS.license, URIRef(LICENSE_URLS[dataset.license])))
    return ref


def add_hydra_view(graph: Graph, catalog: URIRef, page_url, page: int, last_page: int, total: int) -> None:
    """A Hydra ``PartialCollectionView`` for one page (``page_url(n)`` builds page links)."""
    graph.add((catalog, RDF.type, HYDRA.Collection))
    graph.add((catalog, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    view = URIRef(page_url(page))
    graph.add((catalog, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(page_url(1))))
    graph.add((view, HYDRA.last, URIRef(page_url(last_page))))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(page_url(page - 1))))
    if page < last_page:
        graph.add((view, HYDRA.next, URIRef(page_url(page + 1))))
