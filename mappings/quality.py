"""A metadata quality score per record, modelled on data.europa.eu's Metadata Quality Assessment.

The MQA scores five dimensions with fixed points per indicator (findability 100,
accessibility 100, interoperability 110, reusability 75, contextuality 20). The two
reachability checks (accessURL answering, 50 points; downloadURL answering, 30
points) count once fedcat's link checker has checked the record's URLs
(:func:`assess` takes the checks); a record not checked yet is scored without them,
so that its score is not lowered for what nobody measured. The record model does
not keep ``dct:rights`` apart from the licence (5 points), which is left out. The
score is the share of the points that could be measured, as a percentage.
docs/quality.md lists every indicator and its weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from mappings.links import LinkCheck
from mappings.record import Record
from mappings.vocabularies import file_type

__all__ = ["DIMENSIONS", "INDICATORS", "Indicator", "QualityReport", "assess", "quality_score"]

#: Formats the MQA counts as non-proprietary / machine-readable (EU file-type codes).
NON_PROPRIETARY = frozenset(
    "CSV JSON GEOJSON XML GML KML RDF_XML RDF_TURTLE JSON_LD RDF_N_TRIPLES TXT ODS ODT HTML GPKG PARQUET TSV".split()
)
MACHINE_READABLE = frozenset(
    "CSV JSON GEOJSON XML GML KML RDF_XML RDF_TURTLE JSON_LD RDF_N_TRIPLES XLS XLSX ODS SHP GPKG PARQUET TSV WMS_SRVC WFS_SRVC".split()
)


@dataclass(frozen=True)
class Indicator:
    """One MQA indicator: its dimension, its points and the test a record passes."""

    name: str
    dimension: str
    points: int
    test: Callable[[Record], bool]


def _distributions_all(record: Record, test: Callable) -> bool:
    return bool(record.distributions) and all(test(d) for d in record.distributions)


def _formats(record: Record) -> list[str]:
    # three indicators ask for the same record in a row: keep the last answer (URLs are unique, so
    # file_type's own cache rarely helps)
    global _last_formats
    if _last_formats[0] is record:
        return _last_formats[1]
    codes = []
    for d in record.distributions:
        info = file_type(d.format, d.media_type, url=d.download_url or d.access_url)
        if info:
            codes.append(info.code)
    _last_formats = (record, codes)
    return codes


_last_formats: tuple[Record | None, list[str]] = (None, [])


INDICATORS: tuple[Indicator, ...] = (
    Indicator("keywords", "findability", 30, lambda r: bool(r.keywords)),
    Indicator("themes", "findability", 30, lambda r: bool(r.eu_themes or r.themes)),
    Indicator("spatial", "findability", 20, lambda r: bool(r.spatial or r.bbox)),
    Indicator("temporal", "findability", 20, lambda r: bool(r.temporal_start or r.temporal_end)),
    Indicator("download_url", "accessibility", 20, lambda r: any(d.download_url for d in r.distributions)),
    Indicator("format", "interoperability", 20, lambda r: _distributions_all(r, lambda d: bool(d.format))),
    Indicator("media_type", "interoperability", 10, lambda r: _distributions_all(r, lambda d: bool(d.media_type))),
    Indicator("format_vocabulary", "interoperability", 10, lambda r: bool(r.distributions) and len(_formats(r)) == len(r.distributions)),
    Indicator("non_proprietary", "interoperability", 20, lambda r: any(c in NON_PROPRIETARY for c in _formats(r))),
    Indicator("machine_readable", "interoperability", 20, lambda r: any(c in MACHINE_READABLE for c in _formats(r))),
    Indicator("dcat_ap_compliance", "interoperability", 30, lambda r: bool(r.title and r.description and r.distributions and all(d.access_url for d in r.distributions))),
    Indicator("license", "reusability", 20, lambda r: bool(r.licenses)),
    Indicator("license_vocabulary", "reusability", 10, lambda r: any(c.uri for c in r.licenses)),
    Indicator("access_rights", "reusability", 10, lambda r: r.access_rights is not None),
    Indicator("access_rights_vocabulary", "reusability", 5, lambda r: bool(r.access_rights and r.access_rights.uri and "/access-right/" in r.access_rights.uri)),
    Indicator("contact_point", "reusability", 20, lambda r: r.contact_point is not None),
    Indicator("publisher", "reusability", 10, lambda r: r.publisher is not None),
    Indicator("byte_size", "contextuality", 5, lambda r: any(d.byte_size for d in r.distributions)),
    Indicator("issued", "contextuality", 5, lambda r: bool(r.issued)),
    Indicator("modified", "contextuality", 5, lambda r: bool(r.modified)),
)
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
MAX_POINTS = sum(i.points for i in INDICATORS)
#: The MQA's reachability indicators: (name, points, which URLs of a distribution they check).
REACHABILITY = (
    ("access_url_reachable", 50, lambda d: d.access_url),
    ("download_url_reachable", 30, lambda d: d.download_url),
)


@dataclass(frozen=True)
class QualityReport:
    """The score (0–100) and the points earned per dimension, with the indicators missed."""

    score: int
    dimensions: dict[str, tuple[int, int]]
    missing: tuple[str, ...]


def assess(record: Record, links: Mapping[str, LinkCheck] | None = None) -> QualityReport:
    """Run every indicator on a record; ``links`` (URL → latest check) adds the reachability ones."""
    earned = {d: 0 for d in DIMENSIONS}
    possible = {d: 0 for d in DIMENSIONS}
    missing = []
    results = [(i.name, i.dimension, i.points, i.test(record)) for i in INDICATORS]
    results += _reachability(record, links or {})
    for name, dimension, points, passed in results:
        possible[dimension] += points
        if passed:
            earned[dimension] += points
        else:
            missing.append(name)
    score = round(100 * sum(earned.values()) / sum(possible.values()))
    return QualityReport(score=score, dimensions={d: (earned[d], possible[d]) for d in DIMENSIONS}, missing=tuple(missing))


def _reachability(record: Record, links: Mapping[str, LinkCheck]) -> list[tuple[str, str, int, bool]]:
    """The reachability indicators whose URLs were checked: passed when none of them is broken."""
    found = []
    for name, points, url_of in REACHABILITY:
        checks = [links[url] for d in record.distributions if (url := url_of(d)) and url in links]
        if checks:
            found.append((name, "accessibility", points, not any(c.broken for c in checks)))
    return found


def quality_score(record: Record, links: Mapping[str, LinkCheck] | None = None) -> int:
    """The record's score, 0–100."""
    return assess(record, links).score
