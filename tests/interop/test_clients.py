"""Real DCAT clients read fedcat's export: data.gouv.fr's harvester (udata) and CKAN's (ckanext-dcat).

The four simulated portals are harvested through the real harvesters, fedcat serves
``/catalog`` on loopback, and each client — installed from PyPI in its own virtualenv
by ``.ci/install-clients.sh`` — walks every Hydra page in a subprocess. Each dataset
must come out with its licence, publisher, distributions and temporal coverage.
docs/dcat-ap.md has the field-by-field table of what each client reads.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from mappings.profiles.licence_registries import REGISTRY_NAMES, registry_names
from mappings.vocabularies import UNKNOWN_LICENSE, canonical_license
from tests.interop.support import FIXTURES, run_client, serve_demo_catalogue

#: small pages, so that both clients follow Hydra paging over several pages
PAGE_SIZE = 25
#: data.gouv.fr's licence list: udata's licences, and a French CKAN's ``licenses_group_url``
DATAGOUV_LICENCES = FIXTURES / "datagouv-licenses.json"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo catalogue, served; and what each client read of it (both run while it is up)."""
    with serve_demo_catalogue(tmp_path_factory.mktemp("interop")) as (base_url, records):
        catalog = f"{base_url}/catalog?page_size={PAGE_SIZE}"
        turtle = f"{base_url}/catalog.ttl?page_size={PAGE_SIZE}"
        with ThreadPoolExecutor(max_workers=2) as pool:  # subprocesses: the clients run side by side
            udata = pool.submit(run_client, "udata", "udata_read.py", catalog, str(DATAGOUV_LICENCES))
            ckan = pool.submit(run_client, "ckan", "ckan_read.py", turtle)
            # the same parser on RDF/XML, which ckanext-dcat's harvester meets most often
            rdf_xml = f"{base_url}/catalog.rdf?page_size={PAGE_SIZE}"
            french_ckan = pool.submit(run_client, "ckan", "ckan_read.py", rdf_xml, str(DATAGOUV_LICENCES))
            read = {"udata": udata.result(), "ckan": ckan.result(), "french_ckan": french_ckan.result()}
        yield {"base_url": base_url, "records": {_ref(base_url, r.record_id): r for r in records}, **read}


def _ref(base_url: str, record_id: str) -> str:
    from mappings.profiles.base import dataset_ref

    return str(dataset_ref(base_url, record_id))


def licence_id(record) -> str | None:
    """The canonical id of a record's licence (its own, else its distributions'), None when it has none."""
    for concept in record.licenses:
        info = canonical_license(concept.uri) or canonical_license(concept.label)
        if info is not None and info.id not in (UNKNOWN_LICENSE, "notspecified"):
            return info.id
    return None


# -- udata (data.gouv.fr) ---------------------------------------------------------------------


def test_udata_harvests_every_dataset_without_error(demo):
    udata = demo["udata"]
    assert udata["errors"] == [] and udata["status"].endswith("done"), udata["errors"]
    failed = [item for item in udata["items"] if not item["status"].endswith("done")]
    assert failed == []
    assert {d["uri"] for d in udata["datasets"]} == set(demo["records"])


def test_udata_recognises_the_licence_of_every_dataset_whose_source_has_one(demo):
    by_uri = {d["uri"]: d for d in demo["udata"]["datasets"]}
    expected = {uri: registry_names(licence_id(r) or "").udata_id for uri, r in demo["records"].items()}
    with_licence = {uri: udata_id for uri, udata_id in expected.items() if licence_id(demo["records"][uri])}
    assert with_licence, "the demo portals publish licences"
    assert all(with_licence.values()), "every demo licence is on data.gouv.fr's list"
    read = {uri: by_uri[uri]["license"] for uri in with_licence}
    assert read == with_licence
    print(f"\nudata licences: {Counter(read.values())}")


def test_udata_reads_publisher_distributions_and_temporal_coverage(demo):
    for dataset in demo["udata"]["datasets"]:
        record = demo["records"][dataset["uri"]]
        assert {r["url"] for r in dataset["resources"]} == {d.url for d in record.distributions}, record.record_id
        roles = {(c["role"], c["name"]) for c in dataset["contact_points"]}
        assert ("publisher", record.publisher.display_name) in roles, (record.record_id, roles)
        if record.temporal_start or record.temporal_end:
            start, end = dataset["temporal"]
            assert start.startswith((record.temporal_start or "None")[:4]), (record.record_id, start)
            assert end.startswith((record.temporal_end or "None")[:4]), (record.record_id, end)
        else:
            assert dataset["temporal"] is None


def test_udata_keeps_identifiers_unique_and_places_located(demo):
    datasets = demo["udata"]["datasets"]
    assert len({d["remote_id"] for d in datasets}) == len(datasets) == len(demo["records"])
    located = {d["uri"] for d in datasets if d["spatial"]}
    # a place the portal names (Paris, Lyon) becomes a geometry udata keeps
    named = {uri for uri, r in demo["records"].items() if r.bbox or any(p.label in ("Paris", "Lyon") for p in r.spatial)}
    assert named and named <= located


# -- CKAN (ckanext-dcat) ---------------------------------------------------------------------


def extras(dataset: dict) -> dict:
    """A CKAN dataset dict's extras as a plain dict."""
    return {extra["key"]: extra["value"] for extra in dataset.get("extras", [])}


def test_ckan_reads_every_dataset_on_every_page(demo):
    ckan = demo["ckan"]
    assert ckan["pages"] == -(-len(demo["records"]) // PAGE_SIZE)
    assert {extras(d)["uri"] for d in ckan["datasets"]} == set(demo["records"])


def test_ckan_recognises_every_licence_its_register_knows(demo):
    read, known = {}, {}
    for dataset in demo["ckan"]["datasets"]:
        record = demo["records"][extras(dataset)["uri"]]
        names = registry_names(licence_id(record) or "")
        read[record.record_id] = dataset.get("license_id") or None
        known[record.record_id] = names.ckan_id
        # a licence CKAN's default register lacks (Licence Ouverte) still reaches each resource, named
        if licence_id(record) and names.ckan_id is None:
            assert {r.get("license") for r in dataset["resources"]} == {names.udata_title}
    assert any(known.values())
    assert read == known
    print(f"\nckan licences: {Counter(read.values())}")


def test_a_ckan_with_data_gouv_frs_licence_list_recognises_every_licence(demo):
    """A French CKAN (``licenses_group_url``: data.gouv.fr's list), reading the RDF/XML pages."""
    assert demo["french_ckan"]["pages"] == demo["ckan"]["pages"]
    read = {}
    for dataset in demo["french_ckan"]["datasets"]:
        record = demo["records"][extras(dataset)["uri"]]
        read[record.record_id] = (dataset.get("license_id") or None, registry_names(licence_id(record) or "").udata_id)
    assert read and all(found == expected for found, expected in read.values()), read
    print(f"\nckan with data.gouv.fr's licences: {Counter(found for found, _ in read.values())}")


def test_ckan_reads_publisher_distributions_and_temporal_coverage(demo):
    for dataset in demo["ckan"]["datasets"]:
        values = extras(dataset)
        record = demo["records"][values["uri"]]
        assert values["publisher_name"] == record.publisher.display_name
        assert values["identifier"] == values["uri"]
        assert {r["url"] for r in dataset["resources"]} == {d.url for d in record.distributions}
        assert all(r.get("format") for r in dataset["resources"]), record.record_id
        assert values.get("temporal_start", "")[:4] == (record.temporal_start or "")[:4]
        assert values.get("temporal_end", "")[:4] == (record.temporal_end or "")[:4]
        if any(p.label in ("Paris", "Lyon") for p in record.spatial):
            assert values.get("spatial_text") in ("Paris", "Lyon") and values.get("spatial_uri"), values


# -- the licence names fedcat writes are the registries' own ----------------------------------


def test_every_licence_name_fedcat_writes_is_in_data_gouv_frs_list():
    listed = {entry["id"]: entry["title"] for entry in json.loads(DATAGOUV_LICENCES.read_text())}
    written = {(n.udata_id, n.udata_title) for n in REGISTRY_NAMES.values() if n.udata_id}
    assert written <= set(listed.items())


def test_every_licence_name_fedcat_writes_is_in_ckans_register():
    register = run_client("ckan", "ckan_licences.py")
    written = {(n.ckan_id, n.ckan_title) for n in REGISTRY_NAMES.values() if n.ckan_id}
    assert written <= {(key, value["title"]) for key, value in register.items()}
