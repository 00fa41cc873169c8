"""Which of a geographic record's online resources are distributions, and what format each one is.

Catalogue records list every link they know: files, OGC services, but also
thumbnails, licence documents and internal database connections
(``DB:POSTGIS``) that must never be exposed. The protocol is the format hint:
``OGC:WMS`` is a WMS service, ``WWW:DOWNLOAD-1.0-http--download`` a file whose
format the URL's extension (or the record's distribution format) tells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from mappings.sources.dcat_builder import LICENCE_HINT, add_distribution, is_http_url

__all__ = ["OnlineResource", "add_resource", "is_distribution", "resource_format"]

_SERVICES = (
    ("OGC:WMTS", "WMTS"),
    ("OGC:WMS", "WMS"),
    ("OGC:WFS", "WFS"),
    ("OGC:WCS", "WCS"),
    ("OGC:SOS", "SOS"),
    ("OGC:CSW", "CSW"),
    ("OGC:API", "OGC API"),
    ("ESRI:REST", "ESRI REST"),
    ("ESRI:ARCGIS", "ESRI REST"),
)
_NOT_DISTRIBUTIONS = ("DB:", "FILE:", "IMAGE/", "WWW:LINK-1.0-HTTP--IMAGE")
_EXTENSIONS = {
    "csv": "CSV",
    "json": "JSON",
    "geojson": "GeoJSON",
    "xlsx": "XLSX",
    "xls": "XLS",
    "ods": "ODS",
    "zip": "ZIP",
    "shp": "SHP",
    "kml": "KML",
    "kmz": "KMZ",
    "gpkg": "GPKG",
    "pdf": "PDF",
    "xml": "XML",
    "gml": "GML",
    "txt": "TXT",
    "tif": "GeoTIFF",
    "tiff": "GeoTIFF",
    "ecw": "ECW",
    "jp2": "JPEG2000",
}


@dataclass(frozen=True)
class OnlineResource:
    """A link of a record, as the record describes it."""

    url: str
    protocol: str = ""
    name: str = ""
    description: str = ""

    @property
    def is_service(self) -> bool:
        """True for an OGC or ESRI service endpoint (an access URL, not a file)."""
        return _service_format(self.protocol) is not None


def is_distribution(resource: OnlineResource) -> bool:
    """False for links that are no data: non-web URLs, databases, images, thumbnails, licence documents."""
    protocol = resource.protocol.strip().upper()
    if not is_http_url(resource.url) or protocol.startswith(_NOT_DISTRIBUTIONS):
        return False
    if resource.name.strip().lower() in ("thumbnail", "large_thumbnail", "vignette"):
        return False
    return not (LICENCE_HINT.search(resource.name) or LICENCE_HINT.search(resource.description))


def resource_format(resource: OnlineResource, fallback: str | None = None) -> str | None:
    """The service type for a service, else the file format from the URL (or the record's format)."""
    service = _service_format(resource.protocol)
    if service:
        return service
    extension = _extension(resource.url) or _extension(resource.name)
    return _EXTENSIONS.get(extension or "") or fallback


def _service_format(protocol: str) -> str | None:
    upper = protocol.strip().upper()
    return next((name for prefix, name in _SERVICES if upper.startswith(prefix)), None)


def _extension(text: str) -> str | None:
    path = urlsplit(text).path if "://" in text else text
    match = re.search(r"\.([A-Za-z0-9]{2,7})$", path)
    return match.group(1).lower() if match else None


def add_resource(graph, node, resource: OnlineResource, fallback: str | None, seen: set) -> None:
    """Add a resource as a distribution of ``node`` unless it is no distribution or already added."""
    if not is_distribution(resource) or (resource.url, resource.protocol) in seen:
        return
    seen.add((resource.url, resource.protocol))
    add_distribution(
        graph,
        node,
        access_url=resource.url,
        download_url=None if resource.is_service else resource.url,
        title=resource.name or None,
        description=resource.description or None,
        format=resource_format(resource, fallback),
    )
