"""Catalogue pages in an RDF syntax, rendered once per data version and kept compressed.

A linked-data client walking the catalogue again, or the next client, is served from memory
until the next write (:data:`PAGE_CACHE_BYTES`). A backend that cannot tell its data version
(None) gets every page rendered afresh. The web layer only asks for a page and sends it.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import TYPE_CHECKING, Callable, NamedTuple

from mappings.profiles.base import catalog_sink
from service.caches import SizedLru
from service.errors import RecordNotFound
from service.rdf_formats import RdfFormat, serialize_sink

if TYPE_CHECKING:
    from service.catalogue import Catalogue

__all__ = ["PAGE_CACHE_BYTES", "ExportPages", "RenderedPage"]

#: memory for rendered catalogue pages, compressed (about 1/8 of their size): 80,000 datasets in one syntax fit
PAGE_CACHE_BYTES = 128 * 2**20


class RenderedPage(NamedTuple):
    """A catalogue page as served: its body compressed, and its ETag (the hash of the body, as for any response)."""

    compressed: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> RenderedPage:
        """The page of a rendered body."""
        return cls(zlib.compress(body, 1), hashlib.sha256(body).hexdigest()[:32])

    @property
    def body(self) -> bytes:
        """The body as rendered."""
        return zlib.decompress(self.compressed)


class ExportPages:
    """The catalogue's Hydra pages in each RDF syntax, each rendered once per data version."""

    def __init__(self, catalogue: Catalogue, max_bytes: int = PAGE_CACHE_BYTES) -> None:
        self.catalogue = catalogue
        self.kept: SizedLru[RenderedPage] = SizedLru(max_bytes, lambda page: len(page.compressed))

    def page(self, fmt: RdfFormat, *, base_url: str, page: int, page_size: int, page_url: Callable[[int], str]) -> RenderedPage:
        """One page of the catalogue in ``fmt``.

        :raises RecordNotFound: for a page past the last one.
        """

        def render() -> RenderedPage:
            built = self.catalogue.catalog_page(base_url=base_url, page=page, page_size=page_size, page_url=page_url)
            if page > built.last_page:
                raise RecordNotFound(f"Page {page} is past the last page ({built.last_page}).")
            return RenderedPage.of(serialize_sink(catalog_sink(built, self.catalogue.profiles), fmt))

        version = self.catalogue.backend.data_version()
        if version is None:
            return render()
        # the catalogue's dct:modified comes from the harvest jobs, which a data version need not follow
        key = (version, self.catalogue.last_modified(), base_url, fmt.extension, page, page_size)
        return self.kept.get_or_compute(key, render)
