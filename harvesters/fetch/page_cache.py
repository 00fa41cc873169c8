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

__all__ = ["CACHE_VERSION", "GraphDigests", "KeepRecords", "KeptDataset", "PageCache", "PageEntry", "content_digest", "graph_digest"]


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
    return GraphDigests(graph).page(extra)


class GraphDigests:
    """Digests of one parsed page: of the whole graph, and of each dataset with all it leads to.

    Each subject is digested once, from what it says (sorted ``predicate object`` lines, a blank
    object standing for its own digest); a dataset's digest covers every subject reachable from
    it, so it changes when anything its record is mapped from changes.
    """

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._objects: dict[Node, str] = {}
        self._subjects: dict[Node, str] = {}
        self._described = {subject for subject, _, _ in graph}

    def page(self, extra: Iterable[str] = ()) -> str:
        """The digest of the whole graph, with ``extra`` lines (where paging goes on…)."""
        lines = sorted(f"{self._label(s)} {self.subject(s)}" for s in self._described)
        return hashlib.sha256("\n".join([*lines, "--", *extra]).encode("utf-8")).hexdigest()

    def dataset(self, node: Node, context: Iterable[str] = ()) -> str:
        """The digest of ``node`` and every subject it leads to, with ``context`` lines (what else its mapping reads)."""
        reached, frontier = {node}, [node]
        while frontier:
            following = dict.fromkeys(o for s in frontier for _, o in self._graph.predicate_objects(s) if not isinstance(o, Literal))
            frontier = [o for o in following if o not in reached and o in self._described]
            reached.update(frontier)
        lines = sorted(f"{self._label(s)} {self.subject(s)}" for s in reached)
        return hashlib.sha256("\n".join([*lines, "--", *context]).encode("utf-8")).hexdigest()[:32]

    def subject(self, term: Node, depth: int = 0) -> str:
        """The digest of what ``term`` says (computed once)."""
        digest = self._subjects.get(term)
        if digest is None:
            # blank nodes in catalogues are shallow trees; the depth cap only guards against cycles
            parts = sorted(f"{p} {self._object(o, depth + 1)}" for p, o in self._graph.predicate_objects(term)) if depth < 8 else []
            digest = self._subjects[term] = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
        return digest

    def _object(self, term: Node, depth: int) -> str:
        key = self._objects.get(term)
        if key is None:
            if isinstance(term, Literal):
                key = f"{term!s}@{term.language or ''}^^{term.datatype or ''}".replace("\n", "\\n")
            elif isinstance(term, BNode):
                key = f"[{self.subject(term, depth)}]"
            else:
                key = f"<{term}>"
            self._objects[term] = key
        return key

    @staticmethod
    def _label(term: Node) -> str:
        return "_" if isinstance(term, BNode) else f"<{term}>"


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
    #: (digest, record id) of each dataset the page mapped (:meth:`GraphDigests.dataset`)
    datasets: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_response(cls, response: Response, digest: str, graph_hash: str | None = None) -> PageEntry:
        """The validators of a fresh answer (what it produced is filled in later)."""
        return cls(
            etag=response.header("ETag"),
            last_modified=response.header("Last-Modified"),
            content_hash=digest,
            graph_hash=graph_hash,
        )

    def known_datasets(self) -> dict[str, str]:
        """Record id by dataset digest: the datasets of this page that need not be mapped again when unchanged."""
        return dict(self.datasets)

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
        data["datasets"] = [list(pair) for pair in self.datasets]
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
        values["datasets"] = tuple((digest, record_id) for digest, record_id in values.get("datasets") or ())
        values["failed"] = tuple(FailedRecord(**f) for f in values.get("failed") or ())
        return cls(**values)


@dataclass(frozen=True)
class KeepRecords:
    """Stands for the records an unchanged page produced last time: the store keeps them as they are."""

    page_key: str
    record_ids: tuple[str, ...]


@dataclass(frozen=True)
class KeptDataset:
    """A dataset of a changed page with the digest it had last time: its record is kept as stored, not mapped again."""

    record_id: str


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
