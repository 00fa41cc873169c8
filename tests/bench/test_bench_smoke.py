"""The benchmark suite in miniature: it runs end to end, and fails only on gross regressions.

Ratios measured in one run, never absolute times (CI machines are noisy): the real harvest,
which also normalises, de-duplicates and indexes, must stay in the same league as bare rdflib
parsing and mapping of the same pages (both timed end to end, process start included, on a
catalogue of a few thousand datasets so that fixed costs do not hide the per-dataset ones), and
harvesting the same catalogue again must write only what changed.
"""

from __future__ import annotations

import pytest

from bench.__main__ import main

SIZE = 2000
PAGES = SIZE // 100


@pytest.fixture(scope="module")
def figures(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("FEDCAT_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
    return main(["--size", str(SIZE), "--quick", "--output", str(tmp_path_factory.mktemp("report") / "benchmarks.md")])


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_every_dataset_is_harvested(figures):
    assert figures["harvest_embedded"]["records"] == SIZE
    assert figures["harvest_naive"]["records"] == SIZE


def test_the_harvest_is_not_grossly_slower_than_bare_parsing(figures):
    ratio = figures["harvest_embedded"]["per_second"] / figures["harvest_naive"]["per_second"]
    assert ratio >= 0.6, f"fedcat harvest at {ratio:.2f}× the naive baseline"


def test_a_median_search_costs_less_than_harvesting_ten_datasets(figures):
    # both measured in this run on the same machine, so the comparison survives a noisy CI
    harvest_ms_per_dataset = 1000 / figures["harvest_embedded"]["per_second"]
    assert figures["search_embedded"]["repeated"]["p50_ms"] <= 10 * harvest_ms_per_dataset


def test_exporting_a_dataset_costs_no_more_than_harvesting_it(figures):
    export_ms_per_dataset = figures["export"]["page_ms_p50"] / 100
    harvest_ms_per_dataset = 1000 / figures["harvest_embedded"]["per_second"]
    assert export_ms_per_dataset <= 3 * harvest_ms_per_dataset


def test_a_first_time_search_costs_less_than_harvesting_fifty_datasets(figures):
    # each query distinct and asked once: the match, the counts and the records are all computed for it
    harvest_ms_per_dataset = 1000 / figures["harvest_embedded"]["per_second"]
    assert figures["search_embedded"]["first"]["p50_ms"] <= 50 * harvest_ms_per_dataset


def test_a_suggestion_and_a_reindex_are_measured(figures):
    assert figures["search_embedded"]["suggest"]["n"] == 200
    harvest_seconds = figures["harvest_embedded"]["seconds"]
    assert figures["search_embedded"]["reindex_seconds"] <= harvest_seconds


def test_an_unchanged_reharvest_reads_no_page_again_and_writes_nothing(figures):
    again = figures["reharvest_unchanged"]
    assert again["records"] == SIZE and again["pages_unchanged"] == again["pages"]
    assert (again["written"], again["index_documents"]) == (0, 0)


def test_an_unchanged_reharvest_costs_a_fraction_of_the_first_harvest(figures):
    # in-process times of two runs of the same code on the same machine: only their ratio is checked
    ratio = figures["reharvest_unchanged"]["in_process_seconds"] / figures["harvest_embedded"]["in_process_seconds"]
    assert ratio <= 0.5, f"an unchanged re-harvest took {ratio:.2f}× the first harvest"


def test_a_reharvest_rewrites_only_the_changed_datasets(figures):
    changed = figures["reharvest_changed"]
    assert changed["pages"] - changed["pages_unchanged"] == changed["changed_datasets"] == PAGES
    assert changed["written"] == changed["changed_datasets"]
    # a changed title can move a record in or out of a duplicate cluster: its mates are re-indexed too
    assert changed["changed_datasets"] <= changed["index_documents"] <= 3 * changed["changed_datasets"]
