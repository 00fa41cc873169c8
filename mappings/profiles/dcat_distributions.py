"""DCAT-AP distributions: URLs, EU file type, IANA media type, size and the licence (which DCAT-AP puts here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD

from mappings.profiles.licence_registries import registry_names
from mappings.profiles.rdf_terms import cached_terms, add_concept, eu_scheme, safe_iri, text_literal
from mappings.profiles.sink import Blank, Term, TripleSink, as_sink, literal
from mappings.record import Concept, Distribution
from mappings.vocab import DCATAP, IANA_MEDIA_TYPES
from mappings.vocabularies import UNKNOWN_LICENSE, canonical_license, file_type
from mappings.vocabularies.licenses import LicenseInfo

# rdflib checks each look-up of a vocabulary term; these keep the terms once looked up
DCAT, DCTERMS, RDF, RDFS, XSD, DCATAP = map(cached_terms, (DCAT, DCTERMS, RDF, RDFS, XSD, DCATAP))

__all__ = [
    "LICENCE_TYPES",
    "LICENCE_TYPE_SCHEME",
    "LicenceToWrite",
    "NOT_A_LICENCE",
    "add_distribution",
    "add_format",
    "add_licence_names",
    "licence_to_write",
    "add_license",
    "add_media_type",
    "add_rights",
    "licence_node",
]

LICENCE_TYPE = "http://purl.org/adms/licencetype/"
#: The ADMS licence type scheme (``LicenceTypeRestriction`` in mdr-vocabularies.shape.ttl).
LICENCE_TYPE_SCHEME = URIRef(LICENCE_TYPE + "1.0")
_LICENCE_TYPE_SCHEME = str(LICENCE_TYPE_SCHEME)
_LICENCE_TYPE_LABELS = {
    "Attribution": "Attribution",
    "PublicDomain": "Public domain",
    "ViralEffect-ShareAlike": "Viral effect (a.k.a. Share-alike)",
    "NonCommercialUseOnly": "Non-commercial use only",
    "NoDerivativeWork": "No derivative work",
}
_BY, _SA, _PD = "Attribution", "ViralEffect-ShareAlike", "PublicDomain"
_NC, _ND = "NonCommercialUseOnly", "NoDerivativeWork"
#: ADMS licence types of the canonical licences (ids of mappings/vocabularies/data/licenses.json).
LICENCE_TYPES: dict[str, tuple[str, ...]] = {
    "etalab-2.0": (_BY,),
    "etalab-1.0": (_BY,),
    "ODbL-1.0": (_BY, _SA),
    "ODC-By-1.0": (_BY,),
    "PDDL-1.0": (_PD,),
    "CC0-1.0": (_PD,),
    "CC-BY-4.0": (_BY,),
    "CC-BY-3.0": (_BY,),
    "CC-BY-2.0": (_BY,),
    "CC-BY": (_BY,),
    "CC-BY-SA-4.0": (_BY, _SA),
    "CC-BY-SA-3.0": (_BY, _SA),
    "CC-BY-SA": (_BY, _SA),
    "CC-BY-NC-4.0": (_BY, _NC),
    "CC-BY-ND-4.0": (_BY, _ND),
    "CC-BY-NC-SA-4.0": (_BY, _NC, _SA),
    "CC-BY-NC-ND-4.0": (_BY, _NC, _ND),
    "OGL-UK-3.0": (_BY,),
    "other-at": (_BY,),
    "other-pd": (_PD,),
}
#: Canonical ids that say no licence is known: exporting them as a licence document would mislead.
NOT_A_LICENCE = frozenset({"notspecified"})
_IANA = str(IANA_MEDIA_TYPES)
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")


def add_distribution(
    sink: TripleSink,
    dataset: Term,
    ref: Term,
    distribution: Distribution,
    dataset_license: Concept | None,
    legislation: str | None = None,
    rights: str | None = None,
) -> str | None:
    """One ``dcat:Distribution``, or None when it has no usable URL (``dcat:accessURL`` is mandatory).

    :param dataset_license: the record's licence, used when the distribution has none.
    :param rights: the record's rights statement that is not a licence (DCAT-AP puts ``dct:rights`` here).
    :param legislation: ``dcatap:applicableLegislation`` of a high-value dataset's distributions.
    """
    sink = as_sink(sink)
    download_url = safe_iri(distribution.download_url) if distribution.download_url else None
    access_url = safe_iri(distribution.access_url) or download_url
    if access_url is None:
        return None
    sink.add(dataset, DCAT.distribution, ref)
    sink.add(ref, RDF.type, DCAT.Distribution)
    sink.add(ref, DCAT.accessURL, access_url)
    if download_url is not None:
        sink.add(ref, DCAT.downloadURL, download_url)
    if distribution.title:
        sink.add(ref, DCTERMS.title, text_literal(distribution.title))
    if distribution.description:
        sink.add(ref, DCTERMS.description, text_literal(distribution.description))
    add_format(sink, ref, distribution)
    add_media_type(sink, ref, distribution)
    if distribution.byte_size is not None and distribution.byte_size >= 0:
        sink.add(ref, DCAT.byteSize, literal(str(distribution.byte_size), None, XSD.nonNegativeInteger))
    add_license(sink, ref, distribution.license or dataset_license)
    add_rights(sink, ref, rights)
    if legislation is not None:
        sink.add(ref, DCATAP.applicableLegislation, legislation)
    return ref


def add_format(sink: TripleSink, ref: Term, distribution: Distribution) -> str | None:
    """``dct:format`` as the EU file-type IRI of the distribution's format, media type or URL."""
    sink = as_sink(sink)
    info = file_type(distribution.format, distribution.media_type, url=distribution.url)
    if info is None:
        return None
    iri = info.uri
    sink.add(ref, DCTERMS.format, iri)
    if sink.once(("file type", iri)):  # a page's distributions share a few file types: each described once
        add_concept(sink, iri, {"en": info.label}, scheme=eu_scheme("file-type"), types=(DCTERMS.MediaTypeOrExtent,))
    return iri


def add_media_type(sink: TripleSink, ref: Term, distribution: Distribution) -> str | None:
    """``dcat:mediaType`` as an IANA IRI: the distribution's own type, else its file type's registered one.

    Experimental ``x-`` subtypes are not IANA registrations, so they are never exported.
    """
    sink = as_sink(sink)
    media_type = (distribution.media_type or "").strip().lower()
    if not _MEDIA_TYPE.match(media_type) or media_type.split("/", 1)[1].startswith("x-"):
        info = file_type(distribution.format, None, url=distribution.url)
        media_type = info.media_type if info and info.media_type else ""
    if not media_type:
        return None
    iri = _IANA + media_type
    sink.add(ref, DCAT.mediaType, iri)
    sink.add(iri, RDF.type, DCTERMS.MediaType)
    return iri


def add_rights(sink: TripleSink, ref: Term, rights: str | None) -> Term | None:
    """``dct:rights``: the source's rights statement, as a labelled ``dct:RightsStatement`` (its IRI if it is one)."""
    sink = as_sink(sink)
    text = (rights or "").strip()
    if not text:
        return None
    node = safe_iri(text) or sink.blank()
    sink.add(ref, DCTERMS.rights, node)
    sink.add(node, RDF.type, DCTERMS.RightsStatement)
    if type(node) is Blank:
        sink.add(node, RDFS.label, text_literal(text))
    return node


def add_license(sink: TripleSink, ref: Term, license_: Concept | None) -> Term | None:
    """``dct:license``: a ``dct:LicenseDocument``, typed with ADMS licence types when the licence is known."""
    sink = as_sink(sink)
    node = licence_node(sink, license_)
    if node is not None:
        sink.add(ref, DCTERMS.license, node)
    return node


@dataclass(frozen=True)
class LicenceToWrite:
    """A record's licence as the profiles write it: what the portal gave, and the canonical licence when known."""

    given: Concept
    known: LicenseInfo | None

    def iri(self, first: str, then: str) -> str | None:
        """The canonical licence's ``first`` (else ``then``) address when it is a safe IRI, else the portal's own."""
        canonical = (getattr(self.known, first) or getattr(self.known, then)) if self.known is not None else None
        return (safe_iri(canonical) if canonical else None) or safe_iri(self.given.uri)


def licence_to_write(license_: Concept | None) -> LicenceToWrite | None:
    """The licence a profile should write; None when there is none, or when the value says none is known."""
    if license_ is None:
        return None
    info = canonical_license(license_.uri) or canonical_license(license_.label)
    known = info if info is not None and info.id != UNKNOWN_LICENSE else None
    if known is not None and known.id in NOT_A_LICENCE:
        return None
    return LicenceToWrite(license_, known)


@lru_cache(maxsize=1024)  # every distribution of a record, and most records of a portal, share a licence
def _licence_and_iri(license_: Concept | None) -> tuple[LicenceToWrite | None, str | None]:
    licence = licence_to_write(license_)
    return licence, licence.iri("uri", "url") if licence is not None else None


def licence_node(sink: TripleSink, license_: Concept | None) -> Term | None:
    """The licence document node: its canonical IRI, the portal's IRI, or a labelled blank node for free text.

    A known licence is labelled the way clients' registries name it (``rdfs:label``:
    data.gouv.fr's title; ``dct:title``: CKAN's), so their harvesters recognise it.
    """
    sink = as_sink(sink)
    licence, iri = _licence_and_iri(license_)
    if licence is None:
        return None
    if iri is None and not licence.given.label.strip():
        return None
    node = iri or sink.blank()
    if type(node) is not Blank and not sink.once(("licence", node)):
        return node
    sink.add(node, RDF.type, DCTERMS.LicenseDocument)
    known = licence.known
    if known is not None:
        add_licence_names(sink, node, known.id, known.label)
    elif sink.once(("rdfs:label", node)):
        sink.add(node, RDFS.label, text_literal(licence.given.label.strip() or str(node)))
    for code in LICENCE_TYPES.get(known.id, ()) if known is not None else ():
        concept = LICENCE_TYPE + code
        sink.add(node, DCTERMS.type, concept)
        add_concept(sink, concept, {"en": _LICENCE_TYPE_LABELS[code]}, scheme=_LICENCE_TYPE_SCHEME)
    return node


def add_licence_names(sink: TripleSink, node: Term, license_id: str, label: str) -> None:
    """``rdfs:label`` as data.gouv.fr names the licence and ``dct:title`` as CKAN does (fedcat's label otherwise)."""
    sink = as_sink(sink)
    names = registry_names(license_id)
    if sink.once(("rdfs:label", node)):
        sink.add(node, RDFS.label, text_literal(names.udata_title or label))
    if sink.once(("dct:title", node)):
        sink.add(node, DCTERMS.title, text_literal(names.ckan_title or names.udata_title or label))
