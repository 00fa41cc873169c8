"""How the licence registries of the main DCAT clients name each canonical licence.

Harvesters recognise a licence document by its label, not its IRI:

* data.gouv.fr (udata's ``DcatBackend``) guesses the licence from the document's
  ``rdfs:label`` first, against the titles (and alternate titles) of data.gouv.fr's
  licence list (``GET /api/1/datasets/licenses/``);
* CKAN (ckanext-dcat's ``_license``) compares the document's IRI with the ``url``,
  then its ``dct:title`` with the ``title``, of CKAN's licence register (the default
  one is ``ckan/model/license.py``).

So the export labels each licence document with data.gouv.fr's title (``rdfs:label``)
and CKAN's title (``dct:title``) when those registries have the licence, and with
fedcat's own label otherwise. The titles below are facts from those two public lists.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REGISTRY_NAMES", "RegistryNames", "registry_names"]


@dataclass(frozen=True)
class RegistryNames:
    """A licence's id and title in data.gouv.fr's list and in CKAN's default register (None: not there)."""

    udata_id: str | None = None
    udata_title: str | None = None
    ckan_id: str | None = None
    ckan_title: str | None = None


_ODBL = "Open Data Commons Open Database License (ODbL)"
_ODC_BY = "Open Data Commons Attribution License"
_CC0 = "Creative Commons CCZero"
_CC_BY = "Creative Commons Attribution"
_CC_BY_SA = "Creative Commons Attribution Share-Alike"

#: canonical licence id (mappings/vocabularies/data/licenses.json) -> its names in the two registries
REGISTRY_NAMES: dict[str, RegistryNames] = {
    "etalab-2.0": RegistryNames("lov2", "Licence Ouverte / Open Licence version 2.0"),
    "etalab-1.0": RegistryNames("fr-lo", "Licence Ouverte / Open Licence"),
    "ODbL-1.0": RegistryNames("odc-odbl", _ODBL, "odc-odbl", _ODBL),
    "ODC-By-1.0": RegistryNames("odc-by", _ODC_BY, "odc-by", _ODC_BY),
    "PDDL-1.0": RegistryNames(
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and Licence (PDDL)",
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and License (PDDL)",
    ),
    "CC0-1.0": RegistryNames("cc-zero", _CC0, "cc-zero", _CC0),
    # data.gouv.fr and CKAN list Creative Commons licences without a version
    # (their one entry covers every version; the exported IRI keeps the version)
    **dict.fromkeys(("CC-BY", "CC-BY-2.0", "CC-BY-3.0", "CC-BY-4.0"), RegistryNames("cc-by", _CC_BY, "cc-by", _CC_BY)),
    **dict.fromkeys(
        ("CC-BY-SA", "CC-BY-SA-3.0", "CC-BY-SA-4.0"), RegistryNames("cc-by-sa", _CC_BY_SA, "cc-by-sa", _CC_BY_SA)
    ),
    "OGL-UK-3.0": RegistryNames(ckan_id="uk-ogl", ckan_title="UK Open Government Licence (OGL)"),
    "other-open": RegistryNames("other-open", "Other (Open)", "other-open", "Other (Open)"),
    "other-at": RegistryNames("other-at", "Other (Attribution)", "other-at", "Other (Attribution)"),
    "other-pd": RegistryNames("other-pd", "Other (Public Domain)", "other-pd", "Other (Public Domain)"),
}


def registry_names(license_id: str) -> RegistryNames:
    """The registries' names of a canonical licence (empty when neither registry lists it)."""
    return REGISTRY_NAMES.get(license_id, _NOWHERE)


_NOWHERE = RegistryNames()
