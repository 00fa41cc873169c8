"""Each harvester against real payloads of its portal kind (tests/fixtures/portals/<portal>/), served over HTTP.

The simulators generate their data; these payloads were published by the real
software (see each manifest.toml for where they come from and what was edited),
so they check the harvesters against shapes nobody here made up.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta

import pytest

from mappings.portals import Portal
from simulators.server import PortalSimulator, SimRequest, SimResponse
from tests.conftest import NOW, NO_RETRY_HTTP, run_harvest
from tests.paths import FIXTURES

RECORDED = FIXTURES / "portals"


class RecordedPortal(PortalSimulator):
    """Answers each request with the recorded file its manifest names (404 otherwise); no validators."""

    conditional_get = False

    def __init__(self, portal: str) -> None:
        super().__init__()
        self.folder = RECORDED / portal
        self.responses = tomllib.loads((self.folder / "manifest.toml").read_text(encoding="utf-8"))["response"]

    def handle(self, request: SimRequest) -> SimResponse:
        for entry in self.responses:
            wanted = entry.get("query", {})
            if entry["path"] == request.path and all(request.arg(k) == v for k, v in wanted.items()):
                return SimResponse(200, (self.folder / entry["file"]).read_bytes(), entry["content_type"])
        return SimResponse(404, b"not recorded", "text/plain")


def harvest(store, portal_id: str, kind: str, path: str = "", **options):
    with RecordedPortal(portal_id) as recorded:
        portal = Portal(id=portal_id, name=portal_id, kind=kind, url=recorded.url + path, options=options)
        job = run_harvest(portal, store, http=NO_RETRY_HTTP, grace=timedelta(0), now=lambda: NOW)
        paths = [r.path for r in recorded.requests]
    assert job.status == "done", (job.error, job.failed, job.warnings)
    return job, paths


def test_opendatasoft_export(backend):
    job, _ = harvest(backend, "paris", "opendatasoft")
    assert job.stats.created == 1
    record = backend.get("paris:principaux-etablissements-denseignement-superieur").record
    assert record.title == "Principaux établissements d'enseignement supérieur - Rennes Métropole"
    assert record.description == "Caractéristiques des principaux établissements d'enseignement supérieur. Situation à date."
    assert record.identifier == "principaux-etablissements-denseignement-superieur@rennes-metropole"
    assert record.publisher.name == "Ministère de l'Enseignement supérieur, de la Recherche et de l'Innovation"
    assert "ouverte" in record.license.label.lower()
    assert record.frequency is not None and "continu" in record.frequency.label.lower() + str(record.frequency.uri).lower()
    assert [c.label for c in record.spatial] == ["France entière et hors territoire"]
    assert [t.label for t in record.themes] == ["Education"]
    assert [d.download_url for d in record.distributions] == [
        "https://data.rennesmetropole.fr/api/v2/catalog/datasets/principaux-etablissements-denseignement-superieur/exports/csv"
    ]
    assert record.distributions[0].format == "CSV"


def test_udata_organisation_catalogue(backend):
    job, paths = harvest(backend, "datagouv", "udata", organization="54884a24c751df7226a3fc16", format="xml")
    assert job.stats.created == 1 and job.pages == 1
    iri = "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/"
    record = backend.get(f"datagouv:{iri}").record
    assert record.title == "Bureaux de vote - Vanves"
    assert record.description == "La liste des 23 bureaux de vote à Vanves"
    assert record.publisher.name == "Vanves", "the only dct:publisher of this page is the contact"
    assert record.license.label == "License Not Specified"
    assert [d.download_url for d in record.distributions] == [
        "https://vanves-seineouest.opendatasoft.com/api/explore/v2.1/catalog/datasets/bureau-de-vote-vanves/exports/csv?use_labels=true"
    ]
    assert record.distributions[0].access_url == "https://www.data.gouv.fr/datasets/r/5dd4e0b2-4d96-4f36-b73e-b78ec993703c"
    assert paths == ["/api/1/organizations/54884a24c751df7226a3fc16/catalog.xml"]


def test_geonetwork_dublin_core_record(backend):
    job, _ = harvest(backend, "lyon", "geonetwork", "/geonetwork/srv/fre/csw", output_schema="dc")
    record = backend.get("lyon:58f93af3-a651-4cbd-bd9d-b4562f8d404d").record
    assert record.title == "Lignes de métro et funiculaire du réseau TCL"
    assert record.description.startswith("La représentation graphique des lignes de métro et de funiculaire")
    assert record.license.uri is not None
    assert "licen" not in " ".join(record.keywords).lower()
    assert "Transport" in {t.label for t in record.themes}
    assert {d.url for d in record.distributions} == {
        "https://download.data.grandlyon.com/wms/rdata",
        "https://download.data.grandlyon.com/wfs/rdata",
        "https://download.data.grandlyon.com/ws/rdata/tcl_sytral.tcllignemf/all.json",
    }
    # the protocol is the format hint (the normalisation may then spell it as an EU file type: WMS_SRVC)
    assert sorted(d.format[:3] for d in record.distributions) == ["JSO", "WFS", "WMS"]


def test_geonetwork_dcat_record_cut_out_of_the_csw_envelope(backend):
    job, paths = harvest(backend, "lyon", "geonetwork", "/geonetwork/srv/fre/csw")
    uuid = "04bcec79-5b25-4b16-b635-73115f7456e4"
    record = backend.get(f"lyon:{uuid}").record
    assert record.title == "INSEE - Part des ménages présents depuis 5 ans ou plus dans leur logement actuel (2010)"
    assert record.description == "Part des ménages … Région : HAUTS-DE-FRANCE."
    assert record.publisher.name == "Géo2France"
    assert record.contact_point.email == "contact@geo2france.fr"
    assert "ouverte" in record.license.label.lower()
    (distribution,) = record.distributions
    assert distribution.url == "https://www.geo2france.fr/geoserver/insee/ows" and distribution.format.startswith("WMS")
    assert {t.label for t in record.themes} >= {"HAUTS-DE-FRANCE", "Société"}


def test_dkan_package_show_unwrapped(backend):
    job, paths = harvest(backend, "montpellier", "dkan")
    assert any("trying the next source" in w for w in job.warnings)
    assert paths[-1] == "/api/3/action/package_show"
    record = backend.get("montpellier:04be6288-696d-4331-850d-a144871a7e3a").record
    assert record.title == "Antennes régionales de la Région Hauts-de-France (au 01/10/2019)"
    assert record.description == "Liste et coordonnées des antennes de proximité du conseil régional Hauts-de-France."
    assert record.publisher.name == "Région Hauts-de-France"
    assert record.contact_point.email == "sig@hautsdefrance.fr"
    assert record.license is not None and "ouverte" in (record.license.label + str(record.license.uri)).lower()
    assert record.issued == "2019-12-10T09:23:00" and record.modified == "2019-09-30T22:00:00"
    (distribution,) = record.distributions
    assert distribution.url.endswith("/attachments/coordonnees_antennes.xlsx")
    assert (distribution.format, distribution.byte_size, distribution.description) == ("XLSX", 42, "Tableau des données")


@pytest.mark.parametrize("portal", ["paris", "lyon", "montpellier", "datagouv"])
def test_every_manifest_names_existing_files_with_their_provenance(portal):
    manifest = tomllib.loads((RECORDED / portal / "manifest.toml").read_text(encoding="utf-8"))
    for entry in manifest["response"]:
        assert (RECORDED / portal / entry["file"]).is_file()
        assert entry["source"] and entry["captured"] and entry["content_type"]
