"""marshmallow schemas for the API's requests and responses."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema
from werkzeug.datastructures import MultiDict

from service.search.base import FACETS, SORTS, SearchQuery

__all__ = [
    "BboxField",
    "CatalogArgs",
    "JobsArgs",
    "SearchArgs",
    "SuggestArgs",
    "SuggestResponseSchema",
    "load_args",
]

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
#: how deep paging may go (page × page_size), as on data.gouv.fr: narrow the query instead
MAX_RESULT_WINDOW = 10_000


class BboxField(fields.String):
    """``minlon,minlat,maxlon,maxlat`` in WGS 84 degrees, loaded as a tuple of floats."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = text.split(",")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise ValidationError("Must be four numbers: minlon,minlat,maxlon,maxlat.") from None
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise ValidationError("Must satisfy -180 ≤ minlon ≤ maxlon ≤ 180 and -90 ≤ minlat ≤ maxlat ≤ 90.")
        return (west, south, east, north)


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
    quality = fields.List(
        fields.String(validate=validate.OneOf(["90-100", "75-89", "50-74", "0-49"])),
        load_default=list,
        metadata={"description": "quality score bucket(s): 90-100, 75-89, 50-74, 0-49"},
    )
    link_status = fields.List(
        fields.String(validate=validate.OneOf(["ok", "wrong_type", "broken", "unchecked"])),
        load_default=list,
        metadata={"description": "link check verdict of the dataset's worst URL: ok, wrong_type, broken, unchecked"},
    )
    overdue = fields.List(
        fields.String(validate=validate.OneOf(["true", "false"])),
        load_default=list,
        metadata={"description": "true: later than its declared update frequency allows; false: on time"},
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error="Unknown sort {input!r}; use one of: {choices}."),
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE, error="Must be between {min} and {max}."),
    )
    modified_since = fields.Date(load_default=None, metadata={"description": "modified on or after (YYYY-MM-DD)"})
    modified_until = fields.Date(load_default=None, metadata={"description": "modified on or before (YYYY-MM-DD)"})
    quality_min = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "only records whose metadata quality score (0–100) is at least this"},
    )
    bbox = BboxField(
        load_default=None,
        metadata={"description": "minlon,minlat,maxlon,maxlat (WGS 84)", "pattern": r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$"},
    )

    @validates_schema
    def check_window(self, data: dict[str, Any], **_) -> None:
        """Refuse pages past the result window and reversed date ranges."""
        if data.get("page", 1) * data.get("page_size", 20) > MAX_RESULT_WINDOW:
            raise ValidationError(
                f"page × page_size may not exceed {MAX_RESULT_WINDOW}; narrow the query or use /catalog for a full export.",
                "page",
            )
        since, until = data.get("modified_since"), data.get("modified_until")
        if since and until and since > until:
            raise ValidationError("modified_since is after modified_until.", "modified_since")

    @post_load
    def to_query(self, data: dict[str, Any], **_) -> SearchQuery:
        """Build the backend query."""
        filters = {facet: tuple(data[facet]) for facet in FACETS if data.get(facet)}
        return SearchQuery(
            q=data["q"].strip(),
            filters=filters,
            sort=data["sort"],
            page=data["page"],
            page_size=data["page_size"],
            modified_since=data["modified_since"].isoformat() if data["modified_since"] else None,
            modified_until=data["modified_until"].isoformat() if data["modified_until"] else None,
            bbox=data["bbox"],
            quality_min=data["quality_min"],
        )


class CsvArgs(Schema):
    """The CSV exports' own parameters (the search parameters come besides)."""

    sep = fields.String(
        load_default=",",
        validate=validate.OneOf([",", ";"]),
        metadata={"description": "column separator: `,` (default) or `;` (French Excel)"},
    )


class PortalInsightsSchema(Schema):
    """One portal's insights (``portal`` is ``*`` for the totals)."""

    portal = fields.String(required=True)
    name = fields.String(required=True)
    datasets = fields.Integer(required=True)
    trend = fields.List(fields.Dict(), required=True, metadata={"description": "dataset count after each harvest, oldest first"})
    quality = fields.Float(allow_none=True, metadata={"description": "mean quality score"})
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True,
                             metadata={"description": "MQA dimension → % of the points earned"})
    open_license = fields.Float(allow_none=True, metadata={"description": "% of datasets with an open licence"})
    machine_readable = fields.Float(allow_none=True, metadata={"description": "% of datasets with a machine-readable format"})
    freshness = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    datasets_by_link_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    urls = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    broken_by_host = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    themes = fields.Dict(required=True, metadata={"description": "EU theme code → count and labels"})
    hvd = fields.Dict(required=True, metadata={"description": "HVD category IRI → declared, candidates and labels"})
    reference = fields.Dict(required=True, metadata={"description": "only_here, shared, only_on_reference (vs data.gouv.fr)"})
    problems = fields.List(fields.Dict(), required=True, metadata={"description": "problem, count and the search listing them"})
    generated_for = fields.String(metadata={"description": "the day freshness was judged on (one portal only)"})


class InsightsSchema(Schema):
    """Every portal's insights and the totals."""

    generated_for = fields.String(required=True)
    reference_portal = fields.String(allow_none=True, required=True)
    portals = fields.List(fields.Nested(PortalInsightsSchema), required=True)
    total = fields.Nested(PortalInsightsSchema, required=True)


class DatasetsCsvArgs(SearchArgs):
    """``/api/datasets.csv``: the search parameters and the separator (documentation; the view reads them apart)."""

    sep = CsvArgs._declared_fields["sep"]


class SuggestArgs(Schema):
    """``GET /api/suggest`` parameters."""

    class Meta:
        unknown = RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class SuggestionSchema(Schema):
    """One completion."""

    text = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["title", "keyword", "publisher"]})
    count = fields.Integer(required=True)


class SuggestResponseSchema(Schema):
    """Completions of a prefix, best first."""

    q = fields.String(required=True)
    suggestions = fields.List(fields.Nested(SuggestionSchema), required=True)


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


# -- responses -------------------------------------------------------------------------


class ConceptSchema(Schema):
    """A vocabulary value: a label and, when the source gave one, an IRI."""

    label = fields.String(required=True)
    uri = fields.String(allow_none=True)


class AgentSchema(Schema):
    """A publisher or contact point."""

    name = fields.String(required=True, metadata={"description": "empty when the source gives only an IRI or an e-mail"})
    uri = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    kind = fields.String(allow_none=True, metadata={"description": "the RDF type the source gave (foaf:Organization…)"})


class TranslationSchema(Schema):
    """A title, description or keyword the source also gave in another language."""

    field = fields.String(required=True, metadata={"enum": ["title", "description", "keyword"]})
    lang = fields.String(required=True)
    text = fields.String(required=True)


class ThemeAssignmentSchema(Schema):
    """An EU data theme given to a record, with the rule and confidence behind it."""

    code = fields.String(required=True)
    uri = fields.String(required=True)
    label_fr = fields.String(required=True)
    label_en = fields.String(required=True)
    confidence = fields.Float(required=True)
    rule = fields.String(required=True)


class DistributionSchema(Schema):
    """One file or service of a dataset."""

    access_url = fields.String(allow_none=True)
    download_url = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    format = fields.String(allow_none=True)
    media_type = fields.String(allow_none=True)
    byte_size = fields.Integer(allow_none=True)
    license = fields.Nested(ConceptSchema, allow_none=True)
    uri = fields.String(allow_none=True)


class HighlightSegmentSchema(Schema):
    """A piece of highlighted text; ``match`` marks the query's terms."""

    text = fields.String(required=True)
    match = fields.Boolean(required=True)


class MemberSchema(Schema):
    """Another portal's copy of the same dataset."""

    id = fields.String(required=True)
    portal_id = fields.String(required=True)
    title = fields.String(required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class DatasetSchema(Schema):
    """A dataset record as the API serves it."""

    id = fields.String(required=True)
    portal_id = fields.String(required=True)
    guid = fields.String(required=True)
    source_uri = fields.String(allow_none=True)
    identifier = fields.String(allow_none=True)
    title = fields.String(required=True)
    title_lang = fields.String(allow_none=True, metadata={"description": "the title's language tag; null when the source gave none"})
    keywords_lang = fields.String(allow_none=True, metadata={"description": "the keywords' language tag; null when the source gave none (or gave some plain)"})
    description = fields.String(required=True)
    description_lang = fields.String(allow_none=True)
    keywords = fields.List(fields.String(), required=True)
    translations = fields.List(
        fields.Nested(TranslationSchema), metadata={"description": "the other languages' titles, descriptions, keywords"}
    )
    rights = fields.String(allow_none=True, metadata={"description": "a rights statement that is not a licence"})
    themes = fields.List(fields.Nested(ConceptSchema), required=True)
    publisher = fields.Nested(AgentSchema, allow_none=True)
    contact_point = fields.Nested(AgentSchema, allow_none=True)
    license = fields.Nested(ConceptSchema, allow_none=True)
    issued = fields.String(allow_none=True)
    modified = fields.String(allow_none=True)
    frequency = fields.Nested(ConceptSchema, allow_none=True)
    spatial = fields.List(fields.Nested(ConceptSchema), required=True)
    bbox = fields.List(
        fields.Float(), allow_none=True, metadata={"description": "[west, south, east, north] in WGS 84 degrees"}
    )
    temporal_start = fields.String(allow_none=True)
    temporal_end = fields.String(allow_none=True)
    landing_page = fields.String(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    distributions = fields.List(fields.Nested(DistributionSchema), required=True)
    harvested_at = fields.String(allow_none=True)
    access_rights = fields.Nested(ConceptSchema, allow_none=True)
    eu_themes = fields.List(fields.Nested(ThemeAssignmentSchema), required=True)
    quality = fields.Integer(allow_none=True, metadata={"description": "metadata quality score, 0–100 (MQA-like)"})
    link_status = fields.String(
        allow_none=True,
        metadata={"description": "worst link check verdict of its URLs: ok, wrong_type, broken or unchecked"},
    )
    overdue = fields.Boolean(
        allow_none=True, metadata={"description": "later than its declared update frequency allows (null: cannot tell)"}
    )
    formats = fields.List(fields.String(), required=True)
    missing_since = fields.String(allow_none=True, metadata={"description": "set while the portal no longer lists it"})
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    cluster_id = fields.String(required=True, metadata={"description": "the same dataset on several portals shares one"})
    also_on = fields.List(fields.Nested(MemberSchema), required=True, metadata={"description": "the other portals' copies"})
    cluster = fields.Dict(allow_none=True, metadata={"description": "merged view with per-field provenance (one dataset only)"})
    quality_report = fields.Dict(metadata={"description": "score, points per MQA dimension, indicators missed (one dataset only)"})
    score = fields.Float(metadata={"description": "relevance (search results only)"})
    truncated = fields.List(
        fields.String(),
        metadata={"description": "search results only: fields cut to 500 characters or 20 items (\" […]\" marks a cut text); the dataset endpoint has them whole"},
    )
    highlight = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(HighlightSegmentSchema)),
        metadata={"description": "title and description split into matched and unmatched segments"},
    )


class FacetValueSchema(Schema):
    """One facet value: what to filter with, its stable code, how to show it, and how many datasets carry it."""

    value = fields.String(required=True, metadata={"description": "the value as stored; filters accept it, the code or the label, in any case"})
    code = fields.String(required=True, metadata={"description": "EU theme or file-type code, licence id; else the value"})
    label = fields.String(required=True, metadata={"description": "for people (keywords: the most common spelling)"})
    count = fields.Integer(required=True, metadata={"description": "datasets, a cluster counted once (once per portal in the portal facet)"})


class SearchResponseSchema(Schema):
    """A page of search results with facet counts over the whole result set."""

    total = fields.Integer(required=True, metadata={"description": "matching datasets, each cluster (also_on) counted once"})
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    sort = fields.String(required=True)
    counting = fields.String(required=True, metadata={"description": "what total and the facet counts count"})
    results = fields.List(fields.Nested(DatasetSchema), required=True)
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True)


class WriteStatsSchema(Schema):
    """What a harvest changed in the store."""

    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    deleted = fields.Integer(required=True)
    flagged = fields.Integer(required=True)
    rejected = fields.List(
        fields.Nested(lambda: FailedRecordSchema()),
        metadata={"description": "records the store refused (also counted among the job's failed records)"},
    )


class FailedRecordSchema(Schema):
    """A dataset a harvest could not take, and why."""

    reason = fields.String(required=True)
    source = fields.String(allow_none=True)


class JobSchema(Schema):
    """One harvest run of one portal."""

    job_id = fields.String(required=True)
    portal_id = fields.String(required=True)
    started_at = fields.String(required=True)
    finished_at = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"enum": ["requested", "running", "done", "done-with-errors", "failed"]})
    stats = fields.Nested(WriteStatsSchema, required=True)
    pages = fields.Integer(required=True)
    pages_unchanged = fields.Integer(required=True)
    failed = fields.List(fields.Nested(FailedRecordSchema), required=True)
    failed_count = fields.Integer(required=True)
    skipped = fields.Integer(required=True)
    warnings = fields.List(fields.String(), required=True)
    error = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True, metadata={"description": "the id of the HTTP request that asked for this harvest (admin API)"})


class JobListSchema(Schema):
    """Harvest jobs, newest first."""

    total = fields.Integer(required=True)
    results = fields.List(fields.Nested(JobSchema), required=True)


class PortalSchema(Schema):
    """A configured portal and how its harvests go."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    url = fields.String(required=True)
    schedule = fields.String(allow_none=True)
    harvestable = fields.Boolean(required=True)
    records = fields.Integer(required=True)
    quality = fields.Float(allow_none=True, metadata={"description": "mean metadata quality score of its records"})
    last_harvest = fields.Nested(JobSchema, allow_none=True)


class PortalListSchema(Schema):
    """Every configured portal."""

    total = fields.Integer(required=True)
    results = fields.List(fields.Nested(PortalSchema), required=True)


class ErrorSchema(Schema):
    """The one error shape of the whole API."""

    ok = fields.Boolean(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    error = fields.String(required=True)
    errors = fields.Dict(required=True, metadata={"description": "field name → what is wrong with it"})
