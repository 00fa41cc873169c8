"""What each catalogue page looked like at the last successful harvest, so an unchanged page is not processed again.

A page is known by a key (its URL, or URL and request body for a POST). Its
entry keeps the HTTP validators (``ETag``, ``Last-Modified``), two digests, where
paging went on from it, and what it produced: the record ids, the datasets that
failed and how many were skipped. The harvest replays that entry instead of
mapping the page again when the portal answers ``304 Not Modified``, sends the
same bytes again, or sends bytes that parse into the same graph: serializers
name blank nodes at random and order their output by those names, so udata
never sends the same bytes twice for the same catalogue page.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Iterable, Iterator, Mapping

from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from harvesters.fetch.http import Response, conditional_headers
from mappings.jobs import FailedRecord

__all__ = ["CACHE_VERSION", "KeepRecords", "PageCache", "PageEntry", "content_digest", "graph_digest"]


def _code_version() -> str:
    """A digest of the harvesting and mapping code and tables: any change to them re-reads every page once."""
    digest = hashlib.sha256()
    for package in ("harvesters", "mappings"):
        for name, content in _package_files(resources.files(package), package):
            digest.update(name.encode() + b"\0" + content)
    return digest.hexdigest()[:16]


def _package_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__" or entry.name.endswith(".pyc"):
            continue
        if entry.is_dir():
            yield from _package_files(entry, f"{prefix}/{entry.name}")
        elif entry.is_file():
            yield f"{prefix}/{entry.name}", entry.read_bytes()


#: Entries written by another cache format or other mapping code are ignored: a
#: new release may map the same bytes differently, so its first harvest re-reads everything.
CACHE_VERSION = f"1:{_code_version()}"


def content_digest(content: bytes) -> str:
    """The digest of a page's bytes."""
    return hashlib.sha256(content).hexdigest()


def graph_digest(graph: Graph, extra: Iterable[str] = ()) -> str:
    """A digest of a graph's triples that ignores their order and the names of blank nodes.

    A blank node stands for the digest of what it says (recursively), so two
    graphs that differ only in blank-node labels or serialization order give
    the same digest; graphs whose records would map differently do not.
    ``extra`` adds what else the page carries (where paging goes on…).
    """
    key = _TermKeys(graph).key
    lines = sorted([f"{key(s)} {p} {key(o)}" for s, p, o in graph])
    return hashlib.sha256("\n".join([*lines, "--", *extra]).encode("utf-8")).hexdigest()


class _TermKeys:
    """The text standing for each term in :func:`graph_digest`, computed once per distinct term."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._keys: dict[Node, str] = {}

    def key(self, term: Node, depth: int = 0) -> str:
        key = self._keys.get(term)
        if key is None:
            key = self._keys[term] = self._new_key(term, depth)
        return key

    def _new_key(self, term: Node, depth: int) -> str:
        if isinstance(term, Literal):
            return f"{term!s}@{term.language or ''}^^{term.datatype or ''}".replace("\n", "\\n")
        if not isinstance(term, BNode):
            return f"<{term}>"
        # blank nodes in catalogues are shallow trees; the depth cap only guards against cycles
        parts = (
            sorted(f"{p} {self.key(o, depth + 1)}" for p, o in self._graph.predicate_objects(term))
            if depth < 8
            else []
        )
        return "[" + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32] + "]"


@dataclass(frozen=True)
class PageEntry:
    """One page as last harvested: its validators and what it produced."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    graph_hash: str | None = None
    record_ids: tuple[str, ...] = ()
    next: str | None = None
    failed: tuple[FailedRecord, ...] = ()
    skipped: int = 0

    @classmethod
    def from_response(cls, response: Response, digest: str, graph_hash: str | None = None) -> PageEntry:
        """The validators of a fresh answer (what it produced is filled in later)."""
        return cls(
            etag=response.header("ETag"),
            last_modified=response.header("Last-Modified"),
            content_hash=digest,
            graph_hash=graph_hash,
        )

    def request_headers(self) -> dict[str, str]:
        """The conditional headers that ask the portal whether the page changed."""
        return conditional_headers(self.etag, self.last_modified)

    def revalidated(self, response: Response, digest: str | None = None) -> PageEntry:
        """The same entry with any newer validators (and content digest) the portal sent."""
        return replace(
            self,
            etag=response.header("ETag") or self.etag,
            last_modified=response.header("Last-Modified") or self.last_modified,
            content_hash=digest or self.content_hash,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, tagged with :data:`CACHE_VERSION`."""
        # not dataclasses.asdict: it deep-copies each of the page's record ids (seconds for a large catalogue)
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["record_ids"] = list(self.record_ids)
        data["failed"] = [asdict(failure) for failure in self.failed]
        data["v"] = CACHE_VERSION
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageEntry | None:
        """Rebuild an entry; None when it was written by another version."""
        if data.get("v") != CACHE_VERSION:
            return None
        values = {k: v for k, v in data.items() if k != "v"}
        values["record_ids"] = tuple(values.get("record_ids") or ())
        values["failed"] = tuple(FailedRecord(**f) for f in values.get("failed") or ())
        return cls(**values)


@dataclass(frozen=True)
class KeepRecords:
    """Stands for the records an unchanged page produced last time: the store keeps them as they are."""

    page_key: str
    record_ids: tuple[str, ...]


@dataclass
class PageCache:
    """The entries of the last successful run (read) and those of this run (written)."""

    previous: dict[str, PageEntry] = field(default_factory=dict)
    current: dict[str, PageEntry] = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: Mapping[str, Mapping[str, Any]]) -> PageCache:
        """A cache over what a backend saved (entries of other versions are dropped)."""
        entries = {key: PageEntry.from_dict(data) for key, data in stored.items()}
        return cls(previous={key: entry for key, entry in entries.items() if entry is not None})

    def record_count(self) -> int:
        """How many distinct records the previous run's pages produced."""
        return len({rid for entry in self.previous.values() for rid in entry.record_ids})

    def lookup(self, key: str) -> PageEntry | None:
        """The previous run's entry for a page."""
        return self.previous.get(key)

    def remember(self, key: str, entry: PageEntry) -> None:
        """Note what a page is now."""
        self.current[key] = entry

    def forget(self, key: str) -> None:
        """Drop a page so that the next harvest reads it again."""
        self.current.pop(key, None)
        self.previous.pop(key, None)

    def to_stored(self, *, complete: bool) -> dict[str, dict[str, Any]]:
        """What to save after a successful run.

        A complete run replaces every entry; a partial one keeps the previous
        entries of the pages it did not reach.
        """
        entries = dict(self.current) if complete else {**self.previous, **self.current}
        return {key: entry.to_dict() for key, entry in entries.items()}
