"""Judged French queries over the sample catalogues (simulators/sample_data.py): what a good answer ranks first.

Each query maps title prefixes to a grade: 2 = what the user wants, 1 = also relevant. A hit
takes the best grade of the prefixes its title starts with (so the generated "Jardins partagés -
Lyon 2016 (secteur …)" datasets of the larger catalogue are judged by the "Jardins partagés" line).
Written by hand from the sample titles; the issue-14 cases are marked.
"""

from __future__ import annotations

__all__ = ["JUDGED"]

_VELO = {
    "Vélib'": 2, "Stations Vélo'v": 2, "Stations Vélomagg": 2, "Comptage vélo": 2, "Comptages de vélos": 2,
    "Comptages vélos": 2, "Stationnement vélo": 2, "Stationnements vélos": 2, "Aménagements cyclables": 1,
    "Base nationale des aménagements cyclables": 1, "Disponibilité des places Vélomagg": 2, "Pistes cyclables": 1,
}
_PARCS = {"Parcs et jardins publics": 2, "Espaces verts": 1, "Jardins partagés": 1}
_AIR = {"Qualité de l'air": 2, "Zones à faibles émissions": 1}
_ELECTIONS = {"Élections - Résultats": 2, "Résultats des élections": 2, "Bureaux de vote": 2, "Répertoire national des élus": 1}
_RECHARGE = {"Bornes de recharge": 2, "Points de recharge électrique": 2}
_ECOLES = {"Écoles": 2, "Secteurs scolaires": 2, "Effectifs scolaires": 1, "Annuaire de l'éducation": 1}
_ARBRES = {"Les arbres": 2, "Arbres d'alignement": 2, "Arbres remarquables": 2}
_PRENOMS = {"Liste des prénoms": 2, "Prénoms des nouveau-nés": 2, "Fichier des prénoms": 2}
_BUDGET = {"Budget primitif": 2, "Budget de la Métropole": 2}
_PISCINES = {"Piscines": 2}
_FONTAINES = {"Fontaines à boire": 2, "Bornes fontaines": 2}
_URBANISME = {"Plan local d'urbanisme": 2, "Permis de construire": 1, "Occupation du sol": 1}
_PARKINGS = {"Parkings": 2, "Stationnement vélo": 1}
_TRANSPORTS = {"Réseau de transports en commun": 2, "Lignes de tramway": 2}
_MEDIATHEQUES = {"Bibliothèques et médiathèques": 2, "Médiathèques du réseau": 2}
_DECHETS = {"Points d'apport volontaire": 2, "Référentiel de la collecte des déchets": 2}
_TRAFIC = {"Trafic routier": 2, "Comptages routiers": 2}

#: (query, kind, {title prefix: grade})
JUDGED: list[tuple[str, str, dict[str, int]]] = [
    # typical
    ("vélo", "typical", _VELO),
    ("arbres", "typical", _ARBRES),
    ("budget", "typical", _BUDGET),
    ("piscines", "typical", _PISCINES),
    ("fontaines", "typical", _FONTAINES),
    ("urbanisme", "typical", _URBANISME),
    ("parkings", "typical", _PARKINGS),
    ("tramway", "typical", {"Lignes de tramway": 2}),
    ("déchets", "typical", _DECHETS),
    ("trafic", "typical", _TRAFIC),
    ("carburants", "typical", {"Prix des carburants": 2}),
    ("inondation", "typical", {"Risques d'inondation": 2}),
    ("musées", "typical", {"Musées de Lyon": 2}),
    ("covid", "typical", {"Données hospitalières COVID-19": 2}),
    ("entreprises", "typical", {"Base Sirene des entreprises": 2}),
    ("adresses", "typical", {"Base Adresse Nationale": 2}),
    # plurals and singulars
    ("vélos", "plural", _VELO),
    ("arbre", "plural", _ARBRES),
    ("piscine", "plural", _PISCINES),
    ("école", "plural", _ECOLES),
    ("parking", "plural", _PARKINGS),
    ("fontaine", "plural", _FONTAINES),
    ("musée", "plural", {"Musées de Lyon": 2}),
    # accents left out or added
    ("velo", "accents", _VELO),
    ("ecoles", "accents", _ECOLES),
    ("prenoms", "accents", _PRENOMS),
    ("qualite de l'air", "accents", _AIR),
    ("mediatheques", "accents", _MEDIATHEQUES),
    ("dechets", "accents", _DECHETS),
    ("elus", "accents", {"Répertoire national des élus": 2}),
    # typos
    ("vleo", "typo", _VELO),
    ("piscnes", "typo", _PISCINES),
    ("arbers", "typo", _ARBRES),
    ("bugdet", "typo", _BUDGET),
    ("tramwya", "typo", {"Lignes de tramway": 2}),
    ("inondaton", "typo", {"Risques d'inondation": 2}),
    ("fontanes", "typo", _FONTAINES),
    # multi-word
    ("qualité de l'air", "multi-word", _AIR),
    ("bornes de recharge", "multi-word", _RECHARGE),
    ("transports en commun", "multi-word", _TRANSPORTS),
    ("stationnement vélo", "multi-word", {"Stationnement vélo": 2, "Stationnements vélos": 2, "Parkings": 1}),
    ("conseil municipal", "multi-word", {"Délibérations du conseil municipal": 2}),
    ("temps réel", "multi-word", {"Vélib'": 2, "Trafic routier temps réel": 2, "Parkings en temps réel": 2, "Disponibilité des places Vélomagg": 2}),
    ("permis de construire", "multi-word", {"Permis de construire": 2}),
    ("valeurs foncières", "multi-word", {"Demandes de valeurs foncières": 2}),
    # publishers and cities
    ("Métropole de Lyon", "publisher", {"Stations Vélo'v": 1, "Musées de Lyon": 1, "Parcs et jardins publics": 1, "Arbres d'alignement de la Métropole de Lyon": 2, "Aménagements cyclables de la Métropole de Lyon": 2}),
    ("Etalab", "publisher", {"Base Adresse Nationale": 1, "Base Sirene": 1, "Prix des carburants": 1, "Fichier des prénoms": 1, "Base nationale des aménagements": 1}),
    ("Montpellier", "city", {"Espaces verts de Montpellier": 2, "Pistes cyclables de Montpellier": 2, "Arbres d'alignement de la Ville de Montpellier": 2, "Stations Vélomagg": 1}),
    ("Lyon", "city", {"Musées de Lyon": 2, "Stations Vélo'v de la Métropole de Lyon": 2, "Arbres d'alignement de la Métropole de Lyon": 2}),
    ("Paris", "city", {"Que faire à Paris": 2, "Chantiers à Paris": 2, "Liste des prénoms à Paris": 2, "Budget primitif de la Ville de Paris": 2}),
    ("vélo lyon", "city", {"Stations Vélo'v": 2, "Aménagements cyclables de la Métropole de Lyon": 2, "Comptages de vélos": 1}),
    # the cases of issue 14
    ("parcs", "issue-14", _PARCS),
    ("élection", "issue-14", _ELECTIONS),
    ("élections", "issue-14", _ELECTIONS),
    ("recharge électrique", "issue-14", _RECHARGE),
    ("jardins", "issue-14", {"Parcs et jardins publics": 2, "Jardins partagés": 2, "Espaces verts": 1}),
]
