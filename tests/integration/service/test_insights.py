"""Insights, CSV exports, the check-links command, and link results across re-harvests (the bundled demo)."""

from __future__ import annotations

import csv
import io
import json
from contextlib import ExitStack
from datetime import datetime, timezone

import pytest

from mappings.record import Agent, Concept
from service.app import create_app
from service.cli import main
from service.config import Settings
from service.demo import harvest_demo
from service.search.base import SearchQuery
from simulators.file_host import FileHostSimulator
from tests.factories import DistributionFactory, RecordFactory

ACCENTED = "Qualité de l’air à Lyon — données horaires"


@pytest.fixture(scope="module")
def demo():
    with ExitStack() as stack:
        yield harvest_demo(stack, Settings(database=":memory:", delete_grace_days=0), echo=lambda *_: None)


@pytest.fixture(scope="module")
def demo_client(demo):
    app = create_app(catalogue=demo.catalogue)
    app.config["TESTING"] = True
    return app.test_client()


def read_csv(response, sep: str = ",") -> list[dict]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=sep))


# -- CSV -------------------------------------------------------------------------------


def test_datasets_csv_is_the_search_as_rows_with_accents_intact(client, backend):
    records = [RecordFactory(title=ACCENTED, keywords=("qualité de l'air", "pollution; mesures")),
               RecordFactory(title="Arbres d’alignement", keywords=("arbres",))]
    backend.replace_portal("paris", records, now=datetime.now(timezone.utc))
    for sep in (",", ";"):
        rows = read_csv(client.get("/api/datasets.csv", query_string={"q": "air", "sep": sep}), sep)
        assert [r["title"] for r in rows] == [ACCENTED]
        assert rows[0]["keywords"] == "qualité de l'air | pollution; mesures"
        assert rows[0]["id"] == records[0].record_id and rows[0]["portal"] == "paris"
        assert rows[0]["page"].endswith("/datasets/" + records[0].record_id.replace(":", "%3A").replace("/", "%2F"))
    everything = client.get("/api/datasets.csv")
    assert everything.headers["X-Total-Count"] == "2" and len(read_csv(everything)) == 2


def test_datasets_csv_streams_every_page_or_serves_one(client, backend):
    backend.replace_portal("paris", [RecordFactory() for _ in range(230)], now=datetime.now(timezone.utc))
    rows = read_csv(client.get("/api/datasets.csv", query_string={"page_size": 100, "portal": "paris"}))
    assert len(rows) == 230 and len({r["id"] for r in rows}) == 230
    whole = client.get("/api/datasets.csv")  # nothing filtered: every stored record, read straight from the store
    assert whole.headers["X-Total-Count"] == "230" and {r["id"] for r in read_csv(whole)} == {r["id"] for r in rows}
    page = read_csv(client.get("/api/datasets.csv", query_string={"page": 3, "page_size": 100}))
    assert len(page) == 30
    assert {r["id"] for r in page} <= {r["id"] for r in rows}


def test_datasets_csv_refuses_a_bad_query_as_json(client):
    response = client.get("/api/datasets.csv", query_string={"sep": "|"})
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert client.get("/api/datasets.csv", query_string={"sort": "nope"}).status_code == 400


def test_insights_csv_has_a_row_per_portal_and_the_totals(demo_client, demo):
    body = demo_client.get("/api/insights").get_json()
    rows = read_csv(demo_client.get("/api/insights.csv", query_string={"sep": ";"}), ";")
    assert [r["portal"] for r in rows] == [p["portal"] for p in body["portals"]] + ["*"]
    names = {r["portal"]: r["name"] for r in rows}
    assert names["montpellier"] == "Montpellier Méditerranée Métropole (exemple)"
    for row, portal in zip(rows, body["portals"]):
        assert int(row["datasets"]) == portal["datasets"]
        assert int(row["urls_broken"]) == portal["urls"]["broken"]
        assert float(row["dimension_accessibility"]) == portal["dimensions"]["accessibility"]


# -- insights ----------------------------------------------------------------------------


def test_insights_count_what_the_records_say(client, backend, catalogue):
    open_licence = Concept("Licence Ouverte v2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    daily = Concept("Quotidienne", "http://publications.europa.eu/resource/authority/frequency/DAILY")
    paris = [
        RecordFactory(license=open_licence, frequency=daily, modified="2020-01-01", keywords=("hvd", "mobilite")),
        RecordFactory(license=None, distributions=(DistributionFactory(format="PDF", media_type="application/pdf", license=None),)),
    ]
    backend.replace_portal("paris", paris, now=datetime.now(timezone.utc))
    body = client.get("/api/insights").get_json()
    figures = {p["portal"]: p for p in body["portals"]}["paris"]
    assert figures["datasets"] == 2
    assert figures["open_license"] == 50.0 and figures["machine_readable"] == 50.0
    assert figures["freshness"] == {"fresh": 0, "overdue": 1, "unknown": 1}
    assert figures["hvd"]["http://data.europa.eu/bna/c_b79e35eb"]["declared"] == 1
    assert figures["datasets_by_link_status"]["unchecked"] == 2
    overdue = next(p for p in figures["problems"] if p["problem"] == "overdue")
    assert overdue == {"problem": "overdue", "count": 1, "search": "/?portal=paris&overdue=true"}
    assert body["total"]["datasets"] == 2
    assert client.get("/api/insights/paris").get_json()["datasets"] == 2
    assert client.get("/api/insights/nowhere").status_code == 404


def test_a_city_is_compared_with_data_gouv(demo_client, demo):
    catalogue = demo.catalogue
    by_portal: dict[str, list] = {}
    for record in catalogue.backend.iter_records():
        by_portal.setdefault(record.portal_id, []).append(record)
    body = demo_client.get("/api/insights").get_json()
    assert body["reference_portal"] == "datagouv"
    for figures in body["portals"]:
        if figures["portal"] == "datagouv":
            assert figures["reference"] == {"only_here": None, "shared": None, "only_on_reference": None}
            continue
        reference = figures["reference"]
        assert reference["only_here"] + reference["shared"] == figures["datasets"]
    clusters = {hit.cluster_id for hit in catalogue.backend.search(SearchQuery(page_size=100)).hits}
    shared_somewhere = sum(p["reference"]["shared"] or 0 for p in body["portals"])
    assert shared_somewhere >= 1 and len(clusters) < sum(len(v) for v in by_portal.values())


def test_insights_trend_follows_the_harvests(demo):
    catalogue = demo.catalogue
    portal = catalogue.portal("lyon")
    catalogue.harvest(portal)
    app = create_app(catalogue=catalogue)
    trend = app.test_client().get("/api/insights/lyon").get_json()["trend"]
    assert len(trend) == 2 and trend[0]["datasets"] == trend[1]["datasets"] == catalogue.backend.counts_by_portal()["lyon"]


# -- link results across re-harvests, and the command ------------------------------------


def test_link_results_survive_a_re_harvest_of_unchanged_distributions(demo):
    catalogue = demo.catalogue
    before = {r.record_id: (r.link_status, r.quality) for r in catalogue.backend.iter_records() if r.portal_id == "paris"}
    assert {status for status, _ in before.values()} >= {"ok", "broken"}
    checks_version = catalogue.link_checks.version()
    job = catalogue.harvest(catalogue.portal("paris"))
    assert job.stats.unchanged == len(before) and job.stats.updated == 0
    after = {r.record_id: (r.link_status, r.quality) for r in catalogue.backend.iter_records() if r.portal_id == "paris"}
    assert after == before and catalogue.link_checks.version() == checks_version


def test_check_links_command_prints_progress_and_a_summary(tmp_path, monkeypatch, capsys):
    database = tmp_path / "links.db"
    with FileHostSimulator() as files:
        records = [
            RecordFactory(publisher=Agent("Ville"), distributions=(DistributionFactory(access_url=files.url + path, download_url=files.url + path),))
            for path in ("/ok/a.csv", "/missing/b.csv", "/gone/c.csv", "/html/d.csv")
        ]
        from service.search.tantivy_ import TantivyBackend

        store = TantivyBackend(str(database))
        store.replace_portal("paris", records, now=datetime.now(timezone.utc))
        store.close()
        portals = tmp_path / "portals.toml"
        portals.write_text('[[portal]]\nid = "paris"\nname = "Paris"\nkind = "dcat"\nurl = "https://paris.example/catalog.ttl"\n')
        monkeypatch.setenv("FEDCAT_DATABASE", str(database))
        monkeypatch.setenv("FEDCAT_PORTALS_FILE", str(portals))
        monkeypatch.setenv("FEDCAT_ALLOWED_NETWORKS", "127.0.0.0/8")
        monkeypatch.setenv("FEDCAT_LINK_CHECK_HOST_RATE", "100")
        assert main(["check-links", "--portal", "paris"]) == 0
        summary = capsys.readouterr().out
        assert "checked 4 of 4 URLs (paris): 1 ok, 2 broken, 1 of the wrong type; 4 records restamped" in summary
        assert "broken on 127.0.0.1: 2" in summary
        assert main(["check-links", "--json", "--limit", "1"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["checked"] == 1 and report["known_urls"] == 4
    assert main(["check-links", "--portal", "nowhere"]) == 2


def test_insights_are_computed_once_per_state_of_the_data_and_shared(tmp_path, monkeypatch):
    from service.catalogue import Catalogue
    from tests.conftest import TEST_PORTALS

    settings = Settings(database=str(tmp_path / "shared.db"))
    first = Catalogue(settings, portals=list(TEST_PORTALS))
    first.backend.replace_portal("paris", [RecordFactory(), RecordFactory()], now=datetime.now(timezone.utc))
    body = first.insights()
    second = Catalogue(settings, portals=list(TEST_PORTALS))  # another process: a gunicorn worker, the scheduler

    def recompute(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr("service.catalogue.insights_body", recompute)
    assert second.insights() == body
    first.backend.replace_portal("paris", [RecordFactory()], now=datetime.now(timezone.utc))
    with pytest.raises(AssertionError, match="computed again"):
        second.insights()
    first.close()
    second.close()
