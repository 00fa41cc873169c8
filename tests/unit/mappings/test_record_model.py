"""The record model: languages, translations, agents and rights survive storage."""

from __future__ import annotations

import json

import pytest

from mappings.record import Agent, Concept, Record, Translation
from tests.factories import RecordFactory


def multilingual_record() -> Record:
    return Record(
        record_id="p:x",
        portal_id="p",
        guid="x",
        title="Qualité de l'air",
        title_lang="fr",
        description="Mesures",
        description_lang=None,
        keywords=("air",),
        translations=(
            Translation(field="title", lang="de", text="Luftqualität"),
            Translation(field="keyword", lang="en", text="air quality"),
        ),
        publisher=Agent(name="", uri="https://example.eu/agency", kind="http://xmlns.com/foaf/0.1/Organization"),
        rights="Réutilisation libre sous réserve de mentionner la source",
    )


def test_new_fields_round_trip_through_json():
    record = multilingual_record()
    stored = json.loads(json.dumps(record.to_dict()))
    assert Record.from_dict(stored) == record
    assert Record.from_dict(stored).content_hash() == record.content_hash()


def test_records_stored_before_the_extension_still_load():
    old = multilingual_record().to_dict()
    for key in ("title_lang", "description_lang", "translations", "rights"):
        del old[key]
    del old["publisher"]["kind"]
    record = Record.from_dict(old)
    assert record.translations == () and record.title_lang is None and record.rights is None
    assert record.publisher.kind is None


def test_stored_json_decodes_to_the_same_record_as_from_dict():
    record = RecordFactory(
        bbox=(2.2, 48.8, 2.5, 48.9), keywords=("a", "b"), themes=(Concept("Transports", "http://x/t"),),
        license=Concept("Licence Ouverte"), publisher=Agent(name="Ville de Paris", email="a@b.fr"),
    )
    _, text = record.with_harvest_time("2026-12-01T00:00:00+00:00").hash_and_json()
    assert Record.from_json(text) == Record.from_dict(json.loads(text)) == record.with_harvest_time("2026-12-01T00:00:00+00:00")
    assert type(Record.from_json(text).distributions) is tuple and Record.from_json(text).distributions


def test_a_stored_value_of_another_type_still_loads_as_from_dict_reads_it():
    old = {**multilingual_record().to_dict(), "quality": "70", "unknown": 1}
    assert Record.from_json(json.dumps(old)) == Record.from_dict(old)
    assert Record.from_json(json.dumps(old)).quality == "70"
    old.pop("title")
    with pytest.raises(TypeError):
        Record.from_json(json.dumps(old))
    with pytest.raises(json.JSONDecodeError):
        Record.from_json('{"record_id": ')


def test_agent_display_name_falls_back_on_email_then_iri():
    assert Agent(name="Ville de Lyon", email="a@b.fr").display_name == "Ville de Lyon"
    assert Agent(name="", email="a@b.fr", uri="https://x/org").display_name == "a@b.fr"
    assert Agent(name="", uri="https://x/org").display_name == "https://x/org"
    assert Agent(name="").display_name == ""
