"""DCAT-US 1.1 data.json (ArcGIS Hub, Socrata, DKAN), harvested over HTTP from the simulator and from a real Hub file."""

from __future__ import annotations

import json
from pathlib import Path

from mappings.portals import Portal
from mappings.vocabularies import canonical_license
from simulators.dcat_render import LICENSE_URLS
from simulators.dcat_us import DcatUsSimulator, item_identifier
from simulators.sample_data import generate
from tests.conftest import quick_harvest

DATASETS = generate("lyon", 12)
EVIAN = Path(__file__).parents[3] / "fixtures" / "published" / "udata" / "evian.json"
PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def harvest(store, url: str, portal_id: str = "hub", kind: str = "dcat_us"):
    portal = Portal(id=portal_id, name="Hub", kind=kind, url=url)
    return quick_harvest(portal, store)


def test_every_dcat_us_field_is_read(backend):
    with DcatUsSimulator(DATASETS) as simulator:
        job = harvest(backend, simulator.url)
        paths = [r.path for r in simulator.requests]
    assert job.status == "done", job.error
    assert job.stats.created == len(DATASETS)
    assert paths == ["/data.json"], "one document, and never the remote @context"
    for sample in DATASETS:
        record = backend.get(f"hub:{item_identifier(sample.slug)}").record
        assert record.title == sample.title
        assert record.description == sample.description, "Hub's HTML is made text"
        assert set(record.keywords) == set(sample.keywords)
        assert record.publisher.name == sample.publisher
        assert record.contact_point.email == sample.contact_email, "hasEmail and Hub's email both read"
        assert record.access_rights.uri == PUBLIC
        assert record.license.label == canonical_license(LICENSE_URLS[sample.license]).label
        assert record.bbox == tuple(round(v, 4) for v in sample.bbox)
        if sample.temporal:
            assert (record.temporal_start, record.temporal_end) == tuple(d.isoformat() for d in sample.temporal)
        (page,) = [d for d in record.distributions if d.access_url.endswith(f"/datasets/{sample.slug}")]
        assert page.download_url is None, "the Hub page is an access URL only"
        files = {d.download_url for d in record.distributions if d is not page}
        assert files == {r.url for r in sample.resources}
        assert {t.label for t in record.themes} == {"geospatial", sample.theme}


def test_hub_feed_path_and_generic_dcat_kind_with_the_bundled_context(backend):
    with DcatUsSimulator(DATASETS) as simulator:
        feed = harvest(backend, simulator.url + "/api/feed/dcat-us/1.1.json", "feed")
        generic = harvest(backend, simulator.url + "/data.json", "generic", kind="dcat")
    assert feed.stats.created == len(DATASETS)
    assert generic.status == "done", generic.error
    assert generic.stats.created == len(DATASETS), "the project-open-data context is bundled, not fetched"
    record = backend.get(f"generic:{item_identifier(DATASETS[0].slug)}").record
    assert record.title == DATASETS[0].title


def test_a_bad_entry_is_a_failed_record_and_the_rest_are_harvested(backend):
    with DcatUsSimulator(DATASETS) as simulator:
        document = simulator.catalog()
        document["dataset"] = document["dataset"][:3] + ["not a dataset", {"identifier": "no-title"}]
        simulator.document = document
        job = harvest(backend, simulator.url)
    assert job.status == "done-with-errors"
    assert job.stats.created == 3
    assert len(job.failed) == 2


def test_a_document_without_datasets_fails_the_run(backend):
    with DcatUsSimulator(document={"@type": "dcat:Catalog"}) as simulator:
        job = harvest(backend, simulator.url)
    assert job.status == "failed"
    assert "no 'dataset' array" in job.error


def test_real_arcgis_hub_catalogue_of_evian(backend):
    """udata's recorded data.json of Évian-les-Bains' ArcGIS Hub site (tests/fixtures/published/SOURCE.md)."""
    document = json.loads(EVIAN.read_text(encoding="utf-8"))
    with DcatUsSimulator(document=document) as simulator:
        job = harvest(backend, simulator.url, "evian")
    assert job.status == "done", (job.error, job.failed)
    assert job.stats.created == len(document["dataset"]) == 8
    velos = backend.get("evian:https://www.arcgis.com/home/item.html?id=f6565516d1354383b25793e630cf3f2b&sublayer=5").record
    assert velos.title == "stationnement velos"
    assert velos.description == "Emplacement et description des stationnement vélos à Evian-les-Bains"
    assert velos.license.label == canonical_license("etalab-2.0").label, "the licence named in Hub's HTML"
    assert velos.access_rights.uri == PUBLIC
    assert velos.bbox == (6.5735, 46.3912, 6.6069, 46.4028)
    assert velos.contact_point.name == "sigevian"
    assert len(velos.distributions) == 6 and all(d.download_url is None for d in velos.distributions), "Hub gave accessURLs only"
    actes = backend.get("evian:https://www.arcgis.com/home/item.html?id=92a676a42a864c4baf58856e445b6d41").record
    assert actes.bbox is None and actes.spatial == (), "Hub's unfilled {{extent:…}} template says nothing"
    assert actes.license is None
