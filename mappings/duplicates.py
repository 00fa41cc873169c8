"""Cross-portal duplicates: the same dataset published by a city and again by data.gouv.fr.

Two records join one cluster when they share a *duplicate key*: the same upstream
URI, the same landing page, the same download URL, or a near-identical title from
the same publisher with the same opening words of description. Precision guards,
because a wrong merge hides a dataset:

* keys only link records of *different* portals;
* a key carried by two records of the same portal says nothing (a shared WMS
  endpoint, a generic landing page) and is ignored;
* a cluster holds at most one record per portal.

Clusters are identified by their smallest record id, so ids are stable between runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit, urlunsplit

from mappings.record import Record

__all__ = ["ClusterEntry", "cluster_ranks", "compute_clusters", "duplicate_keys", "merge_cluster"]

_DESCRIPTION_WORDS = 12
_STOP = frozenset("le la les de des du d l et a au aux en un une pour sur par the of and".split())
#: fields merged across a cluster, each taken from the first member (in rank order) that has it
MERGED_FIELDS = (
    "title", "description", "keywords", "themes", "eu_themes", "publisher", "contact_point", "license",
    "issued", "modified", "frequency", "spatial", "bbox", "temporal_start", "temporal_end", "landing_page",
    "languages",
)


@dataclass(frozen=True)
class ClusterEntry:
    """What clustering needs to know of a stored record."""

    record_id: str
    portal_id: str
    keys: frozenset[str]
    quality: int = 0


def duplicate_keys(record: Record) -> frozenset[str]:
    """The keys by which a record can be recognised on another portal."""
    keys = set()
    for prefix, url in (("uri", record.source_uri), ("landing", record.landing_page)):
        if url:
            keys.add(f"{prefix}:{normalise_url(url)}")
    for distribution in record.distributions:
        if distribution.download_url:
            keys.add(f"download:{normalise_url(distribution.download_url)}")
    if record.publisher and title_signature(record.title):
        # a title alone is weak evidence (yearly "Budget" datasets): the publisher and the
        # description's opening words must agree too, as they do on a harvested copy
        opening = " ".join(title_signature(record.description).split()[:_DESCRIPTION_WORDS])
        keys.add(f"title:{title_signature(record.title)}|{title_signature(record.publisher.name)}|{opening}")
    return frozenset(keys)


def normalise_url(url: str) -> str:
    """A URL compared loosely: scheme-less, lower-case host, no trailing slash or fragment.

    A fragment that is a route of a single-page application (``#/metadata/<uuid>``,
    ``#!/…``), as in GeoNetwork's record pages, is kept: it is what tells records apart.
    """
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    route = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit(("", parts.netloc.lower().removeprefix("www."), path, parts.query, route)).lstrip("/")


def title_signature(text: str) -> str:
    """A title's words, folded, without stop words or punctuation, in order."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(w for w in re.findall(r"[a-z0-9]+", folded) if w not in _STOP)


def compute_clusters(entries: Iterable[ClusterEntry]) -> dict[str, str]:
    """record id → cluster id for every record that has a duplicate; others are left out."""
    entries = list(entries)
    by_key: dict[str, list[ClusterEntry]] = defaultdict(list)
    for entry in entries:
        for key in entry.keys:
            by_key[key].append(entry)
    clusters = _Clusters()
    for key in sorted(by_key):
        members = by_key[key]
        portals = [m.portal_id for m in members]
        if len(members) < 2 or len(set(portals)) != len(portals):
            continue  # a lone key, or one shared within a portal: no evidence
        first = members[0]
        for other in members[1:]:
            clusters.union(first, other)
    return clusters.assignments()


def cluster_ranks(members: Sequence[ClusterEntry]) -> list[ClusterEntry]:
    """Members in the order their values win a merge: best metadata first, then by portal and id."""
    return sorted(members, key=lambda m: (-m.quality, m.portal_id, m.record_id))


def merge_cluster(records: Sequence[Record]) -> dict[str, Any]:
    """One merged view of a cluster: each field's value and the portal that supplied it."""
    ordered = sorted(records, key=lambda r: (-(r.quality or 0), r.portal_id, r.record_id))
    merged: dict[str, Any] = {}
    for name in MERGED_FIELDS:
        for record in ordered:
            value = getattr(record, name)
            if value not in (None, "", ()):
                merged[name] = {"value": value, "portal": record.portal_id, "record": record.record_id}
                break
    distributions = []
    seen = set()
    for record in ordered:
        for distribution in record.distributions:
            url = normalise_url(distribution.url or "")
            if url and url not in seen:
                seen.add(url)
                distributions.append({"value": distribution, "portal": record.portal_id, "record": record.record_id})
    merged["distributions"] = distributions
    return merged


class _Clusters:
    """Union-find over records that refuses merges putting two records of one portal together."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.portals: dict[str, set[str]] = {}

    def find(self, entry: ClusterEntry) -> str:
        if entry.record_id not in self.parent:
            self.parent[entry.record_id] = entry.record_id
            self.portals[entry.record_id] = {entry.portal_id}
        root = entry.record_id
        while self.parent[root] != root:
            root = self.parent[root]
        return root

    def union(self, a: ClusterEntry, b: ClusterEntry) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or self.portals[root_a] & self.portals[root_b]:
            return
        keep, drop = sorted((root_a, root_b))
        self.parent[drop] = keep
        self.portals[keep] |= self.portals.pop(drop)

    def assignments(self) -> dict[str, str]:
        roots = {record_id: self._root(record_id) for record_id in self.parent}
        sizes: dict[str, int] = defaultdict(int)
        for root in roots.values():
            sizes[root] += 1
        return {record_id: root for record_id, root in roots.items() if sizes[root] > 1}

    def _root(self, record_id: str) -> str:
        while self.parent[record_id] != record_id:
            record_id = self.parent[record_id]
        return record_id
