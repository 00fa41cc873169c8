"""The export page graph and the shortcuts profiles take on it say exactly what rdflib's own ``Graph`` would."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from mappings.profiles.base import CatalogInfo, CatalogPage, build_catalog_graph, catalog_ref, dataset_ref, new_graph
from mappings.profiles.dcat_ap_3 import DcatAp3Profile
from mappings.profiles.sink import PageSink, to_rdflib
from mappings.profiles.rdf_terms import add_concept, cached_terms, text_literal
from mappings.record import Agent, Concept, ThemeAssignment
from tests.factories import DistributionFactory, RecordFactory

BASE = "http://fedcat.test"


@pytest.mark.parametrize("text", ["Vélos", "", " espaces ", 'guillemets " et \\', "ligne\nsuivante"])
@pytest.mark.parametrize("lang", ["fr", "en", None])
def test_text_literals_are_the_literals_rdflib_builds(text, lang):
    assert to_rdflib(text_literal(text, lang)).eq(Literal(text, lang=lang))


def test_other_tags_are_checked():
    assert to_rdflib(text_literal("x", "fr-ca")).language == Literal("x", lang="fr-ca").language
    with pytest.raises(ValueError):
        text_literal("x", "not a tag")


def test_cached_terms_are_the_namespace_terms_as_plain_strings_and_unknown_terms_still_fail():
    terms = cached_terms(DCTERMS)
    assert terms.title is terms.title and type(terms.title) is str and terms.title == str(DCTERMS.title)
    with pytest.raises(AttributeError):
        terms.titel  # noqa: B018


def test_a_concept_is_described_once_per_sink():
    sink = PageSink()
    concept = "http://example.org/c"
    add_concept(sink, concept, {"fr": "Un"})
    add_concept(sink, concept, {"fr": "Deux"})
    assert list(sink.triples()) == [
        (concept, str(RDF.type), str(SKOS.Concept)), (concept, str(SKOS.prefLabel), ("Un", "fr", None))
    ]


def records():
    theme = ThemeAssignment(code="TRAN", uri="http://publications.europa.eu/resource/authority/data-theme/TRAN",
                            label_fr="Transports", label_en="Transport", confidence=1.0, rule="test")
    publisher = Agent(name="Ville de Paris", email="contact@paris.fr", url="https://www.paris.fr")
    licence = Concept(uri="https://www.etalab.gouv.fr/licence-ouverte-open-licence", label="Licence Ouverte")
    return [
        RecordFactory(
            guid=f"https://opendata.paris.fr/d{n}", title=f"Jeu {n}", eu_themes=(theme,), publisher=publisher,
            license=licence, languages=("fr", "en"), keywords=("vélo", "hvd", "mobilite"),
            themes=(Concept(uri="http://inspire.ec.europa.eu/theme/tn", label=f"Réseaux {n}"),),
            distributions=tuple(DistributionFactory() for _ in range(n % 3 + 1)),
        )
        for n in range(6)
    ]


def test_a_built_page_says_what_a_plain_graph_says():
    """A catalogue page built through the export's sink says what the profile writes straight into a plain graph."""
    page = CatalogPage(info=CatalogInfo(base_url=BASE), records=records(), total=6, page=1, page_size=10,
                       page_url=lambda n: f"{BASE}/catalog.ttl?page={n}")
    profile = DcatAp3Profile()
    plain = new_graph(Graph())
    profile.serialize_catalog(plain, catalog_ref(BASE), page)
    for record in page.records:
        profile.serialize_dataset(record, plain, dataset_ref(BASE, record.record_id))
    fast = build_catalog_graph(page, [profile])
    assert len(fast) == len(plain) and isomorphic(fast, plain)
