"""DCAT export: the whole catalogue in Hydra pages, and one dataset, in four RDF syntaxes.

Rendered catalogue pages are kept, compressed, per data version of the search
backend and date of the last harvest (:data:`PAGE_CACHE_BYTES`): a linked-data client walking the catalogue
again, or the next client, is served from memory until the next write. A backend
that cannot tell its data version (None) gets every page rendered afresh.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import NamedTuple
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, redirect, request

from mappings.profiles.base import catalog_sink, dataset_sink
from service.api.pages import not_found_page, render_dataset_page
from service.api.views import base_url, catalogue
from service.errors import NotAcceptable, RecordNotFound
from service.rdf_formats import RDF_FORMATS, RdfFormat, format_for_extension, negotiate, serialize_sink
from service.api.openapi import documented
from service.schemas import CatalogArgs, load_args
from service.caches import SizedLru

__all__ = ["PAGE_CACHE_BYTES", "blueprint"]

blueprint = Blueprint("export", __name__)
#: memory for rendered catalogue pages, compressed (about 1/8 of their size): 80,000 datasets in one syntax fit
PAGE_CACHE_BYTES = 128 * 2**20
_ACCEPTED = ", ".join(f.media_type for f in RDF_FORMATS)
_RDF_TYPES = tuple(f.media_type for f in RDF_FORMATS)


class _RenderedPage(NamedTuple):
    """A catalogue page as served: its body compressed, and its ETag (the hash of the body, as for any response)."""

    compressed: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> _RenderedPage:
        return cls(zlib.compress(body, 1), hashlib.sha256(body).hexdigest()[:32])


@blueprint.record_once
def _add_page_cache(state) -> None:
    state.app.extensions["fedcat_export_pages"] = SizedLru(PAGE_CACHE_BYTES, lambda page: len(page.compressed))


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

    def render() -> bytes:
        page = catalogue().catalog_page(base_url=root, page=args["page"], page_size=args["page_size"], page_url=page_url)
        if args["page"] > page.last_page:
            raise RecordNotFound(f"Page {args['page']} is past the last page ({page.last_page}).")
        return serialize_sink(catalog_sink(page, catalogue().profiles), fmt)

    version = catalogue().backend.data_version()
    if version is None:
        return _rdf_body_response(render(), fmt)
    pages: SizedLru[_RenderedPage] = current_app.extensions["fedcat_export_pages"]
    # the catalogue's dct:modified comes from the harvest jobs, which a data version need not follow
    key = (version, catalogue().last_modified(), root, fmt.extension, args["page"], args["page_size"])
    rendered = pages.get_or_compute(key, lambda: _RenderedPage.of(render()))
    response = _rdf_body_response(zlib.decompress(rendered.compressed), fmt)
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
