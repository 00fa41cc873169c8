"""Record and page limits (issue 16, item 2): pure bounding of records, and the triple cap of the parsers."""

from __future__ import annotations

import json

import pytest

from harvesters.errors import PageTooLarge
from harvesters.fetch.rdf_parsing import parse_rdf
from mappings.limits import TRUNCATION_MARKER, RecordLimits, bound_record, cut_text
from mappings.record import Distribution, Record

URL = "http://portal.test/catalog"
LIMITS = RecordLimits(max_text_chars=50, max_keywords=3, max_distributions=2)


def _record(**fields) -> Record:
    return Record(record_id="p:x", portal_id="p", guid="x", title="Titre", **fields)


def test_a_record_within_the_limits_is_returned_as_is():
    record = _record(description="court", keywords=("a", "b"), distributions=(Distribution(access_url="http://a"),))
    assert bound_record(record, LIMITS) == (record, [])


def test_long_texts_are_cut_with_the_marker_and_lists_shortened():
    long_text = "mot " * 100
    record = _record(
        description=long_text,
        keywords=tuple(f"k{n}" for n in range(10)),
        distributions=tuple(Distribution(access_url=f"http://d/{n}", description=long_text if n == 0 else None) for n in range(5)),
    )
    bounded, hit = bound_record(record, LIMITS)
    assert hit == ["FEDCAT_MAX_DISTRIBUTIONS", "FEDCAT_MAX_KEYWORDS", "FEDCAT_MAX_LITERAL_CHARS"]
    assert bounded.description.endswith(TRUNCATION_MARKER) and len(bounded.description) <= 50
    assert bounded.keywords == ("k0", "k1", "k2")
    assert [d.access_url for d in bounded.distributions] == ["http://d/0", "http://d/1"]
    assert bounded.distributions[0].description.endswith(TRUNCATION_MARKER)


@pytest.mark.parametrize("text,limit", [("a" * 200, 50), ("mot " * 30, 50), ("é" * 60, 51)])
def test_cut_text_never_exceeds_the_limit(text, limit):
    cut = cut_text(text, limit)
    assert len(cut) <= limit and cut.endswith(TRUNCATION_MARKER)


def _turtle(triples: int) -> bytes:
    lines = ["@prefix dct: <http://purl.org/dc/terms/> ."]
    lines += [f'<http://p.test/d{n}> dct:title "t{n}" .' for n in range(triples)]
    return "\n".join(lines).encode()


@pytest.mark.parametrize("indexed", [True, False])
def test_a_page_over_the_triple_cap_is_refused_and_one_at_it_is_parsed(indexed):
    assert len(parse_rdf(_turtle(100), "text/turtle", URL, indexed=indexed, max_triples=100)) == 100
    with pytest.raises(PageTooLarge, match=r"more than 99 triples \(FEDCAT_MAX_PAGE_TRIPLES\)"):
        parse_rdf(_turtle(100), "text/turtle", URL, indexed=indexed, max_triples=99)


def test_the_lenient_fallback_never_builds_a_page_over_the_cap():
    # a space in an IRI: Oxigraph's strict parser refuses it, rdflib's lenient one would build the graph
    body = _turtle(300).replace(b"<http://p.test/d7>", b"<http://p.test/d 7>")
    assert len(parse_rdf(body, "text/turtle", URL, max_triples=300)) == 300
    with pytest.raises(PageTooLarge):
        parse_rdf(body, "text/turtle", URL, max_triples=100)


def test_json_ld_pages_are_counted_too():
    document = {"@graph": [{"@id": f"http://p.test/d{n}", "http://purl.org/dc/terms/title": f"t{n}"} for n in range(20)]}
    with pytest.raises(PageTooLarge):
        parse_rdf(json.dumps(document).encode(), "application/ld+json", URL, max_triples=10)
