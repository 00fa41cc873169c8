"""The search backend seam: what every store of records must do, embedded or server.

Facet rule, shared by every backend: filters on different facets are ANDed,
values within one facet are ORed, and each facet's counts ignore that facet's
own filter while honouring all the others (so a user can widen a choice).

Clusters (one dataset published on several portals) are shown once: the total
and every facet count distinct clusters, and each page holds one member per
cluster, the best by the query's own order.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Iterable

from mappings.record import Record
from service.search.french import fold
from service.store.base import JobLog, Locks, RecordStore, SearchUnavailable, StoreError

__all__ = [
    "FACETS",
    "FacetValue",
    "Hit",
    "SORTS",
    "TIE_BREAKER",
    "SearchBackend",
    "SearchIndex",
    "SearchPage",
    "SearchQuery",
    "SearchUnavailable",
    "StoreError",
    "Suggestion",
    "day_after",
    "facet_groups",
    "facet_terms",
    "rank_suggestions",
    "suggestion_sources",
    "typo_words",
]

#: Facet name → how its values are read off a record.
FACETS = ("portal", "publisher", "theme", "format", "license", "keyword", "quality", "link_status", "overdue")
#: quality facet buckets: (label, lowest score in it), best first
QUALITY_BUCKETS = (("90-100", 90), ("75-89", 75), ("50-74", 50), ("0-49", 0))
#: Accepted sort keys; ``-`` reverses.
SORTS = ("relevance", "modified", "-modified", "title", "-title", "issued", "-issued", "quality", "-quality")
FACET_SIZE = 20
#: how much the other fields of a matching word add to its best field (the former SQLite ranking summed them all)
TIE_BREAKER = 0.3


@dataclass(frozen=True)
class SearchQuery:
    """A validated search request."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facet_size: int = FACET_SIZE
    modified_since: str | None = None
    modified_until: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    quality_min: int | None = None

    @property
    def offset(self) -> int:
        """Index of the first hit of the page."""
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Hit:
    """One result: the record and its relevance score (0 when not ranked)."""

    record: Record
    score: float = 0.0
    missing_since: str | None = None
    cluster_id: str | None = None
    #: the record as :meth:`Record.to_dict` gives it, when the backend read it so (rendered without converting back)
    plain: dict | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Suggestion:
    """An autocompletion: a title, keyword or publisher, and how many records carry it."""

    text: str
    kind: str
    count: int = 1


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet, how many results carry it, and how to show it (keywords: the most common spelling)."""

    value: str
    count: int
    label: str | None = None


@dataclass(frozen=True)
class SearchPage:
    """A page of results with the facet counts of the whole result set."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    query: SearchQuery


def facet_values(record: Record) -> dict[str, tuple[str, ...]]:
    """The values a record contributes to each facet (the same for every backend)."""
    return {
        "portal": (record.portal_id,),
        "publisher": (record.publisher.display_name,) if record.publisher and record.publisher.display_name else (),
        # the EU data themes make the four portals comparable; a record none could be given keeps its own
        "theme": tuple(dict.fromkeys(t.label_fr for t in record.eu_themes))
        or tuple(dict.fromkeys(t.label for t in record.themes)),
        "format": record.formats,
        "license": tuple(dict.fromkeys(c.label for c in record.licenses)),
        # spellings that differ only by accents or case are one value ("vélo", "Velo" → "velo")
        "keyword": tuple(dict.fromkeys(fold(k) for k in record.keywords)),
        "quality": (quality_bucket(record.quality),) if record.quality is not None else (),
        # stamped on the record by the service (service/link_health.py), so every backend indexes them as facets
        "link_status": (record.link_status,) if record.link_status else (),
        "overdue": ("true" if record.overdue else "false",) if record.overdue is not None else (),
    }


def facet_groups(filtered: Iterable[str]) -> dict[tuple[str, ...], list[str]]:
    """Facets grouped by the filters their counts honour (every filter but the facet's own), so each
    group is one filtered aggregation. The group of every filter comes first, even with no facet:
    it counts the total."""
    everything = tuple(sorted(filtered))
    groups: dict[tuple[str, ...], list[str]] = {everything: []}
    for facet in FACETS:
        groups.setdefault(tuple(f for f in everything if f != facet), []).append(facet)
    return groups


def facet_terms(facet: str, size: int) -> dict:
    """The terms aggregation of one facet, the same JSON for tantivy and Elasticsearch."""
    return {"terms": {"field": f"facet_{facet}", "size": size}}


def quality_bucket(score: int) -> str:
    """The facet bucket of a quality score (``"75-89"``)."""
    return next(label for label, lowest in QUALITY_BUCKETS if score >= lowest)


class SearchIndex(ABC):
    """Answers searches over the records of a :class:`RecordStore`; derived from it, so always rebuildable."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage:
        """Run a search.

        :param query: the validated request; its text is read by :func:`service.search.query.parse_query`.
        :returns: one page of hits (one member per cluster), the total and the facet counts (clusters counted once).
        :raises SearchUnavailable: when the index cannot be reached.
        """

    @abstractmethod
    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """Completions of what a user is typing: titles, keywords and publishers.

        Backends find candidate records by prefix; :func:`rank_suggestions` picks the completions.
        """

    @abstractmethod
    def reindex(self, *, on_progress: Callable[[int, int], None] | None = None) -> str:
        """Rebuild the search index from the stored records; searches keep answering meanwhile.

        :param on_progress: called now and then with (records done, records in all).
        :returns: a name for what was built (an index name, or a description).
        """


class SearchBackend(RecordStore, JobLog, Locks, SearchIndex):
    """What the service is configured with: a record store, a job log, locks and a search index.

    The embedded backend composes SQLite (records, jobs, locks) with tantivy (search);
    the Elasticsearch backend implements all four seams over the engine.
    """

    name: ClassVar[str]

    def get(self, record_id: str) -> Hit | None:
        """One record by id, or None."""
        stored = self.get_stored([record_id]).get(record_id)
        return None if stored is None else Hit(stored.record, missing_since=stored.missing_since, cluster_id=stored.cluster_id)

    def data_version(self) -> int | None:
        """A number that changes whenever the stored records change, so that answers computed from
        them can be reused until then; None when the backend cannot tell (answers are then never reused)."""
        return None

    def warm_up(self) -> None:
        """Prepare now what the first searches would otherwise load; the default does nothing."""

    def ping(self) -> bool:
        """True when the store answers."""
        try:
            self.count()
        except StoreError:
            return False
        return True

    def close(self) -> None:
        """Release connections."""


_PLACE = re.compile(r"\b(?:de|du|des|à|au|aux|en|sur|d'|l')\s*([A-ZÀ-Ý][\w-]*)")


def typo_words(record: Record) -> list[str]:
    """The folded words typos may reach: title and keyword words, except proper nouns (the publisher's
    name, and capitalised names after "de", "à", "sur"… in the title), so ``parcs`` never reaches
    ``Paris``. Unstemmed, so ``élection`` does not reach ``électrique`` through their common stem."""
    publisher = record.publisher.name if record.publisher else ""
    names = set(re.findall(r"\w+", fold(" ".join([publisher, *_PLACE.findall(record.title.replace("’", "'"))]))))
    words = re.findall(r"\w+", fold(" ".join((record.title, *record.keywords))))
    folded = [w for w in words if w not in names and len(w) > 2]
    # and each word's singular: "vleo" is one edit from "velo", two from "velos"
    return folded + [w[:-1] for w in folded if len(w) > 3 and w[-1] in "sx"]


def day_after(day: str) -> str:
    """The ISO date after ``day`` (an inclusive "until" becomes an exclusive bound)."""
    from datetime import date, timedelta

    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()


def suggestion_sources(record: Record) -> tuple[str, tuple[str, ...], str]:
    """What a record offers to autocompletion: its title, keywords and publisher name."""
    return record.title, record.keywords, record.publisher.name if record.publisher else ""


def rank_suggestions(sources: Iterable[tuple[str, Iterable[str], str]], prefix: str, limit: int) -> list[Suggestion]:
    """The titles, keywords and publishers (:func:`suggestion_sources`) whose words start with every typed word.

    Ranked by how many candidate records carry them, keywords and publishers first
    at equal counts (they are shorter and broader), then alphabetically.
    """
    typed = fold(prefix)
    if not typed.split():
        return []
    wanted = _WORDS.findall(typed)
    counts: dict[tuple[str, str], int] = {}
    matches: dict[str, bool] = {}  # candidates share keywords and publishers: each text is checked once
    for title, keywords, publisher in sources:
        values = [("keyword", k) for k in keywords] + [("title", title)]
        if publisher:
            values.append(("publisher", publisher))
        for kind, text in dict.fromkeys(values):
            matched = matches.get(text)
            if matched is None:
                matched = matches[text] = _starts_every_word(_WORDS.findall(fold(text)), wanted)
            if matched:
                counts[(kind, text)] = counts.get((kind, text), 0) + 1
    order = {"keyword": 0, "publisher": 1, "title": 2}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order[item[0][0]], fold(item[0][1])))
    return [Suggestion(text=text, kind=kind, count=count) for (kind, text), count in ranked[:limit]]


_WORDS = re.compile(r"\w+")


def _starts_every_word(words: list[str], wanted: list[str]) -> bool:
    return all(any(word.startswith(w) for word in words) for w in wanted)
