"""``/api/docs`` says what each filter accepts and never shows "default: None" (issue 14)."""

from __future__ import annotations

from tests.paths import ROOT

FILTERS = ("portal", "publisher", "theme", "format", "license", "keyword", "quality")


def search_parameters(client) -> dict[str, dict]:
    spec = client.get("/api/openapi.json").get_json()
    return {p["name"]: p for p in spec["paths"]["/api/datasets"]["get"]["parameters"]}


def test_no_parameter_has_a_null_default(client):
    assert all(p["schema"].get("default", "") is not None for p in search_parameters(client).values())
    assert "None" not in client.get("/api/docs").get_data(as_text=True)


def test_every_filter_says_what_it_accepts(client):
    parameters = search_parameters(client)
    assert all(parameters[name].get("description") for name in FILTERS)
    assert "TRAN = Transports" in parameters["theme"]["description"]
    assert "`paris`, `lyon`" in parameters["portal"]["description"]
    assert "Licence Ouverte / Open Licence version 2.0" in parameters["license"]["description"]
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "one of: <code>90-100, 75-89, 50-74, 0-49</code>" in docs


def test_the_readme_documents_the_quality_filter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "&quality=" in readme and "`quality` (quality score bucket" in readme
