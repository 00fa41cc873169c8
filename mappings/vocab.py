"""Namespaces that rdflib does not ship (or ships in an older version)."""

from rdflib import Namespace

__all__ = ["ADMS", "DCAT3", "DCATAP", "HYDRA", "LOCN", "SCHEMA", "SPDX", "VCARD", "EU_FILE_TYPE", "IANA_MEDIA_TYPES"]

#: DCAT 3 terms (``inSeries``, ``DatasetSeries``); rdflib's ``DCAT`` is DCAT 2.
DCAT3 = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("https://schema.org/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
