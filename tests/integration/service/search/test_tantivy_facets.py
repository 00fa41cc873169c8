"""The embedded index counts a multi-valued facet from each record's set of values while the catalogue
holds few such sets (tantivy counts a single-valued column far faster): the counts are the same."""

from __future__ import annotations

import pytest

from bench.search_only import records
from service.search import tantivy_
from service.search.base import SearchQuery
from service.search.french import fold
from service.search.tantivy_ import TantivyBackend
from tests.conftest import NOW
from tests.factories import RecordFactory

QUERIES = [
    SearchQuery(),
    SearchQuery(q="vélo"),
    SearchQuery(q="qualité air", facet_size=50),
    SearchQuery(filters={"format": ("CSV",)}),
    SearchQuery(filters={"format": ("CSV", "JSON")}, facet_size=3),
    SearchQuery(q="budget", filters={"keyword": ("velo",)}),
    SearchQuery(q="stationnement", quality_min=40),
    SearchQuery(q="données -lyon"),
]
#: values a separator-based set would split wrongly
AWKWARD = ('a "quoted", comma', "unit\x1fseparator", '["list"]', "back\\slash")


@pytest.fixture(scope="module")
def catalogue():
    stored = records(400)
    stored += [RecordFactory(portal_id="datagouv", guid=f"odd{n}", keywords=AWKWARD[n:] + ("velo",)) for n in range(3)]
    return stored


def counted(tmp_path, catalogue, name: str) -> tuple[TantivyBackend, list]:
    backend = TantivyBackend(str(tmp_path / f"{name}.db"))
    backend.replace_portal("datagouv", catalogue, now=NOW)
    return backend, [(page.total, page.facets) for page in map(backend.search, QUERIES)]


def test_counting_each_records_set_of_values_gives_the_same_facets(tmp_path, catalogue, monkeypatch):
    by_set, expected_by_set = counted(tmp_path, catalogue, "sets")
    assert by_set.index._facets_counted_by_set(by_set.index._searcher()) == frozenset(tantivy_._MULTI_VALUED)
    monkeypatch.setattr(tantivy_, "_MAX_VALUE_SETS", 0)  # every catalogue has too many sets: values counted one by one
    by_value, expected_by_value = counted(tmp_path, catalogue, "values")
    assert by_value.index._facets_counted_by_set(by_value.index._searcher()) == frozenset()
    assert expected_by_set == expected_by_value


def test_values_holding_quotes_separators_or_brackets_are_counted_whole(tmp_path, catalogue):
    backend, _ = counted(tmp_path, catalogue, "awkward")
    keywords = {v.value: v.count for v in backend.search(SearchQuery(facet_size=500)).facets["keyword"]}
    assert [keywords.get(fold(value)) for value in AWKWARD] == [1, 2, 3, 3]
