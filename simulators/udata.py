"""A udata portal (data.gouv.fr): the site catalogue in every RDF syntax, Hydra-paged.

``GET /api/1/site/catalog.{xml,rdf,ttl,n3,nt,json,jsonld,trig}?page=&page_size=``
answers one page of the catalogue shaped as udata 17 writes it (see
``research/portals/datagouv.md`` §3): no language tags, Markdown descriptions,
keywords as slugs, ``dct:format`` and ``dcat:mediaType`` as plain literals,
distributions whose ``downloadURL`` is the original file and ``accessURL`` the
data.gouv.fr permalink, two ``dct:publisher`` (the organisation and a contact
typed ``vcard:Kind``), and harvested datasets that keep their upstream IRI
(``upstream``). ``GET /api/1/site/catalog`` redirects to the first page.

Knobs: ``legacy_paging`` (``hydra:PagedCollection`` with literal ``nextPage``
links, as old udata wrote), ``jsonld_context`` (``"inline"``, as udata does, or
``"remote"``: the document names ``/api/1/site/context.jsonld`` instead).
udata sends no ETag nor Last-Modified on these routes.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, time
from importlib import resources

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from mappings.vocab import ADMS, HYDRA, SPDX, VCARD
from simulators.dcat_render import LICENSE_URLS, MEDIA_TYPES, add_hydra_view
from simulators.geonetwork import record_uuid
from simulators.sample_data import PORTAL_PROFILES, SampleDataset, generate, slugify
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["CONTEXT_URL", "UdataSimulator", "upstream_uris"]

CONTEXT_URL = "https://www.data.gouv.fr/api/1/site/context.jsonld"
_FREQ = Namespace("http://purl.org/cld/freq/")
_GEODCAT = Namespace("http://data.europa.eu/930/")
#: extension → (rdflib format, the Content-Type udata sends)
_FORMATS = {
    "xml": ("xml", "application/rdf+xml"),
    "rdf": ("xml", "application/rdf+xml"),
    "ttl": ("turtle", "application/x-turtle"),
    "n3": ("n3", "text/n3"),
    "nt": ("nt", "application/n-triples"),
    "json": ("json-ld", "application/ld+json"),
    "jsonld": ("json-ld", "application/ld+json"),
    "trig": ("trig", "application/trig"),
}
_CATALOG = re.compile(r"^/api/1/site/catalog\.([a-z]+)$")


class UdataSimulator(PortalSimulator):
    """Serves ``datasets`` as a udata site catalogue.

    :param size: how many datasets to make up (``generate("datagouv", size)``) when none are given.
    :param upstream: slug → upstream IRI of datasets data.gouv.fr harvested elsewhere.
    :param public_url: where data.gouv.fr's own IRIs point.
    """

    conditional_get = False

    def __init__(
        self,
        datasets: list[SampleDataset] | None = None,
        *,
        size: int | None = None,
        page_size: int = 100,
        legacy_paging: bool = False,
        jsonld_context: str = "inline",
        upstream: dict[str, str] | None = None,
        public_url: str = "https://www.data.gouv.fr",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.datasets = datasets if datasets is not None else generate("datagouv", size)
        self.page_size = page_size
        self.legacy_paging = legacy_paging
        self.jsonld_context = jsonld_context
        self.upstream = upstream if upstream is not None else upstream_uris(datasets)
        self.public_url = public_url.rstrip("/")

    def catalog_url(self, extension: str = "ttl") -> str:
        """The first page's URL."""
        return f"{self.url}/api/1/site/catalog.{extension}?page=1&page_size={self.page_size}"

    def dataset_uri(self, dataset: SampleDataset) -> str:
        """The dataset's IRI: its upstream one when harvested, else a data.gouv.fr one."""
        return self.upstream.get(dataset.slug) or f"{self.public_url}/datasets/{_object_id(dataset.slug)}"

    # -- HTTP --------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer the site catalogue routes and the JSON-LD context."""
        if request.path == "/api/1/site/catalog":
            extension = "ttl" if "turtle" in request.headers.get("Accept", "") else "jsonld"
            location = f"/api/1/site/catalog.{extension}?page=1&page_size=100"
            return SimResponse(302, b"", "text/html", {"Location": location}, conditional=False)
        if request.path == "/api/1/site/context.jsonld":
            return SimResponse(200, json.dumps({"@context": _context()}).encode(), "application/ld+json")
        match = _CATALOG.match(request.path)
        if not match or match.group(1) not in _FORMATS:
            return SimResponse(404, b'{"message": "Not found", "status": 404}', "application/json")
        try:
            page = max(1, int(request.arg("page", "1")))
            page_size = max(1, int(request.arg("page_size", "100")))
        except ValueError:
            return SimResponse(400, b'{"message": "Invalid page", "status": 400}', "application/json")
        return self._serialized(match.group(1), page, page_size)

    def _serialized(self, extension: str, page: int, page_size: int) -> SimResponse:
        rdflib_format, content_type = _FORMATS[extension]
        graph = self.page_graph(extension, page, page_size)
        if rdflib_format != "json-ld":
            return SimResponse(200, graph.serialize(format=rdflib_format, encoding="utf-8"), content_type)
        document = json.loads(graph.serialize(format="json-ld", context=_context()))
        if self.jsonld_context == "remote":
            document["@context"] = CONTEXT_URL
        return SimResponse(200, json.dumps(document, ensure_ascii=False).encode("utf-8"), content_type)

    # -- the catalogue graph -----------------------------------------------------

    def page_graph(self, extension: str, page: int, page_size: int) -> Graph:
        """One page of the site catalogue."""
        graph = _bound_graph()
        catalog = URIRef(f"{self.url}/api/1/site/catalog")
        graph.add((catalog, RDF.type, DCAT.Catalog))
        graph.add((catalog, DCTERMS.title, Literal("data.gouv.fr")))
        graph.add((catalog, DCTERMS.description, Literal("La plateforme ouverte des données publiques françaises")))
        graph.add((catalog, DCTERMS.language, Literal("fr")))
        graph.add((catalog, FOAF.homepage, URIRef(self.public_url)))
        site_publisher = BNode()
        graph.add((catalog, DCTERMS.publisher, site_publisher))
        graph.add((site_publisher, RDF.type, FOAF.Organization))
        graph.add((site_publisher, FOAF.name, Literal("Etalab")))
        for dataset in self.datasets[(page - 1) * page_size : page * page_size]:
            graph.add((catalog, DCAT.dataset, self._add_dataset(graph, dataset)))
        last_page = max(1, -(-len(self.datasets) // page_size))

        def page_url(number: int) -> str:
            return f"{self.url}/api/1/site/catalog.{extension}?page={number}&page_size={page_size}"

        if self.legacy_paging:
            _legacy_paging(graph, page_url, page, last_page, page_size, len(self.datasets))
        else:
            add_hydra_view(graph, catalog, page_url, page, last_page, len(self.datasets))
        return graph

    def _add_dataset(self, graph: Graph, dataset: SampleDataset) -> URIRef:
        ref = URIRef(self.dataset_uri(dataset))
        object_id = _object_id(dataset.slug)
        harvested = dataset.slug in self.upstream
        graph.add((ref, RDF.type, DCAT.Dataset))
        graph.add((ref, DCTERMS.identifier, Literal(str(ref) if harvested else object_id)))
        if harvested:
            _add_adms_identifier(graph, ref, f"{self.public_url}/datasets/{object_id}/")
        graph.add((ref, DCTERMS.title, Literal(dataset.title)))
        graph.add((ref, DCTERMS.description, Literal(dataset.description)))
        for keyword in dataset.keywords:
            graph.add((ref, DCAT.keyword, Literal(slugify(keyword))))
        graph.add((ref, DCTERMS.issued, _datetime(dataset.issued, microseconds=not harvested)))
        graph.add((ref, DCTERMS.modified, _datetime(dataset.modified, microseconds=not harvested)))
        landing = str(ref) if harvested else f"{self.public_url}/datasets/{dataset.slug}"
        graph.add((ref, DCAT.landingPage, URIRef(landing)))
        graph.add((ref, DCTERMS.accrualPeriodicity, _FREQ[dataset.frequency]))
        if dataset.temporal:
            _add_period(graph, ref, dataset.temporal)
        self._add_agents(graph, ref, dataset, object_id)
        for number, resource in enumerate(dataset.resources):
            self._add_resource(graph, ref, dataset, object_id, number, resource)
        return ref

    def _add_agents(self, graph: Graph, ref: URIRef, dataset: SampleDataset, object_id: str) -> None:
        """The organisation (as publisher and GeoDCAT distributor) and a contact also typed publisher."""
        organisation = URIRef(f"{self.public_url}/organizations/{_object_id(dataset.publisher)}/")
        graph.add((organisation, RDF.type, FOAF.Organization))
        graph.add((organisation, FOAF.name, Literal(dataset.publisher)))
        graph.add((organisation, RDFS.label, Literal(dataset.publisher)))
        graph.add((organisation, FOAF.homepage, URIRef(f"https://{dataset.contact_email.split('@')[1]}")))
        contact = URIRef(f"{self.public_url}/api/1/contacts/{_object_id('contact:' + object_id)}/")
        graph.add((contact, RDF.type, VCARD.Kind))
        graph.add((contact, VCARD.fn, Literal("Administrateur des données")))
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
        graph.add((ref, DCTERMS.publisher, contact))
        graph.add((ref, DCTERMS.publisher, organisation))
        graph.add((ref, _GEODCAT.distributor, organisation))
        graph.add((ref, DCAT.contactPoint, contact))

    def _add_resource(self, graph: Graph, ref: URIRef, dataset, object_id: str, number: int, resource) -> None:
        resource_id = _resource_id(dataset.slug, number)
        dist = URIRef(f"{self.public_url}/datasets/{object_id}/#resource-{resource_id}")
        graph.add((ref, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.identifier, Literal(resource_id)))
        graph.add((dist, DCTERMS.title, Literal(resource.title)))
        graph.add((dist, DCTERMS.description, Literal(resource.description)))
        graph.add((dist, DCAT.downloadURL, URIRef(resource.url)))
        graph.add((dist, DCAT.accessURL, URIRef(f"{self.public_url}/datasets/r/{resource_id}")))
        graph.add((dist, DCTERMS.issued, _datetime(dataset.issued, microseconds=True)))
        graph.add((dist, DCTERMS.modified, _datetime(dataset.modified, microseconds=True)))
        graph.add((dist, DCTERMS.license, URIRef(LICENSE_URLS[dataset.license])))
        if resource.byte_size:
            graph.add((dist, DCAT.byteSize, Literal(resource.byte_size, datatype=XSD.integer)))
        graph.add((dist, DCAT.mediaType, Literal(MEDIA_TYPES[resource.format])))
        graph.add((dist, DCTERMS.format, Literal(resource.format.lower())))
        checksum = BNode()
        graph.add((dist, SPDX.checksum, checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha1))
        graph.add((checksum, SPDX.checksumValue, Literal(hashlib.sha1(resource.url.encode()).hexdigest())))


def upstream_uris(datasets: list[SampleDataset]) -> dict[str, str]:
    """The IRIs of the datasets data.gouv.fr harvested from the three city portals, as those portals write them."""
    cities = {
        "paris": lambda slug: f"https://{PORTAL_PROFILES['paris'].domain}/explore/dataset/{slug}/",
        "lyon": lambda slug: f"https://{PORTAL_PROFILES['lyon'].domain}/geonetwork/srv/fre/catalog.search#/metadata/"
        + record_uuid(slug),
        "montpellier": lambda slug: f"https://{PORTAL_PROFILES['montpellier'].domain}/dataset/{slug}",
    }
    found = {}
    for city, uri in cities.items():
        city_slugs = {d.slug for d in generate(city)}
        found.update({d.slug: uri(d.slug) for d in datasets if d.slug in city_slugs})
    return found


def _add_adms_identifier(graph: Graph, ref: URIRef, notation: str) -> None:
    identifier = BNode()
    graph.add((ref, ADMS.identifier, identifier))
    graph.add((identifier, RDF.type, ADMS.Identifier))
    graph.add((identifier, SKOS.notation, Literal(notation)))
    graph.add((identifier, DCTERMS.creator, Literal("data.gouv.fr")))


def _add_period(graph: Graph, ref: URIRef, temporal) -> None:
    period = BNode()
    graph.add((ref, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(temporal[0].isoformat(), datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(temporal[1].isoformat(), datatype=XSD.date)))


def _legacy_paging(graph: Graph, page_url, page: int, last_page: int, page_size: int, total: int) -> None:
    """Old udata: the page itself is a ``hydra:PagedCollection`` whose links are literals."""
    view = URIRef(page_url(page))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, HYDRA.itemsPerPage, Literal(page_size)))
    graph.add((view, HYDRA.totalItems, Literal(total)))
    graph.add((view, HYDRA.firstPage, Literal(page_url(1))))
    graph.add((view, HYDRA.lastPage, Literal(page_url(last_page))))
    if page < last_page:
        graph.add((view, HYDRA.nextPage, Literal(page_url(page + 1))))


def _bound_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (("dct", DCTERMS), ("dcat", DCAT), ("hydra", HYDRA), ("adms", ADMS), ("vcard", VCARD)):
        graph.bind(prefix, namespace)
    graph.bind("freq", _FREQ)
    return graph


def _context() -> dict:
    text = resources.files("mappings").joinpath("contexts", "udata.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


def _datetime(day, *, microseconds: bool) -> Literal:
    """udata's naive ``xsd:dateTime``, with microseconds on what it created itself."""
    moment = datetime.combine(day, time(9, 30, 12, 345678 if microseconds else 0))
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _object_id(seed: str) -> str:
    """A 24-hex MongoDB ObjectId look-alike, stable for a seed."""
    return hashlib.sha1(seed.encode("utf-8")).hexdigest()[:24]


def _resource_id(slug: str, number: int) -> str:
    digest = hashlib.sha1(f"{slug}/{number}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"

