"""A large udata-like catalogue for benchmarks: the udata simulator, each page rendered once.

Rendering 800 pages with rdflib takes minutes, so pages are cached on disk
(``~/.cache/fedcat/bench``), with the simulator's own address replaced by a
placeholder that is put back when a page is served.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from simulators.sample_data import generate
from simulators.server import SimResponse
from simulators.udata import UdataSimulator

__all__ = ["CachedUdataSimulator", "cache_dir", "revised"]

_PLACEHOLDER = "http://fedcat-bench.invalid"


def cache_dir() -> Path:
    """Where rendered pages are kept between runs."""
    path = Path(os.environ.get("FEDCAT_BENCH_CACHE", Path.home() / ".cache" / "fedcat" / "bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


class CachedUdataSimulator(UdataSimulator):
    """The udata simulator over ``size`` generated datasets, serving pages from a disk cache."""

    def __init__(self, size: int, *, page_size: int = 100, **kwargs) -> None:
        super().__init__(generate("datagouv", size), page_size=page_size, **kwargs)
        self.size = size
        #: 0 serves the catalogue as rendered; n > 0 changes one dataset of every page (1 % at pages of 100)
        self.revision = 0
        self._compressed: dict[bytes, bytes] = {}

    def _serialized(self, extension: str, page: int, page_size: int) -> SimResponse:
        path = cache_dir() / f"udata-{self.size}-{page_size}-{page}.{extension}"
        if not path.exists():
            fresh = super()._serialized(extension, page, page_size)
            path.write_bytes(fresh.body.replace(self.url.encode(), _PLACEHOLDER.encode()))
            return fresh
        body = path.read_bytes().replace(_PLACEHOLDER.encode(), self.url.encode())
        if self.revision:
            body = revised(body, self.revision)
        content_type = "text/turtle; charset=utf-8" if extension == "ttl" else "application/rdf+xml"
        return SimResponse(200, body, content_type)

    def gzipped(self, body: bytes) -> bytes:
        """Each page compressed once (the timings are fedcat's side, not the simulator's)."""
        key = hashlib.sha256(body).digest()
        if key not in self._compressed:
            self._compressed[key] = super().gzipped(body)
        return self._compressed[key]

    def prerender(self, extension: str = "ttl", revisions: tuple[int, ...] = (0,)) -> None:
        """Render and compress every page of each revision now (so a timed harvest waits neither for
        rendering nor for compressing: the timings are fedcat's side)."""
        pages = -(-self.size // self.page_size)
        current = self.revision
        try:
            for self.revision in revisions:
                for page in range(1, pages + 1):
                    self.gzipped(self._serialized(extension, page, self.page_size).body)
        finally:
            self.revision = current


def revised(page: bytes, revision: int) -> bytes:
    """The Turtle page with the title of its first dataset changed (so exactly one record of the page changes)."""
    dataset = page.find(b"a dcat:Dataset")
    title = page.find(b'dct:title "', dataset)
    if dataset < 0 or title < 0:
        return page
    quote = title + len(b"dct:title ")
    opening = 3 if page.startswith(b'"""', quote) else 1
    mark = f"(révision {revision}) ".encode()
    return page[: quote + opening] + mark + page[quote + opening :]
