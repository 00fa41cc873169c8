"""Is a link a file to download, or a page or service to open? Shared by the JSON source converters."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["is_download_link"]

#: formats that name a web page, an API or a map service, never a file
_PAGE_FORMATS = frozenset(
    {"html", "htm", "text/html", "web page", "webpage", "page web", "site web", "api", "rest", "esri rest",
     "arcgis geoservices rest api", "wms", "wfs", "wmts", "ogc:wms", "ogc:wfs", "ogc wms", "ogc wfs", "map", "carte"}
)
_FILE_EXTENSION = re.compile(
    r"\.(csv|tsv|xlsx?|ods|json|geojson|jsonld|xml|rdf|ttl|zip|gz|7z|pdf|docx?|odt|shp|kml|kmz|gpkg|txt|parquet)$",
    re.IGNORECASE,
)


def is_download_link(url: str, format_: str | None = None) -> bool:
    """True when the link gets a file: a file format is given, or (none given) the path ends like a file.

    A map viewer (``…/mv/?config=…``), a landing page or an API endpoint is an access URL only.
    """
    fmt = " ".join((format_ or "").lower().split())
    if fmt in _PAGE_FORMATS:
        return False
    if fmt:
        return True
    return bool(_FILE_EXTENSION.search(urlsplit(url.strip()).path))
