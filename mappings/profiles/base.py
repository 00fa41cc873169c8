"""The export profile seam: profiles add triples for records and catalogue pages to one sink.

Profiles are chained in the configured order (ckanext-dcat's idea): a base
profile writes DCAT-AP, later ones add only their extras. They write compact
terms into a :class:`~mappings.profiles.sink.TripleSink`: the export's hot path
gives them a :class:`~mappings.profiles.sink.PageSink`, written out as N-Triples
text or by Oxigraph with no graph in between (:func:`catalog_sink`); anything that
wants an rdflib graph gets one (:func:`build_catalog_graph`).
"""

from __future__ import annotations

import re
from abc import ABC
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Callable, ClassVar, Sequence
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, GEO, PROV, RDFS, SKOS, XSD

from mappings.profiles.page_graph import page_graph
from mappings.profiles.sink import GraphSink, PageSink, Term, TripleSink
from mappings.record import Record
from mappings.vocab import ADMS, DCATAP, HYDRA, LOCN, SPDX, VCARD

__all__ = [
    "EXPORT_PREFIXES",
    "CatalogInfo",
    "CatalogPage",
    "Profile",
    "UnknownProfile",
    "base_url_of",
    "build_catalog_graph",
    "build_dataset_graph",
    "catalog_ref",
    "catalog_sink",
    "dataset_iri",
    "dataset_ref",
    "dataset_sink",
    "get_profiles",
    "new_graph",
    "new_page_sink",
    "quoted_segment",
    "write_catalog",
    "write_dataset",
]

_GROUP = "fedcat.export_profiles"
_DATASETS = "/datasets/"


class UnknownProfile(LookupError):
    """A configured export profile is not registered."""


@dataclass(frozen=True)
class CatalogInfo:
    """What the export says about fedcat's own catalogue."""

    base_url: str
    title: str = "fedcat — catalogue fédéré des données ouvertes françaises"
    description: str = (
        "Jeux de données moissonnés sur les portails de Paris, Lyon, Montpellier et data.gouv.fr, "
        "normalisés en DCAT-AP."
    )
    publisher_name: str = "fedcat"
    language: str = "FRA"


@dataclass(frozen=True)
class CatalogPage:
    """One Hydra page of the exported catalogue.

    ``modified`` is when the whole catalogue last changed: harvesters merge the
    pages into one catalogue, so everything said about it must be the same on every page.
    """

    info: CatalogInfo
    records: Sequence[Record]
    total: int
    page: int
    page_size: int
    page_url: Callable[[int], str]
    modified: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def last_page(self) -> int:
        """The number of the last page (1 for an empty catalogue)."""
        return max(1, -(-self.total // self.page_size))


class Profile(ABC):
    """Base of every export profile. Both hooks are optional; each adds triples in place.

    A hook receives a :class:`~mappings.profiles.sink.TripleSink` (or an rdflib ``Graph``
    from older callers: :func:`~mappings.profiles.sink.as_sink` turns either into a sink).
    """

    name: ClassVar[str]

    def serialize_dataset(self, record: Record, sink: TripleSink, ref: Term) -> None:
        """Add the triples describing ``record``.

        :param sink: the shared sink every profile writes into (``sink.add(s, p, o)``, compact terms).
        :param ref: the IRI of the dataset in fedcat's export.
        """

    def serialize_catalog(self, sink: TripleSink, ref: Term, page: CatalogPage) -> None:
        """Add the triples describing the catalogue and its paging.

        :param ref: the IRI of fedcat's catalogue.
        :param page: the records of this page and how to reach the others.
        """


def dataset_ref(base_url: str, record_id: str) -> URIRef:
    """The IRI of a record in fedcat's export (its dataset page)."""
    return URIRef(dataset_iri(base_url, record_id))


@lru_cache(maxsize=2048)  # a page asks for each of its records' IRIs twice (catalogue and dataset)
def dataset_iri(base_url: str, record_id: str) -> str:
    """:func:`dataset_ref` as a compact term (a ``str``)."""
    return f"{base_url.rstrip('/')}{_DATASETS}{quoted_segment(record_id)}"


def quoted_segment(text: str) -> str:
    """``urllib.parse.quote(text, safe="")``, by two replacements for an id made of URL characters (quote costs 10× more)."""
    if _URL_LIKE.fullmatch(text):
        return text.replace(":", "%3A").replace("/", "%2F")
    return quote(text, safe="")


#: characters ``quote`` keeps, plus the two of a URL-like id it escapes (``:``, ``/``)
_URL_LIKE = re.compile(r"[A-Za-z0-9_.~:/-]*")


def catalog_ref(base_url: str) -> URIRef:
    """The IRI of fedcat's catalogue."""
    return URIRef(f"{base_url.rstrip('/')}/catalog")


def base_url_of(ref: URIRef) -> str:
    """The base URL a :func:`dataset_ref` was made from (the record id is quoted, so it holds no ``/``)."""
    return str(ref).rsplit(_DATASETS, 1)[0]


def get_profiles(names: Sequence[str]) -> list[Profile]:
    """Instantiate the named profiles in order; unknown names fail loudly."""
    registered = {ep.name: ep for ep in entry_points(group=_GROUP)}
    unknown = [name for name in names if name not in registered]
    if unknown:
        raise UnknownProfile(
            f"Unknown export profiles: {', '.join(unknown)}. Known profiles: {', '.join(sorted(registered)) or 'none'}."
        )
    return [registered[name].load()() for name in names]


#: the prefixes the export profiles write with (serialisers declare those a document uses)
EXPORT_PREFIXES = (
    ("adms", ADMS),
    ("dcat", DCAT),
    ("dcatap", DCATAP),
    ("dct", DCTERMS),
    ("foaf", FOAF),
    ("gsp", GEO),
    ("hydra", HYDRA),
    ("locn", LOCN),
    ("prov", PROV),
    ("rdfs", RDFS),
    ("skos", SKOS),
    ("spdx", SPDX),
    ("vcard", VCARD),
    ("xsd", XSD),
)


def new_graph(graph: Graph | None = None) -> Graph:
    """An empty graph (or the one given) with the export's prefixes bound."""
    graph = Graph(bind_namespaces="core") if graph is None else graph
    for prefix, namespace in EXPORT_PREFIXES:
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def build_dataset_graph(record: Record, profiles: Sequence[Profile], base_url: str) -> Graph:
    """A graph describing one record, every profile applied in order."""
    graph = new_graph(page_graph())
    write_dataset(GraphSink(graph), record, profiles, base_url)
    return graph


def build_catalog_graph(page: CatalogPage, profiles: Sequence[Profile]) -> Graph:
    """A graph of one catalogue page: the catalogue, its Hydra view and the page's datasets."""
    graph = new_graph(page_graph())
    write_catalog(GraphSink(graph), page, profiles)
    return graph


def dataset_sink(record: Record, profiles: Sequence[Profile], base_url: str) -> PageSink:
    """One record's triples in a :class:`PageSink`, ready to be written out (no graph)."""
    return write_dataset(new_page_sink(), record, profiles, base_url)


def catalog_sink(page: CatalogPage, profiles: Sequence[Profile]) -> PageSink:
    """One catalogue page's triples in a :class:`PageSink`, ready to be written out (no graph)."""
    return write_catalog(new_page_sink(), page, profiles)


def write_dataset(sink: TripleSink, record: Record, profiles: Sequence[Profile], base_url: str) -> TripleSink:
    """Every profile's triples for one record, in order, into ``sink``."""
    ref = dataset_iri(base_url, record.record_id)
    for profile in profiles:
        profile.serialize_dataset(record, sink, ref)
    return sink


def write_catalog(sink: TripleSink, page: CatalogPage, profiles: Sequence[Profile]) -> TripleSink:
    """Every profile's triples for a catalogue page (the catalogue, its Hydra view, its datasets) into ``sink``."""
    ref = str(catalog_ref(page.info.base_url))
    base_url = page.info.base_url
    for profile in profiles:
        profile.serialize_catalog(sink, ref, page)
        for record in page.records:
            profile.serialize_dataset(record, sink, dataset_iri(base_url, record.record_id))
    return sink


def new_page_sink() -> PageSink:
    sink = PageSink()
    for prefix, namespace in EXPORT_PREFIXES:
        sink.bind(prefix, str(namespace))
    return sink
