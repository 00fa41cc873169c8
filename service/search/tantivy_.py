"""The embedded backend: SQLite holds the records, a tantivy index answers searches.

The index lives next to the database (``fedcat.db.index/``; in memory for a
``:memory:`` store) and is derived from it: :meth:`TantivyIndex.reindex`
rebuilds it from the records. Every write of records lists what it changed in
the store's outbox in the same SQLite transaction; :meth:`TantivyIndex.catch_up`
applies the outbox in one index commit, so a harvest becomes searchable at once,
and a process killed between the two commits leaves an outbox that the next
start or the next harvest applies. Index files are memory-mapped: every
gunicorn worker reads the same pages, and reloads when the files say a commit
happened (one ``stat`` per search).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, ClassVar, Iterable, Iterator

import orjson
import tantivy
from tantivy import Occur, Query

from mappings.jobs import WriteStats
from mappings.record import Record
from service.search.base import (
    FACETS,
    FacetValue,
    Hit,
    SearchBackend,
    SearchIndex,
    SearchPage,
    SearchQuery,
    StoreError,
    Suggestion,
    day_after,
    facet_groups,
    facet_terms,
    facet_values,
    rank_suggestions,
    TIE_BREAKER,
    typo_words,
)
from service.search.french import analyze, fold
from service.search.query import ParsedQuery, Term, allowed_edits, parse_query
from service.store.base import StoredRecord
from service.store.sqlite import SqliteStore

__all__ = ["TantivyBackend", "TantivyIndex"]

#: bumped when the documents change shape: an index of another version is rebuilt
INDEX_VERSION = 7
#: field → boost; a word must match in one of them, and its best field scores (Elasticsearch's best_fields)
FIELD_BOOSTS = {"title": 10.0, "keywords": 5.0, "publisher": 3.0, "description": 1.0}
#: sorts by quality: text keys of the score then the record id (scores are mostly shared: ties are everywhere)
_SORT_FIELDS = {"quality": "s_quality", "-quality": "s_quality_desc"}
#: sorts by a title's folded ASCII key or a date as an integer (YYYYMMDDhhmmss), missing values last both
#: ways; the few ties are put in record id order after (a record id in a title key costs 3 s a reindex at 80,000)
_TIED_SORTS = {"title": "s_title", "-title": "s_title_desc", "modified": "n_modified", "-modified": "n_modified_desc",
               "issued": "n_issued", "-issued": "n_issued_desc"}
_MISSING = 2**62
_LAST = "\x7f"  # sorts after every key (the keys are printable ASCII): missing values go last
_WRITER_HEAP = 64 * 2**20
#: a full rebuild's writer memory: at most, taken as documents come; one segment per thread for 100,000s of records
_REBUILD_HEAP = 1024 * 2**20
_SUGGEST_CANDIDATES = 60
#: the longest word start indexed for suggest (a longer typed word is looked up by its start, then checked whole)
_PREFIX_CHARS = 15
_WORD = re.compile(r"\w+")
#: terms aggregations ask this many more values than shown, so cluster corrections cannot hide a top value
_FACET_SLACK = 30
_ALL_CLUSTERS = 65_000
#: facets whose records may hold several values: tantivy counts a multi-valued column some 30 times slower than
#: a single-valued one, so each record's whole set of values is also one value of a ``set_<facet>`` field, and
#: counting the sets gives the facet's exact counts while the catalogue holds at most _MAX_VALUE_SETS sets
_MULTI_VALUED = ("theme", "format", "license", "keyword")
_MAX_VALUE_SETS = 2_000
#: whole-catalogue counts kept per commit (the landing page and filter-only searches): one per filter combination
_WHOLE_CATALOGUE_ENTRIES = 64


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("record_id", tokenizer_name="raw")
    builder.add_unsigned_field("rowid", fast=True)
    builder.add_unsigned_field("cluster", fast=True)
    builder.add_unsigned_field("shared", indexed=True, fast=True)  # 1 when the record's cluster has other members
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name="whitespace")  # pre-analysed by service.search.french
    builder.add_text_field("typo", tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field("prefixes", tokenizer_name="prefixes", index_option="basic")  # suggest: a typed word is one term
    builder.add_text_field("keyword_spelling", tokenizer_name="raw", index_option="basic")
    for name in ("shown_title", "shown_keywords", "shown_publisher"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    for facet in FACETS:
        builder.add_text_field(f"facet_{facet}", tokenizer_name="raw", fast=True, index_option="basic")
    for facet in _MULTI_VALUED:
        builder.add_text_field(f"set_{facet}", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field("modified_day", indexed=True, fast=True)
    builder.add_integer_field("quality", indexed=True, fast=True)
    for side in ("west", "south", "east", "north"):
        builder.add_float_field(side, indexed=True, fast=True)
    for name in ("s_title", "s_title_desc", *_SORT_FIELDS.values()):
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in ("n_modified", "n_modified_desc", "n_issued", "n_issued_desc"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_integer_field("best_first", fast=True)  # suggest's candidates: quality, best first
    return builder.build()


class TantivyIndex(SearchIndex):
    """The search index of a :class:`SqliteStore`, kept in ``directory`` (in memory when None).

    :param store: where the records are; the index holds only what searching needs and row ids.
    """

    def __init__(self, store: SqliteStore, directory: str | None) -> None:
        self.store = store
        self.directory = Path(directory) if directory else None
        self.schema = _schema()
        self._thread_lock = threading.Lock()
        self._seen: tuple | None = None
        self._spellings: dict[str, str] | None = None
        self._by_set: frozenset[str] | None = None
        self._whole_catalogue: dict[tuple, tuple[dict[str, list[FacetValue]], int]] = {}
        self._index = self._open()
        # every start of each word given to the field, up to _PREFIX_CHARS characters
        self._index.register_tokenizer("prefixes", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, _PREFIX_CHARS, True)).build())
        self.catch_up(rebuild=self._needs_rebuild())

    def _open(self) -> tantivy.Index:
        if self.directory is None:
            return tantivy.Index(self.schema)
        self.directory.mkdir(parents=True, exist_ok=True)
        version = self.directory / "fedcat-index.json"
        if version.exists() and json.loads(version.read_text()).get("version") != INDEX_VERSION:
            self._clear()
        try:
            index = tantivy.Index(self.schema, path=str(self.directory), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise StoreError(f"cannot open the search index {self.directory}: {exc}") from exc
            self._clear()  # documents of another shape under the same version: derived data, rebuilt
            index = self._open_again()
        except OSError as exc:
            raise StoreError(f"cannot open the search index {self.directory}: {exc}") from exc
        version.write_text(json.dumps({"version": INDEX_VERSION}))
        return index

    def _clear(self) -> None:
        with self._writer_lock():
            for path in self.directory.iterdir():
                if path.name != ".writer.lock":
                    path.unlink()

    def _open_again(self) -> tantivy.Index:
        try:
            return tantivy.Index(self.schema, path=str(self.directory), reuse=True)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot open the search index {self.directory}: {exc}") from exc

    def _needs_rebuild(self) -> bool:
        """True when the index does not hold what the store says it should (new, lost, or from elsewhere)."""
        _, pending = self.store.pending_index_changes()
        return not pending and self._searcher().num_docs != self.store.count()

    # -- writing -----------------------------------------------------------------

    def catch_up(self, *, rebuild: bool = False, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Apply the store's outbox (or rebuild everything) in one index commit; returns documents written."""
        if not rebuild and not self.store.pending_index_changes()[1]:
            return 0  # nothing to do: no need to wait for another process's writer
        with self._writer_lock():
            up_to, record_ids = self.store.pending_index_changes()
            if not rebuild and not record_ids:
                return 0
            writer = self._index.writer(_REBUILD_HEAP, 2) if rebuild else self._index.writer(_WRITER_HEAP, 1)
            try:
                if rebuild:
                    writer.delete_all_documents()
                for record_id in record_ids if not rebuild else ():
                    writer.delete_documents_by_term("record_id", record_id)
                written = self._add_all(writer, None if rebuild else record_ids, on_progress)
                writer.commit()
                writer.wait_merging_threads()
            except (OSError, ValueError) as exc:
                writer.rollback()
                raise StoreError(f"search index write failed: {exc}") from exc
            self.store.index_changes_applied(up_to)
        self._index.reload()
        self._forget_counts()
        return written

    def _add_all(self, writer, record_ids: list[str] | None, on_progress) -> int:
        total = self.store.count() if record_ids is None else len(record_ids)
        done = 0
        for rows in self.store.index_rows(record_ids):
            for fields in _documents(rows):
                writer.add_document(tantivy.Document.from_dict(fields, self.schema))
            done += len(rows)
            if on_progress is not None:
                on_progress(done, total)
        return done

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """One writer at a time: threads of this process, and processes sharing the directory."""
        with self._thread_lock:
            if self.directory is None:
                yield
                return
            with open(self.directory / ".writer.lock", "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def reindex(self, *, on_progress: Callable[[int, int], None] | None = None) -> str:
        """See :meth:`SearchIndex.reindex`: every record written again, one commit at the end."""
        written = self.catch_up(rebuild=True, on_progress=on_progress)
        return f"{written} records re-indexed"

    # -- reading -----------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        """The searcher of the latest commit: another process's commit rewrites meta.json, seen by one stat."""
        if self.directory is not None:
            try:
                meta = os.stat(self.directory / "meta.json")
                seen = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
            except FileNotFoundError:
                seen = None
            if seen != self._seen:
                self._index.reload()
                self._seen = seen
                self._forget_counts()
        return self._index.searcher()

    def search(self, query: SearchQuery) -> SearchPage:
        """See :meth:`SearchIndex.search`."""
        searcher = self._searcher()
        parsed = parse_query(query.q)
        base = self._base_query(searcher, parsed, query)
        filters = {facet: values for facet, values in query.filters.items() if values}
        matched = _all_of([base, *(self._facet_filter(facet, values) for facet, values in filters.items())])
        shared = searcher.doc_freq("shared", 1) > 0
        page, count = self._page(searcher, matched, query, parsed, shared)
        rowids = searcher.fast_field_values("rowid", [address for _, address in page]) if page else []
        stored = self.store.rows_by_rowid(rowids)
        # a row a harvest replaced since the index was read is left out, never a 500
        hits = [_hit(stored[rowid], score) for rowid, (score, _) in zip(rowids, page) if rowid in stored]
        facets, surplus = self._counts(searcher, query, parsed, base, filters, shared)
        return SearchPage(total=count - surplus, hits=hits, facets=facets, query=query)

    def _page(self, searcher, matched: Query, query: SearchQuery, parsed: ParsedQuery, shared: bool) -> tuple[list, int]:
        """The page's (score, document) pairs, one per cluster (the first met in the query's order), and the match count."""
        order = query.sort if query.sort != "relevance" or parsed.groups else "-modified"
        wanted = query.offset + query.page_size
        limit = wanted if not shared else wanted * 2 + 10
        while True:
            if order == "relevance":
                result = searcher.search(matched, limit, count=True)
                hits = result.hits
                # equal scores in a stable order (the record's row), as after a reindex
                rows = searcher.fast_field_values("rowid", [address for _, address in hits])
                hits = [hit for hit, _ in sorted(zip(hits, rows), key=lambda pair: (-round(pair[0][0], 4), pair[1]))]
            elif order in _TIED_SORTS:
                result = searcher.search(matched, limit, count=True, order_by_field=_TIED_SORTS[order], order=tantivy.Order.Asc)
                hits = self._ties_by_record_id(searcher, matched, _TIED_SORTS[order], result.hits, limit)
            else:
                result = searcher.search(matched, limit, count=True, order_by_field=_SORT_FIELDS[order], order=tantivy.Order.Asc)
                hits = result.hits
            if shared:
                clusters = searcher.fast_field_values("cluster", [address for _, address in hits])
                seen: set[int] = set()
                hits = [hit for hit, cluster in zip(hits, clusters) if not (cluster in seen or seen.add(cluster))]
            if len(hits) >= wanted or len(result.hits) < limit:
                break
            limit *= 4
        page = [(key if order == "relevance" else 0.0, address) for key, address in hits[query.offset : wanted]]
        return page, result.count

    def _ties_by_record_id(self, searcher, matched: Query, field: str, hits: list, limit: int) -> list:
        """The first ``limit`` matches by (``field``, record id): tantivy sorts by the field alone, so the
        documents sharing the last value are all fetched, and ties are put in record id order.

        (Dates are integers, because tantivy sorts by a text key at about 0.7 ms per hit returned.)
        """
        if len(hits) == limit:
            last = hits[-1][0]
            if isinstance(last, str):
                tie = Query.term_query(self.schema, field, last)
            else:
                tie = Query.range_query(self.schema, field, tantivy.FieldType.Integer, last, last)
            ties = _all_of([matched, tie])
            tied = searcher.search(ties, 1, count=True).count
            if tied > sum(1 for value, _ in hits if value == last):
                hits = [hit for hit in hits if hit[0] != last] + [(last, address) for _, address in searcher.search(ties, tied).hits]
        if len({value for value, _ in hits}) == len(hits):
            return hits[:limit]  # no ties (most title pages): tantivy's order is the order
        rowids = searcher.fast_field_values("rowid", [address for _, address in hits])
        record_ids = self.store.record_ids_by_rowid(rowids)
        ordered = sorted(zip(hits, rowids), key=lambda pair: (pair[0][0], record_ids.get(pair[1], "")))
        return [hit for hit, _ in ordered[:limit]]

    def _counts(self, searcher, query, parsed, base, filters, shared) -> tuple[dict[str, list[FacetValue]], int]:
        """The facet counts and the cluster surplus; the whole catalogue's (no text, no range) once per commit."""
        if parsed.groups or parsed.excluded or query.modified_since or query.modified_until or query.bbox or query.quality_min is not None:
            return self._aggregate_counts(searcher, query.facet_size, base, filters, shared)
        key = (tuple(sorted(filters.items())), query.facet_size)
        if key not in self._whole_catalogue:
            if len(self._whole_catalogue) >= _WHOLE_CATALOGUE_ENTRIES:
                self._whole_catalogue.clear()
            self._whole_catalogue[key] = self._aggregate_counts(searcher, query.facet_size, base, filters, shared)
        return self._whole_catalogue[key]

    def _aggregate_counts(self, searcher, size: int, base: Query, filters: dict, shared: bool) -> tuple[dict[str, list[FacetValue]], int]:
        """Each facet under every filter but its own, clusters counted once: one request per group of
        facets honouring the same filters (:func:`facet_groups`), and one more over shared records.

        (A single request with ``filter`` aggregations was measured 3-6 times slower: tantivy's
        filter aggregation takes query text and checks it per document.)
        :returns: the facets, and how many matched records are not the first of their cluster.
        """
        counts: dict[str, dict[str, int]] = {}
        surplus = 0
        by_set = self._facets_counted_by_set(searcher)
        for number, (applied, names) in enumerate(facet_groups(filters).items()):
            scope = _all_of([base, *(self._facet_filter(f, filters[f]) for f in applied)])
            if names:
                result = searcher.aggregate(scope, {name: _facet_aggregation(name, size, name in by_set) for name in names})
                counts.update({name: _bucket_counts(result[name]["buckets"], name in by_set) for name in names})
            if shared:
                surplus += self._cluster_corrections(searcher, scope, names, counts, total=not number)
        spellings = self._keyword_spellings(searcher)
        facets = {
            name: [FacetValue(v, n, spellings.get(v) if name == "keyword" else None) for v, n in sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))[:size]]
            for name in FACETS
        }
        return facets, surplus

    def _cluster_corrections(self, searcher, scope: Query, names: list[str], counts: dict, *, total: bool) -> int:
        """Take off the counts each cluster's members beyond the first; returns that surplus in all when ``total``."""
        in_clusters = _all_of([scope, Query.term_query(self.schema, "shared", 1)])
        aggs = {name: {**facet_terms(name, _ALL_CLUSTERS), "aggs": {"c": _CLUSTERS}} for name in names}
        result = searcher.aggregate(in_clusters, {**aggs, **({"_clusters": _CLUSTERS} if total else {})})
        for name in names:
            for b in result[name]["buckets"]:
                if b["key"] in counts[name]:
                    counts[name][b["key"]] -= b["doc_count"] - len(b["c"]["buckets"])
        buckets = result["_clusters"]["buckets"] if total else []
        return sum(b["doc_count"] for b in buckets) - len(buckets)

    def _facets_counted_by_set(self, searcher) -> frozenset[str]:
        """The multi-valued facets whose records hold at most :data:`_MAX_VALUE_SETS` distinct sets of values
        in the whole catalogue (so in any search), found once per commit."""
        if self._by_set is None:
            aggregations = {facet: {"terms": {"field": f"set_{facet}", "size": _MAX_VALUE_SETS + 1}} for facet in _MULTI_VALUED}
            result = searcher.aggregate(Query.all_query(), aggregations)
            self._by_set = frozenset(f for f in _MULTI_VALUED if len(result[f]["buckets"]) <= _MAX_VALUE_SETS)
        return self._by_set

    def _forget_counts(self) -> None:
        """A commit happened: counts and spellings computed before it are stale."""
        self._spellings = None
        self._by_set = None
        self._whole_catalogue = {}

    def _keyword_spellings(self, searcher) -> dict[str, str]:
        """Folded keyword → its most common spelling in the catalogue, read off the term dictionary once per commit."""
        spellings = self._spellings
        if spellings is None:
            spellings = {}
            for term, _ in searcher.terms_with_prefix("keyword_spelling", ""):  # most frequent first
                spellings.setdefault(fold(term), term)
            self._spellings = spellings
        return spellings

    def _facet_filter(self, facet: str, values: Iterable[str]) -> Query:
        """A facet filter as a query: any of the values."""
        return Query.term_set_query(self.schema, f"facet_{facet}", _indexed_values(facet, values))

    def _base_query(self, searcher, parsed: ParsedQuery, query: SearchQuery) -> Query:
        """The text (each group of alternatives required, excluded terms out), dates, box and quality."""
        musts = [self._group_query(searcher, group) for group in parsed.groups]
        musts += self._range_queries(query)
        excluded = [self._term_query(searcher, term, typos=False) for term in parsed.excluded]
        if not musts:
            musts = [Query.all_query()]
        return Query.boolean_query([(Occur.Must, q) for q in musts] + [(Occur.MustNot, q) for q in excluded])

    def _group_query(self, searcher, group: tuple[Term, ...]) -> Query:
        queries = [self._term_query(searcher, term, typos=True) for term in group]
        return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])

    def _term_query(self, searcher, term: Term, *, typos: bool) -> Query:
        """A word or phrase in any weighted field, the best field scoring; a word absent from every
        record tolerates typos (never through proper nouns: they are left out of the ``typo`` field)."""
        per_field = []
        for name, boost in FIELD_BOOSTS.items():
            if len(term.stems) > 1:
                field_query = Query.phrase_query(self.schema, name, list(term.stems))
            else:
                field_query = Query.term_query(self.schema, name, term.stems[0])
            per_field.append(Query.boost_query(field_query, boost))
        if typos and not term.is_phrase and not any(searcher.doc_freq(f, term.stems[0]) for f in FIELD_BOOSTS):
            # a fuzzy match scores a constant: one edit away outranks two
            for edits in range(1, allowed_edits(term.folded) + 1):
                fuzzy = Query.fuzzy_term_query(self.schema, "typo", term.folded, edits, True, False)
                per_field.append(Query.boost_query(fuzzy, 3.0 - edits))
        return Query.disjunction_max_query(per_field, TIE_BREAKER)

    def _range_queries(self, query: SearchQuery) -> list[Query]:
        ranges = []
        if query.modified_since or query.modified_until:
            since = _day_number(query.modified_since) if query.modified_since else None
            until = _day_number(day_after(query.modified_until)) if query.modified_until else None
            ranges.append(Query.range_query(self.schema, "modified_day", tantivy.FieldType.Integer, since, until, True, until is None))
        if query.bbox:
            west, south, east, north = map(float, query.bbox)
            for field, low, high in (("west", None, east), ("east", west, None), ("south", None, north), ("north", south, None)):
                ranges.append(Query.range_query(self.schema, field, tantivy.FieldType.Float, low, high))
        if query.quality_min is not None:
            ranges.append(Query.range_query(self.schema, "quality", tantivy.FieldType.Integer, query.quality_min, None))
        return ranges

    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """See :meth:`SearchIndex.suggest`: records whose words start with every typed word, then the shared ranking."""
        words = re.findall(r"\w+", fold(prefix))
        if not words:
            return []
        searcher = self._searcher()
        query = _all_of([Query.term_query(self.schema, "prefixes", word[:_PREFIX_CHARS]) for word in words])
        hits = searcher.search(query, _SUGGEST_CANDIDATES, count=False, order_by_field="best_first", order=tantivy.Order.Asc).hits
        sources = []
        for _, address in hits:
            doc = searcher.doc(address)
            sources.append((doc.get_first("shown_title") or "", doc.get_all("shown_keywords"), doc.get_first("shown_publisher") or ""))
        return rank_suggestions(sources, prefix, limit)

    def warm_up(self) -> None:
        """Open a searcher now (the first search would otherwise map the files)."""
        self._searcher().search(Query.all_query(), 1)


_CLUSTERS = {"terms": {"field": "cluster", "size": _ALL_CLUSTERS}}


def _indexed_values(facet: str, values: Iterable[str]) -> list[str]:
    """Filter values as the index holds them (keywords folded)."""
    return [fold(v) for v in values] if facet == "keyword" else list(values)


def _all_of(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Must, q) for q in queries])


def _hit(stored: StoredRecord, score: float) -> Hit:
    return Hit(stored.record, score=score, missing_since=stored.missing_since, cluster_id=stored.cluster_id, plain=stored.plain)


def _cluster_number(cluster_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(cluster_id.encode(), digest_size=8).digest(), "big")


def _documents(rows: list[tuple]) -> list[dict]:
    """The index fields of stored rows (rowid, record id, cluster id, cluster size, record JSON)."""
    return [_fields(rowid, cluster_id, members, Record.from_json(data)) for rowid, _, cluster_id, members, data in rows]


def _facet_aggregation(facet: str, size: int, by_set: bool) -> dict:
    """Count a facet's values, or the sets of values of its records (every set: they are few)."""
    if by_set:
        return {"terms": {"field": f"set_{facet}", "size": _MAX_VALUE_SETS}}
    return facet_terms(facet, size + _FACET_SLACK)


def _bucket_counts(buckets: list[dict], by_set: bool) -> dict[str, int]:
    """Value → matched records, from the buckets of :func:`_facet_aggregation`."""
    if not by_set:
        return {b["key"]: b["doc_count"] for b in buckets}
    counts: dict[str, int] = {}
    for bucket in buckets:
        for value in orjson.loads(bucket["key"]):
            counts[value] = counts.get(value, 0) + bucket["doc_count"]
    return counts


def _facet_fields(values: dict[str, tuple[str, ...]]) -> dict:
    """Each facet's values, and the set of values of each multi-valued facet as one value."""
    fields = {f"facet_{facet}": list(found) for facet, found in values.items() if found}
    # a JSON list: no separator a value could contain
    fields.update({f"set_{facet}": orjson.dumps(sorted(values[facet])).decode() for facet in _MULTI_VALUED if values[facet]})
    return fields


def _fields(rowid: int, cluster_id: str, members: int, record: Record) -> dict:
    """What the index holds of one record: analysed text, facet values, ranges and sort keys."""
    publisher = record.publisher.name if record.publisher else ""
    fields = {
        "record_id": record.record_id,
        "rowid": rowid,
        "cluster": _cluster_number(cluster_id),
        "shared": int(members > 1),
        "title": " ".join(analyze(record.title)),
        "keywords": " ".join(analyze(" ".join(record.keywords + tuple(t.label for t in record.themes)))),
        "publisher": " ".join(analyze(publisher)),
        "description": " ".join(analyze(record.description)),
        "typo": " ".join(typo_words(record)),
        "prefixes": list(set(_WORD.findall(fold(" ".join((record.title, *record.keywords, publisher)))))),
        "keyword_spelling": list(record.keywords),
        "shown_title": record.title, "shown_keywords": list(record.keywords), "shown_publisher": publisher,
        **_facet_fields(facet_values(record)),
        **_sort_keys(record),
    }
    if record.modified:
        fields["modified_day"] = _day_number(record.modified)
    if record.quality is not None:
        fields["quality"] = record.quality
    if record.bbox:
        fields.update(zip(("west", "south", "east", "north"), map(float, record.bbox)))
    return fields


def _day_number(day: str) -> int:
    """``2024-05-01…`` → 20240501 (a year alone → 20240000): orders as the ISO text does."""
    digits = re.sub(r"\D", "", day[:10])
    return int((digits + "0000")[:8]) if digits else 0


_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]")
#: each printable character mirrored (' ' ↔ '~')
_MIRROR = str.maketrans({chr(code): chr(0x9E - code) for code in range(0x20, 0x7F)})


def _reverse(key: str) -> str:
    # the terminator puts "abc" after "abcd" once reversed
    return key.translate(_MIRROR) + _LAST


def _sort_keys(record: Record) -> dict[str, str | int]:
    """Sort keys of every order, ascending, missing values last both ways: the title as a text key,
    quality as a text key with the record id breaking ties, dates as integers."""
    title = _NOT_PRINTABLE.sub(" ", fold(record.title)).strip()
    quality = f"{record.quality:03d}" if record.quality is not None else ""
    keys: dict[str, str | int] = {
        "best_first": -record.quality if record.quality is not None else _MISSING,
        "s_title": title or _LAST, "s_title_desc": _reverse(title) if title else _LAST * 2,
        "s_quality": (quality or _LAST) + "\x01" + record.record_id,
        "s_quality_desc": (_reverse(quality) if quality else _LAST * 2) + "\x01" + record.record_id,
    }
    for name in ("modified", "issued"):
        number = _timestamp_number(getattr(record, name))
        keys[_TIED_SORTS[name]] = _MISSING if number is None else number
        keys[_TIED_SORTS["-" + name]] = _MISSING if number is None else -number
    return keys


def _timestamp_number(value: str | None) -> int | None:
    """``2024-05-01T12:30:00…`` → 20240501123000 (a date alone → 20240501000000): orders as the ISO text does."""
    digits = re.sub(r"\D", "", value or "")[:14]
    return int(digits.ljust(14, "0")) if digits else None


class TantivyBackend(SqliteStore, SearchBackend):
    """The embedded default: records, jobs and locks in SQLite (inherited), searches in a tantivy index beside it.

    :param path: the SQLite file (``:memory:`` for tests: the index is then in memory too).
    :param index_directory: where the index lives; ``<path>.index`` by default.
    """

    name: ClassVar[str] = "tantivy"

    def __init__(self, path: str = "fedcat.db", *, index_directory: str | None = None, timeout: float = 30.0) -> None:
        super().__init__(path, timeout=timeout)
        self.index = TantivyIndex(self, None if self.memory else (index_directory or f"{path}.index"))

    @classmethod
    def from_settings(cls, settings) -> TantivyBackend:
        """Build from :class:`service.config.Settings`."""
        return cls(settings.database)

    def replace_portal(self, portal_id: str, records: Iterable[Record], **options) -> WriteStats:
        """See :meth:`RecordStore.replace_portal`: the records in SQLite, then the index in one commit."""
        stats = super().replace_portal(portal_id, records, **options)
        self.index.catch_up()
        return stats

    def delete_portal(self, portal_id: str) -> int:
        """See :meth:`RecordStore.delete_portal`."""
        deleted = super().delete_portal(portal_id)
        self.index.catch_up()
        return deleted

    def search(self, query: SearchQuery) -> SearchPage:
        """See :meth:`SearchIndex.search`."""
        return self.index.search(query)

    def suggest(self, prefix: str, *, limit: int = 8) -> list[Suggestion]:
        """See :meth:`SearchIndex.suggest`."""
        return self.index.suggest(prefix, limit=limit)

    def reindex(self, *, on_progress: Callable[[int, int], None] | None = None) -> str:
        """See :meth:`SearchIndex.reindex`."""
        return self.index.reindex(on_progress=on_progress)

    def warm_up(self) -> None:
        """See :meth:`SearchBackend.warm_up`."""
        self.index.warm_up()
