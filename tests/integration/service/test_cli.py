"""The fedcat command: demo and harvest, run in-process."""

from __future__ import annotations

import pytest

from service.cli import main
from service.search.tantivy_ import TantivyBackend
from tests.paths import ROOT


def test_demo_harvests_every_sample_portal(tmp_path, capsys):
    database = tmp_path / "demo.db"
    assert main(["demo", "--no-serve", "--database", str(database)]) == 0
    output = capsys.readouterr().out
    for portal in ("paris", "lyon", "montpellier", "datagouv"):
        assert portal in output
    store = TantivyBackend(str(database))
    counts = store.counts_by_portal()
    store.close()
    assert set(counts) == {"paris", "lyon", "montpellier", "datagouv"} and all(counts.values())


def test_harvest_says_which_portals_it_cannot_harvest(tmp_path, capsys, monkeypatch):
    portals = tmp_path / "portals.toml"
    portals.write_text('[[portal]]\nid = "x"\nname = "X"\nkind = "nosuchkind"\nurl = "https://x.example"\n')
    monkeypatch.setenv("FEDCAT_PORTALS_FILE", str(portals))
    monkeypatch.setenv("FEDCAT_DATABASE", str(tmp_path / "f.db"))
    assert main(["harvest"]) == 1
    assert "x: cannot harvest yet: no harvester for kind 'nosuchkind'" in capsys.readouterr().out


def test_harvest_of_an_unknown_portal_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FEDCAT_DATABASE", str(tmp_path / "f.db"))
    assert main(["harvest", "--portal", "nowhere"]) == 2
    assert "no portal 'nowhere'" in capsys.readouterr().err


def test_bad_setting_is_reported(monkeypatch, capsys):
    monkeypatch.setenv("FEDCAT_MAX_PAGES", "-3")
    assert main(["harvest"]) == 2
    assert "FEDCAT_MAX_PAGES" in capsys.readouterr().err




def test_demo_checks_its_port_before_harvesting(tmp_path, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["demo", "--port", str(port), "--database", str(tmp_path / "d.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"fedcat: command_failed: cannot serve on 127.0.0.1:{port}:") and "make demo PORT=8080" in err
    assert not (tmp_path / "d.db").exists()  # nothing harvested


def test_make_demo_takes_a_port():
    makefile = (ROOT / "Makefile").read_text()
    assert "PORT ?= 8000" in makefile and "fedcat demo --port $(PORT)" in makefile


@pytest.mark.parametrize(
    "argv0,shown",
    [(".venv/bin/fedcat", ".venv/bin/fedcat"), ("fedcat", "fedcat"), ("/usr/lib/python3/pytest", "fedcat")],
)
def test_the_demo_names_the_fedcat_the_user_ran(monkeypatch, argv0, shown):
    """make demo runs .venv/bin/fedcat: the printed command must be one the user can paste."""
    from service.cli import _fedcat_command

    monkeypatch.setattr("sys.argv", [argv0])
    assert _fedcat_command() == shown
