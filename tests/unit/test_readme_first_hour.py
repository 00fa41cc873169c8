"""The README's newcomer sections stay true: the portals.toml example parses, the demo's CLI line,
the troubleshooting table, the licence (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

from mappings.portals import parse_portals

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_portals_example_parses():
    (example,) = re.findall(r"To add a portal.*?```toml\n(.*?)```", README, re.S)
    nantes, rennes = parse_portals(example)
    assert (nantes.id, nantes.kind, nantes.schedule) == ("nantes", "opendatasoft", "30 3 * * *")
    assert rennes.public_base == "https://public.sig.rennesmetropole.fr/geonetwork/srv/fre/csw"
    assert rennes.options == {"output_schema": "iso", "page_size": 50}


def test_newcomer_sections_are_there():
    for text in ("FEDCAT_DATABASE=fedcat-demo.db .venv/bin/fedcat status", "make demo PORT=8080", "## Troubleshooting",
                 "name not resolved (offline?)", "## Licence", "~/.cache/fedcat", "/sitemap.xml", "?lang=en"):
        assert text in README, text
