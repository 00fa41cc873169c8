"""A DKAN 7 portal (Montpellier Méditerranée Métropole): CKAN-style Action API and ``/catalog.xml``.

``/api/3/action/package_list``, ``package_show?id=`` (whose ``result`` is a
one-element array, DKAN's quirk), ``current_package_list_with_resources?limit=&offset=``
and the Open Data Schema Map's DCAT-AP 1.1 ``/catalog.xml`` (served as
``application/xml``), with the habits of a French DKAN (see
``research/portals/montpellier.md`` §3): dates written the French way
(``"jeu, 19/12/2019 - 03:00"``, ``"Date changed  …"``) or ISO-like, sizes as
``"42 octets"`` / ``"46,88 Ko"``, format names in ``mimetype``, HTML
descriptions, licences given as URL or label, publishers as groups.
``/catalog.xml`` stamps its catalogue with the current time and maps licences
to empty strings, as DKAN does.

Drupal's page cache sends ``ETag`` and ``Last-Modified`` to anonymous clients,
so this simulator honours conditional requests.

Knobs: ``with_resources`` (the paged endpoint exists), ``api`` (the Action API
answers at all), ``catalog_xml`` (``/catalog.xml`` answers), ``max_limit``
(the largest page the API hands out, whatever ``limit`` asks).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from html import escape

from simulators.dcat_render import LICENSE_URLS, MEDIA_TYPES
from simulators.geonetwork_records import LICENSE_LABELS
from simulators.sample_data import SampleDataset, generate, slugify
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["DkanSimulator", "french_date", "human_size", "package_id"]

_WEEKDAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
_HELP = "https://data.montpellier3m.fr/api/3/action/help_show?name={}"
_JSON = "application/json; charset=utf-8"


def package_id(slug: str) -> str:
    """The DKAN node uuid of a dataset (stable for a slug)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://data.montpellier3m.fr/dataset/{slug}"))


def french_date(day: date, hour: int = 3, minute: int = 0) -> str:
    """A date as DKAN writes it in French: ``jeu, 19/12/2019 - 03:00``."""
    return f"{_WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y} - {hour:02d}:{minute:02d}"


def human_size(size: int) -> str:
    """A size as Drupal's ``format_size`` writes it in French."""
    if size < 1024:
        return f"{size} octets"
    for unit, factor in (("Go", 1024**3), ("Mo", 1024**2), ("Ko", 1024)):
        if size >= factor:
            return f"{size / factor:.2f}".replace(".", ",") + f" {unit}"
    return f"{size} octets"


class DkanSimulator(PortalSimulator):
    """Serves ``datasets`` as a DKAN portal.

    :param size: how many datasets to make up (``generate("montpellier", size)``) when none are given.
    :param public_url: the portal's public address (dataset pages, ``/catalog.xml`` IRIs).
    """

    def __init__(
        self,
        datasets: list[SampleDataset] | None = None,
        *,
        size: int | None = None,
        with_resources: bool = True,
        api: bool = True,
        catalog_xml: bool = True,
        max_limit: int | None = None,
        public_url: str = "https://data.montpellier3m.fr",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.datasets = datasets if datasets is not None else generate("montpellier", size)
        self.with_resources = with_resources
        self.api = api
        self.catalog_xml = catalog_xml
        self.max_limit = max_limit
        self.public_url = public_url.rstrip("/")

    def replace_datasets(self, datasets: list[SampleDataset]) -> None:
        """Publish other datasets (and move Last-Modified on)."""
        self.datasets = datasets
        self.touch()

    # -- HTTP --------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer the Action API and ``/catalog.xml``; anything else is Drupal's HTML 404."""
        action = request.path.removeprefix("/api/3/action/") if request.path.startswith("/api/3/action/") else None
        if action and self.api:
            answer = self._action(action, request)
            if answer is not None:
                return answer
        if request.path == "/catalog.xml" and self.catalog_xml:
            return SimResponse(200, self.catalog().encode("utf-8"), "application/xml; charset=utf-8")
        return SimResponse(404, b"<html><body><h1>Page introuvable</h1></body></html>", "text/html; charset=utf-8")

    def _action(self, action: str, request: SimRequest) -> SimResponse | None:
        if action == "package_list":
            names = [d.slug for d in self._window(request)]
            return _answer(action, names)
        if action == "package_show":
            wanted = request.arg("id", "")
            found = next((d for d in self.datasets if wanted in (d.slug, package_id(d.slug))), None)
            if found is None:
                body = {"help": _HELP.format(action), "success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}
                return SimResponse(404, json.dumps(body).encode(), _JSON)
            return _answer(action, [self.package(found)])
        if action == "current_package_list_with_resources" and self.with_resources:
            return _answer(action, [self.package(d) for d in self._window(request)])
        return None

    def _window(self, request: SimRequest) -> list[SampleDataset]:
        offset = int(request.arg("offset", "0") or 0)
        limit = request.arg("limit")
        size = int(limit) if limit else len(self.datasets)
        if self.max_limit is not None:
            size = min(size, self.max_limit)
        return self.datasets[offset : offset + size]

    # -- shapes ------------------------------------------------------------------

    def package(self, dataset: SampleDataset) -> dict:
        """A dataset as DKAN's ``package_show`` writes it."""
        index = self.datasets.index(dataset)
        licence = LICENSE_URLS[dataset.license] if index % 2 == 0 else LICENSE_LABELS[dataset.license]
        return {
            "id": package_id(dataset.slug),
            "name": dataset.slug,
            "title": dataset.title,
            "author_email": dataset.contact_email,
            "maintainer": f"Open Data {dataset.publisher}",
            "maintainer_email": dataset.contact_email,
            "license_title": licence,
            "license_id": "",
            "notes": _html(dataset.description) + "\n",
            "url": f"{self.public_url}/dataset/{dataset.slug}",
            "state": "Active",
            "private": True,
            "revision_timestamp": french_date(dataset.modified),
            "metadata_created": french_date(dataset.issued, 9, 23),
            "metadata_modified": f"{dataset.modified.isoformat()} 22:00:00",
            "type": "Dataset",
            "resources": [self._resource(dataset, r, n) for n, r in enumerate(dataset.resources)],
            "tags": [{"id": package_id(k), "vocabulary_id": "2", "name": k} for k in dataset.keywords],
            "groups": [
                {
                    "id": package_id(dataset.publisher),
                    "title": dataset.publisher,
                    "name": f"group/{slugify(dataset.publisher)}",
                    "description": f"<p>{escape(dataset.publisher)}</p>\n",
                }
            ],
            "extras": [{"key": "bbox-east-long", "value": str(dataset.bbox[2])}],
        }

    def _resource(self, dataset: SampleDataset, resource, number: int) -> dict:
        # some resources carry a format name where a MIME type belongs
        mimetype = resource.format.lower() if number % 2 else MEDIA_TYPES[resource.format]
        return {
            "id": package_id(f"{dataset.slug}/{number}"),
            "url": resource.url,
            "description": f"<p>{escape(resource.description)}</p>\n",
            "format": resource.format.lower() if number % 2 else resource.format,
            "mimetype": mimetype,
            "size": human_size(resource.byte_size or 0),
            "created": french_date(dataset.issued),
            "last_modified": "Date changed  " + french_date(dataset.modified),
            "name": resource.title,
        }

    def catalog(self) -> str:
        """``/catalog.xml``: DCAT-AP 1.1 as DKAN's Open Data Schema Map writes it."""
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        datasets = "".join(self._catalog_dataset(d) for d in self.datasets)
        distributions = "".join(self._catalog_distribution(d, r, n) for d in self.datasets for n, r in enumerate(d.resources))
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:foaf="http://xmlns.com/foaf/0.1/" '
            'xmlns:owl="http://www.w3.org/2002/07/owl#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#" '
            'xmlns:dct="http://purl.org/dc/terms/" xmlns:adms="http://www.w3.org/ns/adms#" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:time="http://www.w3.org/2006/time" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:vcard="http://www.w3.org/2006/vcard/ns#">'
            f'<dcat:Catalog rdf:about="{self.public_url}/catalog.xml"><dct:title>Montpellier Méditerranée Métropole'
            "</dct:title><dct:description>Portail Open Data de Montpellier Méditerranée Métropole</dct:description>"
            f'<dcterms:publisher rdf:resource="{self.public_url}/publisher/n0"/>'
            f'<foaf:homepage rdf:resource="{self.public_url}/search/type/dataset"/>'
            f"<dct:issued>{now}</dct:issued><dct:modified>{now}</dct:modified>{datasets}</dcat:Catalog>"
            f"{distributions}"
            f'<foaf:Agent rdf:about="{self.public_url}/publisher/n0"><rdf:type rdf:resource="http://xmlns.com/foaf/0.1/'
            'NonProfitOrganisation"/><foaf:name>DKAN</foaf:name></foaf:Agent></rdf:RDF>\n'
        )

    def _catalog_dataset(self, dataset: SampleDataset) -> str:
        date_type = ' rdf:datatype="http://www.w3.org/2001/XMLSchema#date"'
        links = "".join(
            f'<dcat:distribution rdf:resource="{self._resource_page(dataset, n)}"/>' for n in range(len(dataset.resources))
        )
        temporal = ""
        if dataset.temporal:
            start, end = dataset.temporal
            temporal = (
                '<dct:temporal><dct:PeriodOfTime xmlns:schema="http://schema.org/">'
                f"<schema:startDate{date_type}>{start.isoformat()}T00:00:00</schema:startDate>"
                f"<schema:endDate{date_type}>{end.isoformat()}T00:00:00</schema:endDate></dct:PeriodOfTime></dct:temporal>"
            )
        return (
            f'<dcat:dataset><dcat:Dataset rdf:about="{self.public_url}/dataset/{dataset.slug}">'
            f"<dct:title>{escape(dataset.title)}</dct:title><dct:description>{escape(_html(dataset.description))}"
            "</dct:description>"
            + "".join(f"<dcat:keyword>{escape(k)}</dcat:keyword>" for k in dataset.keywords)
            + f"<dcat:theme>{escape(dataset.theme)}</dcat:theme><dct:identifier>{package_id(dataset.slug)}</dct:identifier>"
            f"<dct:issued{date_type}>{dataset.issued.isoformat()}</dct:issued>"
            f"<dct:modified{date_type}>{dataset.modified.isoformat()}</dct:modified><dct:language>fr</dct:language>"
            f"<dcat:landingPage></dcat:landingPage><dct:accrualPeriodicity>{dataset.frequency}</dct:accrualPeriodicity>"
            f"{temporal}<dct:publisher>{escape(dataset.publisher)}</dct:publisher>"
            f"<dcat:contactPoint><vcard:Kind><vcard:fn>Open Data {escape(dataset.publisher)}</vcard:fn>"
            f"<vcard:hasEmail>{dataset.contact_email}</vcard:hasEmail></vcard:Kind></dcat:contactPoint>"
            f"{links}</dcat:Dataset></dcat:dataset>"
        )

    def _catalog_distribution(self, dataset: SampleDataset, resource, number: int) -> str:
        date_type = ' rdf:datatype="http://www.w3.org/2001/XMLSchema#date"'
        return (
            f'<dcat:Distribution rdf:about="{self._resource_page(dataset, number)}">'
            f"<dct:title>{escape(resource.title)}</dct:title>"
            f"<dct:description>{escape('<p>' + escape(resource.description) + '</p>')}</dct:description>"
            f"<dct:issued{date_type}>{dataset.issued.isoformat()}</dct:issued>"
            f"<dct:modified{date_type}>{dataset.modified.isoformat()}</dct:modified>"
            f'<dcat:downloadURL rdf:resource="{escape(resource.url)}"/>'
            f"<dcat:mediaType>{MEDIA_TYPES[resource.format]}</dcat:mediaType><dct:format>{resource.format.lower()}"
            f"</dct:format><dct:license></dct:license><dct:rights></dct:rights>"
            f"<dcat:byteSize>{resource.byte_size or 0}</dcat:byteSize></dcat:Distribution>"
        )

    def _resource_page(self, dataset: SampleDataset, number: int) -> str:
        return f"{self.public_url}/dataset/{dataset.slug}/resource/{package_id(f'{dataset.slug}/{number}')}"


def _answer(action: str, result) -> SimResponse:
    body = {"help": _HELP.format(action), "success": True, "result": result}
    return SimResponse(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), _JSON)


def _html(description: str) -> str:
    return description if description.lstrip().startswith("<") else f"<p>{escape(description, quote=False)}</p>"
