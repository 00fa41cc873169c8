"""``fedcat status``, ``fedcat export`` (streamed, in every syntax), and harvest/reindex saying what happened."""

from __future__ import annotations

import io
import json

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import DCAT, RDF

from mappings.profiles.base import CatalogInfo, CatalogPage, build_catalog_graph, dataset_ref, new_page_sink
from mappings.profiles.sink import PageSink
from service import export_stream
from service.catalogue import Catalogue
from service.cli import main
from service.config import Settings
from service.rdf_formats import format_for_extension
from tests.conftest import NOW
from tests.factories import RecordFactory
from tests.integration.ops_support import GatedPortal

BASE = "http://fedcat.test"
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}
PORTALS_FILE = """
[[portal]]
id = "paris"
name = "Paris"
kind = "dcat"
url = "{url}"
schedule = "15 2 * * *"

[[portal]]
id = "lyon"
name = "Lyon"
kind = "csw-of-the-future"
url = "https://lyon.example/csw"
"""


@pytest.fixture
def env(tmp_path, monkeypatch):
    """FEDCAT_* variables for a store file and a portals file (paris on a simulator, lyon not harvestable)."""
    site = GatedPortal().start()
    site.open()
    (tmp_path / "portals.toml").write_text(PORTALS_FILE.format(url=site.catalog_url("ttl")))
    monkeypatch.setenv("FEDCAT_PORTALS_FILE", str(tmp_path / "portals.toml"))
    monkeypatch.setenv("FEDCAT_DATABASE", str(tmp_path / "cli.db"))
    monkeypatch.setenv("FEDCAT_BASE_URL", BASE)
    yield tmp_path
    site.stop()


def stored_catalogue() -> Catalogue:
    return Catalogue(Settings.from_env())


def fill(count: int) -> list:
    catalogue = stored_catalogue()
    records = [RecordFactory(portal_id="paris", title=f"Jeu {n:02d}") for n in range(count)]
    catalogue.backend.replace_portal("paris", records, now=NOW)
    catalogue.close()
    return records


# -- harvest, reindex, status --------------------------------------------------------------------


def test_harvest_then_status_shows_counts_last_job_and_next_run(env, capsys):
    assert main(["harvest", "--portal", "paris"]) == 0
    out = capsys.readouterr().out
    assert "paris: done — 12 created" in out
    assert out.splitlines()[-1] == "harvested 1 of 1 portals: 12 created, 0 updated, 0 unchanged"
    assert main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PORTAL", "KIND", "RECORDS", "LAST", "HARVEST", "STATUS", "NEXT", "RUN"]
    paris, lyon = lines[1].split(), lines[2]
    assert paris[:3] == ["paris", "dcat", "12"] and "done" in paris and "02:15" in paris
    assert "no harvester for 'csw-of-the-future'" in lyon and lyon.rstrip().endswith("-")


def test_status_as_json(env, capsys):
    fill(0)
    assert main(["status", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["portal"], r["records"], r["status"]) for r in rows][0] == ("paris", 0, "never harvested")
    assert rows[0]["next_run"].endswith("02:15 CET") or rows[0]["next_run"].endswith("02:15 CEST")


def test_harvest_says_clearly_when_another_run_holds_the_portal(env, capsys):
    catalogue = stored_catalogue()
    catalogue.backend.acquire_lock("harvest:paris", "scheduler-host:7:beef", 60)
    assert main(["harvest", "--portal", "paris"]) == 1
    out = capsys.readouterr().out
    assert "paris: skipped: portal paris is already being harvested" in out and "changed nothing" in out
    assert out.splitlines()[-1] == "harvested 0 of 1 portals: 0 created, 0 updated, 0 unchanged; not harvested: paris"
    assert catalogue.backend.count() == 0
    catalogue.close()


def test_reindex_reports_what_it_built(env, capsys):
    fill(7)
    assert main(["reindex"]) == 0
    assert capsys.readouterr().out.strip() == "reindexed: 7 records re-indexed"


# -- export ----------------------------------------------------------------------------------------


def whole_catalogue_graph(extension: str) -> Graph:
    """The graph the export must equal: the whole catalogue as one page, built in memory."""
    catalogue = stored_catalogue()
    records = list(catalogue.backend.iter_records())
    whole = f"{BASE}/catalog.{extension}"
    page = CatalogPage(
        info=CatalogInfo(base_url=BASE), records=records, total=len(records), page=1,
        page_size=len(records), page_url=lambda n: whole, modified=catalogue.last_modified(),
    )
    graph = build_catalog_graph(page, catalogue.profiles)
    catalogue.close()
    return graph


@pytest.mark.parametrize("extension", ["ttl", "rdf", "jsonld", "nt"])
def test_export_writes_the_whole_catalogue_in_pages_that_parse_as_one(env, capsys, extension):
    records = fill(23)
    target = env / f"catalogue.{extension}"
    assert main(["export", "--format", extension, "--output", str(target), "--page-size", "5"]) == 0
    assert f"exported 23 datasets to {target}" in capsys.readouterr().out
    assert not (env / f"catalogue.{extension}.partial").exists()
    exported = Graph().parse(target, format=PARSERS[extension])
    datasets = set(exported.subjects(RDF.type, DCAT.Dataset))
    assert datasets == {dataset_ref(BASE, r.record_id) for r in records}
    expected = whole_catalogue_graph(extension)
    if not isomorphic(exported, expected):
        _, only_exported, only_expected = graph_diff(exported, expected)
        pytest.fail(f"only in export:\n{only_exported.serialize(format='nt')}\nonly expected:\n{only_expected.serialize(format='nt')}")


@pytest.mark.parametrize("extension", ["nt", "ttl"])
def test_export_written_by_worker_processes_is_the_one_process_export(env, extension):
    fill(23)
    catalogue = stored_catalogue()
    fmt = format_for_extension(extension)
    documents = {}
    for workers in (0, 2):
        out = io.BytesIO()
        assert export_stream.export_catalogue(catalogue, fmt, out, base_url=BASE, page_size=5, workers=workers) == 23
        documents[workers] = Graph().parse(data=out.getvalue(), format=PARSERS[extension])
    catalogue.close()
    assert len(documents[2]) == len(documents[0]) > 23 * 10
    assert isomorphic(documents[2], documents[0])
    assert isomorphic(documents[2], whole_catalogue_graph(extension))


def test_an_empty_catalogue_still_exports_its_description(env, capsys):
    fill(0)
    target = env / "empty.jsonld"
    assert main(["export", "--format", "jsonld", "--output", str(target)]) == 0
    assert "holds no datasets yet" in capsys.readouterr().err
    exported = Graph().parse(target, format="json-ld")
    assert set(exported.subjects(RDF.type, DCAT.Catalog)) == {URIRef(f"{BASE}/catalog")}


def test_export_writes_each_page_before_reading_the_next(env, monkeypatch):
    fill(20)
    catalogue = stored_catalogue()
    out = io.BytesIO()
    written_when_read: list[int] = []
    read = catalogue.backend.iter_records

    def spied_records(**kwargs):
        for record in read(**kwargs):
            written_when_read.append(out.tell())
            yield record

    page_sizes: list[int] = []
    build = export_stream.catalog_sink

    def spied_build(page, profiles):
        page_sizes.append(len(page.records))
        return build(page, profiles)

    monkeypatch.setattr(catalogue.backend, "iter_records", spied_records)
    monkeypatch.setattr(export_stream, "catalog_sink", spied_build)
    assert export_stream.export_catalogue(catalogue, format_for_extension("nt"), out, base_url=BASE, page_size=6) == 20
    catalogue.close()
    assert page_sizes == [6, 6, 6, 2], "never more than a page of records in memory"
    assert written_when_read[0] == 0 < written_when_read[6] < written_when_read[12] < written_when_read[18]


def test_rdfxml_pages_with_other_namespaces_are_re_emitted_correctly():
    ex = Namespace("http://example.org/vocab#")
    first, second = new_page_sink(), PageSink()
    first.add("http://example.org/a", DCAT.keyword, "http://example.org/k")
    second.bind("ex", ex)
    second.add("http://example.org/b", ex.prop, "http://example.org/c")
    expected = Graph()
    expected.add((URIRef("http://example.org/a"), DCAT.keyword, URIRef("http://example.org/k")))
    expected.add((URIRef("http://example.org/b"), ex.prop, URIRef("http://example.org/c")))
    out = io.BytesIO()
    writer = export_stream.writer_for(format_for_extension("rdf"), out)
    writer.begin()
    writer.page(first)
    writer.page(second)
    writer.end()
    assert isomorphic(Graph().parse(data=out.getvalue(), format="xml"), expected)


def test_turtle_prefixes_are_declared_once(env):
    fill(12)
    target = env / "c.ttl"
    assert main(["export", "--format", "ttl", "--output", str(target), "--page-size", "4"]) == 0
    directives = [line for line in target.read_text().splitlines() if line.startswith("@prefix")]
    assert len(directives) == len(set(directives))


# -- errors: one line, never a traceback, never an empty store created by reading --------------------


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["reindex"], ["export", "--format", "ttl", "--output", "x.ttl"]])
def test_reading_commands_never_create_a_store(env, capsys, monkeypatch, command):
    monkeypatch.chdir(env)
    (env / "fedcat-demo.db").write_bytes(b"")
    assert main(command) == 1
    err = capsys.readouterr().err
    assert not (env / "cli.db").exists()
    if "--json" in command:
        assert json.loads(err)["code"] == "store_missing"
    else:
        assert err.count("\n") == 1 and err.startswith(f"fedcat: store_missing: no store at {env / 'cli.db'}")
        assert f"FEDCAT_DATABASE=fedcat-demo.db fedcat {command[0]}" in err


def test_export_to_a_missing_directory_is_one_line(env, capsys):
    fill(2)
    assert main(["export", "--format", "ttl", "--output", "/nonexistent/dir/x.ttl"]) == 1
    err = capsys.readouterr().err
    assert err == "fedcat: command_failed: cannot write /nonexistent/dir/x.ttl: the directory /nonexistent/dir does not exist\n"


def test_any_unexpected_error_is_one_line_and_exit_1(env, capsys, monkeypatch):
    fill(1)
    monkeypatch.setattr(export_stream, "export_catalogue", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "Permission denied", "x.ttl")))
    assert main(["export", "--format", "ttl", "--output", str(env / "x.ttl")]) == 1
    assert capsys.readouterr().err == "fedcat: command_failed: cannot use x.ttl: Permission denied\n"
    monkeypatch.setattr(export_stream, "export_catalogue", lambda *a, **k: 1 / 0)
    assert main(["export", "--format", "ttl", "--output", str(env / "x.ttl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fedcat: internal_error: unexpected error: ZeroDivisionError") and err.count("\n") == 1
    assert not (env / "x.ttl.partial").exists()


def test_a_usage_error_is_one_line_too(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["export", "--format", "ttl"])
    assert exited.value.code == 2
    assert capsys.readouterr().err == "fedcat: usage_error: the following arguments are required: --output (see fedcat export --help)\n"
