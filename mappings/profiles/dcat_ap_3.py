"""DCAT-AP 3.0.1: the base export profile, one small function per part of a record.

Every exported catalogue page and dataset validates against the official
shapes (``shapes.ttl`` + ``range.ttl``) with no violation; docs/dcat-ap.md lists
the choices that takes and the recommended properties still missing.
Agents, distributions, coverage and HVD live in their own modules.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from mappings.profiles.base import CatalogPage, Profile, dataset_ref
from mappings.profiles.dcat_agents import add_agent, add_contact_point
from mappings.profiles.dcat_coverage import add_spatial, add_temporal
from mappings.profiles.dcat_distributions import add_distribution
from mappings.profiles.hvd import add_hvd, hvd_of
from mappings.profiles.rdf_terms import (
    EU_AUTHORITY,
    add_concept,
    add_scheme,
    cached_terms,
    date_literal,
    eu_scheme,
    safe_iri,
    source_text,
    text_literal,
)
from mappings.record import Agent, Concept, Record, ThemeAssignment
from mappings.vocab import ADMS, HYDRA
from mappings.vocabularies import eu_frequency, eu_language, fold

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD = map(cached_terms, (DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD))
ADMS, HYDRA = map(cached_terms, (ADMS, HYDRA))

__all__ = [
    "ACCESS_RIGHTS",
    "DcatAp3Profile",
    "THEME_SCHEMES",
    "access_right_code",
    "add_access_rights",
    "add_catalog",
    "add_dates",
    "add_eu_themes",
    "add_frequency",
    "add_hydra_view",
    "add_keywords",
    "add_landing_page",
    "add_languages",
    "add_portal_themes",
    "add_provenance",
    "add_source",
    "add_texts",
    "add_upstream_identifier",
    "portal_theme_scheme",
]

#: Concept schemes whose IRIs are real ``skos:Concept``s, worth keeping next to the EU themes.
#: Anything else a portal calls a theme (Opendatasoft facet URLs, DKAN categories) becomes a keyword.
THEME_SCHEMES = {
    EU_AUTHORITY + "data-theme/": EU_AUTHORITY + "data-theme",
    "http://inspire.ec.europa.eu/theme/": "http://inspire.ec.europa.eu/theme",
    "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/": (
        "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory"
    ),
}
#: EU access-right codes with their labels, and the folded words portals use for them.
ACCESS_RIGHTS = {
    "PUBLIC": ({"fr": "Public", "en": "Public"}, ("public", "open", "ouvert", "acces libre", "libre")),
    "RESTRICTED": ({"fr": "Restreint", "en": "Restricted"}, ("restricted", "restreint", "acces restreint")),
    "NON_PUBLIC": ({"fr": "Non public", "en": "Non-public"}, ("non public", "private", "prive")),
}
_FRANCE = URIRef(EU_AUTHORITY + "country/FRA")
#: where each translated field of a record goes
_TRANSLATED = {"title": DCTERMS.title, "description": DCTERMS.description, "keyword": DCAT.keyword}


class DcatAp3Profile(Profile):
    """Writes records and catalogue pages as DCAT-AP 3.0.1."""

    name = "dcat_ap_3"

    def serialize_dataset(self, record: Record, graph: Graph, ref: URIRef) -> None:
        """See :meth:`Profile.serialize_dataset`."""
        graph.add((ref, RDF.type, DCAT.Dataset))
        add_texts(graph, ref, record)
        add_eu_themes(graph, ref, record.eu_themes)
        add_portal_themes(graph, ref, record.themes)
        add_agent(graph, ref, DCTERMS.publisher, record.publisher)
        add_contact_point(graph, ref, record.contact_point)
        add_dates(graph, ref, record.issued, record.modified)
        add_frequency(graph, ref, record.frequency)
        add_spatial(graph, ref, record.spatial, record.bbox)
        add_temporal(graph, ref, record.temporal_start, record.temporal_end)
        add_languages(graph, ref, record.languages)
        add_access_rights(graph, ref, record.access_rights)
        add_landing_page(graph, ref, record.landing_page)
        add_provenance(graph, ref, record)
        legislation = add_hvd(graph, ref, hvd_of(record))
        for number, distribution in enumerate(record.distributions, 1):
            distribution_ref = URIRef(f"{ref}#distribution-{number}")
            add_distribution(graph, ref, distribution_ref, distribution, record.license, legislation, record.rights)

    def serialize_catalog(self, graph: Graph, ref: URIRef, page: CatalogPage) -> None:
        """See :meth:`Profile.serialize_catalog`."""
        add_catalog(graph, ref, page)
        add_hydra_view(graph, ref, page)
        for record in page.records:
            graph.add((ref, DCAT.dataset, dataset_ref(page.info.base_url, record.record_id)))


# -- the catalogue -----------------------------------------------------------------------


def add_catalog(graph: Graph, ref: URIRef, page: CatalogPage) -> None:
    """fedcat's ``dcat:Catalog``: title, description, publisher, homepage, language, coverage, theme taxonomy."""
    info = page.info
    graph.add((ref, RDF.type, DCAT.Catalog))
    graph.add((ref, RDF.type, HYDRA.Collection))
    graph.add((ref, DCTERMS.title, text_literal(info.title, "fr")))
    graph.add((ref, DCTERMS.description, text_literal(info.description, "fr")))
    homepage = URIRef(info.base_url.rstrip("/") + "/")
    graph.add((ref, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    add_languages(graph, ref, (info.language,))
    # An IRI, not a blank node: the pages merge into one catalogue, which has one publisher.
    add_agent(graph, ref, DCTERMS.publisher, Agent(name=info.publisher_name, uri=f"{ref}#publisher"))
    add_dates(graph, ref, None, page.modified)
    # fedcat federates French portals only: the catalogue covers France.
    graph.add((ref, DCTERMS.spatial, _FRANCE))
    france = {"fr": "France", "en": "France"}
    add_concept(graph, _FRANCE, france, scheme=eu_scheme("country"), types=(DCTERMS.Location,))
    graph.add((ref, DCAT.themeTaxonomy, add_scheme(graph, eu_scheme("data-theme"), "Data theme")))
    graph.add((ref, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))


def add_hydra_view(graph: Graph, ref: URIRef, page: CatalogPage) -> None:
    """The Hydra ``PartialCollectionView`` of this page with first/last/previous/next links."""
    view = URIRef(page.page_url(page.page))
    graph.add((ref, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(page.page_url(1))))
    graph.add((view, HYDRA.last, URIRef(page.page_url(page.last_page))))
    if page.page > 1:
        graph.add((view, HYDRA.previous, URIRef(page.page_url(min(page.page - 1, page.last_page)))))
    if page.page < page.last_page:
        graph.add((view, HYDRA.next, URIRef(page.page_url(page.page + 1))))


# -- the parts of a dataset --------------------------------------------------------------


def add_texts(graph: Graph, ref: URIRef, record: Record) -> None:
    """Title, description and keywords, each in the language the source gave it, and every translation.

    A text the source gave as a plain literal stays plain: fedcat never guesses a language.
    An empty description falls back on the title (DCAT-AP makes it mandatory), in the title's language.
    """
    graph.add((ref, DCTERMS.title, source_text(record.title, record.title_lang)))
    if record.description:
        graph.add((ref, DCTERMS.description, source_text(record.description, record.description_lang)))
    else:
        graph.add((ref, DCTERMS.description, source_text(record.title, record.title_lang)))
    add_keywords(graph, ref, record.keywords, record.keywords_lang)
    for translation in record.translations:
        predicate = _TRANSLATED.get(translation.field)
        if predicate is not None and translation.text.strip() and translation.lang:
            graph.add((ref, predicate, source_text(translation.text.strip(), translation.lang)))


def add_keywords(graph: Graph, ref: URIRef, keywords: tuple[str, ...], lang: str | None = None) -> None:
    """``dcat:keyword`` literals, tagged only with a language the source gave."""
    for keyword in keywords:
        if keyword.strip():
            graph.add((ref, DCAT.keyword, text_literal(keyword.strip(), lang)))


def add_eu_themes(graph: Graph, ref: URIRef, themes: tuple[ThemeAssignment, ...]) -> None:
    """``dcat:theme``: the EU data themes normalisation assigned, as labelled concepts of the EU scheme."""
    for theme in themes:
        iri = URIRef(theme.uri)
        graph.add((ref, DCAT.theme, iri))
        add_concept(graph, iri, {"fr": theme.label_fr, "en": theme.label_en}, scheme=eu_scheme("data-theme"))


def add_portal_themes(graph: Graph, ref: URIRef, themes: tuple[Concept, ...]) -> None:
    """The portal's own themes: concepts of a known scheme stay ``dcat:theme``, anything else becomes a keyword."""
    for theme in themes:
        iri = safe_iri(theme.uri)
        scheme = portal_theme_scheme(iri)
        if iri is None or scheme is None:
            add_keywords(graph, ref, (theme.label,))
            continue
        graph.add((ref, DCAT.theme, iri))
        # the portal's label, in whatever language the portal wrote it: untagged
        add_concept(graph, iri, {None: theme.label}, scheme=URIRef(scheme))


def portal_theme_scheme(iri: URIRef | None) -> str | None:
    """The concept scheme of a theme IRI when it belongs to one of :data:`THEME_SCHEMES`, else None."""
    text = str(iri or "").replace("https://", "http://", 1)
    if "?" in text:  # a search URL, never a concept
        return None
    return next((scheme for prefix, scheme in THEME_SCHEMES.items() if text.startswith(prefix)), None)


def add_dates(graph: Graph, ref: URIRef, issued: str | None, modified: str | None) -> None:
    """``dct:issued`` and ``dct:modified`` as ``xsd:date`` / ``xsd:dateTime`` (unparseable dates are left out)."""
    for predicate, value in ((DCTERMS.issued, issued), (DCTERMS.modified, modified)):
        literal = date_literal(value)
        if literal is not None:
            graph.add((ref, predicate, literal))


def add_frequency(graph: Graph, ref: URIRef, frequency: Concept | None) -> None:
    """``dct:accrualPeriodicity`` as an EU frequency (the only vocabulary the shapes allow), else nothing."""
    info = (eu_frequency(frequency.uri) or eu_frequency(frequency.label)) if frequency else None
    if info is None:
        return
    iri = URIRef(info.uri)
    graph.add((ref, DCTERMS.accrualPeriodicity, iri))
    labels = {"fr": info.label_fr, "en": info.label_en}
    add_concept(graph, iri, labels, scheme=eu_scheme("frequency"), types=(DCTERMS.Frequency,))


def add_languages(graph: Graph, ref: URIRef, codes: tuple[str, ...]) -> None:
    """``dct:language`` as EU language IRIs; codes the EU table does not know are left out."""
    for code in codes:
        info = eu_language(code)
        if info is None:
            continue
        iri = URIRef(info.uri)
        graph.add((ref, DCTERMS.language, iri))
        labels = {"fr": info.label_fr, "en": info.label_en}
        add_concept(graph, iri, labels, scheme=eu_scheme("language"), types=(DCTERMS.LinguisticSystem,))


def add_access_rights(graph: Graph, ref: URIRef, rights: Concept | None) -> None:
    """``dct:accessRights``: the EU access-right concept when recognisable, else the portal's statement as given."""
    if rights is None:
        return
    code = access_right_code(rights)
    if code is not None:
        iri = URIRef(EU_AUTHORITY + "access-right/" + code)
        labels = ACCESS_RIGHTS[code][0]
        add_concept(graph, iri, labels, scheme=eu_scheme("access-right"), types=(DCTERMS.RightsStatement,))
        graph.add((ref, DCTERMS.accessRights, iri))
        return
    node = safe_iri(rights.uri) or BNode()
    graph.add((ref, DCTERMS.accessRights, node))
    graph.add((node, RDF.type, DCTERMS.RightsStatement))
    if rights.label.strip():
        graph.add((node, RDFS.label, text_literal(rights.label.strip())))


def access_right_code(rights: Concept) -> str | None:
    """The EU access-right code (``PUBLIC``, ``RESTRICTED``, ``NON_PUBLIC``) a statement names, or None."""
    for text in (rights.uri or "", rights.label):
        tail = text.rstrip("/").rsplit("/", 1)[-1]
        key = fold(tail)
        for code, (_, words) in ACCESS_RIGHTS.items():
            if key == fold(code) or key in words:
                return code
    return None


def add_landing_page(graph: Graph, ref: URIRef, url: str | None) -> None:
    """``dcat:landingPage`` as a ``foaf:Document``."""
    page = safe_iri(url)
    if page is not None:
        graph.add((ref, DCAT.landingPage, page))
        graph.add((page, RDF.type, FOAF.Document))


def add_provenance(graph: Graph, ref: URIRef, record: Record) -> None:
    """Which dataset this is, and where it came from.

    ``dct:identifier`` is the dataset's IRI in fedcat's export: unique in the
    catalogue, where a portal's own id is not (data.gouv.fr republishes Paris's
    datasets under Paris's URL, and harvesters such as udata refuse a second
    dataset with the same identifier). The upstream ids go where DCAT-AP puts
    other identifiers, ``adms:identifier``, with the portal as schema agency.
    """
    graph.add((ref, DCTERMS.identifier, text_literal(str(ref))))
    for value in dict.fromkeys(v for v in (record.guid, record.identifier) if v and v.strip()):
        add_upstream_identifier(graph, ref, value.strip(), record.portal_id)
    add_source(graph, ref, record)


def add_upstream_identifier(graph: Graph, ref: URIRef, value: str, portal_id: str) -> None:
    """One ``adms:Identifier`` holding an id the source portal gave the dataset."""
    node = BNode()
    graph.add((ref, ADMS.identifier, node))
    graph.add((node, RDF.type, ADMS.Identifier))
    notation = Literal(value, datatype=XSD.anyURI) if safe_iri(value) else text_literal(value)
    graph.add((node, SKOS.notation, notation))
    graph.add((node, ADMS.schemaAgency, text_literal(portal_id)))


def add_source(graph: Graph, ref: URIRef, record: Record) -> None:
    """``prov:wasDerivedFrom``: the dataset on the portal fedcat harvested, as a bare IRI.

    Not ``dct:source``: DCAT-AP's range makes that a ``dcat:Dataset``, and any
    upstream node typed a dataset (or a subclass, for a client that infers
    classes) would be read as one more dataset of this catalogue, missing its properties.
    """
    source = safe_iri(record.source_uri)
    if source is not None and source != ref:
        graph.add((ref, PROV.wasDerivedFrom, source))
