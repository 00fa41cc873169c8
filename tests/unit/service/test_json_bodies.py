"""The orjson provider writes what Flask's own provider writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from rdflib import Literal, URIRef

from service.json_bodies import OrjsonProvider


@dataclass
class Point:
    x: int
    label: str


VALUES = [
    {"title": "Qualité de l'air — « Lyon »", "n": 3, "ratio": 0.1 + 0.2, "none": None, "ok": True},
    {"when": datetime(2026, 12, 8, 1, 2, 3, tzinfo=timezone.utc), "day": date(2026, 12, 8)},
    {"point": Point(1, "é"), "tuple": (1, "a"), 7: "an int key"},
    {"iri": URIRef("https://data.example/ds/1"), "literal": Literal("vélo")},
    ["\u2028 line separator", "emoji 🚲", "</script>"],
]


#: a provider holds its app weakly: the apps live as long as the tests
APPS = (Flask("standard"), Flask("fast"))


def providers() -> tuple[DefaultJSONProvider, OrjsonProvider]:
    standard = APPS[0].json
    standard.sort_keys, standard.ensure_ascii = False, False
    return standard, OrjsonProvider(APPS[1])


@pytest.mark.parametrize("value", VALUES)
def test_the_body_is_the_same_json_as_flasks(value):
    standard, fast = providers()
    with Flask("app").app_context():
        expected = standard.response(value).get_data()
        body = fast.response(value).get_data()
    assert body == expected


def test_dumps_keeps_the_key_order_and_writes_utf8():
    _, fast = providers()
    assert fast.dumps({"b": 1, "a": "é"}) == '{"b":1,"a":"é"}'


def test_indented_output_is_left_to_the_standard_library():
    _, fast = providers()
    assert fast.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'


def test_an_unknown_type_is_refused():
    _, fast = providers()
    with pytest.raises(TypeError):
        fast.dumps({"x": object()})
