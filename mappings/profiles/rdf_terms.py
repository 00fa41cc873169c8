"""Small RDF building blocks shared by the export profiles: safe IRIs, typed dates, labelled concepts.

DCAT-AP's range shapes (``range.ttl``) check ``sh:class`` on the data graph alone,
so every vocabulary term a profile points to is typed here, and every
``skos:Concept`` gets the ``skos:prefLabel`` that ``shapes.ttl`` requires of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache

from rdflib import Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from mappings.profiles.sink import Term, TripleSink, as_sink, literal

__all__ = [
    "ELI",
    "EU_AUTHORITY",
    "add_concept",
    "add_label_once",
    "add_scheme",
    "cached_terms",
    "agent_name",
    "date_literal",
    "email_address",
    "eu_scheme",
    "linked_agent",
    "mailto",
    "safe_iri",
    "source_text",
    "text_literal",
]

#: The Publications Office's authority tables (EU data theme, file type, frequency, language…).
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
#: European Legislation Identifier ontology (range of ``dcatap:applicableLegislation``).
ELI = Namespace("http://data.europa.eu/eli/ontology#")

#: characters IRIs forbid, and every control character and space
_FORBIDDEN_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_IRI_SCHEMES = ("http://", "https://", "urn:")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")
_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
#: a BCP 47 tag as RDF literals carry it (RDF 1.1 / Turtle LANGTAG)
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
#: language tags profiles write, already valid and lower case (see :func:`text_literal`)
_CHECKED_LANGUAGES = frozenset({"fr", "en", None})
_RDF_TYPE, _SKOS_CONCEPT, _PREF_LABEL, _IN_SCHEME = map(str, (RDF.type, SKOS.Concept, SKOS.prefLabel, SKOS.inScheme))
_CONCEPT_SCHEME, _DCT_TITLE = str(SKOS.ConceptScheme), str(DCTERMS.title)
_XSD = str(XSD)


class cached_terms:  # noqa: N801 - used like the namespace it wraps
    """A namespace whose terms, once looked up, are plain attributes holding compact IRIs (``str``).

    rdflib checks every ``DCTERMS.title`` against the vocabulary (and a ``Namespace``
    builds a new ``URIRef``): about one look-up per exported triple. The first
    look-up of each name still goes through the namespace, so an unknown term
    warns or raises exactly as before.
    """

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        term = str(getattr(self._namespace, name))
        setattr(self, name, term)
        return term


def text_literal(text: str, lang: str | None = None) -> tuple:
    """A plain or language-tagged literal (compact term); a tag other than ``fr``/``en`` is checked first."""
    if lang not in _CHECKED_LANGUAGES and not _LANGUAGE_TAG.match(lang):
        raise ValueError(f"{lang!r} is not a language tag")
    return (text if type(text) is str else str(text), lang, None)


def source_text(text: str, lang: str | None) -> tuple:
    """A text in the language a source tagged it with; a tag RDF cannot carry (``fr_FR``) leaves it plain.

    The export never guesses a language, and a malformed tag from one record must not stop a page.
    """
    if lang and not _LANGUAGE_TAG.match(lang):
        return text_literal(text)
    return text_literal(text, lang.lower() if lang else None)


def safe_iri(value: str | None) -> str | None:
    """An IRI when the text is an absolute http(s) or urn IRI with no characters IRIs forbid, else None."""
    if not value:
        return None
    text = value.strip()
    if not text.startswith(_IRI_SCHEMES) or _FORBIDDEN_IN_IRI.search(text):
        return None
    return text if type(text) is str else str(text)


def mailto(email: str | None) -> str | None:
    """A ``mailto:`` IRI for a plausible e-mail address (an existing ``mailto:`` prefix is kept once)."""
    text = email_address(email)
    return f"mailto:{text}" if _EMAIL.match(text) else None


def email_address(text: str | None) -> str:
    """The address of ``mailto: a@b.fr`` or ``a@b.fr``, without the scheme or surrounding spaces."""
    return (text or "").strip().removeprefix("mailto:").strip()


def agent_name(agent) -> str:
    """What to call an agent: its name, else the e-mail address or IRI the source identifies it by."""
    return agent.name.strip() or email_address(agent.email) or (agent.uri or "").strip()


def linked_agent(sink, subject, predicate: str, agent) -> tuple | None:
    """``(node, name)`` of a named agent, linked from ``subject`` by ``predicate``; None (nothing written) without a name.

    The node is the agent's IRI when it has a safe one, else a blank node.
    """
    name = agent_name(agent) if agent is not None else ""
    if not name:
        return None
    node = safe_iri(agent.uri) or sink.blank()
    sink.add(subject, predicate, node)
    return node, name


@lru_cache(maxsize=4096)
def date_literal(value: str | None) -> tuple | None:
    """A well-formed ``xsd:date`` or ``xsd:dateTime`` literal (``gYearMonth``/``gYear`` for partial dates), or None.

    DCAT-AP 3.0.1 accepts exactly these four datatypes; a value that is not a real
    date (``2024-02-30``) is dropped rather than exported ill-typed.
    """
    text = (value or "").strip()
    if _DATE_TIME.match(text):
        # rdflib's lexical form (``Z`` written ``+00:00``), as the export always wrote it
        return literal(str(Literal(text, datatype=XSD.dateTime)), None, _XSD + "dateTime") if _parses(datetime.fromisoformat, text) else None
    if _DATE.match(text):
        return literal(text, None, _XSD + "date") if _parses(date.fromisoformat, text) else None
    if _YEAR_MONTH.match(text):
        return literal(text, None, _XSD + "gYearMonth")
    if _YEAR.match(text):
        return literal(text, None, _XSD + "gYear")
    return None


def eu_scheme(table: str) -> str:
    """The concept scheme IRI of an EU authority table (``data-theme``, ``file-type``…)."""
    return EU_AUTHORITY + table


def add_concept(
    sink: TripleSink,
    iri: str,
    labels: Mapping[str | None, str],
    *,
    scheme: str | None = None,
    types: Iterable[str] = (),
) -> str:
    """Type ``iri`` as a ``skos:Concept`` (plus ``types``), label it per language and put it in ``scheme``.

    The same call a second time on a sink returns at once: it would add nothing.
    """
    sink = as_sink(sink)
    types = tuple(types)
    if not sink.once(("concept", iri, tuple(labels.items()), scheme, types)):
        return iri
    sink.add(iri, _RDF_TYPE, _SKOS_CONCEPT)
    for rdf_type in types:
        sink.add(iri, _RDF_TYPE, rdf_type)
    for language, label in labels.items():
        add_label_once(sink, iri, label, language)
    if scheme is not None:
        sink.add(iri, _IN_SCHEME, scheme)
    return iri


def add_label_once(sink: TripleSink, node: Term, label: str, language: str | None) -> None:
    """A ``skos:prefLabel`` in ``language`` unless the node already has one (SKOS allows one per language).

    A catalogue page gathers many records: two of them may label the same
    concept differently, and the first label wins.
    """
    sink = as_sink(sink)
    if label and sink.once(("prefLabel", node, language)):
        sink.add(node, _PREF_LABEL, text_literal(label, language))


def add_scheme(sink: TripleSink, scheme: str, title: str) -> str:
    """Type ``scheme`` as a ``skos:ConceptScheme`` with the ``dct:title`` DCAT-AP requires of one."""
    sink = as_sink(sink)
    if sink.once(("scheme", scheme)):
        sink.add(scheme, _RDF_TYPE, _CONCEPT_SCHEME)
        sink.add(scheme, _DCT_TITLE, text_literal(title, "en"))
    return scheme


def _parses(parse, text: str) -> bool:
    try:
        parse(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True

