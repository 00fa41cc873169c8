"""The fast DCAT export stays well ahead of the graph-built one: a gross regression fails, noise does not.

Both paths render the same pages of a small benchmark catalogue in one run, alternating
(``bench.export.measure_export_ratios``): cold Turtle pages of 100 and every N-Triples
page, records read from the store each time. Measured at a few thousand datasets the
fast path is about 4× faster per Turtle page and 2.5–3× over the whole N-Triples walk
(the graph path shares the faster record reading and vocabulary look-ups); the test
fails only when either falls to 1.5×.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bench.export import measure_export_ratios
from bench.search_only import records

SIZE = 800


@pytest.fixture(scope="module")
def ratios(tmp_path_factory):
    from service.search.tantivy_ import TantivyBackend

    database = tmp_path_factory.mktemp("export-bench") / "bench.db"
    backend = TantivyBackend(str(database))
    backend.replace_portal("datagouv", records(SIZE), now=datetime.now(timezone.utc))
    backend.close()
    return measure_export_ratios(database, pages=9)


def test_every_dataset_is_exported_on_both_paths(ratios):
    assert ratios.datasets == SIZE


def test_a_cold_turtle_page_is_not_grossly_slower_than_before(ratios):
    assert ratios.page_speedup >= 1.5, f"fast {ratios.page_ms_fast:.1f} ms vs graph-built {ratios.page_ms_graph:.1f} ms"


def test_the_full_ntriples_export_is_not_grossly_slower_than_before(ratios):
    assert ratios.full_speedup >= 1.5, (
        f"fast {ratios.full_datasets_per_second_fast:.0f} vs graph-built {ratios.full_datasets_per_second_graph:.0f} datasets/s"
    )
