"""A CKAN 2.x portal: the Action API's ``package_search`` / ``package_show`` and ckanext-dcat's ``/catalog.ttl``.

``/api/3/action/package_search`` pages by ``rows`` (default 10, silently capped
at ``rows_max``, CKAN's ``ckan.search.rows_max`` = 1000) and ``start``, sorts
by ``sort`` (``id asc``, ``name asc``; CKAN's default is by relevance, then
newest first), filters ``fq=organization:<name>``, and answers CKAN's
envelope (``help``, ``success``, ``result`` with ``count``, ``sort``,
``results``, ``facets``, ``search_facets``). ``package_show?id=`` takes an id
or a name; an unknown one is CKAN's 404 ``Not Found Error``. ``/catalog.ttl``
is ckanext-dcat's catalogue endpoint: Turtle, ``?page=``, 100 datasets a page,
``hydra:PagedCollection`` with ``hydra:nextPage``.

Packages are made from sample datasets in CKAN's shape (licence ids such as
``odc-odbl``, an organisation, groups, tags, resources), or served as given
(``packages=``, e.g. a recorded ``package_search`` answer).
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from simulators.dcat_render import MEDIA_TYPES
from simulators.dkan import package_id
from simulators.sample_data import SampleDataset, generate, slugify
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["CkanSimulator", "CKAN_LICENSE_IDS"]

_JSON = "application/json;charset=utf-8"
_HYDRA = "http://www.w3.org/ns/hydra/core#"
#: sample licences as CKAN's licence ids
CKAN_LICENSE_IDS = {"odbl": "odc-odbl", "etalab-2.0": "lov2"}
_CATALOG_PAGE = 100


class CkanSimulator(PortalSimulator):
    """Serves packages as a CKAN portal with ckanext-dcat.

    :param packages: CKAN packages to serve as they are; else made from ``datasets``.
    :param size: how many datasets to make up (``generate("lyon", size)``) when neither is given.
    :param rows_max: the largest page ``package_search`` hands out.
    :param dcat: whether ckanext-dcat is installed (``/catalog.ttl`` answers; else CKAN's HTML 404).
    """

    def __init__(
        self,
        datasets: list[SampleDataset] | None = None,
        *,
        packages: list[dict] | None = None,
        size: int | None = None,
        rows_max: int = 1000,
        dcat: bool = False,
        public_url: str = "https://ckan.example.fr",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.public_url = public_url.rstrip("/")
        if packages is None:
            packages = [self.package(d) for d in (datasets if datasets is not None else generate("lyon", size))]
        self.packages = packages
        self.rows_max = rows_max
        self.dcat = dcat

    def handle(self, request: SimRequest) -> SimResponse:
        """The Action API and ``/catalog.ttl``; anything else is CKAN's HTML 404."""
        if request.path == "/api/3/action/package_search":
            return _answer("package_search", self.search(request))
        if request.path == "/api/3/action/package_show":
            found = next((p for p in self.packages if request.arg("id") in (p.get("id"), p.get("name"))), None)
            if found is None:
                error = {"message": "Not found", "__type": "Not Found Error"}
                return SimResponse(404, json.dumps({"help": _help("package_show"), "success": False, "error": error}).encode(), _JSON)
            return _answer("package_show", found)
        if request.path == "/catalog.ttl" and self.dcat:
            return SimResponse(200, self.catalog_page(int(request.arg("page", "1") or 1)), "text/turtle; charset=utf-8")
        return SimResponse(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8")

    def search(self, request: SimRequest) -> dict[str, Any]:
        """``package_search``'s result for a request's ``fq``, ``sort``, ``rows`` and ``start``."""
        found = self._filtered(request.arg("fq", "") or "")
        sort = request.arg("sort", "score desc, metadata_modified desc") or ""
        key, _, direction = sort.split(",")[0].strip().partition(" ")
        if key in ("id", "name", "metadata_modified"):
            found = sorted(found, key=lambda p: p.get(key) or "", reverse=direction.strip() == "desc")
        else:
            found = sorted(found, key=lambda p: p.get("metadata_modified") or "", reverse=True)
        rows = min(int(request.arg("rows", "10") or 10), self.rows_max)
        start = int(request.arg("start", "0") or 0)
        return {"count": len(found), "sort": sort, "facets": {}, "results": found[start : start + rows], "search_facets": {}}

    def _filtered(self, fq: str) -> list[dict]:
        if fq.startswith("organization:"):
            wanted = fq.removeprefix("organization:").strip('"')
            return [p for p in self.packages if (p.get("organization") or {}).get("name") == wanted]
        return list(self.packages)

    def package(self, dataset: SampleDataset) -> dict[str, Any]:
        """A sample dataset as CKAN's ``package_show`` writes it."""
        organisation = slugify(dataset.publisher)
        return {
            "id": package_id(dataset.slug),
            "name": dataset.slug,
            "title": dataset.title,
            "notes": dataset.description,
            "state": "active",
            "private": False,
            "type": "dataset",
            "license_id": CKAN_LICENSE_IDS[dataset.license],
            "maintainer": f"Open data {dataset.publisher}",
            "maintainer_email": dataset.contact_email,
            "metadata_created": f"{dataset.issued.isoformat()}T09:00:00.000000",
            "metadata_modified": f"{dataset.modified.isoformat()}T18:30:00.000000",
            "organization": {"name": organisation, "title": dataset.publisher, "is_organization": True, "type": "organization"},
            "groups": [{"name": slugify(dataset.theme), "title": dataset.theme, "display_name": dataset.theme}],
            "tags": [{"name": k, "display_name": k, "state": "active", "vocabulary_id": None} for k in dataset.keywords],
            "resources": [self._resource(dataset, r, n) for n, r in enumerate(dataset.resources)],
            "extras": [{"key": "spatial", "value": json.dumps(_bbox_polygon(dataset.bbox))}],
        }

    def _resource(self, dataset: SampleDataset, resource, number: int) -> dict[str, Any]:
        return {
            "id": package_id(f"{dataset.slug}/{number}"),
            "package_id": package_id(dataset.slug),
            "url": resource.url,
            "name": resource.title,
            "description": resource.description,
            "format": resource.format,
            "mimetype": MEDIA_TYPES.get(resource.format),
            "size": resource.byte_size,
            "created": f"{dataset.issued.isoformat()}T09:00:00.000000",
            "last_modified": None,
            "state": "active",
            "position": number,
        }

    def catalog_page(self, number: int) -> bytes:
        """One page of ckanext-dcat's ``/catalog.ttl``."""
        packages = sorted(self.packages, key=lambda p: p.get("metadata_modified") or "", reverse=True)
        window = packages[(number - 1) * _CATALOG_PAGE : number * _CATALOG_PAGE]
        graph = Graph()
        catalog = URIRef(f"{self.public_url}/catalog.ttl?page={number}")
        graph.add((catalog, RDF.type, URIRef(_HYDRA + "PagedCollection")))
        graph.add((catalog, URIRef(_HYDRA + "totalItems"), Literal(len(packages), datatype=XSD.integer)))
        if number * _CATALOG_PAGE < len(packages):
            graph.add((catalog, URIRef(_HYDRA + "nextPage"), Literal(f"{self.url}/catalog.ttl?page={number + 1}")))
        for package in window:
            _package_triples(graph, package, self.public_url)
        return graph.serialize(format="turtle").encode("utf-8")


def _package_triples(graph: Graph, package: dict, public_url: str) -> None:
    """A package the way ckanext-dcat's serializer writes it (the fields the sample packages carry)."""
    node = URIRef(f"{public_url}/dataset/{package['id']}")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(package["id"])))
    graph.add((node, DCTERMS.title, Literal(package["title"])))
    graph.add((node, DCTERMS.description, Literal(package.get("notes") or "")))
    for tag in package.get("tags") or []:
        graph.add((node, DCAT.keyword, Literal(tag["name"])))
    publisher = URIRef(f"{public_url}/organization/{package['organization']['name']}")
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(package["organization"]["title"])))
    for resource in package.get("resources") or []:
        distribution = URIRef(f"{node}/resource/{resource['id']}")
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(resource["name"])))
        graph.add((distribution, DCAT.accessURL, URIRef(resource["url"])))
        graph.add((distribution, DCAT.downloadURL, URIRef(resource["url"])))
        graph.add((distribution, DCTERMS.format, Literal(resource["format"])))


def _bbox_polygon(bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    west, south, east, north = bbox
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


def _answer(action: str, result: Any) -> SimResponse:
    return SimResponse(200, json.dumps({"help": _help(action), "success": True, "result": result}).encode("utf-8"), _JSON)


def _help(action: str) -> str:
    return f"http://ckan.example.fr/api/3/action/help_show?name={action}"
