"""View models of searches and datasets: what the API renders as JSON and the pages as HTML.

Built by :class:`service.catalogue.Catalogue` (no Flask here): a results page with its
highlights, its facets labelled and each result's copies on other portals; a dataset with its
merged cluster and its quality report. Links are absolute, under the ``root`` URL given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, is_dataclass
from urllib.parse import quote

from mappings.duplicates import merge_cluster
from mappings.freshness import Freshness
from mappings.limits import cut_text
from mappings.links import record_urls
from mappings.quality import QualityReport
from mappings.record import Record
from service.search.base import Hit, SearchPage
from service.search.facets import FacetResolver
from service.search.highlight import excerpt, highlight
from service.search.query import parse_query

__all__ = [
    "COUNTING", "RESULT_LIST_ITEMS", "RESULT_TEXT_CHARS", "QualityView",
    "cluster_json", "hit_json", "member_json", "page_json", "quality_json", "record_links", "summary_json",
]

#: the longest text a search result carries (titles, descriptions, keywords…), cut with " […]"; the dataset endpoint has it whole
RESULT_TEXT_CHARS = 500
#: the most items of each list a search result carries (keywords, distributions, themes…)
RESULT_LIST_ITEMS = 20
#: how far into a description the highlighted excerpt looks for the query's words (a result must stay cheap)
HIGHLIGHT_SCAN_CHARS = 20_000
#: keys whose values are links: cut, they would mislead, so they are kept up to this length and dropped beyond
_LINK_CHARS = 2048
#: what a result needs whole: its id and the links built from it
_WHOLE = frozenset({"id", "guid", "cluster_id", "links"})

#: what ``total`` and the facet counts count, said in every search response
COUNTING = (
    "total and facet counts count datasets: a dataset published on several portals (a cluster, see also_on)"
    " counts once, and in the portal facet it counts once for each portal publishing it, so portal counts"
    " may add up to more than the total; /catalog and the CLI count records, one per portal copy"
)


@dataclass(frozen=True)
class QualityView:
    """A record's quality: the score's report, the checks of its links (by URL) and its freshness."""

    report: QualityReport
    link_checks: dict
    freshness: Freshness


def record_links(record: Record, root: str) -> dict[str, str]:
    """Links to the record in the API and in each RDF syntax."""
    quoted = quote(record.record_id, safe="")
    links = {"self": f"{root}/api/datasets/{quoted}", "page": f"{root}/datasets/{quoted}"}
    links.update({ext: f"{root}/datasets/{quoted}.{ext}" for ext in ("ttl", "rdf", "jsonld", "nt")})
    return links


def member_json(record: Record, root: str) -> dict:
    """A short reference to another portal's copy of a dataset."""
    links = record_links(record, root)
    return {"id": record.record_id, "portal_id": record.portal_id, "title": record.title,
            "links": {"self": links["self"], "page": links["page"]}}


def hit_json(hit: Hit, members: list[Record] | None, root: str) -> dict:
    """One record as the API shows it; ``members`` are its cluster's records, itself included."""
    record = hit.record
    data = dict(hit.plain) if hit.plain is not None else record.to_dict()
    data.pop("extras")
    data = {"id": data.pop("record_id"), **data}
    data["formats"] = list(record.formats)
    data["missing_since"] = hit.missing_since
    data["links"] = record_links(record, root)
    data["cluster_id"] = hit.cluster_id or record.record_id
    data["also_on"] = [member_json(m, root) for m in members or () if m.record_id != record.record_id]
    return data


def page_json(page: SearchPage, clusters: dict[str, list[Record]], facets: FacetResolver, root: str) -> dict:
    """A search page as ``{total, page, page_size, results, facets}``, each result highlighted.

    :param clusters: the members of the hits' clusters (cluster id → records).
    """
    query = page.query
    parsed = parse_query(query.q)
    results = []
    for hit in page.hits:
        item = summary_json(hit_json(hit, clusters.get(hit.cluster_id or ""), root))
        item["score"] = round(hit.score, 4)
        item["highlight"] = {
            "title": highlight(cut_text(hit.record.title, RESULT_TEXT_CHARS), parsed),
            "description": excerpt(hit.record.description[:HIGHLIGHT_SCAN_CHARS], parsed),
        }
        results.append(item)
    return {
        "total": page.total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, -(-page.total // query.page_size)),
        "sort": query.sort,
        "results": results,
        "counting": COUNTING,
        "facets": {name: [facets.labelled(name, v) for v in values] for name, values in page.facets.items()},
    }


def summary_json(data: dict) -> dict:
    """A search result cut down to :data:`RESULT_TEXT_CHARS` and :data:`RESULT_LIST_ITEMS`; ``truncated`` names what was cut."""
    cut: list[str] = []
    summary = {key: value if key in _WHOLE else _summarised(key, value, cut, key) for key, value in data.items()}
    summary["truncated"] = sorted(set(cut))
    return summary


def _summarised(key: str, value, cut: list[str], field: str):
    """``value`` cut to the limits; ``field`` is the top-level field it belongs to (named in ``truncated``)."""
    kind = type(value)
    if kind is str:
        return value if len(value) <= RESULT_TEXT_CHARS else _summarised_text(key, value, cut, field)
    if kind is list:
        if len(value) > RESULT_LIST_ITEMS:
            cut.append(field)
        return [item if _fits(item) else _summarised(key, item, cut, field) for item in value[:RESULT_LIST_ITEMS]]
    if kind is dict:
        return {name: item if _fits(item) else _summarised(name, item, cut, field) for name, item in value.items()}
    return value


def _fits(value) -> bool:
    """A value kept as it is without a look inside: no text over the limit (a short text or link is kept whatever its key)."""
    kind = type(value)
    return (kind is str and len(value) <= RESULT_TEXT_CHARS) or kind in _SCALARS


#: values a result carries as they are
_SCALARS = frozenset({type(None), int, float, bool})


def _summarised_text(key: str, value: str, cut: list[str], field: str) -> str | None:
    if key in ("uri", "source_uri", "landing_page", "email", "url") or key.endswith(("_url", "_uri")):
        if len(value) <= _LINK_CHARS:
            return value
        cut.append(field)
        return None
    if len(value) > RESULT_TEXT_CHARS:
        cut.append(field)
        return cut_text(value, RESULT_TEXT_CHARS)
    return value


def cluster_json(hit: Hit, members: list[Record], root: str) -> dict | None:
    """The merged view of a dataset published on several portals, each field with the portal that supplied it."""
    if len(members) < 2:
        return None
    merged = merge_cluster(members)
    return {
        "id": hit.cluster_id,
        "members": [member_json(m, root) for m in members],
        "merged": {
            name: {"value": _plain(entry["value"]), "portal": entry["portal"], "record": entry["record"]}
            for name, entry in merged.items()
            if name != "distributions"
        }
        | {"distributions": [{"value": _plain(d["value"]), "portal": d["portal"], "record": d["record"]} for d in merged["distributions"]]},
    }


def _plain(value):
    """Dataclasses and tuples as JSON-ready values."""
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def quality_json(record: Record, view: QualityView) -> dict:
    """The metadata quality score with points per dimension, the indicators missed, link checks and freshness."""
    report, checks, state = view.report, view.link_checks, view.freshness
    return {
        "score": report.score,
        "dimensions": {name: {"earned": earned, "possible": possible} for name, (earned, possible) in report.dimensions.items()},
        "missing": list(report.missing),
        "link_checks": [checks[url].to_dict() for url, _ in record_urls(record) if url in checks],
        "freshness": {"state": state.state, "due": state.due, "frequency": state.frequency},
    }
