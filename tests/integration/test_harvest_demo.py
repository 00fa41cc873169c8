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
    for portal_id, _, kind in DEMO_PORTALS:
        line = next(line for line in output.splitlines() if line.split()[:1] == [portal_id])
        assert kind in line and "done" in line
    store = TantivyBackend(str(database))
    try:
        assert set(store.counts_by_portal()) == {"paris", "lyon", "montpellier", "datagouv"}
    finally:
        store.close()
