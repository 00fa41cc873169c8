"""``fedcat demo`` harvests its four sample portals, each through its own kind of harvester."""

from __future__ import annotations

from contextlib import ExitStack

from service.cli import main
from service.config import Settings
from service.demo import DEMO_PORTALS, harvest_demo
from service.search.tantivy_ import TantivyBackend


def test_demo_portals_are_the_four_real_kinds():
    assert {(portal_id, kind) for portal_id, _, kind in DEMO_PORTALS} == {
        ("paris", "opendatasoft"),
        ("lyon", "geonetwork"),
        ("montpellier", "dkan"),
        ("datagouv", "udata"),
    }


def test_demo_harvests_every_kind_over_http(tmp_path):
    settings = Settings(database=str(tmp_path / "demo.db"))
    with ExitStack() as stack:
        run = harvest_demo(stack, settings, echo=lambda line: None)
        backend = run.catalogue.backend
        assert [job.status for job in run.jobs] == ["done"] * 4
        assert backend.counts_by_portal() == {"paris": 24, "lyon": 20, "montpellier": 18, "datagouv": 20}
        velib = "https://opendata.paris.fr/explore/dataset/velib-velos-et-bornes-disponibilite-temps-reel/"
        assert backend.get("paris:velib-velos-et-bornes-disponibilite-temps-reel").record.source_uri == velib
        assert backend.get(f"datagouv:{velib}").record.source_uri == velib
        run.catalogue.close()


def test_fedcat_demo_no_serve_shows_all_four_portals(tmp_path, capsys):
    database = tmp_path / "x.db"
    assert main(["demo", "--no-serve", "--database", str(database)]) == 0
    output = capsys.readouterr().out
    assert f"FEDCAT_DATABASE={database} fedcat status" in output  # the CLI command that reads the demo's store
    for portal_id, _, kind in DEMO_PORTALS:
        line = next(line for line in output.splitlines() if line.split()[:1] == [portal_id])
        assert kind in line and "done" in line
    store = TantivyBackend(str(database))
    try:
        assert set(store.counts_by_portal()) == {"paris", "lyon", "montpellier", "datagouv"}
    finally:
        store.close()


def test_demo_records_carry_the_portals_public_addresses_and_reharvest_unchanged(tmp_path):
    """Issue 14: Lyon's records pointed at the simulator's local port, so they changed at every run."""
    settings = Settings(database=str(tmp_path / "demo.db"))
    for run_number in (1, 2):
        with ExitStack() as stack:
            run = harvest_demo(stack, settings, echo=lambda line: None)
            lyon = next(job for job in run.jobs if job.portal_id == "lyon")
            backend = run.catalogue.backend
            stored = [record.to_dict() for record in backend.iter_records()]
            assert not [r["record_id"] for r in stored if "127.0.0.1" in repr(r)]
            uuid = "1390a94d-4f2b-53ca-94ba-efe8e17c1493"  # "Stations Vélo'v", also published on data.gouv.fr
            hit = backend.get(f"lyon:{uuid}")
            assert hit.record.source_uri == f"https://data.grandlyon.com/geonetwork/srv/fre/catalog.search#/metadata/{uuid}"
            members = backend.cluster_members([hit.cluster_id])[hit.cluster_id]
            assert {m.portal_id for m in members} == {"lyon", "datagouv"}
            if run_number == 2:
                assert (lyon.stats.created, lyon.stats.updated, lyon.stats.unchanged) == (0, 0, 20)
            run.catalogue.close()


def test_a_bbox_over_paris_finds_the_datasets_that_only_name_paris(tmp_path):
    """Issue 14: only Lyon's records had a box, so ``bbox=`` over Paris found nothing."""
    from service.search.base import SearchQuery

    settings = Settings(database=str(tmp_path / "demo.db"))
    with ExitStack() as stack:
        run = harvest_demo(stack, settings, echo=lambda line: None)
        backend = run.catalogue.backend
        paris = backend.search(SearchQuery(filters={"portal": ("paris",)}, bbox=(2.33, 48.85, 2.36, 48.87), page_size=100))
        assert paris.total == backend.counts_by_portal()["paris"]  # "Paris" or "France entière", all inside
        lyon_only = backend.search(SearchQuery(bbox=(4.80, 45.74, 4.86, 45.78), page_size=100))
        assert {hit.record.portal_id for hit in lyon_only.hits} >= {"lyon"}
        places = {(c.label, c.uri) for r in backend.iter_records() if r.portal_id == "paris" for c in r.spatial}
        assert places == {("Paris", "http://id.insee.fr/geo/commune/75056"),
                          ("France entière et hors territoire", "http://publications.europa.eu/resource/authority/country/FRA")}
        run.catalogue.close()
