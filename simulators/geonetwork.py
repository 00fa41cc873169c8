"""A GeoNetwork catalogue (DATA Grand Lyon) behind CSW 2.0.2, over GET (KVP) and POST (XML).

``/geonetwork/srv/fre/csw`` answers ``GetCapabilities`` (listing the output
schemas it supports) and ``GetRecords`` paged by ``startPosition`` /
``maxRecords``, with ``numberOfRecordsMatched``, ``numberOfRecordsReturned`` and
``nextRecord`` (0 on the last page), records sorted by identifier. Every answer
is stamped with the current time in ``csw:SearchStatus``, as GeoNetwork does,
and carries no ETag nor Last-Modified. Records are rendered by
:mod:`simulators.geonetwork_records` in the schema asked for.

Knobs: ``dcat`` (advertise and serve GeoNetwork's legacy DCAT output schema),
``get`` (False: GetRecords over POST only, as some catalogues are configured).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from html import escape

from simulators.geonetwork_records import dc_record, dcat_record, iso_record, record_uuid
from simulators.sample_data import SampleDataset, generate
from simulators.server import PortalSimulator, SimRequest, SimResponse

__all__ = ["CSW_PATH", "DC_SCHEMA", "DCAT_SCHEMA", "GeonetworkSimulator", "ISO_SCHEMA", "record_uuid"]

CSW_PATH = "/geonetwork/srv/fre/csw"
DC_SCHEMA = "http://www.opengis.net/cat/csw/2.0.2"
ISO_SCHEMA = "http://www.isotc211.org/2005/gmd"
DCAT_SCHEMA = "http://www.w3.org/ns/dcat#"
_XML = "application/xml; charset=UTF-8"


class GeonetworkSimulator(PortalSimulator):
    """Serves ``datasets`` as a GeoNetwork CSW endpoint.

    :param size: how many datasets to make up (``generate("lyon", size)``) when none are given.
    :param public_base: GeoNetwork's public address, used in the IRIs of its DCAT output.
    """

    conditional_get = False

    def __init__(
        self,
        datasets: list[SampleDataset] | None = None,
        *,
        size: int | None = None,
        dcat: bool = False,
        get: bool = True,
        public_base: str = "https://data.grandlyon.com/geonetwork",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.datasets = datasets if datasets is not None else generate("lyon", size)
        self.dcat = dcat
        self.get = get
        self.public_base = public_base.rstrip("/")

    @property
    def csw_url(self) -> str:
        """The CSW endpoint a portal points at."""
        return self.url + CSW_PATH

    @property
    def output_schemas(self) -> list[str]:
        """The output schemas GetCapabilities advertises."""
        return [DC_SCHEMA, ISO_SCHEMA] + ([DCAT_SCHEMA] if self.dcat else [])

    def ordered(self) -> list[SampleDataset]:
        """The records in the order GetRecords pages them (by identifier)."""
        return sorted(self.datasets, key=lambda d: record_uuid(d.slug))

    # -- HTTP --------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer CSW requests in KVP (GET) or XML (POST)."""
        if request.path != CSW_PATH:
            return SimResponse(404, b"<html><body>Page introuvable</body></html>", "text/html")
        params = _post_params(request.body) if request.method == "POST" else _kvp(request)
        if params is None:
            return _exception("NoApplicableCode", "request", "Le document XML de la requête est invalide.")
        operation = params.get("request", "")
        if operation == "GetCapabilities":
            return SimResponse(200, self.capabilities().encode("utf-8"), _XML)
        if operation != "GetRecords":
            return _exception("OperationNotSupported", "request", f"Opération non supportée : {operation}")
        if request.method == "GET" and not self.get:
            return _exception("OperationNotSupported", "request", "GetRecords n'accepte que POST sur ce service.")
        return self.get_records(params)

    def get_records(self, params: dict[str, str]) -> SimResponse:
        """One page of records in the schema asked for."""
        schema = params.get("outputschema", DC_SCHEMA)
        if schema not in self.output_schemas:
            return _exception("InvalidParameterValue", "outputSchema", f"Schéma de sortie non supporté : {schema}")
        try:
            start = max(1, int(params.get("startposition", "1")))
            size = max(0, int(params.get("maxrecords", "10")))
        except ValueError:
            return _exception("InvalidParameterValue", "startPosition", "Valeur numérique attendue")
        records = self.ordered()
        chunk = records[start - 1 : start - 1 + size]
        following = start + len(chunk)
        next_record = following if following <= len(records) and chunk else 0
        body = "".join(self._render(schema, dataset, start - 1 + offset) for offset, dataset in enumerate(chunk))
        stamp = datetime.now().isoformat(timespec="seconds")
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/cat/csw/2.0.2 '
            'http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">'
            f'<csw:SearchStatus timestamp="{stamp}" /><csw:SearchResults numberOfRecordsMatched="{len(records)}" '
            f'numberOfRecordsReturned="{len(chunk)}" elementSet="full" nextRecord="{next_record}">'
            f"{body}</csw:SearchResults></csw:GetRecordsResponse>"
        )
        return SimResponse(200, xml.encode("utf-8"), _XML)

    def _render(self, schema: str, dataset: SampleDataset, index: int) -> str:
        if schema == ISO_SCHEMA:
            return iso_record(dataset, index)
        if schema == DCAT_SCHEMA:
            return dcat_record(dataset, index, self.public_base)
        return dc_record(dataset, index)

    def capabilities(self) -> str:
        """The GetCapabilities document."""
        url = escape(self.csw_url)
        get = f'<ows:Get xlink:href="{url}"/>' if self.get else ""
        schemas = "".join(f"<ows:Value>{s}</ows:Value>" for s in self.output_schemas)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
            'xmlns:ows="http://www.opengis.net/ows" xmlns:ogc="http://www.opengis.net/ogc" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" version="2.0.2">'
            "<ows:ServiceIdentification><ows:Title>DATA Grand Lyon - Catalogue</ows:Title>"
            "<ows:ServiceType>CSW</ows:ServiceType><ows:ServiceTypeVersion>2.0.2</ows:ServiceTypeVersion>"
            "</ows:ServiceIdentification><ows:OperationsMetadata>"
            f'<ows:Operation name="GetCapabilities"><ows:DCP><ows:HTTP><ows:Get xlink:href="{url}"/>'
            f'<ows:Post xlink:href="{url}"/></ows:HTTP></ows:DCP></ows:Operation>'
            f'<ows:Operation name="GetRecords"><ows:DCP><ows:HTTP>{get}<ows:Post xlink:href="{url}"/></ows:HTTP>'
            '</ows:DCP><ows:Parameter name="resultType"><ows:Value>hits</ows:Value><ows:Value>results</ows:Value>'
            '</ows:Parameter><ows:Parameter name="outputFormat"><ows:Value>application/xml</ows:Value></ows:Parameter>'
            f'<ows:Parameter name="outputSchema">{schemas}</ows:Parameter><ows:Parameter name="typeNames">'
            "<ows:Value>csw:Record</ows:Value><ows:Value>gmd:MD_Metadata</ows:Value></ows:Parameter></ows:Operation>"
            f'<ows:Operation name="GetRecordById"><ows:DCP><ows:HTTP><ows:Get xlink:href="{url}"/>'
            f'<ows:Post xlink:href="{url}"/></ows:HTTP></ows:DCP></ows:Operation>'
            "</ows:OperationsMetadata></csw:Capabilities>"
        )


def _kvp(request: SimRequest) -> dict[str, str]:
    """KVP parameters, names folded to lower case (CSW names are case-insensitive)."""
    return {key.lower(): values[0] for key, values in request.query.items() if values}


def _post_params(body: bytes) -> dict[str, str] | None:
    """The parameters of a POSTed ``csw:GetRecords`` / ``csw:GetCapabilities`` document."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    params = {"request": root.tag.rsplit("}", 1)[-1]}
    params.update({key.lower(): value for key, value in root.attrib.items()})
    return params


def _exception(code: str, locator: str, text: str) -> SimResponse:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">'
        f'<ows:Exception exceptionCode="{code}" locator="{locator}"><ows:ExceptionText>{escape(text)}'
        "</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
    )
    return SimResponse(400, xml.encode("utf-8"), _XML)
