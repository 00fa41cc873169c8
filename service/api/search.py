"""``/api/datasets``: federated search, and one dataset by id."""

from __future__ import annotations

from flask import Blueprint, request

from service.api.openapi import documented
from datetime import datetime, timezone

from mappings.freshness import freshness
from mappings.links import record_urls
from mappings.quality import assess
from service.api.views import catalogue, cluster_json, hit_json, page_json
from service.errors import RecordNotFound
from service.schemas import (
    DatasetSchema,
    SearchArgs,
    SearchResponseSchema,
    SuggestArgs,
    SuggestResponseSchema,
    load_args,
)

__all__ = ["blueprint"]

blueprint = Blueprint("search", __name__)

#: built once: a marshmallow schema deep-copies its fields when created, which costs more than loading
_SEARCH_ARGS = SearchArgs()
_SUGGEST_ARGS = SuggestArgs()
@blueprint.get("/api/datasets")
@documented(
    summary="Search datasets across every portal",
    tag="search",
    args=SearchArgs,
    response=SearchResponseSchema,
    errors=("400", "503"),
    description="French full text (stemming, accents, typos), repeatable facet filters (OR within a facet, "
    "AND across facets), sort and paging. Each facet's counts ignore that facet's own filter.",
)
def search_datasets():
    """Search every portal's records: full text, facet filters, sort and paging."""
    query = load_args(_SEARCH_ARGS, request.args)
    return page_json(catalogue().search(query))


@blueprint.get("/api/datasets/<path:record_id>")
@documented(
    summary="One dataset",
    tag="search",
    response=DatasetSchema,
    path_params={"record_id": "the record id, <portal>:<guid>, URL-encoded"},
    errors=("404", "503"),
)
def get_dataset(record_id: str):
    """One record, by its id ``<portal>:<guid>``."""
    backend = catalogue().backend
    hit = backend.get(record_id)
    if hit is None:
        raise RecordNotFound(f"No dataset with id {record_id!r}.")
    members = backend.cluster_members([hit.cluster_id]).get(hit.cluster_id, []) if hit.cluster_id else []
    body = hit_json(hit, members)
    body["cluster"] = cluster_json(hit, members)
    body["quality_report"] = quality_json(hit.record, catalogue())
    return body


@blueprint.get("/api/suggest")
@documented(
    summary="Autocomplete titles, keywords and publishers",
    tag="search",
    args=SuggestArgs,
    response=SuggestResponseSchema,
    errors=("400", "503"),
    description="Every typed word must start a word of the suggestion; cheap enough for every keystroke.",
)
def suggest():
    """Completions of what the user is typing."""
    args = load_args(_SUGGEST_ARGS, request.args)
    found = catalogue().backend.suggest(args["q"], limit=args["limit"])
    return {"q": args["q"], "suggestions": [{"text": s.text, "kind": s.kind, "count": s.count} for s in found]}


def quality_json(record, cat) -> dict:
    """The metadata quality score with points per dimension, the indicators missed, link checks and freshness."""
    checks = cat.link_checks.get_many(url for url, _ in record_urls(record))
    report = assess(record, checks)
    state = freshness(record, datetime.now(timezone.utc).date(), margin=cat.settings.freshness_margin)
    return {
        "score": report.score,
        "dimensions": {name: {"earned": earned, "possible": possible} for name, (earned, possible) in report.dimensions.items()},
        "missing": list(report.missing),
        "link_checks": [checks[url].to_dict() for url, _ in record_urls(record) if url in checks],
        "freshness": {"state": state.state, "due": state.due, "frequency": state.frequency},
    }
