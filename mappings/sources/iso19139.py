"""ISO 19139 (``gmd:MD_Metadata``) → DCAT, one small function per part of the record.

What is kept: title, abstract, keywords (those of an INSPIRE-themes thesaurus,
and the ISO topic categories, become themes), dates, responsible parties (the
publisher by role, falling back on owner, custodian…, and a point of contact),
use and access constraints that name a licence, frequency, language, the
bounding box (sides put back in order), the temporal extent and the online
resources that are distributions, each with its protocol as format hint.
Service records are skipped: they describe no dataset.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from mappings.sources.dcat_builder import (
    LICENCE_HINT,
    add_agent,
    add_bbox,
    add_concept,
    add_contact,
    add_date,
    add_period,
    add_text,
    is_http_url,
    licence_node,
)
from mappings.sources.online_resources import OnlineResource, add_resource
from mappings.errors import InvalidRecord, SkipRecord
from mappings.vocabularies import eu_frequency, eu_language

__all__ = ["TOPIC_CATEGORY_LABELS", "iso_to_dcat", "record_identifier"]

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
}
_HREF = "{http://www.w3.org/1999/xlink}href"
_DATASET_LEVELS = frozenset({"dataset", "series", "nonGeographicDataset", ""})
_PUBLISHER_ROLES = ("publisher", "owner", "custodian", "originator", "distributor", "resourceProvider", "author")
#: ISO 19115 topic category → its French label
TOPIC_CATEGORY_LABELS = {
    "farming": "Agriculture",
    "biota": "Biote",
    "boundaries": "Limites",
    "climatologyMeteorologyAtmosphere": "Climatologie, météorologie, atmosphère",
    "economy": "Économie",
    "elevation": "Altitude",
    "environment": "Environnement",
    "geoscientificInformation": "Informations géoscientifiques",
    "health": "Santé",
    "imageryBaseMapsEarthCover": "Imagerie, cartes de base, occupation des terres",
    "intelligenceMilitary": "Renseignement, secteur militaire",
    "inlandWaters": "Eaux intérieures",
    "location": "Localisation",
    "oceans": "Océans",
    "planningCadastre": "Planification, cadastre",
    "society": "Société",
    "structure": "Structure",
    "transportation": "Transport",
    "utilitiesCommunication": "Services d'utilité publique, communication",
}
_TOPIC_IRI = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"
_SIDES = ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")


def record_identifier(record: ET.Element) -> str | None:
    """The metadata record's ``gmd:fileIdentifier``."""
    return _text(record.find("gmd:fileIdentifier", NS))


def iso_to_dcat(graph: Graph, record: ET.Element, record_base: str) -> Node:
    """Add the dataset an ISO record describes to ``graph``; its IRI is ``record_base`` + the record uuid.

    :raises SkipRecord: for a record of a service or another non-dataset level.
    :raises InvalidRecord: for a record without identification section.
    """
    level = _code(record.find("gmd:hierarchyLevel/gmd:MD_ScopeCode", NS)) or ""
    if level not in _DATASET_LEVELS:
        raise SkipRecord(f"hierarchy level {level!r} is not a dataset")
    uuid = record_identifier(record)
    identification = record.find("gmd:identificationInfo/*", NS)
    if identification is None:
        raise InvalidRecord(f"ISO record {uuid} has no identification section")
    node: Node = URIRef(record_base + uuid) if uuid else BNode()
    graph.add((node, RDF.type, DCAT.Dataset))
    add_text(graph, node, DCTERMS.identifier, uuid)
    citation = identification.find("gmd:citation/gmd:CI_Citation", NS)
    add_text(graph, node, DCTERMS.title, _text(citation.find("gmd:title", NS)) if citation is not None else None)
    add_text(graph, node, DCTERMS.description, _text(identification.find("gmd:abstract", NS)))
    _dates(graph, node, record, citation)
    _landing_page(graph, node, record)
    _keywords(graph, node, identification)
    _parties(graph, node, record, identification)
    _licence(graph, node, identification)
    _frequency(graph, node, identification)
    _language(graph, node, record, identification)
    _extents(graph, node, identification)
    _distributions(graph, node, record)
    return node


def _dates(graph: Graph, node: Node, record: ET.Element, citation: ET.Element | None) -> None:
    dates = {}
    for entry in citation.findall("gmd:date/gmd:CI_Date", NS) if citation is not None else ():
        kind = _code(entry.find("gmd:dateType/gmd:CI_DateTypeCode", NS))
        value = _date_text(entry.find("gmd:date", NS))
        if kind and value:
            dates.setdefault(kind, value)
    add_date(graph, node, DCTERMS.issued, dates.get("publication") or dates.get("creation"))
    add_date(graph, node, DCTERMS.modified, dates.get("revision") or _date_text(record.find("gmd:dateStamp", NS)))


def _landing_page(graph: Graph, node: Node, record: ET.Element) -> None:
    uri = _text(record.find("gmd:dataSetURI", NS))
    if is_http_url(uri):
        graph.add((node, DCAT.landingPage, URIRef(uri)))


def _keywords(graph: Graph, node: Node, identification: ET.Element) -> None:
    for group in identification.findall("gmd:descriptiveKeywords/gmd:MD_Keywords", NS):
        thesaurus = _text(group.find("gmd:thesaurusName/gmd:CI_Citation/gmd:title", NS)) or ""
        is_inspire = "inspire" in thesaurus.lower()
        for keyword in group.findall("gmd:keyword", NS):
            label, href = _text(keyword), _href(keyword)
            if not label:
                continue
            if is_inspire:
                add_concept(graph, node, DCAT.theme, label, href)
            else:
                graph.add((node, DCAT.keyword, Literal(label)))
    for code in identification.findall("gmd:topicCategory/gmd:MD_TopicCategoryCode", NS):
        value = (code.text or "").strip()
        if value:
            add_concept(graph, node, DCAT.theme, TOPIC_CATEGORY_LABELS.get(value, value), _TOPIC_IRI + value)


def _parties(graph: Graph, node: Node, record: ET.Element, identification: ET.Element) -> None:
    resource = [_party(p) for p in identification.findall("gmd:pointOfContact/gmd:CI_ResponsibleParty", NS)]
    metadata = [_party(p) for p in record.findall("gmd:contact/gmd:CI_ResponsibleParty", NS)]
    parties = [p for p in resource + metadata if p["name"]]
    publisher = next((p for role in _PUBLISHER_ROLES for p in parties if p["role"] == role), None)
    publisher = publisher or (parties[0] if parties else None)
    if publisher:
        add_agent(graph, node, DCTERMS.publisher, publisher["name"], email=publisher["email"], url=publisher["url"])
    contact = next((p for p in parties if p["role"] == "pointOfContact"), publisher)
    if contact:
        add_contact(graph, node, contact["name"], email=contact["email"], url=contact["url"])


def _party(element: ET.Element) -> dict[str, str | None]:
    info = "gmd:contactInfo/gmd:CI_Contact/"
    return {
        "name": _text(element.find("gmd:organisationName", NS)) or _text(element.find("gmd:individualName", NS)),
        "email": _text(element.find(info + "gmd:address/gmd:CI_Address/gmd:electronicMailAddress", NS)),
        "url": _text(element.find(info + "gmd:onlineResource/gmd:CI_OnlineResource/gmd:linkage/gmd:URL", NS)),
        "role": _code(element.find("gmd:role/gmd:CI_RoleCode", NS)),
    }


def _licence(graph: Graph, node: Node, identification: ET.Element) -> None:
    """The first use limitation or other constraint that names a licence."""
    for constraints in identification.findall("gmd:resourceConstraints/*", NS):
        for element in constraints.findall("gmd:useLimitation", NS) + constraints.findall("gmd:otherConstraints", NS):
            text, href = _text(element), _href(element)
            if text and LICENCE_HINT.search(text):
                licence = licence_node(graph, text, href)
                if licence is not None:
                    graph.add((node, DCTERMS.license, licence))
                    return


def _frequency(graph: Graph, node: Node, identification: ET.Element) -> None:
    path = "gmd:resourceMaintenance/gmd:MD_MaintenanceInformation/gmd:maintenanceAndUpdateFrequency/"
    frequency = eu_frequency(_code(identification.find(path + "gmd:MD_MaintenanceFrequencyCode", NS)))
    if frequency is not None:
        graph.add((node, DCTERMS.accrualPeriodicity, URIRef(frequency.uri)))


def _language(graph: Graph, node: Node, record: ET.Element, identification: ET.Element) -> None:
    element = identification.find("gmd:language", NS)
    element = element if element is not None else record.find("gmd:language", NS)
    if element is None:
        return
    code = (_code(element.find("gmd:LanguageCode", NS)) or _text(element) or "").strip().lower()
    language = eu_language(code) if code else None
    if language is not None:
        graph.add((node, DCTERMS.language, URIRef(language.uri)))
    elif code:
        graph.add((node, DCTERMS.language, Literal(code)))


def _extents(graph: Graph, node: Node, identification: ET.Element) -> None:
    extents = identification.findall("gmd:extent/gmd:EX_Extent", NS) + identification.findall(
        "srv:extent/gmd:EX_Extent", NS
    )
    for extent in extents:
        place = _text(extent.find(".//gmd:EX_GeographicDescription/gmd:geographicIdentifier//gmd:code", NS))
        for box in extent.findall("gmd:geographicElement/gmd:EX_GeographicBoundingBox", NS):
            sides = [_decimal(box.find(f"gmd:{side}", NS)) for side in _SIDES]
            if None not in sides:
                add_bbox(graph, node, *sides, label=place)
        for period in extent.iterfind(".//{*}TimePeriod"):
            begin = _plain(period.find("{*}beginPosition"))
            end = _plain(period.find("{*}endPosition"))
            add_period(graph, node, begin, end)



def _distributions(graph: Graph, node: Node, record: ET.Element) -> None:
    formats = [
        _text(f) for f in record.findall("gmd:distributionInfo/*/gmd:distributionFormat/gmd:MD_Format/gmd:name", NS)
    ]
    fallback = formats[0] if len(set(formats)) == 1 else None
    seen = set()
    for online in record.iterfind("gmd:distributionInfo//gmd:CI_OnlineResource", NS):
        resource = OnlineResource(
            url=(_plain(online.find("gmd:linkage/gmd:URL", NS)) or "").strip(),
            protocol=_text(online.find("gmd:protocol", NS)) or "",
            name=_text(online.find("gmd:name", NS)) or "",
            description=_text(online.find("gmd:description", NS)) or "",
        )
        add_resource(graph, node, resource, fallback, seen)


def _text(element: ET.Element | None) -> str | None:
    """The text of a property holding ``gco:CharacterString``, ``gmx:Anchor`` or the like."""
    if element is None:
        return None
    for child in element:
        if child.text and child.text.strip():
            return child.text.strip()
    return _plain(element)


def _plain(element: ET.Element | None) -> str | None:
    text = (element.text or "").strip() if element is not None else ""
    return text or None


def _href(element: ET.Element) -> str | None:
    anchor = element.find("gmx:Anchor", NS)
    return anchor.get(_HREF) if anchor is not None else None


def _code(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return (element.get("codeListValue") or element.text or "").strip() or None


def _date_text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    value = element.find("gco:DateTime", NS)
    value = value if value is not None else element.find("gco:Date", NS)
    return _plain(value) if value is not None else _plain(element)


def _decimal(element: ET.Element | None) -> float | None:
    try:
        return float((_text(element) or "").replace(",", "."))
    except ValueError:
        return None
