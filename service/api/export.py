"""DCAT export: the whole catalogue in Hydra pages, and one dataset, in four RDF syntaxes.

The catalogue's pages come from :class:`service.export_pages.ExportPages` (rendered once per data version).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, redirect, request

from mappings.profiles.base import dataset_sink
from service.api.pages import not_found_page, render_dataset_page
from service.api.views import base_url, catalogue
from service.errors import NotAcceptable, RecordNotFound
from service.rdf_formats import RDF_FORMATS, RdfFormat, format_for_extension, negotiate, serialize_sink
from service.api.openapi import documented
from service.schemas import CatalogArgs, load_args

__all__ = ["blueprint"]

blueprint = Blueprint("export", __name__)
_ACCEPTED = ", ".join(f.media_type for f in RDF_FORMATS)
_RDF_TYPES = tuple(f.media_type for f in RDF_FORMATS)


@blueprint.get("/catalog")
@documented(
    summary="The catalogue as DCAT-AP 3, by content negotiation",
    tag="dcat",
    args=CatalogArgs,
    media_types=_RDF_TYPES,
    errors=("400", "404"),
    description="Paged with a Hydra PartialCollectionView (first, previous, next, last, totalItems).",
)
def catalog_negotiated():
    """The catalogue in the RDF syntax the ``Accept`` header prefers (Turtle by default)."""
    return _catalog(_negotiated_format())


@blueprint.get("/catalog.<extension>")
@documented(
    summary="The catalogue as DCAT-AP 3 in one syntax",
    tag="dcat",
    args=CatalogArgs,
    media_types=_RDF_TYPES,
    path_params={"extension": "ttl, rdf, jsonld or nt"},
    errors=("400", "404"),
)
def catalog_with_extension(extension: str):
    """The catalogue as ``.ttl``, ``.rdf``, ``.jsonld`` or ``.nt``."""
    return _catalog(_format_or_404(extension))


@blueprint.get("/datasets/<path:record_id>")
@documented(
    summary="One dataset as DCAT-AP 3 (add .ttl, .rdf, .jsonld or .nt, or negotiate)",
    tag="dcat",
    media_types=_RDF_TYPES,
    path_params={"record_id": "the record id, URL-encoded, optionally followed by .ttl, .rdf, .jsonld or .nt"},
    errors=("404",),
)
def dataset_rdf(record_id: str):
    """One dataset: ``/datasets/<id>.ttl`` (etc.), or ``/datasets/<id>`` with content negotiation."""
    fmt = None
    head, dot, extension = record_id.rpartition(".")
    if dot and format_for_extension(extension) and catalogue().backend.get(head) is not None:
        record_id, fmt = head, format_for_extension(extension)
    hit = catalogue().backend.get(record_id)
    view = None if fmt else _preferred_view()
    if hit is None:
        if view == "text/html":
            return not_found_page("Aucun jeu de données n’a cet identifiant.", detail=record_id)
        raise RecordNotFound(f"No dataset with id {record_id!r}.")
    if view == "text/html":
        return render_dataset_page(hit)
    if view == "application/json":
        return redirect(f"{base_url()}/api/datasets/{quote(record_id, safe='')}", code=303)
    fmt = fmt or _negotiated_format()
    sink = dataset_sink(hit.record, catalogue().profiles, base_url())
    return _rdf_body_response(serialize_sink(sink, fmt), fmt)


def _catalog(fmt: RdfFormat) -> Response:
    args = load_args(CatalogArgs(), request.args)
    root = base_url()

    def page_url(page: int) -> str:
        return f"{root}/catalog.{fmt.extension}?{urlencode({'page': page, 'page_size': args['page_size']})}"

    rendered = catalogue().export_pages.page(fmt, base_url=root, page=args["page"], page_size=args["page_size"], page_url=page_url)
    response = _rdf_body_response(rendered.body, fmt)
    response.set_etag(rendered.etag)
    return response


def _preferred_view() -> str | None:
    """``text/html`` (browsers: the dataset page) or ``application/json`` when preferred to every RDF syntax."""
    accept = request.accept_mimetypes
    if negotiate(accept) is not None:
        return None
    return accept.best_match(["text/html", "application/json"])


def _negotiated_format() -> RdfFormat:
    if not request.accept_mimetypes or request.accept_mimetypes.best in ("*/*", None):
        return RDF_FORMATS[0]
    fmt = negotiate(request.accept_mimetypes)
    if fmt is None:
        raise NotAcceptable(f"This resource is available as: {_ACCEPTED}.")
    return fmt


def _format_or_404(extension: str) -> RdfFormat:
    fmt = format_for_extension(extension)
    if fmt is None:
        raise RecordNotFound(f"Unknown format {extension!r}; use .ttl, .rdf, .jsonld or .nt.")
    return fmt


def _rdf_body_response(body: bytes, fmt: RdfFormat) -> Response:
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response
