"""An Opendatasoft portal (Paris Data): the Explore API's DCAT export, quirks included.

``GET /api/explore/v2.1/catalog/exports/dcat`` (and the older
``/api/v2/catalog/exports/dcat``) answers the whole catalogue as one RDF/XML
document shaped like the real export (see ``research/portals/paris.md`` §3):
``dcterms:`` prefix, ``rdf:type rdf:resource="dctype:Dataset"``, HTML
descriptions in CDATA, free text written as IRIs (``rdf:about="En continu"``,
``rdf:resource="France entière et hors territoire"``), portal facet URLs as
themes, publishers and creators, language tags missing or wrong on some
datasets, one distribution per export format, and IANA media types (GeoJSON
exported as ``application/json``). The v2.1 export names datasets by their
landing page, the v2 export by ``…/api/v2/catalog/datasets/{id}`` with the
identifier ``{id}@{domain}``.

Every answer carries ``X-RateLimit-Limit/Remaining/Reset``; a 429 answers with
Opendatasoft's JSON body and no ``Retry-After``. Opendatasoft documents no
ETag nor Last-Modified, so none is sent.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone
from html import escape
from urllib.parse import quote_plus

from simulators.dcat_render import LICENSE_URLS
from simulators.sample_data import SampleDataset, generate
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["EXPORT_FORMATS", "OpendatasoftSimulator"]

#: sample resource format → (Opendatasoft export name, the media type its DCAT export states)
EXPORT_FORMATS = {
    "CSV": ("csv", "text/csv"),
    "JSON": ("json", "application/json"),
    "GeoJSON": ("geojson", "application/json"),
    "SHP": ("shp", "application/zip"),
    "XLSX": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
#: how Paris' editors type the accrual periodicity in the free-text box
_FREQUENCY_TEXT = {
    "daily": "Quotidienne",
    "weekly": "Hebdomadaire",
    "monthly": "Mensuelle",
    "annual": "Annuelle",
    "continuous": "En continu",
    "irregular": "Irrégulière",
    "quarterly": "Trimestrielle",
}
_EXPORT_PATHS = {"/api/explore/v2.1/catalog/exports/dcat": "v2.1", "/api/v2/catalog/exports/dcat": "v2"}
_IANA = "https://www.iana.org/assignments/media-types/"
_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:dctype="http://purl.org/dc/dcmitype/" xmlns:dcat="http://www.w3.org/ns/dcat#" \
xmlns:foaf="http://xmlns.com/foaf/0.1/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" \
xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:vcard="http://www.w3.org/2006/vcard/ns#" \
xmlns:xsd="http://www.w3.org/2001/XMLSchema#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
"""
_DATETIME = 'rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime"'


class OpendatasoftSimulator(PortalSimulator):
    """Serves ``datasets`` as an Opendatasoft domain's DCAT export.

    :param size: how many datasets to make up (``generate("paris", size)``) when none are given.
    :param public_url: the portal's public address, used in every IRI and link.
    :param domain_id: the Opendatasoft domain id (``parisdata``) of v2 identifiers.
    :param daily_quota: the ``X-RateLimit-Limit`` announced.
    """

    conditional_get = False

    def __init__(
        self,
        datasets: list[SampleDataset] | None = None,
        *,
        size: int | None = None,
        public_url: str = "https://opendata.paris.fr",
        domain_id: str = "parisdata",
        daily_quota: int = 10000,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.datasets = datasets if datasets is not None else generate("paris", size)
        self.public_url = public_url.rstrip("/")
        self.domain_id = domain_id
        self.daily_quota = daily_quota
        self._calls = 0

    # -- what the export says about a dataset (tests read these too) ---------------

    def dataset_uri(self, dataset: SampleDataset, version: str = "v2.1") -> str:
        """The dataset's IRI in the given export version."""
        if version == "v2":
            return f"{self.public_url}/api/v2/catalog/datasets/{dataset.slug}"
        return f"{self.public_url}/explore/dataset/{dataset.slug}/"

    def export_urls(self, dataset: SampleDataset, version: str = "v2.1", *, use_labels: bool = True) -> list[str]:
        """The download URL of each export format of a dataset."""
        return [self._export_url(dataset, name, version, use_labels) for name, _ in self._exports(dataset, None)]

    # -- HTTP --------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer the DCAT exports (both API versions); anything else is a JSON 404."""
        self._count_call()
        version = _EXPORT_PATHS.get(request.path.rstrip("/"))
        if version is None:
            body = {"error_code": "NotFound", "message": f"Unknown path {request.path}"}
            return SimResponse(404, json.dumps(body).encode(), "application/json; charset=utf-8")
        body = self.export(
            version,
            lang=request.arg("lang", "fr"),
            include_exports=_names(request.arg("include_exports")),
            use_labels=request.arg("use_labels_in_exports", "true").lower() != "false",
            where=request.arg("where"),
        )
        return SimResponse(200, body.encode("utf-8"), "application/rdf+xml; charset=utf-8")

    def fault_response(self, fault: str) -> SimResponse:
        """Opendatasoft's own error bodies; a 429 announces its reset time only in headers and body."""
        if fault != "429":
            body = {"error_code": "InternalServerError", "message": "An internal error occurred."}
            return SimResponse(int(fault), json.dumps(body).encode(), "application/json")
        reset = int(time.time()) + 2
        body = {
            "errorcode": 10002,
            "reset_time": datetime.fromtimestamp(reset, timezone.utc).isoformat().replace("+00:00", "Z"),
            "limit_time_unit": "day",
            "call_limit": self.daily_quota,
            "error": "Too many requests on the domain. Please contact the domain administrator.",
        }
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
        return SimResponse(429, json.dumps(body).encode(), "application/json", headers)

    def extra_headers(self) -> dict[str, str]:
        """The rate-limit counters of every Explore API answer."""
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return {
            "X-RateLimit-Limit": str(self.daily_quota),
            "X-RateLimit-Remaining": str(max(0, self.daily_quota - self._calls)),
            "X-RateLimit-Reset": str(int(tomorrow.timestamp())),
        }

    def _count_call(self) -> None:
        with self._lock:
            self._calls += 1

    # -- the export document -------------------------------------------------------

    def export(
        self,
        version: str = "v2.1",
        *,
        lang: str = "fr",
        include_exports: list[str] | None = None,
        use_labels: bool = True,
        where: str | None = None,
    ) -> str:
        """The RDF/XML export of the catalogue (or of the datasets ``where`` selects)."""
        datasets = [d for d in self.datasets if _selected(d, where)]
        api = f"{self.public_url}/api/v2" if version == "v2" else f"{self.public_url}/api/explore/v2.1"
        parts = [_HEAD, f'  <rdf:Description rdf:about="{api}/catalog/datasets/">\n']
        parts.append('    <rdf:type rdf:resource="http://www.w3.org/ns/dcat#Catalog" />\n')
        parts.append(f"    <dcterms:title><![CDATA[{self.domain_id} catalog]]></dcterms:title>\n")
        parts.append('    <dcterms:language rdf:resource="http://id.loc.gov/vocabulary/iso639-1/fr" />\n')
        for index, dataset in enumerate(datasets):
            xml = self._dataset_xml(dataset, index, version, lang, include_exports, use_labels)
            parts.append(f"    <dcat:dataset>\n{xml}    </dcat:dataset>\n")
        parts.append(self._service_xml(datasets, api, version))
        parts.append("  </rdf:Description>\n</rdf:RDF>\n")
        return "".join(parts)

    def _dataset_xml(self, dataset, index, version, lang, include_exports, use_labels) -> str:
        uri = self.dataset_uri(dataset, version)
        tag = _lang_attribute(index, lang)
        licence = LICENSE_URLS[dataset.license]
        identifier = f"{dataset.slug}@{self.domain_id}" if version == "v2" else uri
        free_text_place = "France entière et hors territoire" if index % 4 == 0 else dataset.spatial
        lines = [
            f'      <dcat:Dataset rdf:about="{escape(uri)}">',
            f"        <dcterms:description{tag}><![CDATA[{_html(dataset.description)}]]></dcterms:description>",
            f"        <dcterms:identifier>{escape(identifier)}</dcterms:identifier>",
            '        <rdf:type rdf:resource="dctype:Dataset" />',
            '        <rdf:type rdf:resource="http://www.w3.org/ns/dcat#Dataset" />',
            f"        <dcterms:issued {_DATETIME}>{dataset.issued.isoformat()}T00:00:00</dcterms:issued>",
            f"        <dcterms:date {_DATETIME}>{dataset.issued.isoformat()}T00:00:00</dcterms:date>",
            f"        <dcterms:modified {_DATETIME}>{dataset.modified.isoformat()}T08:16:43+00:00</dcterms:modified>",
            f'        <dcterms:creator rdf:resource="{self._facet("dcat.creator", dataset.publisher)}" />',
            "        <dcterms:publisher>",
            f'          <foaf:Agent rdf:about="{self._facet("publisher", dataset.publisher)}">',
            f"            <foaf:name>{escape(dataset.publisher)}</foaf:name>",
            "          </foaf:Agent>",
            "        </dcterms:publisher>",
            _licence_xml(licence, "        "),
            f'        <dcterms:rights rdf:resource="{escape(licence)}" />',
            "        <dcat:landingPage>",
            f'          <foaf:Document rdf:about="{escape(self.dataset_uri(dataset))}">',
            '            <rdf:type rdf:resource="http://xmlns.com/foaf/0.1/Document" />',
            "          </foaf:Document>",
            "        </dcat:landingPage>",
            f"        <dcterms:title{tag}>{escape(dataset.title)}</dcterms:title>",
            *(f"        <dcat:keyword{tag}>{escape(k)}</dcat:keyword>" for k in dataset.keywords),
            "        <dcterms:accrualPeriodicity>",
            f'          <dcterms:Frequency rdf:about="{escape(_FREQUENCY_TEXT[dataset.frequency])}">',
            '            <rdf:type rdf:resource="http://purl.org/dc/terms/Frequency" />',
            "          </dcterms:Frequency>",
            "        </dcterms:accrualPeriodicity>",
            "        <dcat:contactPoint>",
            "          <vcard:Organization>",
            '            <rdf:type rdf:resource="http://www.w3.org/2006/vcard/ns#Kind" />',
            f'            <vcard:hasEmail rdf:resource="mailto:{escape(dataset.contact_email)}" />',
            "          </vcard:Organization>",
            "        </dcat:contactPoint>",
            "        <dcat:theme>",
            f'          <skos:Concept rdf:about="{self._facet("theme", dataset.theme)}">',
            '            <rdf:type rdf:resource="http://www.w3.org/2004/02/skos/core#Concept" />',
            f"            <skos:prefLabel>{escape(dataset.theme)}</skos:prefLabel>",
            "          </skos:Concept>",
            "        </dcat:theme>",
            f'        <dcterms:subject rdf:resource="{self._facet("theme", dataset.theme)}" />',
            f'        <dcterms:spatial rdf:resource="{escape(free_text_place)}" />',
            f'        <dcterms:coverage rdf:resource="{escape(free_text_place)}" />',
        ]
        if dataset.temporal:
            start, end = dataset.temporal
            lines.append(f"        <dcterms:temporal>{start.isoformat()}/{end.isoformat()}</dcterms:temporal>")
        for name, media_type in self._exports(dataset, include_exports):
            lines.append(self._distribution_xml(dataset, name, media_type, version, use_labels, licence))
        lines.append("      </dcat:Dataset>")
        return "\n".join(lines) + "\n"

    def _distribution_xml(self, dataset, name, media_type, version, use_labels, licence) -> str:
        api = f"{self.public_url}/api/v2" if version == "v2" else f"{self.public_url}/api/explore/v2.1"
        url = escape(self._export_url(dataset, name, version, use_labels))
        return "\n".join(
            [
                "        <dcat:distribution>",
                f'          <dcat:Distribution rdf:about="{api}/catalog/datasets/{dataset.slug}-{name}">',
                f'            <dcterms:title xml:lang="fr">{name}</dcterms:title>',
                f'            <dcterms:description xml:lang="fr">{escape(dataset.title)} ({name})</dcterms:description>',
                f'            <dcat:accessURL rdf:resource="{url}" />',
                f'            <dcat:downloadURL rdf:resource="{url}" />',
                "            <dcterms:format>",
                f'              <dcterms:MediaTypeOrExtent rdf:about="{_IANA}{media_type}">',
                '                <rdf:type rdf:resource="http://purl.org/dc/terms/MediaTypeOrExtent" />',
                "              </dcterms:MediaTypeOrExtent>",
                "            </dcterms:format>",
                f'            <dcat:mediaType rdf:resource="{_IANA}{media_type}" />',
                _licence_xml(licence, "            "),
                "            <dcterms:language>",
                '              <dcterms:LinguisticSystem rdf:about="http://id.loc.gov/vocabulary/iso639-1/fr" />',
                "            </dcterms:language>",
                f"            <dcterms:issued {_DATETIME}>{dataset.issued.isoformat()}T00:00:00</dcterms:issued>",
                "          </dcat:Distribution>",
                "        </dcat:distribution>",
            ]
        )

    def _service_xml(self, datasets: list[SampleDataset], api: str, version: str) -> str:
        served = "".join(
            f'        <dcat:servesDataset rdf:resource="{escape(self.dataset_uri(d, version))}" />\n' for d in datasets
        )
        return (
            "    <dcat:service>\n"
            f'      <dcat:DataService rdf:about="{api}">\n'
            '        <dcterms:title xml:lang="en"><![CDATA[Explore API v2]]></dcterms:title>\n'
            f"        <dcterms:identifier>{api}</dcterms:identifier>\n"
            f'        <dcat:endpointURL rdf:resource="{api}" />\n'
            f'        <dcat:endpointDescription rdf:resource="{api}/swagger.json" />\n'
            f'        <dcat:landingPage rdf:resource="{api}/console" />\n'
            f"{served}"
            "      </dcat:DataService>\n"
            "    </dcat:service>\n"
        )

    def _exports(self, dataset: SampleDataset, include: list[str] | None) -> list[tuple[str, str]]:
        exports = [EXPORT_FORMATS[r.format] for r in dataset.resources]
        return [(name, media) for name, media in exports if include is None or name in include]

    def _export_url(self, dataset: SampleDataset, name: str, version: str, use_labels: bool) -> str:
        api = f"{self.public_url}/api/v2" if version == "v2" else f"{self.public_url}/api/explore/v2.1"
        url = f"{api}/catalog/datasets/{dataset.slug}/exports/{name}"
        return url + "?use_labels=true" if use_labels and name in ("csv", "xlsx") else url

    def _facet(self, facet: str, value: str) -> str:
        return escape(f"{self.public_url}/explore/?refine.{facet}={quote_plus(value)}")


def _lang_attribute(index: int, lang: str) -> str:
    """The language tag of a dataset's texts: right on most, missing on some, wrong (``en``) on others."""
    if index % 5 == 3:
        return ""
    return ' xml:lang="en"' if index % 5 == 4 else f' xml:lang="{escape(lang)}"'


def _html(description: str) -> str:
    """Opendatasoft stores descriptions as HTML."""
    return description if "<" in description else f"<p>{escape(description, quote=False)}</p>"


def _licence_xml(licence: str, indent: str) -> str:
    return (
        f"{indent}<dcterms:license>\n"
        f'{indent}  <dcterms:LicenseDocument rdf:about="{escape(licence)}">\n'
        f'{indent}    <rdf:type rdf:resource="http://purl.org/dc/terms/LicenseDocument" />\n'
        f"{indent}  </dcterms:LicenseDocument>\n"
        f"{indent}</dcterms:license>"
    )


def _names(value: str | None) -> list[str] | None:
    return [part.strip().lower() for part in value.split(",") if part.strip()] if value else None


_WHERE_ID = re.compile(r"""dataset_id\s*[:=]\s*['"]([^'"]+)['"]""")


def _selected(dataset: SampleDataset, where: str | None) -> bool:
    """The one ``where`` clause harvesters use on this export: ``dataset_id:'…'``."""
    match = _WHERE_ID.search(where or "")
    return match is None or match.group(1) == dataset.slug
