"""A generic DCAT portal: ``/catalog.{ttl,rdf,jsonld,nt}?page=&page_size=`` with Hydra paging."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from mappings.vocab import HYDRA
from simulators.dcat_render import add_dataset, add_hydra_view
from simulators.sample_data import SampleDataset
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["DcatPortalSimulator"]

_FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
}


class DcatPortalSimulator(PortalSimulator):
    """Serves ``datasets`` as a Hydra-paged DCAT catalogue in four syntaxes."""

    def __init__(
        self,
        datasets: list[SampleDataset],
        *,
        page_size: int = 10,
        legacy_paging: bool = False,
        dataset_base: str | None = None,
        **kwargs,
    ):
        """:param dataset_base: where dataset IRIs live (a real portal's public URL), default this server."""
        super().__init__(**kwargs)
        self.datasets = datasets
        self.dataset_base = dataset_base
        self.page_size = page_size
        self.legacy_paging = legacy_paging

    def catalog_url(self, extension: str = "ttl") -> str:
        """The first page's URL."""
        return f"{self.url}/catalog.{extension}"

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer ``/catalog.<ext>``."""
        extension = request.path.removeprefix("/catalog.")
        if not request.path.startswith("/catalog.") or extension not in _FORMATS:
            return SimResponse(404, b"not found", "text/plain")
        try:
            page = int(request.arg("page", "1"))
            page_size = int(request.arg("page_size", str(self.page_size)))
        except ValueError:
            return SimResponse(400, b"bad paging parameter", "text/plain")
        rdflib_format, content_type = _FORMATS[extension]
        graph = self.page_graph(extension, page, page_size)
        return SimResponse(200, graph.serialize(format=rdflib_format, encoding="utf-8"), content_type)

    def page_graph(self, extension: str, page: int, page_size: int) -> Graph:
        """The DCAT graph of one page."""
        graph = Graph()
        catalog = URIRef(f"{self.url}/catalog")
        graph.add((catalog, RDF.type, DCAT.Catalog))
        graph.add((catalog, DCTERMS.title, Literal("Catalogue simulé")))
        chunk = self.datasets[(page - 1) * page_size : page * page_size]
        for dataset in chunk:
            uri = f"{self.dataset_base or self.url}/datasets/{dataset.slug}"
            graph.add((catalog, DCAT.dataset, add_dataset(graph, dataset, uri)))
        last_page = max(1, -(-len(self.datasets) // page_size))

        def page_url(n: int) -> str:
            return f"{self.url}/catalog.{extension}?page={n}&page_size={page_size}"

        if self.legacy_paging:
            self._add_legacy_paging(graph, catalog, page_url, page, last_page)
        else:
            add_hydra_view(graph, catalog, page_url, page, last_page, len(self.datasets))
        return graph

    def _add_legacy_paging(self, graph: Graph, catalog, page_url, page: int, last_page: int) -> None:
        """The old ``hydra:PagedCollection`` with ``nextPage`` as a literal, as udata once emitted."""
        view = URIRef(page_url(page))
        graph.add((view, RDF.type, HYDRA.PagedCollection))
        graph.add((view, HYDRA.itemsPerPage, Literal(self.page_size)))
        graph.add((view, HYDRA.totalItems, Literal(len(self.datasets))))
        if page < last_page:
            graph.add((view, HYDRA.nextPage, Literal(page_url(page + 1))))
