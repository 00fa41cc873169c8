"""How a GeoNetwork catalogue (DATA Grand Lyon) writes one record in each CSW output schema.

* ISO 19139 ``gmd:MD_Metadata``: keywords with an INSPIRE-themes thesaurus, ISO
  topic categories, responsible parties by role (some records name their
  publisher only as ``owner``), legal constraints whose licence is free text or
  an anchor, a bounding box whose longitudes are swapped on some records (as
  Lyon's are), a GML time period, and online resources by protocol, among them
  links that are no distributions: a ``DB:POSTGIS`` connection string and the
  licence PDF.
* Dublin Core ``csw:Record``: what GeoNetwork derives from the same record
  (``dc:subject`` mixing INSPIRE themes and topic codes, an empty
  ``dc:format``, ``dc:rights`` "license", swapped ``ows:BoundingBox`` corners,
  ``dc:URI`` with protocols, the thumbnail among them).
* the legacy DCAT output (``http://www.w3.org/ns/dcat#``): one ``rdf:RDF`` per
  record, quirks as in ``research/portals/lyon.md`` §3b (literal links,
  ``dct:abstract``, untyped dates, protocol as ``dct:format``, licence as text,
  ``rdf:resource`` *and* text on ``dct:accessRights``).
"""

from __future__ import annotations

import uuid
from html import escape
from urllib.parse import quote

from simulators.dcat_render import LICENSE_URLS
from simulators.sample_data import SampleDataset

__all__ = [
    "INSPIRE_THEMES",
    "LICENSE_LABELS",
    "TOPIC_CATEGORIES",
    "dc_record",
    "dcat_record",
    "distribution_links",
    "iso_record",
    "record_uuid",
]

#: sample theme → (INSPIRE theme in French, its IRI)
INSPIRE_THEMES = {
    "Transports": ("Réseaux de transport", "http://inspire.ec.europa.eu/theme/tn"),
    "Environnement": ("Installations de suivi environnemental", "http://inspire.ec.europa.eu/theme/ef"),
    "Urbanisme": ("Usage des sols", "http://inspire.ec.europa.eu/theme/lu"),
    "Limites administratives": ("Unités administratives", "http://inspire.ec.europa.eu/theme/au"),
    "Imagerie": ("Ortho-imagerie", "http://inspire.ec.europa.eu/theme/oi"),
    "Énergie": ("Sources d'énergie", "http://inspire.ec.europa.eu/theme/er"),
}
_PUBLIC_SERVICES = ("Services d'utilité publique et services publics", "http://inspire.ec.europa.eu/theme/us")
#: sample theme → ISO 19115 topic category
TOPIC_CATEGORIES = {
    "Transports": "transportation",
    "Mobilité": "transportation",
    "Environnement": "environment",
    "Urbanisme": "planningCadastre",
    "Limites administratives": "boundaries",
    "Imagerie": "imageryBaseMapsEarthCover",
    "Énergie": "utilitiesCommunication",
    "Finances": "economy",
    "Économie": "economy",
}
LICENSE_LABELS = {"etalab-2.0": "Licence Ouverte version 2.0", "odbl": "Open Database License (ODbL)"}
_ISO_FREQUENCY = {
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "annual": "annually",
    "continuous": "continual",
    "irregular": "irregular",
    "quarterly": "quarterly",
}
_DOWNLOAD = "WWW:DOWNLOAD-1.0-http--download"
_LINK = "WWW:LINK-1.0-http--link"
_SERVICES = "https://download.data.grandlyon.com"
_LICENCE_PDF = "https://download.data.grandlyon.com/files/grandlyon/LicenceOuverte.pdf"
_CODELIST = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"


def record_uuid(slug: str) -> str:
    """The metadata uuid GeoNetwork gave a dataset (stable for a slug)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://data.grandlyon.com/{slug}"))


def inspire_theme(dataset: SampleDataset) -> tuple[str, str]:
    """The INSPIRE theme a record is filed under."""
    return INSPIRE_THEMES.get(dataset.theme, _PUBLIC_SERVICES)


def topic_category(dataset: SampleDataset) -> str:
    """The ISO topic category of a record."""
    return TOPIC_CATEGORIES.get(dataset.theme, "society")


def distribution_links(dataset: SampleDataset) -> list[tuple[str, str, str, str]]:
    """(protocol, url, name, description) of every online resource that is a distribution."""
    layer = "metropole." + dataset.slug.replace("-", "_")[:40]
    links = [(_DOWNLOAD, r.url, r.title, r.description) for r in dataset.resources]
    links += [
        ("OGC:WMS", f"{_SERVICES}/wms/grandlyon", layer, f"{dataset.title} (OGC:WMS)"),
        ("OGC:WFS", f"{_SERVICES}/wfs/grandlyon", layer, f"{dataset.title} (OGC:WFS)"),
        (_LINK, f"{_SERVICES}/ws/grandlyon/{layer}/all.json", f"{layer}/all.json", "Description des données en JSON"),
    ]
    return links


def _other_links(dataset: SampleDataset) -> list[tuple[str, str, str, str]]:
    """Online resources that are no distributions: a database connection and the licence document."""
    label = LICENSE_LABELS[dataset.license]
    return [
        ("DB:POSTGIS", "jdbc:postgresql://sigdb.grandlyon.local:5432/grandlyon", "metropole.sig", "Base interne"),
        (_LINK, _LICENCE_PDF, label, f"Description des conditions d'utilisation de la {label}"),
    ]


def _bbox(dataset: SampleDataset, index: int) -> tuple[float, float, float, float]:
    """(west, east, south, north) as written: Lyon swaps the longitudes of some records."""
    west, south, east, north = dataset.bbox
    return (east, west, south, north) if index % 3 == 1 else (west, east, south, north)


# -- ISO 19139 --------------------------------------------------------------------


def _cs(value: str) -> str:
    return f"<gco:CharacterString>{escape(value)}</gco:CharacterString>"


def _party(name: str, email: str, role: str, tag: str = "gmd:pointOfContact") -> str:
    return (
        f"<{tag}><gmd:CI_ResponsibleParty><gmd:organisationName>{_cs(name)}</gmd:organisationName>"
        "<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>"
        f"<gmd:electronicMailAddress>{_cs(email)}</gmd:electronicMailAddress>"
        "</gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>"
        f'<gmd:role><gmd:CI_RoleCode codeList="{_CODELIST}#CI_RoleCode" codeListValue="{role}"/></gmd:role>'
        f"</gmd:CI_ResponsibleParty></{tag}>"
    )


def _date(value: str, kind: str) -> str:
    return (
        f"<gmd:date><gmd:CI_Date><gmd:date><gco:Date>{value}</gco:Date></gmd:date><gmd:dateType>"
        f'<gmd:CI_DateTypeCode codeList="{_CODELIST}#CI_DateTypeCode" codeListValue="{kind}"/>'
        "</gmd:dateType></gmd:CI_Date></gmd:date>"
    )


def _keywords(dataset: SampleDataset) -> str:
    free = "".join(f"<gmd:keyword>{_cs(k)}</gmd:keyword>" for k in dataset.keywords)
    label, iri = inspire_theme(dataset)
    return (
        f"<gmd:descriptiveKeywords><gmd:MD_Keywords>{free}"
        f'<gmd:type><gmd:MD_KeywordTypeCode codeList="{_CODELIST}#MD_KeywordTypeCode" codeListValue="theme"/></gmd:type>'
        "</gmd:MD_Keywords></gmd:descriptiveKeywords>"
        f'<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword><gmx:Anchor xlink:href="{iri}">{escape(label)}'
        "</gmx:Anchor></gmd:keyword><gmd:thesaurusName><gmd:CI_Citation><gmd:title>"
        f"{_cs('GEMET - INSPIRE themes, version 1.0')}</gmd:title>{_date('2008-06-01', 'publication')}"
        "</gmd:CI_Citation></gmd:thesaurusName></gmd:MD_Keywords></gmd:descriptiveKeywords>"
    )


def _constraints(dataset: SampleDataset, index: int) -> str:
    label, url = LICENSE_LABELS[dataset.license], LICENSE_URLS[dataset.license]
    licence = f'<gmx:Anchor xlink:href="{url}">{escape(label)}</gmx:Anchor>' if index % 2 else _cs(f"{label} {url}")
    restriction = f'<gmd:MD_RestrictionCode codeList="{_CODELIST}#MD_RestrictionCode" codeListValue='
    return (
        f'<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:accessConstraints>{restriction}"otherRestrictions"/>'
        "</gmd:accessConstraints><gmd:otherConstraints><gmx:Anchor xlink:href=\"http://inspire.ec.europa.eu/"
        "metadata-codelist/LimitationsOnPublicAccess/noLimitations\">Pas de restriction d'accès public selon INSPIRE"
        "</gmx:Anchor></gmd:otherConstraints></gmd:MD_LegalConstraints></gmd:resourceConstraints>"
        f'<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:useConstraints>{restriction}"license"/>'
        f"</gmd:useConstraints><gmd:otherConstraints>{licence}</gmd:otherConstraints>"
        "</gmd:MD_LegalConstraints></gmd:resourceConstraints>"
    )


def _extent(dataset: SampleDataset, index: int) -> str:
    west, east, south, north = _bbox(dataset, index)
    box = "".join(
        f"<gmd:{side}><gco:Decimal>{value}</gco:Decimal></gmd:{side}>"
        for side, value in (
            ("westBoundLongitude", west),
            ("eastBoundLongitude", east),
            ("southBoundLatitude", south),
            ("northBoundLatitude", north),
        )
    )
    period = ""
    if dataset.temporal:
        start, end = dataset.temporal
        period = (
            f'<gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent><gml:TimePeriod gml:id="tp-{index}">'
            f"<gml:beginPosition>{start.isoformat()}</gml:beginPosition><gml:endPosition>{end.isoformat()}"
            "</gml:endPosition></gml:TimePeriod></gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement>"
        )
    return (
        "<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicDescription><gmd:geographicIdentifier>"
        f"<gmd:MD_Identifier><gmd:code>{_cs(dataset.spatial)}</gmd:code></gmd:MD_Identifier></gmd:geographicIdentifier>"
        "</gmd:EX_GeographicDescription></gmd:geographicElement>"
        f"<gmd:geographicElement><gmd:EX_GeographicBoundingBox>{box}</gmd:EX_GeographicBoundingBox>"
        f"</gmd:geographicElement>{period}</gmd:EX_Extent></gmd:extent>"
    )


def _online(protocol: str, url: str, name: str, description: str) -> str:
    return (
        "<gmd:onLine><gmd:CI_OnlineResource>"
        f"<gmd:linkage><gmd:URL>{escape(url)}</gmd:URL></gmd:linkage><gmd:protocol>{_cs(protocol)}</gmd:protocol>"
        f"<gmd:name>{_cs(name)}</gmd:name><gmd:description>{_cs(description)}</gmd:description>"
        "</gmd:CI_OnlineResource></gmd:onLine>"
    )


def _distribution_info(dataset: SampleDataset) -> str:
    formats = "".join(
        f"<gmd:distributionFormat><gmd:MD_Format><gmd:name>{_cs(r.format)}</gmd:name><gmd:version gco:nilReason="
        '"unknown"/></gmd:MD_Format></gmd:distributionFormat>'
        for r in dataset.resources
    )
    links = "".join(_online(*link) for link in distribution_links(dataset) + _other_links(dataset))
    return (
        f"<gmd:distributionInfo><gmd:MD_Distribution>{formats}<gmd:transferOptions><gmd:MD_DigitalTransferOptions>"
        f"{links}</gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>"
    )


def iso_record(dataset: SampleDataset, index: int) -> str:
    """The record as ISO 19139 (``outputSchema=http://www.isotc211.org/2005/gmd``)."""
    publisher_role = "owner" if index % 3 == 0 else "publisher"
    contact = f"{dataset.publisher} - Direction de l'innovation numérique"
    frequency = _ISO_FREQUENCY[dataset.frequency]
    return (
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" '
        'xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:gml="http://www.opengis.net/gml/3.2">'
        f"<gmd:fileIdentifier>{_cs(record_uuid(dataset.slug))}</gmd:fileIdentifier>"
        f'<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standard/iso639-2/" codeListValue="fre"/>'
        "</gmd:language>"
        f'<gmd:hierarchyLevel><gmd:MD_ScopeCode codeList="{_CODELIST}#MD_ScopeCode" codeListValue="dataset"/>'
        "</gmd:hierarchyLevel>"
        f"{_party(dataset.publisher, dataset.contact_email, 'pointOfContact', 'gmd:contact')}"
        f"<gmd:dateStamp><gco:DateTime>{dataset.modified.isoformat()}T00:04:55</gco:DateTime></gmd:dateStamp>"
        f"<gmd:dataSetURI>{_cs('https://data.grandlyon.com/portail/fr/jeux-de-donnees/' + dataset.slug)}"
        "</gmd:dataSetURI><gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation>"
        f"<gmd:title>{_cs(dataset.title)}</gmd:title>{_date(dataset.issued.isoformat(), 'publication')}"
        f"{_date(dataset.modified.isoformat(), 'revision')}<gmd:identifier><gmd:MD_Identifier><gmd:code>"
        f"{_cs(record_uuid(dataset.slug))}</gmd:code></gmd:MD_Identifier></gmd:identifier></gmd:CI_Citation>"
        f"</gmd:citation><gmd:abstract>{_cs(dataset.description)}</gmd:abstract>"
        f"{_party(dataset.publisher, dataset.contact_email, publisher_role)}"
        f"{_party(contact, dataset.contact_email, 'pointOfContact')}"
        "<gmd:resourceMaintenance><gmd:MD_MaintenanceInformation><gmd:maintenanceAndUpdateFrequency>"
        f'<gmd:MD_MaintenanceFrequencyCode codeList="{_CODELIST}#MD_MaintenanceFrequencyCode" '
        f'codeListValue="{frequency}"/></gmd:maintenanceAndUpdateFrequency></gmd:MD_MaintenanceInformation>'
        "</gmd:resourceMaintenance><gmd:graphicOverview><gmd:MD_BrowseGraphic><gmd:fileName>"
        f"{_cs(_SERVICES + '/catalogue/thumbnails/' + dataset.slug + '_s.png')}</gmd:fileName></gmd:MD_BrowseGraphic>"
        f"</gmd:graphicOverview>{_keywords(dataset)}{_constraints(dataset, index)}"
        '<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standard/iso639-2/" codeListValue="fre"/>'
        f"</gmd:language><gmd:topicCategory><gmd:MD_TopicCategoryCode>{topic_category(dataset)}"
        f"</gmd:MD_TopicCategoryCode></gmd:topicCategory>{_extent(dataset, index)}"
        f"</gmd:MD_DataIdentification></gmd:identificationInfo>{_distribution_info(dataset)}</gmd:MD_Metadata>"
    )


# -- Dublin Core -------------------------------------------------------------------


def dc_record(dataset: SampleDataset, index: int) -> str:
    """The record as ``csw:Record`` (``outputSchema=http://www.opengis.net/cat/csw/2.0.2``, full)."""
    west, east, south, north = _bbox(dataset, index)
    subjects = [inspire_theme(dataset)[0], *dataset.keywords, topic_category(dataset)]
    links = distribution_links(dataset) + _other_links(dataset)
    uris = "".join(
        f'<dc:URI protocol="{escape(p)}" name="{escape(n)}" description="{escape(d)}">{escape(u)}</dc:URI>'
        for p, u, n, d in links
    )
    thumbnail = f"{_SERVICES}/catalogue/srv/fre/resources.get?uuid={record_uuid(dataset.slug)}&fname=thumb_s.png"
    return (
        '<csw:Record xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ows="http://www.opengis.net/ows" '
        'xmlns:geonet="http://www.fao.org/geonetwork" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dct="http://purl.org/dc/terms/">'
        f"<dc:identifier>{record_uuid(dataset.slug)}</dc:identifier>"
        f"<dc:date>{dataset.modified.isoformat()}T00:04:55</dc:date><dc:title>{escape(dataset.title)}</dc:title>"
        "<dc:type>dataset</dc:type>"
        + "".join(f"<dc:subject>{escape(s)}</dc:subject>" for s in subjects)
        + f"<dc:format /><dct:abstract>{escape(dataset.description)}</dct:abstract>"
        f"<dc:description>{escape(dataset.description)}</dc:description><dc:rights>license</dc:rights>"
        f"<dc:rights>{escape(LICENSE_LABELS[dataset.license])}</dc:rights><dc:language>fre</dc:language>"
        f"<dc:publisher>{escape(dataset.publisher)}</dc:publisher>"
        "<dc:source>Données provenant des services de la Métropole de Lyon.</dc:source>"
        '<ows:BoundingBox crs="urn:ogc:def:crs:EPSG::RGF93 / CC46 (EPSG:3946)">'
        f"<ows:LowerCorner>{west} {south}</ows:LowerCorner><ows:UpperCorner>{east} {north}</ows:UpperCorner>"
        f'</ows:BoundingBox>{uris}<dc:URI protocol="image/png" name="thumbnail">{escape(thumbnail)}</dc:URI>'
        "</csw:Record>"
    )


# -- legacy DCAT -------------------------------------------------------------------


def dcat_record(dataset: SampleDataset, index: int, base: str) -> str:
    """The record as GeoNetwork's legacy DCAT (``outputSchema=http://www.w3.org/ns/dcat#``)."""
    record = record_uuid(dataset.slug)
    resource = f"https://data.grandlyon.com/jeux-de-donnees/{dataset.slug}"
    organisation = f"{base}/srv/resources/organizations/{quote(dataset.publisher)}"
    west, east, south, north = _bbox(dataset, index)
    links = distribution_links(dataset) + _other_links(dataset)
    distribution_iri = [f"{base}/records/{record}#{quote(p, safe='')}-{quote(n, safe='')}" for p, _, n, _ in links]
    label, url = LICENSE_LABELS[dataset.license], LICENSE_URLS[dataset.license]
    theme_iri = f"{base}/srv/resources/registries/vocabularies/gemet/concepts/{quote(inspire_theme(dataset)[0])}"
    body = [
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#"'
        ' xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:foaf="http://xmlns.com/foaf/0.1/"'
        ' xmlns:vcard="http://www.w3.org/2006/vcard/ns#" xmlns:ogc="http://www.opengis.net/rdf#"'
        ' xmlns:geo="http://www.opengis.net/ont/geosparql#">',
        f'<dcat:CatalogRecord rdf:about="{base}/records/{record}">',
        f'<foaf:primaryTopic rdf:resource="{base}/srv/resources/{quote(resource, safe="")}"/>',
        f"<dct:issued>{dataset.issued.isoformat()}</dct:issued><dct:modified>{dataset.modified.isoformat()}</dct:modified>",
        "</dcat:CatalogRecord>",
        f'<dcat:Dataset rdf:about="{base}/srv/fre/catalog.search#/metadata/{record}">',
        f"<dct:identifier>{resource}</dct:identifier>",
        f"<dcat:landingPage>{base}/srv/resources/{resource}</dcat:landingPage>",
        f"<dct:title>{escape(dataset.title)}</dct:title><dct:abstract>{escape(dataset.description)}</dct:abstract>",
        *(f"<dcat:keyword>{escape(k)}</dcat:keyword>" for k in dataset.keywords),
        f'<dcat:theme rdf:resource="https://inspire.ec.europa.eu/metadata-codelist/TopicCategory/{topic_category(dataset)}"/>',
        f'<dcat:theme rdf:resource="{theme_iri}"/>',
        '<dct:spatial><ogc:Polygon><geo:asWKT rdf:datatype="http://www.opengis.net/rdf#wktLiteral">'
        f"Polygon(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"
        "</geo:asWKT></ogc:Polygon></dct:spatial>",
        f"<dct:issued>{dataset.issued.isoformat()}</dct:issued>",
        f'<dct:publisher rdf:resource="{organisation}"/>',
        "<dct:language>fre</dct:language>",
        f"<dct:license /><dct:license>{escape(label)}  {url}</dct:license>",
        '<dct:accessRights rdf:resource="http://inspire.ec.europa.eu/metadatacodelist/LimitationsOnPublicAccess/'
        'noLimitations">Pas de restriction d’accès public</dct:accessRights>',
        "<dct:accrualPeriodicity>CONT</dct:accrualPeriodicity><dcat:granularity>5000</dcat:granularity>",
        *(f'<dcat:distribution rdf:resource="{escape(iri)}"/>' for iri in distribution_iri),
        f'<dcat:contactPoint><vcard:Kind rdf:about="{organisation}"><vcard:fn>{escape(dataset.publisher)}</vcard:fn>'
        f'<vcard:hasEmail rdf:resource="mailto:{dataset.contact_email}"/></vcard:Kind></dcat:contactPoint>',
        "</dcat:Dataset>",
        *(
            f'<dcat:Distribution rdf:about="{escape(iri)}"><dcat:accessURL>{escape(u)}</dcat:accessURL>'
            f"<dct:title>{escape(n)}</dct:title><dct:description>{escape(d)}</dct:description>"
            f"<dct:format>{escape(p)}</dct:format></dcat:Distribution>"
            for iri, (p, u, n, d) in zip(distribution_iri, links)
        ),
        f'<foaf:Organization rdf:about="{organisation}"><foaf:name>{escape(dataset.publisher)}</foaf:name></foaf:Organization>',
        "</rdf:RDF>",
    ]
    return "".join(body)
