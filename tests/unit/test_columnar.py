"""The columnar search index's parts on hand-made arrays: clusters and facet columns."""

from __future__ import annotations

import numpy as np
import pytest

from service.search.base import FacetValue
from service.search.columnar import Clusters, FacetPairs


def mask(size: int, *positions: int) -> np.ndarray:
    selected = np.zeros(size, dtype=bool)
    selected[list(positions)] = True
    return selected


# records 0 and 2 are one dataset on two portals; 1 and 3 are alone
CLUSTERS = Clusters.from_keys(["a", "b", "a", "c"])


def test_clusters_number_keys_and_know_which_are_shared():
    assert CLUSTERS.codes.tolist() == [0, 1, 0, 2]
    assert CLUSTERS.shared.tolist() == [True, False, True, False]


@pytest.mark.parametrize("positions,expected", [((0, 1, 2, 3), 3), ((0, 2), 1), ((2, 3), 2), ((), 0)])
def test_a_cluster_counts_once(positions, expected):
    assert CLUSTERS.count(mask(4, *positions)) == expected


def test_a_page_keeps_the_first_member_of_each_cluster_in_the_given_order():
    assert CLUSTERS.first_of_each(np.array([2, 3, 0, 1])).tolist() == [2, 3, 1]
    assert CLUSTERS.first_of_each(np.array([1, 0, 2])).tolist() == [1, 0]


def test_singletons_count_records():
    alone = Clusters.singletons(3)
    assert alone.count(mask(3, 0, 2)) == 2
    assert alone.first_of_each(np.array([2, 1, 0])).tolist() == [2, 1, 0]


def pairs() -> FacetPairs:
    # CSV on both copies of cluster a and on 1 (given twice); JSON on one copy of a and on 3
    groups = {("format", "CSV"): np.array([0, 2, 1, 1]), ("format", "JSON"): np.array([2, 3]), ("portal", "lyon"): np.array([3])}
    return FacetPairs.build(groups, CLUSTERS)


def counted(facets: FacetPairs, counts: np.ndarray, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in facets.top(facet, counts, 10)}


def test_facet_values_are_counted_by_distinct_cluster():
    facets = pairs()
    everything = facets.counts(mask(4, 0, 1, 2, 3))
    assert counted(facets, everything, "format") == {"CSV": 2, "JSON": 2}
    assert counted(facets, everything, "portal") == {"lyon": 1}
    assert counted(facets, facets.counts(mask(4, 0, 3)), "format") == {"CSV": 1, "JSON": 1}


def test_a_filter_accepts_any_of_its_values_and_ignores_unknown_ones():
    facets = pairs()
    assert facets.rows_with_any("format", ["JSON"], 4).tolist() == [False, False, True, True]
    assert facets.rows_with_any("format", ["JSON", "CSV", "XML"], 4).all()
    assert not facets.rows_with_any("format", ["XML"], 4).any()
    assert not facets.rows_with_any("portal", ["CSV"], 4).any(), "a value of another facet is not this one's"
    assert not facets.rows_with_any("theme", ["CSV"], 4).any()


def test_top_values_sort_by_count_then_value_and_cut_ties_by_value():
    groups = {("f", "b"): np.array([0]), ("f", "a"): np.array([1]), ("f", "c"): np.array([2]), ("f", "d"): np.array([3, 4])}
    facets = FacetPairs.build(groups, Clusters.singletons(5))
    counts = facets.counts(np.ones(5, dtype=bool))
    assert facets.top("f", counts, 10) == [FacetValue("d", 2), FacetValue("a", 1), FacetValue("b", 1), FacetValue("c", 1)]
    assert facets.top("f", counts, 2) == [FacetValue("d", 2), FacetValue("a", 1)]
    assert facets.top("f", np.zeros(4, dtype=np.int64), 10) == []


def test_a_facet_without_values_counts_nothing():
    facets = FacetPairs.build({}, CLUSTERS)
    assert facets.top("format", facets.counts(np.ones(4, dtype=bool)), 5) == []
    assert not facets.rows_with_any("format", ["CSV"], 4).any()


def test_counting_a_few_records_equals_counting_through_the_mask():
    rng = np.random.default_rng(8)
    clusters = Clusters.from_keys([f"c{k}" for k in rng.integers(0, 300, 400)])  # many shared clusters
    groups = {(f"f{v % 3}", f"v{v}"): rng.integers(0, 400, 150) for v in range(12)}
    facets = FacetPairs.build(groups, clusters)
    for _ in range(20):
        selected = rng.random(400) < rng.random()
        expected = facets.counts(selected)
        assert facets.counts_of(np.flatnonzero(selected), clusters).tolist() == expected.tolist()
