"""The server backend: Elasticsearch (or OpenSearch behind the same REST API).

Records live in versioned indices (``<prefix>-records-<stamp>``) behind the
alias ``<prefix>-records``; :meth:`ElasticsearchBackend.reindex` builds a new
index and swaps the alias in one atomic call, so searches never see a
half-built index. Harvest jobs live in ``<prefix>-jobs`` so every replica and
the scheduler share them.

A harvest is spooled to a temporary file while the portal is read; only when
the whole stream has been read are the changes sent, in bounded bulk batches,
as the portal's next *generation*: new documents that the alias's filter hides
until one atomic alias update commits them (see
:mod:`service.search.generations`). A harvest that fails at any point, while
reading or between two bulk batches, therefore changes nothing searches see.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any, Callable, ClassVar, Iterable, Iterator

from mappings.duplicates import ClusterEntry, compute_clusters, duplicate_keys
from mappings.jobs import FailedRecord, HarvestJob, WriteStats
from mappings.record import Record
from service.search.base import (
    FACETS,
    FacetValue,
    Hit,
    SearchBackend,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    StoreError,
    Suggestion,
    day_after,
    facet_groups,
    facet_terms,
    facet_values,
    rank_suggestions,
    TIE_BREAKER,
    suggestion_sources,
    typo_words,
)
from service.search.french import fold
from service.search.generations import (
    committed_generations,
    portal_leftovers,
    portal_retirements_to_undo,
    visibility_filter,
)
from service.search.query import PREFIX_LENGTH, allowed_edits, parse_query
from service.store.base import StoredRecord

try:  # the client is an optional extra: pip install 'fedcat[elasticsearch]'
    import elasticsearch
    from elasticsearch import Elasticsearch, helpers
except ImportError:  # pragma: no cover - exercised only without the extra
    elasticsearch = None

__all__ = ["ElasticsearchBackend"]

_FIELD_BOOSTS = ["title^10", "keywords^5", "publisher^3", "description^1"]
_SORTS = {
    "title": [{"title.sort": "asc"}],
    "-title": [{"title.sort": "desc"}],
    "modified": [{"modified_text": {"order": "asc", "missing": "_last"}}],
    "-modified": [{"modified_text": {"order": "desc", "missing": "_last"}}],
    "issued": [{"issued_text": {"order": "asc", "missing": "_last"}}],
    "-issued": [{"issued_text": {"order": "desc", "missing": "_last"}}],
    "quality": [{"quality": {"order": "asc", "missing": "_last"}}],
    "-quality": [{"quality": {"order": "desc", "missing": "_last"}}],
}
_TIEBREAK = {"record_id": "asc"}
#: distinct clusters; exact below the threshold (the engine's maximum), approximate beyond
_CLUSTER_COUNT = {"cardinality": {"field": "cluster_id", "precision_threshold": 40000}}
_SUGGEST_CANDIDATES = 60
_SPELLINGS_TTL = 30.0
_BULK_BATCH = 500
_SCROLL_BATCH = 1000
_RETRIES = 3
_ALIAS_LOCK = "records-alias"
_ALIAS_LOCK_TTL = 30.0
_ALIAS_LOCK_WAIT = 60.0

logger = logging.getLogger(__name__)


class ElasticsearchBackend(SearchBackend):
    """Records and jobs in an Elasticsearch cluster.

    :param client: an ``elasticsearch.Elasticsearch`` client.
    :param prefix: names the alias and indices, so several fedcat (or test runs) share a cluster.
    :param sleep: injected so tests need not wait for back-off delays.
    """

    name: ClassVar[str] = "elasticsearch"

    def __init__(self, client: Elasticsearch, *, prefix: str = "fedcat", sleep: Callable[[float], None] = time.sleep):
        if elasticsearch is None:
            raise StoreError("the elasticsearch backend needs the client: pip install 'fedcat[elasticsearch]'")
        self.client = client
        self.alias = f"{prefix}-records"
        self.jobs_index = f"{prefix}-jobs"
        self.pages_index = f"{prefix}-pages"
        self.locks_index = f"{prefix}-locks"
        self._sleep = sleep
        self._ready = False
        self._spellings: tuple[float, dict[str, str] | None] = (0.0, None)
        try:
            self._call(self._ensure_indices)
        except SearchUnavailable:
            pass  # the engine may come up after the service; indices are ensured on first use

    @classmethod
    def from_settings(cls, settings) -> ElasticsearchBackend:
        """Build a client from the ``FEDCAT_ELASTICSEARCH_*`` settings."""
        if elasticsearch is None:
            raise StoreError("the elasticsearch backend needs the client: pip install 'fedcat[elasticsearch]'")
        options: dict[str, Any] = {"request_timeout": 30, "max_retries": 2, "retry_on_timeout": True}
        if settings.elasticsearch_api_key:
            options["api_key"] = settings.elasticsearch_api_key
        elif settings.elasticsearch_username:
            options["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password)
        if settings.elasticsearch_ca_certs:
            options["ca_certs"] = settings.elasticsearch_ca_certs
        if not settings.elasticsearch_verify_certs:
            options["verify_certs"] = False
        client = Elasticsearch(settings.elasticsearch_url, **options)
        return cls(client, prefix=settings.elasticsearch_prefix)

    # -- index lifecycle -----------------------------------------------------------

    def _ensure_indices(self) -> None:
        if self._ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            index = self._create_records_index()
            self.client.indices.put_alias(index=index, name=self.alias, filter=visibility_filter({}))
        for index, definition in (
            (self.jobs_index, "jobs.json"),
            (self.pages_index, "pages.json"),
            (self.locks_index, "locks.json"),
        ):
            if not self.client.indices.exists(index=index):
                body = _load_definition(definition)
                self.client.indices.create(index=index, settings=body["settings"], mappings=body["mappings"])
        self._ready = True

    def _create_records_index(self) -> str:
        name = f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        body = _load_definition("records.json")
        self.client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
        return name

    def current_index(self) -> str:
        """The concrete index the alias points at."""
        return self._call(self._alias_state)[0]

    def committed_generations(self) -> dict[str, int]:
        """Each portal's committed generation, as the alias filter says (see :mod:`service.search.generations`)."""
        return self._call(self._alias_state)[1]

    def _alias_state(self) -> tuple[str, dict[str, int]]:
        answer = self.client.indices.get_alias(name=self.alias)
        ((index, definition),) = getattr(answer, "body", answer).items()
        return index, committed_generations(definition["aliases"][self.alias].get("filter"))

    def _point_alias(self, index: str, committed: dict[str, int], *, leaving: str | None = None) -> None:
        """Point the alias at ``index`` showing ``committed``, in one atomic update (moving it off ``leaving``)."""
        actions: list[dict] = [{"remove": {"index": leaving, "alias": self.alias}}] if leaving else []
        actions.append({"add": {"index": index, "alias": self.alias, "filter": visibility_filter(committed)}})
        self._call(self.client.indices.update_aliases, actions=actions)

    @contextmanager
    def _alias_lock(self) -> Iterator[None]:
        """Serialise the read-modify-write of the alias filter between writers of different portals."""
        owner = uuid.uuid4().hex
        deadline = time.monotonic() + _ALIAS_LOCK_WAIT
        while not self.acquire_lock(_ALIAS_LOCK, owner, _ALIAS_LOCK_TTL):
            if time.monotonic() > deadline:
                raise StoreError(f"the records alias stayed locked by another writer for {_ALIAS_LOCK_WAIT:.0f} s")
            time.sleep(0.05)
        try:
            yield
        finally:
            try:
                self.release_lock(_ALIAS_LOCK, owner)
            except StoreError:
                pass  # the lock expires by itself within its TTL

    def reindex(self, *, on_progress: Callable[[int, int], None] | None = None) -> str:
        """Rebuild the visible records into a new index, then swap the alias atomically; returns the new index.

        If a harvest commits while the copy runs, the copy would lack its records: the swap is
        refused with a :class:`StoreError`, the new index dropped, and nothing changes.
        """
        old, committed = self._call(self._alias_state)
        new = self._call(self._create_records_index)
        try:
            actions = self._copy_actions(new)
            if on_progress is not None:
                actions = _counted(actions, self.count(), on_progress)
            rejected = self._bulk_send(actions)
            if rejected:
                raise StoreError(f"the new index refused {len(rejected)} records, e.g. {rejected[0].reason}")
            self._call(self.client.indices.refresh, index=new)
            with self._alias_lock():
                if self._call(self._alias_state) != (old, committed):
                    raise StoreError("a harvest committed during the rebuild; nothing was swapped: run the reindex again")
                self._point_alias(new, committed, leaving=old)
        except BaseException:
            self._drop_quietly(new)
            raise
        self._call(self.client.indices.delete, index=old)
        return new

    def _copy_actions(self, target: str) -> Iterator[dict]:
        # re-derive each visible document from its stored record, so a changed mapping or analysis applies
        for hit in helpers.scan(self.client, index=self.alias, query={"query": {"match_all": {}}}, size=_SCROLL_BATCH):
            stored = hit["_source"]
            record = Record.from_dict(stored["record"])
            document = _document(
                record, stored["content_hash"], stored["generation"], stored.get("missing_since"), stored.get("cluster_id")
            )
            yield {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": document}

    def _drop_quietly(self, index: str) -> None:
        try:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        except StoreError as exc:
            logger.warning("could not drop the unfinished index %s: %s", index, exc)

    # -- writing -----------------------------------------------------------------

    def replace_portal(
        self,
        portal_id: str,
        records: Iterable[Record],
        *,
        now: datetime,
        grace: timedelta = timedelta(0),
        is_complete: Callable[[], bool] = lambda: True,
    ) -> WriteStats:
        """See :meth:`SearchBackend.replace_portal`.

        The harvest is written as the portal's next generation, invisible to searches, then
        committed by one atomic alias update (:mod:`service.search.generations`). Until that
        update nothing a search sees has changed, so a failure at any point changes nothing;
        the next write of the portal clears what the failed one left.
        """
        index, committed = self._call(self._alias_state)
        current = committed.get(portal_id, 0)
        self._discard_leftovers(index, portal_id, current)
        plan = _Plan(portal_id, generation=current + 1, stored=self._call(self._portal_state, portal_id))
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            plan.spool_changes(spool, records)
            if is_complete():
                plan.spool_missing(spool, now, grace, self._sources_of)
            spool.seek(0)
            self._check_still_current(index)
            refused = self._bulk_send((json.loads(line) for line in spool), index=index)
        if self._bulk_send(plan.retirements(index, refused), index=index):
            raise StoreError("the search engine refused to mark replaced records; nothing was committed")
        self._call(self.client.indices.refresh, index=index)
        self._commit(portal_id, plan.generation, written_to=index)
        self._tidy_after_commit(index, portal_id, plan.generation)
        return plan.stats(refused)

    def _commit(self, portal_id: str, generation: int, *, written_to: str) -> None:
        with self._alias_lock():
            index, committed = self._check_still_current(written_to)
            committed[portal_id] = generation
            self._point_alias(index, committed)

    def _check_still_current(self, index: str) -> tuple[str, dict[str, int]]:
        """The alias state, provided it still points at ``index`` (a reindex may have swapped it meanwhile)."""
        current, committed = self._call(self._alias_state)
        if current != index:
            raise StoreError("the index was rebuilt during the harvest; nothing was changed: harvest again")
        return current, committed

    def _discard_leftovers(self, index: str, portal_id: str, committed: int) -> None:
        """Remove what an aborted write of the portal left, and superseded versions, before a new write."""
        self._delete_matching(index, portal_leftovers(portal_id, committed))
        marked = self._call(self._ids_matching, index, portal_retirements_to_undo(portal_id, committed))
        unmark = ({"_op_type": "update", "_id": doc_id, "doc": {"superseded_in": None}} for doc_id in marked)
        if self._bulk_send(unmark, index=index):
            raise StoreError("the search engine refused to clear a failed harvest's marks; nothing was changed")
        self._call(self.client.indices.refresh, index=index)

    # Scans and bulk actions rather than _delete_by_query / _update_by_query: those need the
    # engine's reindex and scripting modules, which some clusters (and distributions) lack.

    def _ids_matching(self, index: str, query: dict) -> list[str]:
        scan = helpers.scan(self.client, index=index, query={"query": query, "_source": False}, size=_SCROLL_BATCH)
        return [hit["_id"] for hit in scan]

    def _delete_matching(self, index: str, query: dict) -> None:
        doomed = self._call(self._ids_matching, index, query)
        self._bulk_send(({"_op_type": "delete", "_id": doc_id} for doc_id in doomed), index=index)
        self._call(self.client.indices.refresh, index=index)

    def _tidy_after_commit(self, index: str, portal_id: str, generation: int) -> None:
        """Delete the superseded versions and recompute clusters; what fails here the next write redoes."""
        try:
            self._delete_matching(index, portal_leftovers(portal_id, generation))
            self._recluster()
        except StoreError as exc:
            logger.warning("harvest of %s committed; tidying up failed and is left to the next write: %s", portal_id, exc)

    def _recluster(self) -> None:
        """Recompute every cluster from the stored duplicate keys and update the records whose cluster changed."""
        documents = self._call(self._cluster_inputs)
        clusters = compute_clusters([entry for entry, _, _ in documents.values()])
        changes = (
            {"_op_type": "update", "_index": index, "_id": doc_id, "doc": {"cluster_id": clusters.get(record_id, record_id)}}
            for record_id, (_, (index, doc_id), cluster) in documents.items()
            if cluster != clusters.get(record_id, record_id)
        )
        self._bulk_send(changes)
        self._call(self.client.indices.refresh, index=self.alias)

    def _cluster_inputs(self) -> dict[str, tuple[ClusterEntry, tuple[str, str], str | None]]:
        """record_id → (its cluster entry, where its visible document is, its current cluster) for every record."""
        query = {"query": {"match_all": {}}, "_source": ["record_id", "portal_id", "quality", "cluster_id", "duplicate_keys"]}
        documents = {}
        for hit in helpers.scan(self.client, index=self.alias, query=query, size=_SCROLL_BATCH):
            source = hit["_source"]
            keys = frozenset(source.get("duplicate_keys") or ())
            entry = ClusterEntry(source["record_id"], source["portal_id"], keys, source.get("quality") or 0)
            documents[source["record_id"]] = (entry, (hit["_index"], hit["_id"]), source.get("cluster_id"))
        return documents

    def _portal_state(self, portal_id: str) -> dict[str, _Stored]:
        """record_id → what is stored of it, for every visible record of the portal."""
        fields = ["record_id", "content_hash", "missing_since", "cluster_id"]
        query = {"query": {"term": {"portal_id": portal_id}}, "_source": fields}
        return {
            hit["_source"]["record_id"]: _Stored(
                hit["_id"], hit["_source"]["content_hash"], hit["_source"].get("missing_since"), hit["_source"].get("cluster_id")
            )
            for hit in helpers.scan(self.client, index=self.alias, query=query, size=_SCROLL_BATCH)
        }

    def _sources_of(self, doc_ids: list[str]) -> Iterator[dict]:
        """The stored documents with these ids (a thousand per request)."""
        for start in range(0, len(doc_ids), _SCROLL_BATCH):
            chunk = doc_ids[start : start + _SCROLL_BATCH]
            result = self._call(self.client.mget, index=self.alias, ids=chunk)
            yield from (doc["_source"] for doc in result["docs"] if doc.get("found"))

    def _bulk_send(self, actions: Iterable[dict], *, index: str | None = None) -> list[FailedRecord]:
        """Send actions in bounded batches, retrying transient failures; returns per-record rejections."""
        rejected: list[FailedRecord] = []
        batch: list[dict] = []
        for action in actions:
            action.setdefault("_index", index or self.alias)
            batch.append(action)
            if len(batch) >= _BULK_BATCH:
                rejected += self._call(self._bulk_batch, batch)
                batch = []
        if batch:
            rejected += self._call(self._bulk_batch, batch)
        return rejected

    def _bulk_batch(self, batch: list[dict]) -> list[FailedRecord]:
        _, errors = helpers.bulk(self.client, batch, raise_on_error=False, raise_on_exception=True, refresh=False)
        rejected = []
        for error in errors:
            op, detail = next(iter(error.items()))
            if op == "delete" and detail.get("status") == 404:
                continue
            reason = detail.get("error", {})
            text = reason.get("reason", str(reason)) if isinstance(reason, dict) else str(reason)
            rejected.append(FailedRecord(reason=f"rejected by the search engine: {text}", source=detail.get("_id")))
        return rejected

    def delete_portal(self, portal_id: str) -> int:
        """See :meth:`SearchBackend.delete_portal`: hidden at once by the alias, then deleted."""
        query = {"term": {"portal_id": portal_id}}
        visible = int(self._call(self.client.count, index=self.alias, query=query)["count"])
        with self._alias_lock():
            index, committed = self._call(self._alias_state)
            if committed.pop(portal_id, None) is not None:
                self._point_alias(index, committed)
        self._delete_matching(index, {"term": {"portal_id": portal_id}})
        self._recluster()
        # the pages' validators describe records that are gone: the next harvest must read everything
        self._forget_pages(portal_id)
        return visible

    def _forget_pages(self, portal_id: str) -> None:
        try:
            self._call(self.client.delete, index=self.pages_index, id=portal_id, refresh="wait_for")
        except elasticsearch.NotFoundError:
            pass

    # -- reading -----------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """See :meth:`SearchBackend.search`."""
        filters = _facet_filters(query)
        groups = facet_groups(filters)
        body: dict[str, Any] = {
            "query": _text_query(query, self._exact_words),
            "post_filter": {"bool": {"filter": list(filters.values())}},
            "collapse": {"field": "cluster_id"},
            "aggs": {
                f"g{number}": {"filter": {"bool": {"filter": [filters[f] for f in applied]}}, "aggs": _group_aggs(names, query.facet_size, total=not number)}
                for number, (applied, names) in enumerate(groups.items())
            },
            "sort": self._sort(query),
            "from": query.offset,
            "size": query.page_size,
            "track_total_hits": True,
            "_source": ["record", "missing_since", "cluster_id"],
        }
        result = self._call(self.client.search, index=self.alias, **body)
        hits = [
            Hit(
                Record.from_dict(h["_source"]["record"]),
                score=h.get("_score") or 0.0,
                missing_since=h["_source"].get("missing_since"),
                cluster_id=h["_source"].get("cluster_id"),
            )
            for h in result["hits"]["hits"]
        ]
        aggregations = result["aggregations"]
        spellings = self._keyword_spellings()
        facets = {
            facet: [FacetValue(b["key"], b["n"]["value"], spellings.get(b["key"]) if facet == "keyword" else None)
                    for b in aggregations[f"g{number}"][facet]["buckets"]]
            for number, names in enumerate(groups.values())
            for facet in names
        }
        total = aggregations["g0"]["clusters"]["value"]
        return SearchPage(total=total, hits=hits, facets={facet: facets[facet] for facet in FACETS}, query=query)

    def _keyword_spellings(self) -> dict[str, str]:
        """Folded keyword → its most common spelling; read again after half a minute (the engine has no cheap data version)."""
        at, spellings = self._spellings
        if spellings is not None and time.monotonic() - at < _SPELLINGS_TTL:
            return spellings
        result = self._call(
            self.client.search, index=self.alias, size=0,
            aggs={"s": {"terms": {"field": "keyword_spellings", "size": 10_000}}}, track_total_hits=False,
        )
        spellings = {}
        for bucket in result["aggregations"]["s"]["buckets"]:  # most frequent first
            spellings.setdefault(fold(bucket["key"]), bucket["key"])
        self._spellings = (time.monotonic(), spellings)
        return spellings

    def _exact_words(self, words: list[str]) -> set[str]:
        """The words some visible record holds as typed (after analysis): one count request for all."""
        aggs = {f"w{i}": {"filter": _exact_filter(word)} for i, word in enumerate(words)}
        result = self._call(self.client.search, index=self.alias, size=0, aggs=aggs, track_total_hits=False)
        return {word for i, word in enumerate(words) if result["aggregations"][f"w{i}"]["doc_count"]}

    def _sort(self, query: SearchQuery) -> list:
        if query.sort == "relevance":
            return [{"_score": "desc"}, _TIEBREAK] if _has_terms(query.q) else [*_SORTS["-modified"], _TIEBREAK]
        return [*_SORTS[query.sort], _TIEBREAK]

    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """See :meth:`SearchBackend.suggest`: a prefix query on the folded words, then the shared ranking."""
        if not re.findall(r"\w+", fold(prefix)):
            return []
        result = self._call(
            self.client.search,
            index=self.alias,
            query={
                "multi_match": {
                    "query": fold(prefix),
                    "type": "bool_prefix",
                    "fields": ["words", "words._2gram", "words._3gram"],
                    "operator": "and",
                }
            },
            size=_SUGGEST_CANDIDATES,
            _source=["record"],
        )
        records = (Record.from_dict(hit["_source"]["record"]) for hit in result["hits"]["hits"])
        return rank_suggestions(map(suggestion_sources, records), prefix, limit)

    def cluster_members(self, cluster_ids: Iterable[str]) -> dict[str, list[Record]]:
        """See :meth:`SearchBackend.cluster_members`."""
        wanted = list(dict.fromkeys(cluster_ids))
        if not wanted:
            return {}
        result = self._call(
            self.client.search,
            index=self.alias,
            query={"terms": {"cluster_id": wanted}},
            sort=[{"portal_id": "asc"}, {"record_id": "asc"}],
            size=min(10_000, 10 * len(wanted)),
            _source=["record", "cluster_id"],
        )
        members: dict[str, list[Record]] = {}
        for hit in result["hits"]["hits"]:
            members.setdefault(hit["_source"]["cluster_id"], []).append(Record.from_dict(hit["_source"]["record"]))
        return members

    def iter_records(self, *, offset: int = 0, limit: int | None = None) -> Iterator[Record]:
        """See :meth:`SearchBackend.iter_records` (``search_after`` pages, sorted by portal then id)."""
        remaining = limit
        search_after = None
        skip = offset
        while remaining is None or remaining > 0:
            size = min(_SCROLL_BATCH, remaining if remaining is not None else _SCROLL_BATCH)
            body: dict[str, Any] = {
                "query": {"match_all": {}},
                "sort": [{"portal_id": "asc"}, {"record_id": "asc"}],
                "size": size,
                "_source": ["record"],
            }
            if search_after is not None:
                body["search_after"] = search_after
            elif skip:
                body["from"], skip = skip, 0
            hits = self._call(self.client.search, index=self.alias, **body)["hits"]["hits"]
            for hit in hits:
                yield Record.from_dict(hit["_source"]["record"])
            if len(hits) < size:
                return
            search_after = hits[-1]["sort"]
            remaining = None if remaining is None else remaining - len(hits)

    def count(self) -> int:
        """See :meth:`SearchBackend.count`."""
        return int(self._call(self.client.count, index=self.alias)["count"])

    def counts_by_portal(self) -> dict[str, int]:
        """See :meth:`SearchBackend.counts_by_portal`."""
        result = self._call(
            self.client.search,
            index=self.alias,
            size=0,
            aggs={"portals": {"terms": {"field": "portal_id", "size": 1000}}},
        )
        return {b["key"]: b["doc_count"] for b in result["aggregations"]["portals"]["buckets"]}

    def quality_by_portal(self) -> dict[str, float]:
        """See :meth:`SearchBackend.quality_by_portal`."""
        result = self._call(
            self.client.search,
            index=self.alias,
            size=0,
            aggs={"portals": {"terms": {"field": "portal_id", "size": 1000}, "aggs": {"q": {"avg": {"field": "quality"}}}}},
        )
        buckets = result["aggregations"]["portals"]["buckets"]
        return {b["key"]: round(b["q"]["value"], 1) for b in buckets if b["q"]["value"] is not None}

    def get_stored(self, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
        """See :meth:`RecordStore.get_stored` (one search per thousand ids, through the alias filter)."""
        wanted = list(dict.fromkeys(record_ids))
        found: dict[str, StoredRecord] = {}
        for start in range(0, len(wanted), _SCROLL_BATCH):
            chunk = wanted[start : start + _SCROLL_BATCH]
            result = self._call(
                self.client.search,
                index=self.alias,
                query={"terms": {"record_id": chunk}},
                size=len(chunk),
                _source=["record", "missing_since", "cluster_id"],
            )
            for hit in result["hits"]["hits"]:
                source = hit["_source"]
                record = Record.from_dict(source["record"])
                found[record.record_id] = StoredRecord(record, source.get("missing_since"), source.get("cluster_id"))
        return found

    def page_cache(self, portal_id: str) -> dict[str, dict]:
        """See :meth:`SearchBackend.page_cache` (one document per portal, shared by every replica)."""
        try:
            document = self._call(self.client.get, index=self.pages_index, id=portal_id)
        except elasticsearch.NotFoundError:
            return {}
        return document["_source"]["pages"]

    def save_page_cache(self, portal_id: str, pages: dict[str, dict]) -> None:
        """See :meth:`SearchBackend.save_page_cache`."""
        document = {"portal_id": portal_id, "pages": pages}
        self._call(self.client.index, index=self.pages_index, id=portal_id, document=document, refresh="wait_for")

    # -- jobs --------------------------------------------------------------------

    def save_job(self, job: HarvestJob) -> None:
        """See :meth:`SearchBackend.save_job`."""
        document = {"job_id": job.job_id, "portal_id": job.portal_id, "started_at": job.started_at, "job": job.to_dict()}
        self._call(self.client.index, index=self.jobs_index, id=job.job_id, document=document, refresh="wait_for")

    def jobs(self, *, portal_id: str | None = None, limit: int = 50) -> list[HarvestJob]:
        """See :meth:`SearchBackend.jobs`."""
        query = {"term": {"portal_id": portal_id}} if portal_id else {"match_all": {}}
        result = self._call(
            self.client.search,
            index=self.jobs_index,
            query=query,
            sort=[{"started_at": "desc"}, {"job_id": "desc"}],
            size=limit,
        )
        return [HarvestJob.from_dict(hit["_source"]["job"]) for hit in result["hits"]["hits"]]

    # -- locks -------------------------------------------------------------------

    def acquire_lock(self, name: str, owner: str, ttl: float) -> bool:
        """See :meth:`SearchBackend.acquire_lock`.

        One document per lock in ``<prefix>-locks``: created with ``op_type=create``
        (fails if it exists), else replaced only if expired or our own, conditionally
        on the ``_seq_no``/``_primary_term`` we read, so two racing takers cannot both win.
        """
        now = time.time()
        document = {"name": name, "owner": owner, "expires_at": now + ttl}
        if self._call(self._create_lock, name, document):
            return True
        current = self._call(self._get_lock, name)
        if current is None:  # released between our create and our read: one more try
            return self._call(self._create_lock, name, document)
        source = current["_source"]
        if source["owner"] != owner and source["expires_at"] > now:
            return False
        return self._call(self._replace_lock, name, document, current["_seq_no"], current["_primary_term"])

    def release_lock(self, name: str, owner: str) -> None:
        """See :meth:`SearchBackend.release_lock` (a conditional delete of our own lock document)."""
        current = self._call(self._get_lock, name)
        if current is None or current["_source"]["owner"] != owner:
            return
        self._call(self._delete_lock, name, current["_seq_no"], current["_primary_term"])

    def _create_lock(self, name: str, document: dict) -> bool:
        try:
            self.client.create(index=self.locks_index, id=name, document=document)
        except elasticsearch.ConflictError:
            return False
        return True

    def _get_lock(self, name: str) -> dict | None:
        # a get by id is real-time: it sees the latest write without a refresh
        try:
            return self.client.get(index=self.locks_index, id=name)
        except elasticsearch.NotFoundError:
            return None

    def _replace_lock(self, name: str, document: dict, seq_no: int, primary_term: int) -> bool:
        try:
            self.client.index(
                index=self.locks_index, id=name, document=document, if_seq_no=seq_no, if_primary_term=primary_term
            )
        except elasticsearch.ConflictError:
            return False
        return True

    def _delete_lock(self, name: str, seq_no: int, primary_term: int) -> None:
        try:
            self.client.delete(index=self.locks_index, id=name, if_seq_no=seq_no, if_primary_term=primary_term)
        except (elasticsearch.ConflictError, elasticsearch.NotFoundError):
            pass  # someone took the expired lock over meanwhile (it is theirs now), or it is gone already

    # -- plumbing ----------------------------------------------------------------

    def _call(self, function: Callable, *args, **kwargs):
        """Call the client, retrying transient failures with backoff, translating errors at the seam."""
        for attempt in range(_RETRIES + 1):
            try:
                self._ensure_indices()
                return function(*args, **kwargs)
            except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
                if attempt == _RETRIES:
                    raise SearchUnavailable(f"search engine unreachable: {exc.__class__.__name__}") from exc
            except elasticsearch.ApiError as exc:
                if exc.meta.status not in (429, 502, 503, 504) or attempt == _RETRIES:
                    if exc.meta.status == 404 and isinstance(exc, elasticsearch.NotFoundError):
                        raise
                    raise StoreError(f"search engine error {exc.meta.status}: {_reason(exc)}") from exc
            self._sleep(min(0.5 * 2**attempt, 8.0))
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


def _document(
    record: Record, content_hash: str, generation: int, missing_since: str | None = None, cluster_id: str | None = None
) -> dict[str, Any]:
    """The indexed form of a record: searchable fields, facet keywords, and the record itself."""
    facets = facet_values(record)
    return {
        "record_id": record.record_id,
        "portal_id": record.portal_id,
        "generation": generation,
        "superseded_in": None,
        "content_hash": content_hash,
        "missing_since": missing_since,
        "title": record.title,
        "keywords": list(record.keywords) + [t.label for t in record.themes],
        "publisher": record.publisher.name if record.publisher else None,
        "description": record.description,
        "modified": record.modified,
        "issued": record.issued,
        "modified_text": record.modified,
        "issued_text": record.issued,
        "bbox": _envelope(record.bbox),
        "quality": record.quality,
        "cluster_id": cluster_id or record.record_id,
        "duplicate_keys": sorted(duplicate_keys(record)),
        "words": fold(" ".join((record.title, " ".join(record.keywords), record.publisher.name if record.publisher else ""))),
        "typo": " ".join(typo_words(record)),
        "keyword_spellings": list(record.keywords),
        **{f"facet_{name}": list(values) for name, values in facets.items()},
        "record": record.to_dict(),
    }


@dataclass(frozen=True)
class _Stored:
    """What the engine holds of a visible record: its document id, content hash, flag and cluster."""

    doc_id: str
    content_hash: str
    missing_since: str | None
    cluster_id: str | None


class _Plan:
    """One write of a portal as its next generation: the new versions to index, the versions they retire.

    :param stored: record id → :class:`_Stored` for every visible record of the portal; records
        met in the stream are taken out, so what remains is no longer published.
    """

    def __init__(self, portal_id: str, *, generation: int, stored: dict[str, _Stored]) -> None:
        self.portal_id = portal_id
        self.generation = generation
        self.stored = stored
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "flagged": 0, "deleted": 0}
        #: record id → document id of the version this write replaces or deletes
        self.retiring: dict[str, str] = {}

    def spool_changes(self, spool, records: Iterable[Record]) -> None:
        """Spool a new version of every new or changed record, and of unchanged ones that were flagged missing."""
        seen: set[str] = set()
        for record in records:
            if record.portal_id != self.portal_id:
                raise StoreError(f"record {record.record_id} belongs to {record.portal_id}, not {self.portal_id}")
            if record.record_id in seen:
                continue
            seen.add(record.record_id)
            content_hash = record.content_hash()
            previous = self.stored.pop(record.record_id, None)
            if previous is not None and previous.content_hash == content_hash:
                self.counts["unchanged"] += 1
                if previous.missing_since is None:
                    continue
            else:
                self.counts["created" if previous is None else "updated"] += 1
            cluster_id = previous.cluster_id if previous else None
            self._spool_version(spool, record.record_id, _document(record, content_hash, self.generation, None, cluster_id))
            if previous is not None:
                self.retiring[record.record_id] = previous.doc_id

    def spool_missing(
        self, spool, now: datetime, grace: timedelta, sources_of: Callable[[list[str]], Iterable[dict]]
    ) -> None:
        """Retire the records missing longer than ``grace``; spool a flagged version of those newly missing."""
        cutoff = (now - grace).isoformat()
        newly_missing = []
        for record_id, stored in self.stored.items():
            if grace <= timedelta(0) or (stored.missing_since and stored.missing_since <= cutoff):
                self.retiring[record_id] = stored.doc_id
                self.counts["deleted"] += 1
            elif stored.missing_since is None:
                newly_missing.append(stored.doc_id)
        for source in sources_of(newly_missing):
            record_id = source["record_id"]
            flagged = {**source, "generation": self.generation, "superseded_in": None, "missing_since": now.isoformat()}
            self._spool_version(spool, record_id, flagged)
            self.retiring[record_id] = self.stored[record_id].doc_id
            self.counts["flagged"] += 1

    def _spool_version(self, spool, record_id: str, document: dict) -> None:
        _spool(spool, {"_op_type": "index", "_id": _doc_id(record_id, self.generation), "_source": document})

    def retirements(self, index: str, refused: list[FailedRecord]) -> Iterator[dict]:
        """The updates marking replaced and deleted versions, except where the new version was refused."""
        kept = {_record_id_of(failure.source) for failure in refused if failure.source}
        for record_id, doc_id in self.retiring.items():
            if record_id not in kept:
                yield {"_op_type": "update", "_index": index, "_id": doc_id, "doc": {"superseded_in": self.generation}}

    def stats(self, refused: list[FailedRecord]) -> WriteStats:
        """The write's counts, with refusals named by record id."""
        rejected = tuple(replace(f, source=_record_id_of(f.source)) if f.source else f for f in refused)
        return WriteStats(rejected=rejected, **self.counts)


def _doc_id(record_id: str, generation: int) -> str:
    return f"{record_id}@{generation}"


def _record_id_of(doc_id: str) -> str:
    return doc_id.rpartition("@")[0] or doc_id


def _envelope(bbox: tuple[float, float, float, float] | None) -> dict | None:
    if bbox is None:
        return None
    west, south, east, north = bbox
    return {"type": "envelope", "coordinates": [[west, north], [east, south]]}


def _text_query(query: SearchQuery, exact: Callable[[list[str]], set[str]]) -> dict:
    """Every group of alternatives must match, excluded terms must not; plus dates, box and quality.

    :param exact: which of the given words some record holds as they are (those get no typo tolerance).
    """
    parsed = parse_query(query.q)
    words = [t.text for group in parsed.groups for t in group if not t.is_phrase]
    found = exact(words) if words else set()
    must = [_any_of([_term_clause(t, t.text not in found) for t in group]) for group in parsed.groups]
    must_not = [_term_clause(t, False) for t in parsed.excluded]
    filters = _range_filters(query)
    if not must and not must_not and not filters:
        return {"match_all": {}}
    return {"bool": {"must": must, "must_not": must_not, "filter": filters}}


def _term_clause(term, typos: bool) -> dict:
    """A word (the best field scoring, the others adding a share) or a phrase; a word no record holds as
    typed tolerates typos in the ``typo`` field (proper nouns left out), one edit scoring above two."""
    if term.is_phrase:
        return {"multi_match": {"query": term.text, "fields": _FIELD_BOOSTS, "type": "phrase", "tie_breaker": TIE_BREAKER}}
    clause = {"multi_match": {"query": term.text, "fields": _FIELD_BOOSTS, "type": "best_fields", "tie_breaker": TIE_BREAKER, "operator": "and"}}
    if not typos or allowed_edits(term.folded) == 0:
        return clause
    fuzzy = [
        {"constant_score": {"filter": {"fuzzy": {"typo": {"value": term.folded, "fuzziness": edits, "prefix_length": PREFIX_LENGTH}}}, "boost": 3.0 - edits}}
        for edits in range(1, allowed_edits(term.folded) + 1)
    ]
    return {"dis_max": {"queries": [clause, *fuzzy]}}


def _any_of(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _exact_filter(word: str) -> dict:
    return {"multi_match": {"query": word, "fields": [f.split("^")[0] for f in _FIELD_BOOSTS], "operator": "and"}}


def _range_filters(query: SearchQuery) -> list[dict]:
    filters: list[dict] = []
    if query.modified_since or query.modified_until:
        bounds = {}
        if query.modified_since:
            bounds["gte"] = query.modified_since
        if query.modified_until:
            bounds["lt"] = day_after(query.modified_until)
        filters.append({"range": {"modified_text": bounds}})
    if query.bbox:
        west, south, east, north = query.bbox
        envelope = {"type": "envelope", "coordinates": [[west, north], [east, south]]}
        filters.append({"geo_shape": {"bbox": {"shape": envelope, "relation": "intersects"}}})
    if query.quality_min is not None:
        filters.append({"range": {"quality": {"gte": query.quality_min}}})
    return filters


def _has_terms(q: str) -> bool:
    # the shared parser decides, so a query of stop words (or of exclusions only) behaves the same on both backends
    return bool(parse_query(q).groups)


def _group_aggs(names: list[str], size: int, *, total: bool) -> dict:
    """Distinct clusters per value of each facet (most first, then by value), and in all for the total's group."""
    order = [{"n": "desc"}, {"_key": "asc"}]
    facets = {name: {"terms": {**facet_terms(name, size)["terms"], "order": order}, "aggs": {"n": _CLUSTER_COUNT}} for name in names}
    return {**({"clusters": _CLUSTER_COUNT} if total else {}), **facets}


def _facet_filters(query: SearchQuery) -> dict[str, dict]:
    filters = {}
    for facet, values in query.filters.items():
        if values:
            values = [fold(v) for v in values] if facet == "keyword" else list(values)
            filters[facet] = {"terms": {f"facet_{facet}": values}}
    return filters


def _counted(actions: Iterator[dict], total: int, on_progress: Callable[[int, int], None]) -> Iterator[dict]:
    """Pass actions through, reporting every batch's worth (and the end) to ``on_progress``."""
    done = 0
    for done, action in enumerate(actions, 1):
        yield action
        if done % _BULK_BATCH == 0:
            on_progress(done, total)
    on_progress(done, total)


def _spool(spool, action: dict) -> None:
    spool.write(json.dumps(action, ensure_ascii=False))
    spool.write("\n")


def _load_definition(name: str) -> dict:
    return json.loads(resources.files("mappings").joinpath("elasticsearch", name).read_text(encoding="utf-8"))


def _reason(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("reason") or body["error"].get("type"))
    return str(exc.message) if hasattr(exc, "message") else str(exc)
