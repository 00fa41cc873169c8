"""marshmallow schemas for the API's requests and responses."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, post_load, validate
from werkzeug.datastructures import MultiDict

from service.search.base import FACETS, SORTS, SearchQuery

__all__ = ["CatalogArgs", "JobsArgs", "SearchArgs", "load_args"]

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000


def _filter() -> fields.List:
    """A repeatable facet filter (``?theme=a&theme=b`` means a or b)."""
    return fields.List(fields.String(validate=validate.Length(min=1, max=300)), load_default=list)


class SearchArgs(Schema):
    """``GET /api/datasets`` query parameters."""

    class Meta:
        unknown = RAISE

    q = fields.String(load_default="", validate=validate.Length(max=500))
    portal = _filter()
    publisher = _filter()
    theme = _filter()
    format = _filter()
    license = _filter()
    keyword = _filter()
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error="Unknown sort {input!r}; use one of: {choices}."),
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE, error="Must be between {min} and {max}."),
    )

    @post_load
    def to_query(self, data: dict[str, Any], **_) -> SearchQuery:
        """Build the backend query."""
        filters = {facet: tuple(data[facet]) for facet in FACETS if data.get(facet)}
        return SearchQuery(
            q=data["q"].strip(), filters=filters, sort=data["sort"], page=data["page"], page_size=data["page_size"]
        )


class CatalogArgs(Schema):
    """``GET /catalog`` paging parameters."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class JobsArgs(Schema):
    """``GET /api/harvest/jobs`` parameters."""

    class Meta:
        unknown = RAISE

    portal = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def load_args(schema: Schema, args: MultiDict) -> Any:
    """Load query-string arguments, keeping repeated parameters as lists for list fields."""
    data: dict[str, Any] = {}
    for key in args:
        field = schema.fields.get(key)
        data[key] = args.getlist(key) if isinstance(field, fields.List) else args.get(key)
    return schema.load(data)
