"""The harvesters' half of the pipeline (harvesters/pipeline.py) over in-memory pages: no HTTP, no store."""

from __future__ import annotations

from typing import Iterator

from rdflib import Graph, URIRef

from harvesters.base import Harvester, HarvestReport, KeepRecords, Page
from harvesters.fetch.limits import HarvestLimits, RecordLimits
from harvesters.fetch.page_cache import GraphDigests, PageCache, PageEntry
from harvesters.page_mappers import SerialMapper
from harvesters.pipeline import harvest_records
from mappings.jobs import FailedRecord
from mappings.portals import Portal
from mappings.record import Record

PORTAL = Portal(id="demo", name="Demo", kind="memory", url="https://demo.example")
HEADER = "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"


def dataset(name: str, title: str | None = None) -> str:
    """A dataset in Turtle; without a title it cannot become a record."""
    described = f' ; dct:title "{title}"' if title else ""
    return f"<https://demo.example/ds/{name}> a dcat:Dataset{described} .\n"


def page(key: str, *datasets: str, **fields) -> Page:
    graph = Graph().parse(data=HEADER + "".join(datasets), format="turtle")
    return Page(url=f"https://demo.example/{key}", graph=graph, key=key, entry=PageEntry(), **fields)


class MemoryHarvester(Harvester):
    """Walks pages handed to it."""

    kind = "memory"

    def __init__(self, pages: list[Page], **options) -> None:
        super().__init__(PORTAL, **options)
        self.given = pages

    def pages(self, report: HarvestReport) -> Iterator[Page]:
        yield from self.given


def run(harvester: Harvester) -> tuple[list[Record | KeepRecords], HarvestReport]:
    report = HarvestReport()
    return list(harvest_records(harvester, report, harvested_at="2026-06-01T12:00:00+00:00")), report


def test_records_come_once_in_page_order_and_failures_are_reported():
    first = page("p1", dataset("a", "A"), dataset("b"), failures=[FailedRecord(reason="not XML", source="x")])
    second = page("p2", dataset("a", "A again"), dataset("c", "C"), skipped=2)
    records, report = run(MemoryHarvester([first, second]))
    assert [r.guid for r in records] == ["https://demo.example/ds/a", "https://demo.example/ds/c"]
    assert records[0].title == "A"  # the first page's copy wins
    assert (report.pages, report.records, report.skipped, report.failed_count) == (2, 2, 2, 2)
    assert [f.source for f in report.failed] == ["x", "https://demo.example/ds/b"]


def test_each_page_is_remembered_with_what_it_produced():
    cache = PageCache()
    first = page("p1", dataset("a", "A"), dataset("b"), next="p2")
    run(MemoryHarvester([first], page_cache=cache))
    entry = cache.current["p1"]
    assert entry.record_ids == ("demo:https://demo.example/ds/a",)
    assert entry.next == "p2"
    assert [f.source for f in entry.failed] == ["https://demo.example/ds/b"]


def test_a_page_not_cacheable_is_read_again_next_time():
    cache = PageCache()
    run(MemoryHarvester([page("p1", dataset("a", "A"), cacheable=False)], page_cache=cache))
    assert "p1" not in cache.current


def test_an_unchanged_page_yields_what_it_produced_last_time():
    entry = PageEntry(record_ids=("demo:a", "demo:b"), failed=(FailedRecord(reason="bad", source="c"),), skipped=1)
    unchanged = Page(url="https://demo.example/p1", key="p1", entry=entry, unchanged=True)
    cache = PageCache()
    records, report = run(MemoryHarvester([unchanged], page_cache=cache))
    assert records == [KeepRecords(page_key="p1", record_ids=("demo:a", "demo:b"))]
    assert (report.pages_unchanged, report.records, report.skipped, report.failed_count) == (1, 2, 1, 1)
    assert cache.current["p1"] == entry


def test_records_are_cut_to_the_limits_and_the_report_says_so():
    long_title = "mot " * 50
    limits = HarvestLimits(record=RecordLimits(max_text_chars=40))
    records, report = run(MemoryHarvester([page("p1", dataset("a", long_title))], limits=limits))
    assert len(records[0].title) <= 40
    assert report.warnings == ["1 record(s) had a text cut (FEDCAT_MAX_LITERAL_CHARS): demo:https://demo.example/ds/a"]


def test_the_injected_mapper_is_the_one_used():
    class CountingMapper(SerialMapper):
        opened = 0

        def running(self, harvester, pages, harvested_at):
            CountingMapper.opened += 1
            return super().running(harvester, pages, harvested_at)

    records, _ = run(MemoryHarvester([page("p1", dataset("a", "A"))], mapper=CountingMapper()))
    assert len(records) == 1 and CountingMapper.opened == 1


class CountingHarvester(MemoryHarvester):
    """Notes which datasets it maps."""

    def __init__(self, pages: list[Page], **options) -> None:
        super().__init__(pages, **options)
        self.mapped: list[str] = []

    def _map(self, graph, node, harvested_at):
        self.mapped.append(str(node))
        return super()._map(graph, node, harvested_at)


def described(name: str, title: str, download: str) -> str:
    """A dataset with a distribution, a subject of its own, so that a change there is a change of the dataset."""
    return (
        f'<https://demo.example/ds/{name}> a dcat:Dataset ; dct:title "{title}" ;'
        f" dcat:distribution <https://demo.example/dist/{name}> .\n"
        f"<https://demo.example/dist/{name}> dcat:downloadURL <{download}> .\n"
    )


def test_a_changed_page_maps_only_the_datasets_whose_digest_changed():
    cache = PageCache()
    before = [described("a", "A", "https://x.example/a.csv"), described("b", "B", "https://x.example/b.csv"), dataset("c", "C")]
    first = CountingHarvester([page("p1", *before)], page_cache=cache)
    run(first)
    assert len(first.mapped) == 3 and len(cache.current["p1"].datasets) == 3
    # b's distribution moved and c's title changed; a is as it was
    after = [before[0], described("b", "B", "https://x.example/b-v2.csv"), dataset("c", "C, revised")]
    changed = page("p1", *after)
    changed.known = cache.current["p1"].known_datasets()
    second = CountingHarvester([changed], page_cache=PageCache())
    records, report = run(second)
    assert sorted(second.mapped) == ["https://demo.example/ds/b", "https://demo.example/ds/c"]
    assert [r.guid for r in records[:2]] == ["https://demo.example/ds/b", "https://demo.example/ds/c"]
    assert records[2:] == [KeepRecords(page_key="p1", record_ids=("demo:https://demo.example/ds/a",))]
    assert report.records == 3
    entry = second.page_cache.current["p1"]
    assert len(entry.record_ids) == 3 and len(entry.known_datasets()) == 3


def test_a_dataset_digest_follows_blank_nodes_and_ignores_their_names():
    turtle = (
        HEADER + '<https://demo.example/ds/a> a dcat:Dataset ; dct:title "A" ;'
        ' dct:temporal [ dct:start "{}" ] ; dct:publisher <https://demo.example/org> .\n'
        '<https://demo.example/org> dct:title "{}" .\n'
    )
    node = URIRef("https://demo.example/ds/a")

    def digest(start: str, org: str) -> str:
        return GraphDigests(Graph().parse(data=turtle.format(start, org), format="turtle")).dataset(node)

    assert digest("2019", "Org") == digest("2019", "Org")
    assert digest("2020", "Org") != digest("2019", "Org") != digest("2019", "Other org")
