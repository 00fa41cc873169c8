"""Bounding boxes from the geometry encodings portals publish, with sloppy axes repaired.

Inputs: WKT (``POLYGON``, ``MULTIPOLYGON``, ``POINT``, ``ENVELOPE(minX, maxX, maxY, minY)``,
with an optional GeoSPARQL CRS IRI or ``SRID=…;`` prefix), GeoJSON geometries,
features and collections (string or dict), GML / OWS corners and coordinate lists
(the usual ``dcat:bbox`` literals), and ISO 19115 extents (west, east, south, north).

Every path ends in :func:`bbox_from_coordinates`, which applies the sanity rules:
min ≤ max on both axes; a "latitude" beyond ±90 whose "longitude" fits within ±90
means the axes were swapped; a box that only fits the hint region (metropolitan
France by default) once swapped was written latitude first; anything still out of
range (projected metres, garbage) gives None.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FRANCE",
    "BBox",
    "bbox_from_coordinates",
    "bbox_from_extent",
    "bbox_from_geojson",
    "bbox_from_gml",
    "bbox_from_text",
    "bbox_from_wkt",
]

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TUPLE = re.compile(rf"{_NUMBER}(?:\s+{_NUMBER})+")
# ENVELOPE(minX, maxX, maxY, minY): the spatial4j / Solr WKT extension, in that order
_ENVELOPE = re.compile(r"^ENVELOPE\s*\(" + ",".join([rf"\s*({_NUMBER})\s*"] * 4) + r"\)$", re.I)
_WKT_CRS = re.compile(r"^\s*<([^>]*)>\s*")
_IRI_PREFIX = re.compile(r"^<(?:https?://|urn:)[^\s<>]*>")
_SRID = re.compile(r"^\s*SRID=(\d+)\s*;\s*", re.I)
_GML_VALUE = re.compile(r"<(?:[\w.-]+:)?(lowerCorner|upperCorner|pos|posList|coordinates)\b[^>]*>([^<]*)<", re.I)
_SRS_NAME = re.compile(r"\bsrsName\s*=\s*[\"']([^\"']+)[\"']", re.I)
# CRS names whose official axis order is latitude first (EPSG:4326 as written by GML 3 and GeoSPARQL).
_LAT_FIRST_CRS = re.compile(r"EPSG(?:::|/0/)4326$", re.I)


@dataclass(frozen=True)
class BBox:
    """A WGS 84 bounding box in decimal degrees, west ≤ east and south ≤ north."""

    west: float
    south: float
    east: float
    north: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)``, the GeoJSON ``bbox`` order."""
        return self.west, self.south, self.east, self.north

    def to_wkt(self) -> str:
        """The box as a WKT polygon (longitude first), for ``dcat:bbox``."""
        w, s, e, n = (_format(v) for v in self.as_tuple())
        return f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"


#: Metropolitan France, roughly: the hint used to spot boxes written latitude first.
FRANCE = BBox(west=-6.0, south=41.0, east=10.0, north=52.0)


def bbox_from_coordinates(
    xs: Sequence[float], ys: Sequence[float], *, region: BBox | None = FRANCE
) -> BBox | None:
    """The box around points given as longitudes (``xs``) and latitudes (``ys``), axes repaired.

    :param region: where the data is expected to be; a box that fits it only once
        its axes are swapped is swapped. Pass None to trust the axis order.
    """
    if not xs or not ys or not all(math.isfinite(v) for v in (*xs, *ys)):
        return None
    lon, lat = (min(xs), max(xs)), (min(ys), max(ys))
    if _needs_swap(lon, lat, region):
        lon, lat = lat, lon
    if not (_within(lon, 180) and _within(lat, 90)):
        return None
    return BBox(west=lon[0], south=lat[0], east=lon[1], north=lat[1])


def bbox_from_extent(west: Any, east: Any, south: Any, north: Any, *, region: BBox | None = FRANCE) -> BBox | None:
    """The box of an ISO 19115 geographic extent (numbers or strings, in ISO's W, E, S, N order)."""
    values = [_number(v) for v in (west, east, south, north)]
    if any(v is None for v in values):
        return None
    w, e, s, n = values
    return bbox_from_coordinates([w, e], [s, n], region=region)


def bbox_from_wkt(text: str, *, region: BBox | None = FRANCE) -> BBox | None:
    """The box around a WKT geometry or ``ENVELOPE``, with an optional CRS IRI or SRID prefix."""
    body, lat_first = _strip_crs(text)
    envelope = _ENVELOPE.match(body)
    if envelope:
        min_x, max_x, max_y, min_y = (float(v) for v in envelope.groups())
        points = [(min_x, min_y), (max_x, max_y)]
    else:
        points = _tuples(body)
    return _box(points, lat_first=lat_first, region=region)


def bbox_from_geojson(geometry: str | dict[str, Any], *, region: BBox | None = FRANCE) -> BBox | None:
    """The box around a GeoJSON geometry, feature or feature collection (its ``bbox`` if it has one)."""
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            return None
    if not isinstance(geometry, dict):
        return None
    bbox = geometry.get("bbox")
    if isinstance(bbox, list) and len(bbox) in (4, 6) and all(isinstance(v, (int, float)) for v in bbox):
        half = len(bbox) // 2
        return bbox_from_coordinates([bbox[0], bbox[half]], [bbox[1], bbox[half + 1]], region=region)
    return _box(list(_geojson_positions(geometry)), region=region)


def bbox_from_gml(text: str, *, region: BBox | None = FRANCE) -> BBox | None:
    """The box around GML / OWS corners, ``pos``, ``posList`` or ``coordinates`` in an XML fragment."""
    points: list[tuple[float, float]] = []
    for name, value in _GML_VALUE.findall(text):
        if name.lower() == "coordinates":  # "x,y x,y": comma inside a tuple, space between tuples
            points.extend(_pairs(value.replace(",", " ").split()))
        else:
            points.extend(_pairs(value.split()))
    srs = _SRS_NAME.search(text)
    lat_first = bool(srs and _LAT_FIRST_CRS.search(srs.group(1).strip()))
    return _box(points, lat_first=lat_first, region=region)


def bbox_from_text(text: str | None, *, region: BBox | None = FRANCE) -> BBox | None:
    """The box of a ``dcat:bbox`` / ``locn:geometry`` literal, whichever encoding it uses."""
    body = (text or "").strip()
    if not body:
        return None
    if body.startswith("{"):
        return bbox_from_geojson(body, region=region)
    if body.startswith("<") and not _IRI_PREFIX.match(body):
        return bbox_from_gml(body, region=region)
    return bbox_from_wkt(body, region=region)


def _box(
    points: list[tuple[float, float]], *, lat_first: bool = False, region: BBox | None = FRANCE
) -> BBox | None:
    if lat_first:
        points = [(y, x) for x, y in points]
    return bbox_from_coordinates([p[0] for p in points], [p[1] for p in points], region=region)


def _needs_swap(lon: tuple[float, float], lat: tuple[float, float], region: BBox | None) -> bool:
    if not _within(lat, 90) and _within(lon, 90):
        return True
    return region is not None and not _fits(lon, lat, region) and _fits(lat, lon, region)


def _fits(lon: tuple[float, float], lat: tuple[float, float], region: BBox) -> bool:
    return region.west <= lon[0] and lon[1] <= region.east and region.south <= lat[0] and lat[1] <= region.north


def _within(pair: tuple[float, float], limit: float) -> bool:
    return -limit <= pair[0] and pair[1] <= limit


def _strip_crs(text: str) -> tuple[str, bool]:
    """The WKT body without its CRS prefix, and whether that CRS puts latitude first."""
    body = text.strip()
    crs = _WKT_CRS.match(body)
    if crs:
        return body[crs.end() :], bool(_LAT_FIRST_CRS.search(crs.group(1).strip()))
    srid = _SRID.match(body)
    return (body[srid.end() :] if srid else body), False


def _tuples(body: str) -> list[tuple[float, float]]:
    """The (x, y) of every coordinate tuple in a WKT body (extra Z/M values ignored)."""
    points = []
    for match in _TUPLE.finditer(body):
        x, y = match.group(0).split()[:2]
        points.append((float(x), float(y)))
    return points


def _pairs(values: list[str]) -> list[tuple[float, float]]:
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    return list(zip(numbers[0::2], numbers[1::2]))


def _geojson_positions(node: Any) -> Iterator[tuple[float, float]]:
    """Every position in a GeoJSON object, whatever its nesting."""
    if isinstance(node, dict):
        for key in ("coordinates", "geometry", "geometries", "features"):
            if key in node:
                yield from _geojson_positions(node[key])
    elif isinstance(node, list):
        if len(node) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node[:2]):
            yield float(node[0]), float(node[1])
        else:
            for item in node:
                yield from _geojson_positions(item)


def _number(value: Any) -> float | None:
    """A float from a number or a string (French decimal comma accepted), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value or "").strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _format(value: float) -> str:
    return repr(round(value, 7)).removesuffix(".0")
