"""An in-memory, column-oriented copy of what searches filter, sort, collapse and count on.

SQLite answers a facet count by grouping every (record, value) row of the matching
records; at 80,000 records a query matching most of the catalogue groups hundreds of
thousands of rows, six times. Here each record is a position (0 … n-1, in record id
order) and each (record, facet value) pair two integers, so a filter is a boolean mask,
the facet counts one ``numpy.bincount`` and a sort a precomputed permutation.

The index mirrors one committed state of the ``records`` and ``record_facets`` tables
(one data generation) and is never modified: a write builds a new one.

Duplicate clusters follow :mod:`service.search.base`: totals and facet counts count
distinct clusters, and a page keeps the best member of each cluster. Most records are
alone in their cluster, so they are counted with a plain bincount and only the members
of shared clusters need a distinct count.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from service.search.base import FacetValue, SearchQuery, day_after

__all__ = ["Clusters", "ColumnarIndex", "FacetPairs", "TextMatch"]

#: a scope holding (or leaving out) under 1/FEW of the records is counted through those records'
#: own values rather than over every pair
FEW = 4


@dataclass(frozen=True)
class TextMatch:
    """The records a full-text query matched: positions (ascending) and their bm25 scores (lower is better)."""

    positions: np.ndarray
    scores: np.ndarray

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (for a cache's budget)."""
        return self.positions.nbytes + self.scores.nbytes


@dataclass(frozen=True)
class Clusters:
    """Each record's duplicate cluster as an integer, and whether it shares that cluster with another record."""

    codes: np.ndarray
    shared: np.ndarray

    @classmethod
    def from_keys(cls, keys: Sequence[str]) -> Clusters:
        """Number the distinct cluster keys; ``keys[i]`` is record ``i``'s cluster."""
        numbering: dict[str, int] = {}
        codes = (numbering.setdefault(key, len(numbering)) for key in keys)
        return cls.from_codes(np.fromiter(codes, dtype=np.int32, count=len(keys)))

    @classmethod
    def from_codes(cls, codes: np.ndarray) -> Clusters:
        """From each record's cluster number (numbers from 0)."""
        return cls(codes=codes, shared=np.bincount(codes)[codes] > 1 if len(codes) else np.zeros(0, dtype=bool))

    @classmethod
    def singletons(cls, size: int) -> Clusters:
        """Every record alone: counts are record counts and nothing collapses."""
        return cls(codes=np.arange(size, dtype=np.int32), shared=np.zeros(size, dtype=bool))

    def count(self, mask: np.ndarray) -> int:
        """How many distinct clusters the masked records belong to."""
        alone = int(np.count_nonzero(mask & ~self.shared))
        return alone + len(np.unique(self.codes[mask & self.shared]))

    def first_of_each(self, ordered: np.ndarray) -> np.ndarray:
        """``ordered`` (positions, best first) keeping only the first member of each cluster."""
        shared = self.shared[ordered]
        if not shared.any():
            return ordered
        keep = ~shared
        shared_at = np.flatnonzero(shared)
        _, first = np.unique(self.codes[ordered[shared_at]], return_index=True)
        keep[shared_at[first]] = True
        return ordered[keep]


@dataclass(frozen=True)
class FacetPairs:
    """Every facet's (record, value) pairs, each value numbered in one id space: sorted by facet,
    then value, so a facet's values are one range of ids and a value id orders like its text.

    Pairs are kept three ways: grouped by value (``rows_by_value`` between ``value_starts``) for
    filters; grouped by record (``values_by_row`` between ``row_starts``) to count a few records;
    split by whether the record shares its cluster, to count many.
    """

    values: tuple[tuple[str, str], ...]
    value_ids: Mapping[tuple[str, str], int]
    facet_ranges: Mapping[str, tuple[int, int]]
    rows_by_value: np.ndarray
    value_starts: np.ndarray
    values_by_row: np.ndarray
    row_starts: np.ndarray
    alone_rows: np.ndarray
    alone_values: np.ndarray
    shared_rows: np.ndarray
    shared_values: np.ndarray
    shared_clusters: np.ndarray

    @classmethod
    def build(cls, groups: Mapping[tuple[str, str], np.ndarray], clusters: Clusters) -> FacetPairs:
        """From (facet, value) → positions of the records carrying it; a position given twice counts once."""
        values = tuple(sorted(groups))
        lengths = [len(groups[value]) for value in values]
        ids = np.repeat(np.arange(len(values), dtype=np.int64), lengths)
        positions = np.concatenate([groups[value] for value in values]).astype(np.int64) if values else ids
        # one sorted, de-duplicated key per pair: by value, then record
        keys = np.sort(ids << 32 | positions)
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
        rows = (keys & 0xFFFFFFFF).astype(np.int32)
        value_of_pair = (keys >> 32).astype(np.int32)
        shared = clusters.shared[rows]
        return cls(
            values=values,
            value_ids={value: i for i, value in enumerate(values)},
            facet_ranges=_ranges([facet for facet, _ in values]),
            rows_by_value=rows,
            value_starts=_starts(value_of_pair, len(values)),
            values_by_row=value_of_pair[np.argsort(rows, kind="stable")],
            row_starts=_starts(rows, len(clusters.codes)),
            alone_rows=rows[~shared],
            alone_values=value_of_pair[~shared],
            shared_rows=rows[shared],
            shared_values=value_of_pair[shared],
            shared_clusters=clusters.codes[rows[shared]],
        )

    @property
    def arrays(self) -> list[np.ndarray]:
        """Every array held."""
        return [self.rows_by_value, self.value_starts, self.values_by_row, self.row_starts, self.alone_rows,
                self.alone_values, self.shared_rows, self.shared_values, self.shared_clusters]

    def rows_with_any(self, facet: str, wanted: Iterable[str], size: int) -> np.ndarray:
        """A mask of the records carrying at least one of the facet's ``wanted`` values."""
        mask = np.zeros(size, dtype=bool)
        for value in wanted:
            value_id = self.value_ids.get((facet, value))
            if value_id is not None:
                mask[self.rows_by_value[self.value_starts[value_id] : self.value_starts[value_id + 1]]] = True
        return mask

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Distinct clusters per value id among the masked records, walking every pair."""
        return np.bincount(self.alone_values[mask[self.alone_rows]], minlength=len(self.values)) + self.shared_counts(mask)

    def shared_counts(self, mask: np.ndarray) -> np.ndarray:
        """Distinct clusters per value id among the masked records that share their cluster."""
        selected = mask[self.shared_rows]
        if not selected.any():
            return np.zeros(len(self.values), dtype=np.int64)
        return self._distinct_clusters(self.shared_values[selected], self.shared_clusters[selected])

    def counts_of(self, positions: np.ndarray, clusters: Clusters) -> np.ndarray:
        """Distinct clusters per value id among the records at ``positions``, walking their pairs only."""
        starts = self.row_starts[positions]
        lengths = self.row_starts[positions + 1] - starts
        first_slot = np.cumsum(lengths) - lengths
        values = self.values_by_row[np.repeat(starts - first_slot, lengths) + np.arange(int(lengths.sum()))]
        shared = np.repeat(clusters.shared[positions], lengths)
        counts = np.bincount(values[~shared], minlength=len(self.values))
        if shared.any():
            counts += self._distinct_clusters(values[shared], np.repeat(clusters.codes[positions], lengths)[shared])
        return counts

    def _distinct_clusters(self, values: np.ndarray, clusters: np.ndarray) -> np.ndarray:
        pairs = np.unique(values.astype(np.int64) << 32 | clusters.astype(np.int64))
        return np.bincount(pairs >> 32, minlength=len(self.values))

    def top(self, facet: str, counts: np.ndarray, size: int) -> list[FacetValue]:
        """The facet's ``size`` most frequent values, by count then value; values counted 0 are left out."""
        first, end = self.facet_ranges.get(facet, (0, 0))
        present = first + np.flatnonzero(counts[first:end])
        if len(present) > size:
            # only values at least as frequent as the size-th can make the cut
            threshold = np.partition(counts[present], len(present) - size)[len(present) - size]
            present = present[counts[present] >= threshold]
        order = np.lexsort((present, -counts[present]))[:size]
        return [FacetValue(self.values[i][1], int(counts[i])) for i in present[order]]


class ColumnarIndex:
    """One data generation of the catalogue as columns; see the module docstring.

    :param rowids: each position's SQLite rowid (positions follow record id order).
    :param clusters: each position's cluster.
    :param facets: every facet's (record, value) pairs.
    :param orders: sort key (``title``, ``-modified``, …) → every position in that order.
    :param modified: the distinct ``modified`` values, sorted, and each position's index
        among them (-1 when it has none).
    :param numbers: ``quality``, ``west``, ``south``, ``east``, ``north`` per position (NaN when absent).
    """

    def __init__(
        self,
        rowids: np.ndarray,
        clusters: Clusters,
        facets: FacetPairs,
        orders: Mapping[str, np.ndarray],
        modified: tuple[list[str], np.ndarray],
        numbers: Mapping[str, np.ndarray],
    ) -> None:
        self.rowids = rowids
        self.size = len(rowids)
        self.clusters = clusters
        self.facets = facets
        self.orders = orders
        self._modified_values, self._modified_rank = modified
        self._numbers = numbers
        self._position_of = _position_lookup(rowids)
        everything = np.ones(self.size, dtype=bool)
        self._all_counts = facets.counts(everything)
        self._all_alone_counts = self._all_counts - facets.shared_counts(everything)
        self._all_clusters = clusters.count(everything)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (the facet value strings aside)."""
        arrays = [self.rowids, self._position_of, self._modified_rank, self.clusters.codes, self.clusters.shared]
        arrays += list(self.orders.values()) + list(self._numbers.values()) + self.facets.arrays
        arrays += [self._all_counts, self._all_alone_counts]
        return sum(a.nbytes for a in arrays)

    def text_match(self, rowids: Sequence[int], scores: Sequence[float]) -> TextMatch:
        """Full-text results given by rowid, as positions; rows this generation does not hold are dropped."""
        rowids_array = np.asarray(rowids, dtype=np.int64)
        known = rowids_array < len(self._position_of)
        positions = np.full(len(rowids_array), -1, dtype=np.int32)
        positions[known] = self._position_of[rowids_array[known]]
        keep = positions >= 0
        order = np.argsort(positions[keep], kind="stable")
        return TextMatch(positions[keep][order], np.asarray(scores, dtype=np.float64)[keep][order])

    # -- masks -----------------------------------------------------------------------

    def base_mask(self, query: SearchQuery, text: TextMatch | None) -> np.ndarray | None:
        """The records matching the text, the dates, the box and the minimum quality; None when nothing constrains."""
        mask = None
        if text is not None:
            mask = np.zeros(self.size, dtype=bool)
            mask[text.positions] = True
        for constraint in self._range_masks(query):
            mask = constraint if mask is None else mask & constraint
        return mask

    def _range_masks(self, query: SearchQuery) -> Iterable[np.ndarray]:
        # NaN and the rank -1 fail every comparison, as NULL does in SQL
        rank = self._modified_rank
        if query.modified_since:
            yield rank >= bisect_left(self._modified_values, query.modified_since)
        if query.modified_until:
            yield (rank >= 0) & (rank < bisect_left(self._modified_values, day_after(query.modified_until)))
        if query.bbox:
            west, south, east, north = query.bbox
            n = self._numbers
            yield (n["east"] >= west) & (n["west"] <= east) & (n["north"] >= south) & (n["south"] <= north)
        if query.quality_min is not None:
            yield self._numbers["quality"] >= query.quality_min

    def filter_masks(self, filters: Mapping[str, Sequence[str]]) -> dict[str, np.ndarray]:
        """Facet → the records carrying one of its accepted values."""
        return {facet: self.facets.rows_with_any(facet, values, self.size) for facet, values in filters.items()}

    # -- answers ---------------------------------------------------------------------

    def total(self, mask: np.ndarray | None) -> int:
        """Distinct clusters among the masked records (all of them for None)."""
        return self._all_clusters if mask is None else self.clusters.count(mask)

    def page(self, mask: np.ndarray | None, sort: str, text: TextMatch | None, offset: int, limit: int) -> list[tuple[int, float]]:
        """(rowid, score) of one page: the masked records in the query's order, one per cluster.

        Relevance orders by bm25 then record id with a text query, newest first without one. The
        score is the bm25 one whenever there is a text query, whatever the order; 0 without one.
        """
        if sort == "relevance" and text is not None:
            ordered = self._by_score(mask, text, offset + limit)
        else:
            permutation = self.orders["-modified" if sort == "relevance" else sort]
            ordered = permutation if mask is None else permutation[mask[permutation]]
        collapsed = self.clusters.first_of_each(ordered)[offset : offset + limit]
        rowids = self.rowids[collapsed].tolist()
        if text is None:
            return [(rowid, 0.0) for rowid in rowids]
        # every position on the page is one of the text match's, which are sorted
        scores = text.scores[np.searchsorted(text.positions, collapsed)]
        return list(zip(rowids, scores.tolist()))

    def _by_score(self, mask: np.ndarray | None, text: TextMatch, needed: int) -> np.ndarray:
        """The matched positions, best score first, at least the ``needed`` first clusters' worth."""
        positions, scores = text.positions, text.scores
        if mask is not None:
            kept = mask[positions]
            positions, scores = positions[kept], scores[kept]
        # collapsing drops at most one position per shared-cluster member, so this many suffice
        needed += int(np.count_nonzero(self.clusters.shared[positions]))
        if needed * FEW < len(positions):
            worst_needed = np.partition(scores, needed - 1)[needed - 1]
            best = scores <= worst_needed  # every tie of the last one needed: ties go by record id
            positions, scores = positions[best], scores[best]
        # positions ascend in record id order, so a stable sort on the score breaks ties by record id
        return positions[np.argsort(scores, kind="stable")]

    def facet_counts(self, scopes: Mapping[str, np.ndarray | None], size: int) -> dict[str, list[FacetValue]]:
        """Each facet's ``size`` top values among the records of its scope (a mask; None for the whole catalogue).

        Facets mostly share one scope, counted once for all of them; a scope of few records is
        counted through their own values instead of every pair.
        """
        counted: dict[int, np.ndarray] = {}
        for mask in scopes.values():
            if mask is not None and id(mask) not in counted:
                counted[id(mask)] = self._counts(mask)
        return {
            facet: self.facets.top(facet, self._all_counts if mask is None else counted[id(mask)], size)
            for facet, mask in scopes.items()
        }

    def _counts(self, mask: np.ndarray) -> np.ndarray:
        positions = np.flatnonzero(mask)
        if len(positions) * FEW < self.size:
            return self.facets.counts_of(positions, self.clusters)
        if len(positions) == self.size:
            return self._all_counts
        left_out = np.flatnonzero(~mask & ~self.clusters.shared)
        if len(left_out) * FEW < self.size:
            # most records are in: take the few left out (alone in their clusters) off the whole catalogue's counts
            alone = self._all_alone_counts - self.facets.counts_of(left_out, self.clusters)
            return alone + self.facets.shared_counts(mask)
        return self.facets.counts(mask)

    # -- building --------------------------------------------------------------------

    @classmethod
    def load(cls, conn: sqlite3.Connection, *, clustered: bool) -> ColumnarIndex:
        """Read the committed ``records`` and ``record_facets`` tables (call inside one read transaction).

        :param clustered: False when no clusters were computed: every record then counts alone.
        """
        rowids = _rowids(conn, "SELECT rowid FROM records ORDER BY record_id")
        position_of = _position_lookup(rowids)
        scan = _RecordScan.read(conn, position_of, len(rowids))
        clusters = Clusters.from_codes(scan.ids["cluster"]) if clustered else Clusters.singletons(len(rowids))
        modified = scan.ranked("modified")
        ranks = {"title": scan.ranked("title_sort")[1], "modified": modified[1], "issued": scan.ranked("issued")[1]}
        ranks["quality"] = _numeric_ranks(scan.numbers["quality"])
        return cls(
            rowids=rowids,
            clusters=clusters,
            facets=_load_facets(conn, position_of, clusters),
            orders=_orders(ranks),
            modified=modified,
            numbers=scan.numbers,
        )


class _RecordScan:
    """One pass over the records table, in chunks: text columns numbered as they come (only the distinct
    values are kept), numbers straight into arrays; every array in position order."""

    TEXT = ("cluster", "title_sort", "modified", "issued")
    NUMBERS = ("quality", "west", "south", "east", "north")
    SELECT = (
        "SELECT rowid, coalesce(cluster_id, record_id), title_sort, modified, issued, quality, west, south, east, north"
        " FROM records"  # in table order: reading it in record id order would seek all over the file
    )

    def __init__(self, size: int) -> None:
        self.numbering: dict[str, dict] = {name: {} for name in self.TEXT}
        self.ids = {name: np.empty(size, dtype=np.int32) for name in self.TEXT}
        self.numbers = {name: np.empty(size, dtype=np.float64) for name in self.NUMBERS}

    @classmethod
    def read(cls, conn: sqlite3.Connection, position_of: np.ndarray, size: int) -> _RecordScan:
        """Scan the records table."""
        scan = cls(size)
        cursor = conn.execute(cls.SELECT)
        while chunk := cursor.fetchmany(5000):
            scan._add(chunk, position_of[[row[0] for row in chunk]])
        return scan

    def _add(self, chunk: list[tuple], positions: np.ndarray) -> None:
        for column, name in enumerate(self.TEXT, start=1):
            ids = self.numbering[name]
            self.ids[name][positions] = [-1 if row[column] is None else ids.setdefault(row[column], len(ids)) for row in chunk]
        for column, name in enumerate(self.NUMBERS, start=len(self.TEXT) + 1):
            self.numbers[name][positions] = [np.nan if row[column] is None else row[column] for row in chunk]

    def ranked(self, name: str) -> tuple[list, np.ndarray]:
        """A text column's distinct values, sorted as SQLite sorts them (by code point), and each
        position's index among them (-1 for NULL)."""
        ids = self.numbering[name]
        distinct = sorted(ids)
        rank_of = np.full(len(ids) + 1, -1, dtype=np.int32)  # the last slot answers the NULL id, -1
        rank_of[[ids[value] for value in distinct]] = np.arange(len(distinct), dtype=np.int32)
        return distinct, rank_of[self.ids[name]]


def _numeric_ranks(values: np.ndarray) -> np.ndarray:
    """Each value's index among the distinct values, sorted (-1 for NaN)."""
    present = ~np.isnan(values)
    ranks = np.full(len(values), -1, dtype=np.int32)
    ranks[present] = np.searchsorted(np.unique(values[present]), values[present])
    return ranks


def _orders(ranks: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sort key → every position in that order, as SQL's ``ORDER BY column IS NULL, column [DESC], record_id``
    (``title`` ascending, ``-title`` descending, …).

    Positions follow record id order, so a stable sort breaks ties by record id; ranks are -1 for NULL.
    """
    orders = {}
    for key, rank in ranks.items():
        last = np.where(rank < 0, len(rank) + 1, 0)  # NULLs after every value, both ways
        orders[key] = np.argsort(last + np.maximum(rank, 0), kind="stable").astype(np.int32)
        orders[f"-{key}"] = np.argsort(last * 2 + len(rank) - rank, kind="stable").astype(np.int32)
    return orders


def _starts(groups: np.ndarray, count: int) -> np.ndarray:
    """Where each of ``count`` groups starts in an array sorted by group (one more: the end)."""
    return np.concatenate(([0], np.cumsum(np.bincount(groups, minlength=count)))).astype(np.int64)


def _rowids(conn: sqlite3.Connection, select: str) -> np.ndarray:
    """The rowids a one-column SELECT returns, in its order (one string from SQLite: no tuple per row)."""
    (joined,) = conn.execute(f"SELECT group_concat(rowid) FROM ({select})").fetchone()
    return np.array(joined.split(","), dtype=np.int64) if joined else np.zeros(0, dtype=np.int64)


def _position_lookup(rowids: np.ndarray) -> np.ndarray:
    """rowid → position (an array indexed by rowid; -1 where no record is)."""
    lookup = np.full(int(rowids.max(initial=0)) + 1, -1, dtype=np.int32)
    lookup[rowids] = np.arange(len(rowids), dtype=np.int32)
    return lookup


def _load_facets(conn: sqlite3.Connection, position_of: np.ndarray, clusters: Clusters) -> FacetPairs:
    groups: dict[tuple[str, str], np.ndarray] = {}
    rows = conn.execute("SELECT facet, value, group_concat(record_rowid) FROM record_facets GROUP BY facet, value")
    for facet, value, joined in rows:
        rowids = np.array(joined.split(","), dtype=np.int64)
        positions = position_of[rowids[rowids < len(position_of)]]
        groups[(facet, value)] = positions[positions >= 0]
    return FacetPairs.build(groups, clusters)


def _ranges(facets: list[str]) -> dict[str, tuple[int, int]]:
    """Facet → (first, end) of its value ids, given each value id's facet in id order."""
    ranges: dict[str, tuple[int, int]] = {}
    for value_id, facet in enumerate(facets):
        first, _ = ranges.get(facet, (value_id, value_id))
        ranges[facet] = (first, value_id + 1)
    return ranges
