"""The per-portal generation filter of the Elasticsearch backend, as data (no engine needed)."""

from __future__ import annotations

import pytest

from service.search.generations import (
    committed_generations,
    portal_leftovers,
    portal_retirements_to_undo,
    visibility_filter,
)


def matches(query: dict, doc: dict) -> bool:
    """A tiny evaluator of the query shapes these functions build, to check their meaning on documents."""
    (kind, body), = query.items()
    if kind == "match_none":
        return False
    if kind == "term":
        (field, value), = body.items()
        return doc.get(field) == value
    if kind == "range":
        (field, bounds), = body.items()
        value = doc.get(field)
        if value is None:
            return False
        return all({"lte": value <= b, "lt": value < b, "gt": value > b, "gte": value >= b}[op] for op, b in bounds.items())
    if kind == "bool":
        ok = all(matches(q, doc) for q in body.get("filter", []))
        ok = ok and not any(matches(q, doc) for q in body.get("must_not", []))
        should = body.get("should", [])
        if should:
            ok = ok and sum(matches(q, doc) for q in should) >= body.get("minimum_should_match", 1)
        return ok
    raise AssertionError(kind)


def doc(portal: str, generation: int, superseded_in: int | None = None) -> dict:
    return {"portal_id": portal, "generation": generation, "superseded_in": superseded_in}


def test_nothing_is_visible_before_any_commit():
    assert visibility_filter({}) == {"match_none": {}}
    assert not matches(visibility_filter({}), doc("paris", 1))


def test_each_portal_shows_its_committed_generation_only():
    alias = visibility_filter({"paris": 3, "lyon": 1})
    assert matches(alias, doc("paris", 3))
    assert matches(alias, doc("paris", 1)), "an unchanged record written by an older harvest"
    assert matches(alias, doc("paris", 2, superseded_in=4)), "replaced by a harvest not yet committed"
    assert not matches(alias, doc("paris", 4)), "written by a harvest not yet committed"
    assert not matches(alias, doc("paris", 2, superseded_in=3)), "replaced by the committed harvest"
    assert matches(alias, doc("lyon", 1)) and not matches(alias, doc("lyon", 2))
    assert not matches(alias, doc("montpellier", 1)), "a portal never committed"


@pytest.mark.parametrize("committed", [{}, {"paris": 1}, {"paris": 7, "lyon": 2, "data-gouv": 40}])
def test_the_committed_generations_read_back_from_the_filter(committed):
    assert committed_generations(visibility_filter(committed)) == committed


def test_an_engine_may_hand_terms_back_in_their_long_form():
    alias = visibility_filter({"paris": 2})
    alias["bool"]["should"][0]["bool"]["filter"][0] = {"term": {"portal_id": {"value": "paris"}}}
    assert committed_generations(alias) == {"paris": 2}


def test_no_filter_and_a_foreign_filter():
    assert committed_generations(None) == {}
    with pytest.raises(ValueError, match="did not write"):
        committed_generations({"term": {"portal_id": "paris"}})


def test_leftovers_are_the_uncommitted_and_the_superseded():
    leftovers = portal_leftovers("paris", 3)
    assert matches(leftovers, doc("paris", 4)), "an aborted harvest's new version"
    assert matches(leftovers, doc("paris", 2, superseded_in=3)), "replaced by the committed harvest"
    assert not matches(leftovers, doc("paris", 3)) and not matches(leftovers, doc("paris", 1, superseded_in=4))
    assert not matches(leftovers, doc("lyon", 9))


def test_retirement_marks_to_undo_are_those_of_aborted_harvests():
    undo = portal_retirements_to_undo("paris", 3)
    assert matches(undo, doc("paris", 1, superseded_in=4))
    assert not matches(undo, doc("paris", 1, superseded_in=3)) and not matches(undo, doc("paris", 1))
