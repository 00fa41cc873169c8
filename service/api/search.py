"""``/api/datasets``: federated search, and one dataset by id."""

from __future__ import annotations

from flask import Blueprint, request

from service.api.views import catalogue, hit_json, page_json
from service.errors import RecordNotFound
from service.schemas import SearchArgs, load_args

__all__ = ["blueprint"]

blueprint = Blueprint("search", __name__)


@blueprint.get("/api/datasets")
def search_datasets():
    """Search every portal's records: full text, facet filters, sort and paging."""
    query = load_args(SearchArgs(), request.args)
    return page_json(catalogue().backend.search(query))


@blueprint.get("/api/datasets/<path:record_id>")
def get_dataset(record_id: str):
    """One record, by its id ``<portal>:<guid>``."""
    hit = catalogue().backend.get(record_id)
    if hit is None:
        raise RecordNotFound(f"No dataset with id {record_id!r}.")
    return hit_json(hit)


