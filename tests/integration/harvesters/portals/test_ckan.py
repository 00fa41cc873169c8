"""CKAN: package_search paged by rows/start, and ckanext-dcat's /catalog.ttl, harvested over HTTP from the simulator.

The simulator makes packages from the sample datasets; a second test serves a
real ``package_search`` answer recorded from demo.ckan.org (tests/fixtures/published/SOURCE.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mappings.portals import Portal
from mappings.vocabularies import canonical_license
from simulators.ckan import CKAN_LICENSE_IDS, CkanSimulator
from simulators.dkan import package_id
from simulators.sample_data import generate, slugify
from tests.conftest import quick_harvest

DATASETS = generate("lyon", 23)
DEMO = Path(__file__).parents[3] / "fixtures" / "published" / "ckan-demo" / "package_search.json"


def harvest(store, simulator, portal_id: str = "ckan", **options):
    portal = Portal(id=portal_id, name="CKAN", kind="ckan", url=simulator.url, options={"page_size": 10, **options})
    return quick_harvest(portal, store)


def test_package_search_is_paged_by_rows_and_start(backend):
    with CkanSimulator(DATASETS) as simulator:
        job = harvest(backend, simulator, source="api")
        starts = [r.arg("start") for r in simulator.requests if r.path.endswith("package_search")]
        rows = {r.arg("rows") for r in simulator.requests if r.path.endswith("package_search")}
    assert job.status == "done", job.error
    assert job.stats.created == len(DATASETS)
    assert starts == ["0", "10", "20"], "three pages, and none asked past the count"
    assert rows == {"10"}


def test_every_package_field_is_read(backend):
    with CkanSimulator(DATASETS) as simulator:
        harvest(backend, simulator)
        root = simulator.url
    for sample in DATASETS:
        record = backend.get(f"ckan:{package_id(sample.slug)}").record
        assert record.title == sample.title
        assert set(record.keywords) == set(sample.keywords)
        assert [t.label for t in record.themes] == [sample.theme], "groups are themes"
        assert record.publisher.name == sample.publisher
        assert record.publisher.uri == f"{root}/organization/{slugify(sample.publisher)}"
        assert record.contact_point.email == sample.contact_email
        expected = canonical_license(CKAN_LICENSE_IDS[sample.license])
        assert record.license.label == expected.label, "licence ids become canonical licences"
        assert {d.download_url for d in record.distributions} == {r.url for r in sample.resources}
        assert record.landing_page == f"{root}/dataset/{sample.slug}"
        assert record.bbox is not None, "the spatial extra's GeoJSON is read"


def test_rows_above_the_portal_maximum_are_capped_and_paging_still_ends(backend):
    with CkanSimulator(DATASETS, rows_max=7) as simulator:
        job = harvest(backend, simulator, page_size=50)
        starts = [r.arg("start") for r in simulator.requests if r.path.endswith("package_search")]
    assert job.stats.created == len(DATASETS)
    assert starts == ["0", "7", "14", "21"], "each next page starts where the answer really ended"


def test_organisation_filter(backend):
    with CkanSimulator(DATASETS) as simulator:
        organisation = simulator.packages[0]["organization"]["name"]
        job = harvest(backend, simulator, fq=f"organization:{organisation}")
    assert job.stats.created == len(DATASETS), "every sample of this portal has the one publisher"
    with CkanSimulator(DATASETS) as simulator:
        assert harvest(backend, simulator, "other", fq="organization:nobody").stats.created == 0


@pytest.mark.parametrize("source", ["catalog", "auto"])
def test_ckanext_dcat_catalogue_is_followed_page_by_page(backend, source):
    datasets = generate("lyon", 130)
    with CkanSimulator(datasets, dcat=True) as simulator:
        job = harvest(backend, simulator, "catalog", source=source)
        pages = [r.arg("page") for r in simulator.requests if r.path == "/catalog.ttl"]
        api_calls = [r for r in simulator.requests if r.path.startswith("/api/")]
    assert job.status == "done", job.error
    assert job.stats.created == 130
    assert pages == [None, "2"]
    assert api_calls == [], "where the portal offers its DCAT catalogue, it is read"
    assert backend.get(f"catalog:{package_id(datasets[0].slug)}").record.title == datasets[0].title


def test_without_ckanext_dcat_the_api_is_read(backend):
    with CkanSimulator(DATASETS) as simulator:
        job = harvest(backend, simulator)
        paths = [r.path for r in simulator.requests]
    assert job.status == "done", job.error
    assert job.stats.created == len(DATASETS)
    assert paths[0] == "/catalog.ttl" and set(paths[1:]) == {"/api/3/action/package_search"}
    assert any("no ckanext-dcat catalogue" in w for w in job.warnings)
    with CkanSimulator(DATASETS) as simulator:
        assert harvest(backend, simulator, "forced", source="catalog").status == "failed"


def test_recorded_demo_ckan_answer(backend):
    packages = json.loads(DEMO.read_text(encoding="utf-8"))["result"]["results"]
    with CkanSimulator(packages=packages, public_url="https://demo.ckan.org") as simulator:
        job = harvest(backend, simulator, "demo", page_size=2)
    assert job.status == "done", job.error
    assert job.stats.created == 3
    italian = backend.get("demo:17be64bb-da74-4195-9bb8-565c39846af2").record
    assert italian.title == "2016 Regione Asia Est Oceania * Classi di età"
    assert set(italian.keywords) == {"2016", "RASE", "età"}
    assert italian.publisher.name == "SDB"
    assert italian.license.label == canonical_license("cc-by").label
    (distribution,) = italian.distributions
    assert distribution.download_url.endswith("/download/20161231_rase.csv")
    assert distribution.format == "CSV"
    plants = backend.get("demo:62513382-3b26-4bc8-9096-40b6ce8383c0").record
    assert plants.contact_point.name == "TKKIM", "the maintainer, else the author, is the contact"


@pytest.mark.parametrize("body", [b'{"success": false, "error": {"message": "boom"}}', b"<html>maintenance</html>"])
def test_an_answer_that_is_not_package_search_fails_the_run(backend, body):
    class Broken(CkanSimulator):
        def handle(self, request):
            from simulators.server import SimResponse

            return SimResponse(200, body, "application/json")

    with Broken(DATASETS) as simulator:
        job = harvest(backend, simulator, "broken", source="api")
    assert job.status == "failed"
    assert job.error
