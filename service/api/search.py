"""``/api/datasets``: federated search, and one dataset by id."""

from __future__ import annotations

from flask import Blueprint, request

from service.api.openapi import documented
from service.api.views import base_url, catalogue
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
    return catalogue().search_page(query, root=base_url())


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
    return catalogue().dataset(record_id, root=base_url())


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
    found = catalogue().suggest(args["q"], limit=args["limit"])
    return {"q": args["q"], "suggestions": [{"text": s.text, "kind": s.kind, "count": s.count} for s in found]}

