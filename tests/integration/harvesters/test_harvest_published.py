"""Files other projects published (tests/fixtures/published/SOURCE.md), served over HTTP and harvested.

Géo2France's GeoNetwork answers the same six records in GeoDCAT-AP and in its
legacy DCAT; whichever the portal serves, the records must keep the same ids (the
metadata uuid) and what GeoDCAT-AP says of rights and languages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mappings.portals import Portal
from mappings.vocabularies import canonical_license
from tests.conftest import FAST_HTTP, NOW, run_harvest
from tests.integration.harvesters.test_harvest_recorded import RecordedPortal

GEODCAT_AP = "http://data.europa.eu/930/"
LEGACY_DCAT = "http://www.w3.org/ns/dcat#"
UUIDS = {
    "04bcec79-5b25-4b16-b635-73115f7456e4",
    "06367a09-096c-4db6-a122-52469176d619",
    "093789e0-af10-4861-b661-febdaf543c5c",
    "0ac1d658-b8ce-4815-975b-1dd401ce01ed",
    "0ae299e7-10d6-4290-944e-c6c62e2aeabf",
    "0c232513-cb8c-473a-bbdd-8435eb3987cc",
}


def harvest_geo2france(store, schema: str, portal_id: str = "g2f"):
    with RecordedPortal("../published/geo2france") as recorded:
        url = recorded.url + "/geonetwork/srv/fre/csw"
        portal = Portal(id=portal_id, name="Géo2France", kind="geonetwork", url=url, options={"output_schema": schema, "page_size": 2})
        job = run_harvest(portal, store, http=FAST_HTTP, grace=timedelta(0), now=lambda: NOW)
    assert job.status == "done", (job.error, job.failed, job.warnings)
    return job, {record.record_id: record for record in store.iter_records() if record.portal_id == portal_id}


@pytest.mark.parametrize("schema", [GEODCAT_AP, LEGACY_DCAT])
def test_six_records_keyed_on_their_metadata_uuid(backend, schema):
    job, records = harvest_geo2france(backend, schema)
    assert job.stats.created == 6
    assert set(records) == {f"g2f:{uuid}" for uuid in UUIDS}
    assert all(" " not in record_id and "/csw" not in record_id for record_id in records)


def test_same_ids_whichever_output_schema(backend):
    _, geodcat = harvest_geo2france(backend, GEODCAT_AP, "a")
    _, legacy = harvest_geo2france(backend, LEGACY_DCAT, "b")
    assert {rid.removeprefix("a:") for rid in geodcat} == {rid.removeprefix("b:") for rid in legacy}


def test_geodcat_ap_rights_languages_and_contacts(backend):
    _, records = harvest_geo2france(backend, GEODCAT_AP)
    bud = records["g2f:06367a09-096c-4db6-a122-52469176d619"]
    assert bud.source_uri.endswith("/geonetwork/srv/fre/catalog.search#/metadata/06367a09-096c-4db6-a122-52469176d619"), (
        "a bare identifier as rdf:about is no IRI under the CSW endpoint: the record's catalogue page stands for it"
    )
    assert bud.title_lang == "fr" and bud.description_lang == "fr", "GeoNetwork's xml:lang='fre' kept, as BCP 47"
    assert bud.license is None, "neither rights statement names a licence"
    assert "Utilisation libre sous réserve de mentionner la source" in bud.rights
    licensed = [r for r in records.values() if r.license is not None]
    assert licensed, "the 'Licence Ouverte version 2.0 https://www.etalab…' rights statements are licences"
    assert {r.license.label for r in licensed} == {canonical_license("etalab-2.0").label}
    first = records["g2f:04bcec79-5b25-4b16-b635-73115f7456e4"]
    assert first.contact_point.name == "Géo2France"
    assert first.contact_point.email == "contact@geo2france.fr"
    assert first.contact_point.kind == "http://www.w3.org/2006/vcard/ns#Organization"
