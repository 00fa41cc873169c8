"""CKAN packages → DCAT → record: licence ids, fluent translations, hidden packages."""

from __future__ import annotations

import pytest
from rdflib import Graph

from mappings.errors import InvalidRecord, SkipRecord
from mappings.from_rdf import dataset_nodes, record_from_rdf
from mappings.normalise import normalise
from mappings.record import Translation
from mappings.sources.ckan import package_to_dcat
from mappings.vocabularies import canonical_license


def record_of(**package):
    graph = Graph()
    package_to_dcat(graph, {"id": "p-1", "name": "p", "title": "T", **package}, "https://ckan.test/")
    (node,) = dataset_nodes(graph)
    return normalise(record_from_rdf(graph, node, "ckan"))


@pytest.mark.parametrize("license_id", ["cc-by", "odc-odbl", "cc-zero", "lov2", "odc-by"])
def test_licence_ids_become_canonical_licences(license_id):
    assert record_of(license_id=license_id).license.label == canonical_license(license_id).label


def test_unknown_licence_id_keeps_title_and_url():
    record = record_of(license_id="ville-custom", license_title="Licence de la ville", license_url="https://ville.test/licence")
    assert record.license.uri == "https://ville.test/licence"


def test_fluent_translations_keep_their_languages():
    record = record_of(title_translated={"fr": "Arbres", "en": "Trees"}, notes_translated={"fr": "Les arbres", "en": ""})
    assert (record.title, record.title_lang, record.description_lang) == ("Arbres", "fr", "fr")
    assert record.translations == (Translation("title", "en", "Trees"),)


@pytest.mark.parametrize("hidden", [{"state": "deleted"}, {"state": "draft"}, {"private": True}])
def test_hidden_packages_are_skipped(hidden):
    with pytest.raises(SkipRecord):
        package_to_dcat(Graph(), {"id": "p-1", "title": "T", **hidden}, "https://ckan.test")


def test_no_id_is_no_package():
    with pytest.raises(InvalidRecord):
        package_to_dcat(Graph(), {"title": "T"}, "https://ckan.test")
