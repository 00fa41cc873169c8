"""A DCAT-US 1.1 portal (ArcGIS Hub, Socrata, DKAN): one Project Open Data ``data.json``.

The catalogue is a single document, as the schema defines it (no paging):
``/data.json`` (Socrata, DKAN, older Hub sites) and ArcGIS Hub's
``/api/feed/dcat-us/1.1.json`` answer the same thing, naming the remote
``@context`` ``https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld``.
Datasets are written with ArcGIS Hub's habits: an item URL as ``identifier``,
HTML descriptions and licences, bounding boxes as ``"west,south,east,north"``,
``temporal`` as an ISO 8601 interval, every link an ``accessURL`` except the
files the portal hosts, which get a ``downloadURL``; the contact's address under
``hasEmail`` (``mailto:``) or, as Hub writes it, ``email``.
"""

from __future__ import annotations

import json
from typing import Any

from simulators.dcat_render import LICENSE_URLS, MEDIA_TYPES
from simulators.sample_data import SampleDataset, generate
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["DcatUsSimulator", "POD_CONTEXT", "item_identifier"]

POD_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
_PATHS = ("/data.json", "/api/feed/dcat-us/1.1.json")
_LICENCE_NAMES = {"odbl": "Open Database License (ODbL)", "etalab-2.0": "Licence Ouverte version 2.0"}


def item_identifier(slug: str) -> str:
    """The ``identifier`` an ArcGIS Hub site gives a dataset (its item page)."""
    return f"https://www.arcgis.com/home/item.html?id={slug}"


class DcatUsSimulator(PortalSimulator):
    """Serves ``datasets`` (or a given ``document``) as a DCAT-US ``data.json``."""

    def __init__(
        self,
        datasets: list[SampleDataset] | None = None,
        *,
        document: dict[str, Any] | None = None,
        size: int | None = None,
        public_url: str = "https://data-lyon.hub.arcgis.com",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.datasets = datasets if datasets is not None else generate("lyon", size)
        self.document = document
        self.public_url = public_url.rstrip("/")

    def handle(self, request: SimRequest) -> SimResponse:
        """The catalogue at either path; anything else is a 404."""
        if request.path in _PATHS:
            return SimResponse(200, json.dumps(self.catalog(), ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")
        return SimResponse(404, b'{"error": "Not Found"}', "application/json")

    def catalog(self) -> dict[str, Any]:
        """The whole ``data.json``."""
        if self.document is not None:
            return self.document
        return {
            "@context": POD_CONTEXT,
            "@type": "dcat:Catalog",
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
            "dataset": [self.dataset(d, n) for n, d in enumerate(self.datasets)],
        }

    def dataset(self, dataset: SampleDataset, number: int) -> dict[str, Any]:
        """One dataset the way ArcGIS Hub writes it."""
        page = f"{self.public_url}/datasets/{dataset.slug}"
        west, south, east, north = dataset.bbox
        contact = {"@type": "vcard:Contact", "fn": f"SIG {dataset.publisher}"}
        contact.update({"hasEmail": f"mailto:{dataset.contact_email}"} if number % 2 else {"email": dataset.contact_email})
        entry = {
            "@type": "dcat:Dataset",
            "identifier": item_identifier(dataset.slug),
            "landingPage": page,
            "title": dataset.title,
            "description": f"<DIV STYLE=\"text-align:Left;\"><P><SPAN>{dataset.description}</SPAN></P></DIV>",
            "keyword": list(dataset.keywords),
            "issued": f"{dataset.issued.isoformat()}T10:07:13.000Z",
            "modified": f"{dataset.modified.isoformat()}T11:29:07.556Z",
            "publisher": {"name": dataset.publisher},
            "contactPoint": contact,
            "accessLevel": "public",
            "spatial": f"{west:.4f},{south:.4f},{east:.4f},{north:.4f}",
            "license": f"<P>Soumis à la licence {_LICENCE_NAMES[dataset.license]} : {LICENSE_URLS[dataset.license]}</P>",
            "distribution": [_hub_page(page)] + [_file(r) for r in dataset.resources],
            "theme": ["geospatial", dataset.theme],
        }
        if dataset.temporal:
            entry["temporal"] = f"{dataset.temporal[0].isoformat()}/{dataset.temporal[1].isoformat()}"
        return entry


def _hub_page(page: str) -> dict[str, str]:
    return {"@type": "dcat:Distribution", "title": "ArcGIS Hub Dataset", "format": "Web Page", "mediaType": "text/html", "accessURL": page}


def _file(resource) -> dict[str, str]:
    return {
        "@type": "dcat:Distribution",
        "title": resource.title,
        "format": resource.format,
        "mediaType": MEDIA_TYPES[resource.format],
        "downloadURL": resource.url,
    }
