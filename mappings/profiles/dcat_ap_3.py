"""DCAT-AP 3.0.1: the base export profile, one small function per part of a record.

Every exported catalogue page and dataset validates against the official
shapes (``shapes.ttl`` + ``range.ttl``) with no violation; docs/dcat-ap.md lists
the choices that takes and the recommended properties still missing.
Agents, distributions, coverage and HVD live in their own modules.
"""

from __future__ import annotations

from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from mappings.profiles.base import CatalogPage, Profile, dataset_iri
from mappings.profiles.dcat_agents import add_agent, add_contact_point
from mappings.profiles.dcat_coverage import add_spatial, add_temporal
from mappings.profiles.dcat_distributions import add_distribution
from mappings.profiles.hvd import add_hvd, hvd_of
from mappings.profiles.sink import Term, TripleSink, as_sink, literal
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
_FRANCE = EU_AUTHORITY + "country/FRA"
#: where each translated field of a record goes
_TRANSLATED = {"title": DCTERMS.title, "description": DCTERMS.description, "keyword": DCAT.keyword}


class DcatAp3Profile(Profile):
    """Writes records and catalogue pages as DCAT-AP 3.0.1."""

    name = "dcat_ap_3"

    def serialize_dataset(self, record: Record, sink: TripleSink, ref: Term) -> None:
        """See :meth:`Profile.serialize_dataset`."""
        sink, ref = as_sink(sink), str(ref)
        sink.add(ref, RDF.type, DCAT.Dataset)
        add_texts(sink, ref, record)
        add_eu_themes(sink, ref, record.eu_themes)
        add_portal_themes(sink, ref, record.themes)
        add_agent(sink, ref, DCTERMS.publisher, record.publisher)
        add_contact_point(sink, ref, record.contact_point)
        add_dates(sink, ref, record.issued, record.modified)
        add_frequency(sink, ref, record.frequency)
        add_spatial(sink, ref, record.spatial, record.bbox)
        add_temporal(sink, ref, record.temporal_start, record.temporal_end)
        add_languages(sink, ref, record.languages)
        add_access_rights(sink, ref, record.access_rights)
        add_landing_page(sink, ref, record.landing_page)
        add_provenance(sink, ref, record)
        legislation = add_hvd(sink, ref, hvd_of(record))
        for number, distribution in enumerate(record.distributions, 1):
            distribution_ref = f"{ref}#distribution-{number}"
            add_distribution(sink, ref, distribution_ref, distribution, record.license, legislation, record.rights)

    def serialize_catalog(self, sink: TripleSink, ref: Term, page: CatalogPage) -> None:
        """See :meth:`Profile.serialize_catalog`."""
        sink, ref = as_sink(sink), str(ref)
        add_catalog(sink, ref, page)
        add_hydra_view(sink, ref, page)
        for record in page.records:
            sink.add(ref, DCAT.dataset, dataset_iri(page.info.base_url, record.record_id))


# -- the catalogue -----------------------------------------------------------------------


def add_catalog(sink: TripleSink, ref: Term, page: CatalogPage) -> None:
    """fedcat's ``dcat:Catalog``: title, description, publisher, homepage, language, coverage, theme taxonomy."""
    sink = as_sink(sink)
    info = page.info
    sink.add(ref, RDF.type, DCAT.Catalog)
    sink.add(ref, RDF.type, HYDRA.Collection)
    sink.add(ref, DCTERMS.title, text_literal(info.title, "fr"))
    sink.add(ref, DCTERMS.description, text_literal(info.description, "fr"))
    homepage = info.base_url.rstrip("/") + "/"
    sink.add(ref, FOAF.homepage, homepage)
    sink.add(homepage, RDF.type, FOAF.Document)
    add_languages(sink, ref, (info.language,))
    # An IRI, not a blank node: the pages merge into one catalogue, which has one publisher.
    add_agent(sink, ref, DCTERMS.publisher, Agent(name=info.publisher_name, uri=f"{ref}#publisher"))
    add_dates(sink, ref, None, page.modified)
    # fedcat federates French portals only: the catalogue covers France.
    sink.add(ref, DCTERMS.spatial, _FRANCE)
    france = {"fr": "France", "en": "France"}
    add_concept(sink, _FRANCE, france, scheme=eu_scheme("country"), types=(DCTERMS.Location,))
    sink.add(ref, DCAT.themeTaxonomy, add_scheme(sink, eu_scheme("data-theme"), "Data theme"))
    sink.add(ref, HYDRA.totalItems, literal(str(page.total), None, XSD.integer))


def add_hydra_view(sink: TripleSink, ref: Term, page: CatalogPage) -> None:
    """The Hydra ``PartialCollectionView`` of this page with first/last/previous/next links."""
    sink = as_sink(sink)
    view = page.page_url(page.page)
    sink.add(ref, HYDRA.view, view)
    sink.add(view, RDF.type, HYDRA.PartialCollectionView)
    sink.add(view, HYDRA.first, page.page_url(1))
    sink.add(view, HYDRA.last, page.page_url(page.last_page))
    if page.page > 1:
        sink.add(view, HYDRA.previous, page.page_url(min(page.page - 1, page.last_page)))
    if page.page < page.last_page:
        sink.add(view, HYDRA.next, page.page_url(page.page + 1))


# -- the parts of a dataset --------------------------------------------------------------


def add_texts(sink: TripleSink, ref: Term, record: Record) -> None:
    """Title, description and keywords, each in the language the source gave it, and every translation.

    A text the source gave as a plain literal stays plain: fedcat never guesses a language.
    An empty description falls back on the title (DCAT-AP makes it mandatory), in the title's language.
    """
    sink = as_sink(sink)
    sink.add(ref, DCTERMS.title, source_text(record.title, record.title_lang))
    if record.description:
        sink.add(ref, DCTERMS.description, source_text(record.description, record.description_lang))
    else:
        sink.add(ref, DCTERMS.description, source_text(record.title, record.title_lang))
    add_keywords(sink, ref, record.keywords, record.keywords_lang)
    for translation in record.translations:
        predicate = _TRANSLATED.get(translation.field)
        if predicate is not None and translation.text.strip() and translation.lang:
            sink.add(ref, predicate, source_text(translation.text.strip(), translation.lang))


def add_keywords(sink: TripleSink, ref: Term, keywords: tuple[str, ...], lang: str | None = None) -> None:
    """``dcat:keyword`` literals, tagged only with a language the source gave."""
    sink = as_sink(sink)
    for keyword in keywords:
        if keyword.strip():
            sink.add(ref, DCAT.keyword, text_literal(keyword.strip(), lang))


def add_eu_themes(sink: TripleSink, ref: Term, themes: tuple[ThemeAssignment, ...]) -> None:
    """``dcat:theme``: the EU data themes normalisation assigned, as labelled concepts of the EU scheme."""
    sink = as_sink(sink)
    for theme in themes:
        iri = theme.uri
        sink.add(ref, DCAT.theme, iri)
        add_concept(sink, iri, {"fr": theme.label_fr, "en": theme.label_en}, scheme=eu_scheme("data-theme"))


def add_portal_themes(sink: TripleSink, ref: Term, themes: tuple[Concept, ...]) -> None:
    """The portal's own themes: concepts of a known scheme stay ``dcat:theme``, anything else becomes a keyword."""
    sink = as_sink(sink)
    for theme in themes:
        iri = safe_iri(theme.uri)
        scheme = portal_theme_scheme(iri)
        if iri is None or scheme is None:
            add_keywords(sink, ref, (theme.label,))
            continue
        sink.add(ref, DCAT.theme, iri)
        # the portal's label, in whatever language the portal wrote it: untagged
        add_concept(sink, iri, {None: theme.label}, scheme=scheme)


def portal_theme_scheme(iri: str | None) -> str | None:
    """The concept scheme of a theme IRI when it belongs to one of :data:`THEME_SCHEMES`, else None."""
    text = str(iri or "").replace("https://", "http://", 1)
    if "?" in text:  # a search URL, never a concept
        return None
    return next((scheme for prefix, scheme in THEME_SCHEMES.items() if text.startswith(prefix)), None)


def add_dates(sink: TripleSink, ref: Term, issued: str | None, modified: str | None) -> None:
    """``dct:issued`` and ``dct:modified`` as ``xsd:date`` / ``xsd:dateTime`` (unparseable dates are left out)."""
    sink = as_sink(sink)
    for predicate, value in ((DCTERMS.issued, issued), (DCTERMS.modified, modified)):
        literal = date_literal(value)
        if literal is not None:
            sink.add(ref, predicate, literal)


def add_frequency(sink: TripleSink, ref: Term, frequency: Concept | None) -> None:
    """``dct:accrualPeriodicity`` as an EU frequency (the only vocabulary the shapes allow), else nothing."""
    sink = as_sink(sink)
    info = (eu_frequency(frequency.uri) or eu_frequency(frequency.label)) if frequency else None
    if info is None:
        return
    _add_eu_concept(sink, ref, DCTERMS.accrualPeriodicity, info, "frequency", DCTERMS.Frequency)


def add_languages(sink: TripleSink, ref: Term, codes: tuple[str, ...]) -> None:
    """``dct:language`` as EU language IRIs; codes the EU table does not know are left out."""
    sink = as_sink(sink)
    for code in codes:
        info = eu_language(code)
        if info is None:
            continue
        _add_eu_concept(sink, ref, DCTERMS.language, info, "language", DCTERMS.LinguisticSystem)


def _add_eu_concept(sink: TripleSink, ref: Term, predicate: str, info, vocabulary: str, concept_type: str) -> None:
    """Link ``ref`` to an EU authority concept, described once (its French and English labels, its scheme)."""
    sink.add(ref, predicate, info.uri)
    labels = {"fr": info.label_fr, "en": info.label_en}
    add_concept(sink, info.uri, labels, scheme=eu_scheme(vocabulary), types=(concept_type,))


def add_access_rights(sink: TripleSink, ref: Term, rights: Concept | None) -> None:
    """``dct:accessRights``: the EU access-right concept when recognisable, else the portal's statement as given."""
    sink = as_sink(sink)
    if rights is None:
        return
    code = access_right_code(rights)
    if code is not None:
        iri = EU_AUTHORITY + "access-right/" + code
        labels = ACCESS_RIGHTS[code][0]
        add_concept(sink, iri, labels, scheme=eu_scheme("access-right"), types=(DCTERMS.RightsStatement,))
        sink.add(ref, DCTERMS.accessRights, iri)
        return
    node = safe_iri(rights.uri) or sink.blank()
    sink.add(ref, DCTERMS.accessRights, node)
    sink.add(node, RDF.type, DCTERMS.RightsStatement)
    if rights.label.strip():
        sink.add(node, RDFS.label, text_literal(rights.label.strip()))


def access_right_code(rights: Concept) -> str | None:
    """The EU access-right code (``PUBLIC``, ``RESTRICTED``, ``NON_PUBLIC``) a statement names, or None."""
    for text in (rights.uri or "", rights.label):
        tail = text.rstrip("/").rsplit("/", 1)[-1]
        key = fold(tail)
        for code, (_, words) in ACCESS_RIGHTS.items():
            if key == fold(code) or key in words:
                return code
    return None


def add_landing_page(sink: TripleSink, ref: Term, url: str | None) -> None:
    """``dcat:landingPage`` as a ``foaf:Document``."""
    sink = as_sink(sink)
    page = safe_iri(url)
    if page is not None:
        sink.add(ref, DCAT.landingPage, page)
        sink.add(page, RDF.type, FOAF.Document)


def add_provenance(sink: TripleSink, ref: Term, record: Record) -> None:
    """Which dataset this is, and where it came from.

    ``dct:identifier`` is the dataset's IRI in fedcat's export: unique in the
    catalogue, where a portal's own id is not (data.gouv.fr republishes Paris's
    datasets under Paris's URL, and harvesters such as udata refuse a second
    dataset with the same identifier). The upstream ids go where DCAT-AP puts
    other identifiers, ``adms:identifier``, with the portal as schema agency.
    """
    sink = as_sink(sink)
    sink.add(ref, DCTERMS.identifier, text_literal(str(ref)))
    for value in dict.fromkeys(v for v in (record.guid, record.identifier) if v and v.strip()):
        add_upstream_identifier(sink, ref, value.strip(), record.portal_id)
    add_source(sink, ref, record)


def add_upstream_identifier(sink: TripleSink, ref: Term, value: str, portal_id: str) -> None:
    """One ``adms:Identifier`` holding an id the source portal gave the dataset."""
    sink = as_sink(sink)
    node = sink.blank()
    sink.add(ref, ADMS.identifier, node)
    sink.add(node, RDF.type, ADMS.Identifier)
    notation = literal(value, None, XSD.anyURI) if safe_iri(value) else text_literal(value)
    sink.add(node, SKOS.notation, notation)
    sink.add(node, ADMS.schemaAgency, text_literal(portal_id))


def add_source(sink: TripleSink, ref: Term, record: Record) -> None:
    """``prov:wasDerivedFrom``: the dataset on the portal fedcat harvested, as a bare IRI.

    Not ``dct:source``: DCAT-AP's range makes that a ``dcat:Dataset``, and any
    upstream node typed a dataset (or a subclass, for a client that infers
    classes) would be read as one more dataset of this catalogue, missing its properties.
    """
    sink = as_sink(sink)
    source = safe_iri(record.source_uri)
    if source is not None and source != ref:
        sink.add(ref, PROV.wasDerivedFrom, source)
