"""DCAT graph → :class:`Record`: one small function per field.

Every harvester, whatever its portal speaks, first builds a DCAT rdflib graph;
this module is the one place where such a graph becomes a record.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from mappings.errors import InvalidRecord
from mappings.graph import ReadableGraph
from mappings.rdf_values import (
    best_literal,
    concept_from_node,
    iri_or_literal,
    iri_tail,
    normalise_date,
    objects,
    text_value,
)
from mappings.rdf_agents import ORGANISATION_TYPES, agent_from_node
from mappings.rdf_rights import rights_from_rdf
from mappings.rdf_texts import keywords_in_languages, language_tag, texts_in_languages
from mappings.record import Agent, Concept, Distribution, Record, make_record_id
from mappings.text import clean_text
from mappings.geo import bbox_from_text
from mappings.places import resolve_place
from mappings.temporal import period_from_text
from mappings.vocab import LOCN, SCHEMA

__all__ = [
    "catalogue_language",
    "dataset_nodes",
    "distribution_from_rdf",
    "format_label",
    "guid_from_rdf",
    "record_from_rdf",
]

#: Types some portals write as literals instead of IRIs (Opendatasoft: ``"dctype:Dataset"``).
_DATASET_TYPE_LITERALS = frozenset({"dcat:Dataset", "dctype:Dataset", "Dataset"})
_WHITESPACE = re.compile(r"\s+")
#: where a place gives its geometry; GeoNetwork's DCAT writes ``ogc:Polygon [ ogc:asWKT … ]``
_GEOMETRY_PREDICATES = (
    DCAT.bbox,
    LOCN.geometry,
    DCAT.centroid,
    URIRef("http://www.opengis.net/ont/geosparql#asWKT"),
    URIRef("http://www.opengis.net/rdf#asWKT"),
)


def dataset_nodes(graph: ReadableGraph) -> list[Node]:
    """Every node typed ``dcat:Dataset`` (or a literal look-alike), in a stable order."""
    nodes = set(graph.subjects(RDF.type, DCAT.Dataset))
    for subject, value in graph.subject_objects(RDF.type):
        if isinstance(value, Literal) and str(value).strip() in _DATASET_TYPE_LITERALS:
            nodes.add(subject)
    return sorted(nodes, key=lambda n: (isinstance(n, BNode), str(n)))


def record_from_rdf(
    graph: ReadableGraph, node: Node, portal_id: str, *, guid: str | None = None, harvested_at: str | None = None, declared_language: str | None = None
) -> Record:
    """Map one ``dcat:Dataset`` node to a record.

    :param guid: overrides the default guid (a harvester that knows a steadier key passes it).
    :param declared_language: the language the portal declares its texts are in (a BCP 47 tag);
        it tags the title and description only when the source left them plain.
    :raises InvalidRecord: when the dataset has no title or no usable identity.
    """
    guid = guid or guid_from_rdf(graph, node)
    distributions = distributions_from_rdf(graph, node)
    rights = rights_from_rdf(graph, node)
    temporal_start, temporal_end = temporal_from_rdf(graph, node)
    spatial = spatial_from_rdf(graph, node)
    return Record(
        record_id=make_record_id(portal_id, guid),
        portal_id=portal_id,
        guid=guid,
        source_uri=_clean_iri(node),
        identifier=text_value(graph, node, DCTERMS.identifier),
        **texts_from_rdf(graph, node, declared_language),
        themes=themes_from_rdf(graph, node),
        publisher=publisher_from_rdf(graph, node),
        contact_point=contact_point_from_rdf(graph, node),
        license=rights.license or next((d.license for d in distributions if d.license), None),
        access_rights=_first_concept(graph, node, DCTERMS.accessRights) or rights.access_code,
        rights=rights.statement,
        issued=normalise_date(_first(graph, node, DCTERMS.issued)),
        modified=normalise_date(_first(graph, node, DCTERMS.modified)),
        frequency=frequency_from_rdf(graph, node),
        spatial=spatial,
        bbox=bbox_from_rdf(graph, node) or bbox_from_places(spatial),
        temporal_start=temporal_start,
        temporal_end=temporal_end,
        landing_page=iri_or_literal(graph, node, DCAT.landingPage),
        languages=languages_from_rdf(graph, node),
        distributions=distributions,
        harvested_at=harvested_at,
    )


def guid_from_rdf(graph: ReadableGraph, node: Node) -> str:
    """The dataset URI, else its ``dct:identifier``; never text with spaces (they are encoded)."""
    iri = _clean_iri(node)
    if iri:
        return iri
    identifier = text_value(graph, node, DCTERMS.identifier)
    if identifier:
        return _WHITESPACE.sub("%20", identifier)
    if isinstance(node, URIRef):
        raise InvalidRecord(f"dataset <{node}> has an IRI with spaces and no dct:identifier")
    raise InvalidRecord("dataset has neither a URI nor a dct:identifier")


def texts_from_rdf(graph: ReadableGraph, node: Node, declared_language: str | None = None) -> dict[str, Any]:
    """Title, description and keywords in the language shown, their tags, and the other languages' texts."""
    title, title_translations = texts_in_languages(graph, node, DCTERMS.title, "title", single_line=True)
    if title is None:
        raise InvalidRecord(f"dataset {_describe(node)} has no dct:title")
    description, description_translations = texts_in_languages(graph, node, DCTERMS.description, "description")
    if description is None:
        description, description_translations = texts_in_languages(graph, node, DCTERMS.abstract, "description")
    keywords, keywords_lang, keyword_translations = keywords_in_languages(graph, node, DCAT.keyword)
    return {
        "title": title.text,
        "title_lang": title.lang or declared_language,
        "description": description.text if description else "",
        "description_lang": (description.lang or declared_language) if description else None,
        "keywords": keywords,
        "keywords_lang": (keywords_lang or declared_language) if keywords else None,
        "translations": title_translations + description_translations + keyword_translations,
    }


def catalogue_language(graph: ReadableGraph) -> str | None:
    """The one language a page's ``dcat:Catalog`` declares (``dct:language``), as a BCP 47 tag; None if not exactly one."""
    languages = {
        language_tag(iri_tail(str(value)) if isinstance(value, URIRef) else str(value))
        for catalogue in graph.subjects(RDF.type, DCAT.Catalog)
        for value in graph.objects(catalogue, DCTERMS.language)
    }
    languages.discard(None)
    return languages.pop() if len(languages) == 1 else None


def title_from_rdf(graph: ReadableGraph, node: Node) -> str:
    """``dct:title`` as plain text (French preferred); a dataset without one is invalid."""
    return texts_from_rdf(graph, node)["title"]


def description_from_rdf(graph: ReadableGraph, node: Node) -> str:
    """``dct:description`` (else ``dct:abstract``) as plain text."""
    return texts_from_rdf(graph, node)["description"]


def keywords_from_rdf(graph: ReadableGraph, node: Node) -> tuple[str, ...]:
    """``dcat:keyword`` values in the shown language, trimmed and de-duplicated."""
    return keywords_in_languages(graph, node, DCAT.keyword)[0]


def themes_from_rdf(graph: ReadableGraph, node: Node) -> tuple[Concept, ...]:
    """``dcat:theme`` concepts, labelled from ``skos:prefLabel`` where the graph has it."""
    return _concepts(graph, node, DCAT.theme)


def spatial_from_rdf(graph: ReadableGraph, node: Node) -> tuple[Concept, ...]:
    """``dct:spatial`` places (IRIs, literals or labelled locations).

    French places are resolved (:mod:`mappings.places`): one named without an IRI gets its
    official one, one given only by a code (``fr:commune:69123``) gets its name.
    """
    return tuple(dict.fromkeys(_official_place(c) for c in _concepts(graph, node, DCTERMS.spatial)))


def _official_place(concept: Concept) -> Concept:
    place = resolve_place(concept.label, concept.uri)
    if place is None:
        return concept
    label = place.name if concept.uri and concept.label == iri_tail(concept.uri) else concept.label
    return Concept(label=label, uri=concept.uri or place.uri)


def bbox_from_places(spatial: tuple[Concept, ...]) -> tuple[float, float, float, float] | None:
    """The box around the French places a record names, for records that give no geometry."""
    boxes = [place.bbox for c in spatial if (place := resolve_place(c.label, c.uri)) is not None and place.bbox]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def bbox_from_rdf(graph: ReadableGraph, node: Node) -> tuple[float, float, float, float] | None:
    """The box around every ``dct:spatial`` geometry (``dcat:bbox``, ``locn:geometry``, ``geo:asWKT``: WKT, GeoJSON or GML)."""
    boxes = []
    for place in objects(graph, node, DCTERMS.spatial):
        for predicate in _GEOMETRY_PREDICATES:
            for value in objects(graph, place, predicate):
                box = bbox_from_text(str(value)) if isinstance(value, Literal) else None
                if box is not None:
                    boxes.append(box)
    if not boxes:
        return None
    return (
        min(b.west for b in boxes),
        min(b.south for b in boxes),
        max(b.east for b in boxes),
        max(b.north for b in boxes),
    )


def frequency_from_rdf(graph: ReadableGraph, node: Node) -> Concept | None:
    """``dct:accrualPeriodicity`` as given (mapped to EU terms by the vocabularies)."""
    return _first_concept(graph, node, DCTERMS.accrualPeriodicity)


def license_from_rdf(graph: ReadableGraph, node: Node) -> Concept | None:
    """``dct:license`` (access codes left out), else a ``dct:rights`` statement naming a licence."""
    return rights_from_rdf(graph, node).license


def languages_from_rdf(graph: ReadableGraph, node: Node) -> tuple[str, ...]:
    """``dct:language`` codes: the tail of an IRI or the literal itself."""
    codes = []
    for value in objects(graph, node, DCTERMS.language):
        code = iri_tail(str(value)) if isinstance(value, URIRef) else str(value).strip()
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def publisher_from_rdf(graph: ReadableGraph, node: Node) -> Agent | None:
    """The ``dct:publisher`` agent; of several, the named organisation wins."""
    found = (agent_from_node(graph, value) for value in objects(graph, node, DCTERMS.publisher))
    agents = [a for a in found if a is not None]
    if not agents:
        return None
    return min(agents, key=lambda a: (not a.name, (a.kind or "") not in ORGANISATION_TYPES))


def contact_point_from_rdf(graph: ReadableGraph, node: Node) -> Agent | None:
    """The first ``dcat:contactPoint`` vCard (or FOAF agent)."""
    for value in objects(graph, node, DCAT.contactPoint):
        agent = agent_from_node(graph, value)
        if agent is not None:
            return agent
    return None


def temporal_from_rdf(graph: ReadableGraph, node: Node) -> tuple[str | None, str | None]:
    """Start and end of ``dct:temporal``: a period node, or a string (``2011-01-01/2011-12-31``, ``2011/2015``, ``depuis 2004``)."""
    for value in objects(graph, node, DCTERMS.temporal):
        if isinstance(value, Literal):
            period = period_from_text(str(value))
            if period is not None:
                return period.as_iso()
            continue
        start = _first(graph, value, DCAT.startDate) or _first(graph, value, SCHEMA.startDate)
        end = _first(graph, value, DCAT.endDate) or _first(graph, value, SCHEMA.endDate)
        if start is None and end is None:
            start = _first(graph, value, URIRef("http://schema.org/startDate"))
            end = _first(graph, value, URIRef("http://schema.org/endDate"))
        if start is not None or end is not None:
            return normalise_date(start), normalise_date(end)
    return None, None


def distributions_from_rdf(graph: ReadableGraph, node: Node) -> tuple[Distribution, ...]:
    """Every ``dcat:distribution`` that has at least one URL, in an order that does not change between harvests.

    Distributions with an IRI come first in IRI order; blank ones follow in the order
    of what they say, because blank node ids are new at every parse (sorting on them
    made an unchanged record look updated at each harvest).
    """
    found = [distribution_from_rdf(graph, value) for value in objects(graph, node, DCAT.distribution)]
    return tuple(sorted((d for d in found if d.url), key=_distribution_order))


def _distribution_order(distribution: Distribution) -> tuple:
    if distribution.uri:
        return (0, distribution.uri)
    return (1, distribution.url or "", distribution.download_url or "", distribution.title or "", distribution.format or "")


def distribution_from_rdf(graph: ReadableGraph, node: Node) -> Distribution:
    """One distribution; ``accessURL`` falls back on ``downloadURL`` as DCAT-AP requires one.

    A distribution the source names by IRI without describing it keeps that IRI as its access URL.
    """
    access_url = iri_or_literal(graph, node, DCAT.accessURL)
    download_url = iri_or_literal(graph, node, DCAT.downloadURL)
    if not (access_url or download_url) and _undescribed(graph, node):
        access_url = _clean_iri(node)
    media_type = media_type_from_rdf(graph, node)
    return Distribution(
        access_url=access_url or download_url,
        download_url=download_url,
        title=clean_text(text_value(graph, node, DCTERMS.title)) or None,
        description=clean_text(text_value(graph, node, DCTERMS.description)) or None,
        format=format_label(_first(graph, node, DCTERMS.format), media_type),
        media_type=media_type,
        byte_size=byte_size_from_rdf(graph, node),
        license=license_from_rdf(graph, node),
        uri=_clean_iri(node),
    )


def media_type_from_rdf(graph: ReadableGraph, node: Node) -> str | None:
    """``dcat:mediaType`` as ``type/subtype``, from an IANA IRI or a literal."""
    value = _first(graph, node, DCAT.mediaType)
    if value is None:
        return None
    text = str(value).strip()
    if "/media-types/" in text:
        text = text.split("/media-types/", 1)[1]
    return text.lower() if "/" in text else None


def format_label(value: Node | None, media_type: str | None = None) -> str | None:
    """A short upper-case format name (``CSV``) from an IRI, a label or a MIME type."""
    if value is not None:
        text = str(value).strip()
        if isinstance(value, URIRef) or text.startswith("http"):
            text = iri_tail(text) if "/media-types/" not in text else text.split("/media-types/", 1)[1]
        if "/" in text:
            text = _format_from_media_type(text)
        if text:
            return text.upper()
    if media_type:
        return _format_from_media_type(media_type).upper() or None
    return None


def byte_size_from_rdf(graph: ReadableGraph, node: Node) -> int | None:
    """``dcat:byteSize`` as an integer, or None when it is not a number."""
    value = _first(graph, node, DCAT.byteSize)
    if value is None:
        return None
    digits = re.sub(r"[\s_]", "", str(value)).split(".")[0]
    return int(digits) if digits.isdigit() else None


def _format_from_media_type(media_type: str) -> str:
    subtype = media_type.split(";")[0].split("/")[-1]
    subtype = subtype.split("+")[-1] if subtype.startswith("vnd.") and "+" in subtype else subtype
    return {"vnd.ms-excel": "xls", "vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}.get(
        subtype, subtype
    )


def _concepts(graph: ReadableGraph, node: Node, predicate: URIRef) -> tuple[Concept, ...]:
    concepts = (concept_from_node(graph, value) for value in objects(graph, node, predicate))
    return tuple(dict.fromkeys(c for c in concepts if c is not None))


def _first_concept(graph: ReadableGraph, node: Node, predicate: URIRef) -> Concept | None:
    concepts = _concepts(graph, node, predicate)
    return concepts[0] if concepts else None


def _first(graph: ReadableGraph, node: Node, predicate: URIRef) -> Node | None:
    values = objects(graph, node, predicate)
    literal = best_literal(values)
    return literal if literal is not None else (values[0] if values else None)


def _clean_iri(node: Node) -> str | None:
    """The node's IRI, unless it is a blank node or holds whitespace (no IRI may; such text is no identity)."""
    if not isinstance(node, URIRef):
        return None
    text = str(node).strip()
    return text if text and not _WHITESPACE.search(text) else None


def _undescribed(graph: ReadableGraph, node: Node) -> bool:
    """True when the graph says nothing of the node beyond its type."""
    return all(predicate == RDF.type for predicate, _ in graph.predicate_objects(node))


def _describe(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else "(blank node)"

