"""DCAT export: the whole catalogue in Hydra pages, and one dataset, in four RDF syntaxes."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, redirect, request

from mappings.profiles.base import build_catalog_graph, build_dataset_graph
from service.api.views import base_url, catalogue
from service.errors import NotAcceptable, RecordNotFound
from service.rdf_formats import RDF_FORMATS, RdfFormat, format_for_extension, negotiate, serialize
from service.schemas import CatalogArgs, load_args

__all__ = ["blueprint"]

blueprint = Blueprint("export", __name__)
_ACCEPTED = ", ".join(f.media_type for f in RDF_FORMATS)


@blueprint.get("/catalog")
def catalog_negotiated():
    """The catalogue in the RDF syntax the ``Accept`` header prefers (Turtle by default)."""
    return _catalog(_negotiated_format())


@blueprint.get("/catalog.<extension>")
def catalog_with_extension(extension: str):
    """The catalogue as ``.ttl``, ``.rdf``, ``.jsonld`` or ``.nt``."""
    return _catalog(_format_or_404(extension))


@blueprint.get("/datasets/<path:record_id>")
def dataset_rdf(record_id: str):
    """One dataset: ``/datasets/<id>.ttl`` (etc.), or ``/datasets/<id>`` with content negotiation."""
    fmt = None
    head, dot, extension = record_id.rpartition(".")
    if dot and format_for_extension(extension) and catalogue().backend.get(head) is not None:
        record_id, fmt = head, format_for_extension(extension)
    hit = catalogue().backend.get(record_id)
    if hit is None:
        raise RecordNotFound(f"No dataset with id {record_id!r}.")
    if fmt is None and _prefers_json_or_html():
        return redirect(f"{base_url()}/api/datasets/{quote(record_id, safe='')}", code=303)
    fmt = fmt or _negotiated_format()
    graph = build_dataset_graph(hit.record, catalogue().profiles, base_url())
    return _rdf_response(graph, fmt)


def _catalog(fmt: RdfFormat) -> Response:
    args = load_args(CatalogArgs(), request.args)
    root = base_url()

    def page_url(page: int) -> str:
        return f"{root}/catalog.{fmt.extension}?{urlencode({'page': page, 'page_size': args['page_size']})}"

    page = catalogue().catalog_page(base_url=root, page=args["page"], page_size=args["page_size"], page_url=page_url)
    if args["page"] > page.last_page:
        raise RecordNotFound(f"Page {args['page']} is past the last page ({page.last_page}).")
    return _rdf_response(build_catalog_graph(page, catalogue().profiles), fmt)


def _prefers_json_or_html() -> bool:
    accept = request.accept_mimetypes
    return negotiate(accept) is None and accept.best_match(["application/json", "text/html"]) is not None


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


def _rdf_response(graph, fmt: RdfFormat) -> Response:
    response = Response(serialize(graph, fmt), mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response
