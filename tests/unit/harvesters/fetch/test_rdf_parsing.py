"""Every parse failure says the format, where and why (issue 16, item 8): never "string index out of range"."""

from __future__ import annotations

import re

import pytest

from harvesters.errors import ParseError
from harvesters.fetch.rdf_parsing import parse_rdf

URL = "http://portal.test/catalog"
TURTLE = """@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
<http://p.test/d1> a dcat:Dataset ; dct:title "Vélos en libre service" ;
    dcat:keyword "mobilité", "vélo" ; dct:issued "2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date> .
<http://p.test/d2> a dcat:Dataset ; dct:title \"\"\"Qualité de l'air
sur plusieurs lignes\"\"\"@fr ; dcat:distribution [ dcat:accessURL <http://p.test/d2.csv> ] .
"""
RDF_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="http://p.test/d1"><dct:title>Vélos</dct:title></rdf:Description>
</rdf:RDF>
"""
POSITION = re.compile(r"line \d+|position \d+|char \d+|:\d+:\d+")


def _cuts(text: str) -> list[bytes]:
    """The document cut at every character that leaves an invalid document."""
    data = text.encode()
    return [data[:n] for n in range(1, len(data)) if data[:n].strip() and not data[:n].endswith((b".\n", b". "))]


def _message(content: bytes, media_type: str) -> str | None:
    try:
        parse_rdf(content, media_type, URL)
    except ParseError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("text,media_type,name", [(TURTLE, "text/turtle", "turtle"), (RDF_XML, "application/rdf+xml", "xml")])
def test_a_cut_off_document_says_its_format_position_and_reason(text, media_type, name):
    failures = [(len(cut), message) for cut in _cuts(text) if (message := _message(cut, media_type)) is not None]
    assert len(failures) > len(text) // 2, "most cuts leave an invalid document"
    for length, message in failures:
        assert message.lower().startswith(f"could not parse {name} from {URL}: "), (length, message)
        assert POSITION.search(message), (length, message)
        assert "index out of range" not in message and not message.endswith(": "), (length, message)


def test_the_reason_of_a_truncated_turtle_body_is_in_words():
    message = _message(TURTLE.encode()[: TURTLE.index("Vélos") + 3], "text/turtle")
    assert re.search(r"line 3\b.*(end of file|Unexpected end)", message, re.IGNORECASE), message


def test_invalid_utf8_names_the_byte_position():
    message = _message(TURTLE.encode().replace("Vélos".encode(), b"V\xe9los"), "text/turtle")
    assert message is not None and "utf-8" in message.lower() and POSITION.search(message), message
