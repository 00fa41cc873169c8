"""Plausible French open datasets, written by us, for the portal simulators and the demo.

Each portal has a few dozen hand-written datasets; ``generate(portal, n)`` goes
beyond them by combining subjects, places and years, deterministically, so the
benchmarks can ask for 80,000 of them.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["PORTAL_PROFILES", "SampleDataset", "SampleResource", "generate", "slugify"]


@dataclass(frozen=True)
class SampleResource:
    """A file or service of a sample dataset."""

    title: str
    format: str
    url: str
    byte_size: int | None = None
    description: str = ""


@dataclass(frozen=True)
class SampleDataset:
    """One dataset, neutral of any portal's format."""

    slug: str
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str
    publisher: str
    contact_email: str
    license: str
    issued: date
    modified: date
    frequency: str
    spatial: str
    bbox: tuple[float, float, float, float]
    temporal: tuple[date, date] | None
    resources: tuple[SampleResource, ...] = field(default=())


@dataclass(frozen=True)
class _PortalProfile:
    city: str
    publisher: str
    domain: str
    license: str
    bbox: tuple[float, float, float, float]
    curated: tuple[tuple[str, str, str, tuple[str, ...]], ...]


# (title, theme, description, keywords)
_PARIS = (
    ("Vélib' - Vélos et bornes - Disponibilité temps réel", "Mobilité et Transport", "Disponibilité en temps réel des <b>vélos</b> en libre-service Vélib' Métropole : nombre de vélos mécaniques et électriques et de bornettes libres par station.", ("vélo", "vélib", "mobilité", "temps réel")),
    ("Comptage vélo - Données compteurs", "Mobilité et Transport", "Comptages horaires des vélos sur les compteurs permanents de la Ville de Paris.<br/>Les données sont mises à jour chaque jour.", ("vélo", "comptage", "pistes cyclables")),
    ("Aménagements cyclables", "Mobilité et Transport", "Tracés des <em>pistes et bandes cyclables</em>, couloirs de bus ouverts aux vélos et zones 30 de Paris.", ("vélo", "cyclable", "voirie")),
    ("Stationnement vélo en voirie", "Mobilité et Transport", "Emplacements de stationnement pour vélos et arceaux installés sur la voie publique.", ("vélo", "stationnement")),
    ("Les arbres", "Environnement", "Liste des <strong>arbres d'alignement</strong>, des parcs et jardins, avec genre, espèce, hauteur et circonférence.", ("arbres", "végétation", "patrimoine arboré")),
    ("Espaces verts et assimilés", "Environnement", "Parcs, squares, jardins et bois gérés par la Ville de Paris, avec leurs surfaces et horaires.", ("espaces verts", "jardins", "parcs")),
    ("Qualité de l'air - Indice ATMO", "Environnement", "Indice quotidien de la qualité de l'air à Paris, calculé par Airparif.", ("qualité de l'air", "pollution", "atmo")),
    ("Fontaines à boire", "Environnement", "Localisation des fontaines à boire de Paris et leur disponibilité.", ("eau", "fontaines")),
    ("Bibliothèques et médiathèques", "Culture", "Adresses, horaires et services des bibliothèques de prêt de la Ville de Paris.", ("bibliothèques", "culture", "lecture")),
    ("Que faire à Paris ?", "Culture", "Agenda des événements culturels et de loisirs publiés sur Que faire à Paris.", ("agenda", "événements", "loisirs")),
    ("Liste des prénoms à Paris", "Citoyenneté", "Prénoms déclarés à l'état civil à Paris depuis 2004, par année et par sexe.", ("prénoms", "état civil")),
    ("Élections - Résultats par bureau de vote", "Citoyenneté", "Résultats des élections par bureau de vote à Paris.", ("élections", "bureaux de vote")),
    ("Secteurs scolaires des écoles élémentaires", "Éducation", "Périmètres de recrutement des écoles élémentaires publiques parisiennes.", ("écoles", "carte scolaire")),
    ("Établissements d'accueil de la petite enfance", "Services sociaux", "Crèches collectives, haltes-garderies et jardins d'enfants municipaux.", ("crèches", "petite enfance")),
    ("Sanisettes - Toilettes publiques", "Services", "Localisation et horaires des toilettes publiques gratuites.", ("toilettes", "équipements publics")),
    ("Bornes de recharge pour véhicules électriques", "Mobilité et Transport", "Points de charge Belib' pour véhicules électriques, avec puissance et disponibilité.", ("recharge", "véhicules électriques", "belib")),
    ("Trottoirs et voies piétonnes", "Urbanisme", "Emprise des trottoirs et des voies piétonnes de Paris.", ("voirie", "piétons")),
    ("Plan local d'urbanisme - Zonage", "Urbanisme", "Zonage réglementaire du PLU bioclimatique de Paris.", ("urbanisme", "plu")),
    ("Marchés découverts", "Commerce", "Liste des marchés alimentaires découverts et leurs jours d'ouverture.", ("marchés", "alimentation")),
    ("Budget primitif de la Ville de Paris", "Finances", "Budget primitif voté, par chapitre et par fonction.", ("budget", "finances publiques")),
    ("Dans ma rue - Anomalies signalées", "Services", "Anomalies signalées par les usagers dans l'espace public via l'application DansMaRue.", ("propreté", "signalements")),
    ("Chantiers à Paris", "Urbanisme", "Chantiers perturbants en cours sur la voie publique.", ("travaux", "voirie")),
    ("Piscines municipales", "Sport", "Piscines de la Ville de Paris : adresses, horaires et bassins.", ("piscines", "sport")),
    ("Îlots de fraîcheur - Équipements et activités", "Environnement", "Lieux rafraîchis ouverts au public en période de canicule.", ("canicule", "fraîcheur")),
)
_LYON = (
    ("Stations Vélo'v de la Métropole de Lyon", "Transports", "Localisation des stations Vélo'v et nombre de bornettes, vélos disponibles en temps réel.", ("vélo", "vélo'v", "mobilité")),
    ("Aménagements cyclables de la Métropole de Lyon", "Transports", "Réseau des aménagements cyclables : pistes, bandes, voies vertes et double-sens cyclables.", ("vélo", "cyclable", "réseaux de transport")),
    ("Comptages de vélos - boucles de comptage", "Transports", "Données des boucles de comptage des vélos et des piétons.", ("vélo", "comptage")),
    ("Arbres d'alignement de la Métropole de Lyon", "Environnement", "Patrimoine arboré sur l'espace public géré par la Métropole.", ("arbres", "végétation")),
    ("Parcs et jardins publics", "Environnement", "Parcs, jardins et squares de la Métropole de Lyon.", ("espaces verts", "parcs")),
    ("Plan local d'urbanisme et de l'habitat (PLU-H)", "Urbanisme", "Zonage du PLU-H de la Métropole de Lyon.", ("urbanisme", "plu")),
    ("Points d'apport volontaire du verre", "Environnement", "Silos à verre installés sur le territoire métropolitain.", ("déchets", "verre", "recyclage")),
    ("Réseau de transports en commun TCL", "Transports", "Lignes, arrêts et horaires théoriques du réseau TCL (format GTFS).", ("transports en commun", "gtfs", "tcl")),
    ("Parkings publics de la Métropole", "Transports", "Parcs de stationnement publics et leur capacité.", ("stationnement", "parkings")),
    ("Bâtiments - Base de données topographiques", "Urbanisme", "Emprise des bâtiments issue du référentiel topographique métropolitain.", ("bâtiments", "topographie")),
    ("Limites administratives des communes", "Limites administratives", "Contours des 58 communes de la Métropole de Lyon.", ("communes", "limites administratives")),
    ("Qualité de l'air - Stations de mesure", "Environnement", "Stations de mesure de la qualité de l'air d'Atmo Auvergne-Rhône-Alpes.", ("qualité de l'air", "pollution")),
    ("Bornes fontaines", "Environnement", "Bornes fontaines et points d'eau potable.", ("eau", "fontaines")),
    ("Équipements sportifs", "Sport", "Gymnases, stades et piscines du territoire.", ("sport", "équipements")),
    ("Musées de Lyon", "Culture", "Musées du territoire métropolitain avec coordonnées.", ("musées", "culture")),
    ("Zones à faibles émissions (ZFE)", "Transports", "Périmètre de la zone à faibles émissions mobilité.", ("zfe", "pollution", "circulation")),
    ("Risques d'inondation", "Environnement", "Zones inondables du plan de prévention des risques.", ("inondation", "risques")),
    ("Écoles maternelles et élémentaires", "Éducation", "Localisation des écoles publiques et privées.", ("écoles", "éducation")),
    ("Trafic routier temps réel", "Transports", "État du trafic sur les principaux axes de la Métropole.", ("trafic", "temps réel")),
    ("Orthophotographie 2023", "Imagerie", "Orthophotographie aérienne à 8 cm de résolution.", ("orthophotographie", "imagerie")),
)
_MONTPELLIER = (
    ("Stations Vélomagg", "Mobilité", "<p>Localisation des stations de <strong>vélos</strong> en libre-service Vélomagg et leur capacité.</p>", ("vélo", "vélomagg", "mobilité")),
    ("Disponibilité des places Vélomagg en temps réel", "Mobilité", "<p>Nombre de vélos et de places libres par station, mis à jour en continu.</p>", ("vélo", "temps réel")),
    ("Pistes cyclables de Montpellier Méditerranée Métropole", "Mobilité", "<p>Réseau cyclable de la Métropole : pistes, bandes et voies vertes.</p>", ("vélo", "cyclable")),
    ("Arbres d'alignement de la Ville de Montpellier", "Environnement", "<p>Inventaire des arbres d'alignement avec essence et date de plantation.</p>", ("arbres", "végétation")),
    ("Parkings en temps réel", "Mobilité", "<p>Places disponibles dans les parkings de la TaM.</p>", ("stationnement", "parkings", "temps réel")),
    ("Lignes de tramway", "Mobilité", "<p>Tracé des lignes de tramway TaM.</p>", ("tramway", "transports en commun")),
    ("Référentiel de la collecte des déchets", "Environnement", "<p>Jours et secteurs de collecte des ordures ménagères et du tri sélectif.</p>", ("déchets", "collecte")),
    ("Agenda des manifestations", "Culture", "<p>Événements culturels et sportifs publiés par la Ville.</p>", ("agenda", "culture")),
    ("Médiathèques du réseau", "Culture", "<p>Médiathèques de Montpellier Méditerranée Métropole.</p>", ("médiathèques", "lecture")),
    ("Prénoms des nouveau-nés", "Citoyenneté", "<p>Prénoms des enfants nés à Montpellier par année.</p>", ("prénoms", "état civil")),
    ("Bureaux de vote", "Citoyenneté", "<p>Localisation des bureaux de vote de la Ville de Montpellier.</p>", ("élections", "bureaux de vote")),
    ("Budget de la Métropole", "Finances", "<p>Budget primitif et compte administratif de la Métropole.</p>", ("budget", "finances publiques")),
    ("Espaces verts de Montpellier", "Environnement", "<p>Parcs et jardins ouverts au public.</p>", ("espaces verts", "parcs")),
    ("Écoles publiques", "Éducation", "<p>Écoles maternelles et élémentaires publiques de la Ville.</p>", ("écoles", "éducation")),
    ("Points de recharge électrique", "Mobilité", "<p>Bornes de recharge pour véhicules électriques sur la voirie.</p>", ("recharge", "véhicules électriques")),
    ("Occupation du sol", "Urbanisme", "<p>Occupation du sol à grande échelle de la Métropole.</p>", ("urbanisme", "occupation du sol")),
    ("Comptages routiers", "Mobilité", "<p>Trafic moyen journalier annuel sur les routes de la Métropole.</p>", ("trafic", "comptage")),
    ("Piscines de la Métropole", "Sport", "<p>Piscines et horaires d'ouverture.</p>", ("piscines", "sport")),
)
_DATAGOUV = (
    ("Base nationale des aménagements cyclables", "Transports", "Le **schéma de données** des aménagements cyclables consolidé par Géovélo et les collectivités.\n\n- pistes\n- bandes\n- voies vertes", ("velo", "amenagements-cyclables", "mobilite")),
    ("Stationnements vélos en France", "Transports", "Consolidation nationale des **stationnements vélos** publiée au format du schéma de données.", ("velo", "stationnement")),
    ("Comptages vélos - base nationale", "Transports", "Données de comptage des vélos agrégées à l'échelle nationale.", ("velo", "comptage")),
    ("Base Adresse Nationale (BAN)", "Adresses", "La *Base Adresse Nationale* est la base de données de référence des adresses en France.", ("adresses", "ban", "referentiel")),
    ("Fichier des prénoms (état civil)", "Société", "Prénoms attribués aux enfants nés en France depuis 1900, publiés par l'Insee.", ("prenoms", "etat-civil", "insee")),
    ("Demandes de valeurs foncières (DVF)", "Logement", "Transactions immobilières intervenues au cours des cinq dernières années.", ("immobilier", "dvf", "foncier")),
    ("Répertoire national des élus", "Citoyenneté", "Liste des élus municipaux, départementaux et régionaux.", ("elus", "elections")),
    ("Résultats des élections municipales 2020", "Citoyenneté", "Résultats par bureau de vote des élections municipales 2020.", ("elections", "municipales")),
    ("Base permanente des équipements", "Société", "Équipements et services rendus à la population, par commune.", ("equipements", "insee")),
    ("Prix des carburants en France", "Économie", "Prix des carburants dans les stations-service, flux instantané.", ("carburants", "prix")),
    ("Qualité de l'eau distribuée par commune", "Environnement", "Résultats du contrôle sanitaire des eaux destinées à la consommation humaine.", ("eau", "sante", "environnement")),
    ("Bornes de recharge pour véhicules électriques (IRVE)", "Transports", "Consolidation nationale des points de recharge IRVE.", ("irve", "recharge", "vehicules-electriques")),
    ("Annuaire de l'éducation", "Éducation", "Établissements scolaires du premier et du second degré.", ("ecoles", "education")),
    ("Registre parcellaire graphique (RPG)", "Agriculture", "Parcelles agricoles déclarées à la PAC.", ("agriculture", "pac", "parcelles")),
    ("Arbres remarquables de France", "Environnement", "Inventaire participatif des arbres remarquables.", ("arbres", "patrimoine-naturel")),
    ("Base Sirene des entreprises", "Économie", "Répertoire des entreprises et de leurs établissements.", ("entreprises", "sirene", "insee")),
    ("Données hospitalières COVID-19", "Santé", "Données relatives à l'épidémie de COVID-19 dans les hôpitaux.", ("covid-19", "sante", "hopitaux")),
    ("Vélib' - Vélos et bornes - Disponibilité temps réel", "Transports", "Disponibilité en temps réel des vélos en libre-service Vélib' Métropole (moissonné depuis Paris Data).", ("velo", "velib", "temps-reel")),
    ("Stations Vélo'v de la Métropole de Lyon", "Transports", "Stations Vélo'v de la Métropole de Lyon (moissonné depuis DATA Grand Lyon).", ("velo", "lyon")),
    ("Stations Vélomagg", "Transports", "Stations de vélos en libre-service Vélomagg (moissonné depuis Montpellier).", ("velo", "montpellier")),
)

PORTAL_PROFILES: dict[str, _PortalProfile] = {
    "paris": _PortalProfile("Paris", "Ville de Paris", "opendata.paris.fr", "odbl", (2.224, 48.815, 2.470, 48.902), _PARIS),
    "lyon": _PortalProfile("Lyon", "Métropole de Lyon", "data.grandlyon.com", "etalab-2.0", (4.681, 45.556, 5.111, 45.917), _LYON),
    "montpellier": _PortalProfile("Montpellier", "Montpellier Méditerranée Métropole", "data.montpellier3m.fr", "odbl", (3.807, 43.566, 3.941, 43.653), _MONTPELLIER),
    "datagouv": _PortalProfile("France", "Etalab", "www.data.gouv.fr", "etalab-2.0", (-5.14, 41.33, 9.56, 51.09), _DATAGOUV),
}

_SUBJECTS = (
    ("Consommation électrique des bâtiments publics", "Énergie", ("énergie", "électricité", "bâtiments")),
    ("Collecte des encombrants", "Environnement", ("déchets", "encombrants")),
    ("Accidents corporels de la circulation", "Transports", ("sécurité routière", "accidents")),
    ("Subventions aux associations", "Finances", ("subventions", "associations")),
    ("Fréquentation des équipements culturels", "Culture", ("fréquentation", "culture")),
    ("Places de stationnement vélo", "Mobilité", ("vélo", "stationnement")),
    ("Marchés publics attribués", "Économie", ("marchés publics", "commande publique")),
    ("Relevés de bruit routier", "Environnement", ("bruit", "nuisances")),
    ("Délibérations du conseil municipal", "Citoyenneté", ("délibérations", "conseil municipal")),
    ("Permis de construire délivrés", "Urbanisme", ("permis de construire", "urbanisme")),
    ("Effectifs scolaires par école", "Éducation", ("écoles", "effectifs")),
    ("Jardins partagés", "Environnement", ("jardins", "agriculture urbaine")),
)
_FREQUENCIES = ("daily", "weekly", "monthly", "annual", "continuous", "irregular", "quarterly")
_RESOURCE_FORMATS = (("CSV", 48_000), ("JSON", 120_000), ("GeoJSON", 310_000), ("XLSX", 56_000), ("SHP", 900_000))


def generate(portal: str, count: int | None = None, *, seed: int = 7) -> list[SampleDataset]:
    """The portal's hand-written datasets, then generated ones up to ``count``, deterministically."""
    profile = PORTAL_PROFILES[portal]
    count = len(profile.curated) if count is None else count
    rng = random.Random(f"{seed}:{portal}")
    datasets = []
    for index in range(count):
        if index < len(profile.curated):
            title, theme, description, keywords = profile.curated[index]
        else:
            title, theme, description, keywords = _generated(profile, index, rng)
        datasets.append(_dataset(profile, index, title, theme, description, keywords, rng))
    return datasets


def _generated(profile: _PortalProfile, index: int, rng: random.Random):
    subject, theme, keywords = _SUBJECTS[index % len(_SUBJECTS)]
    year = 2015 + (index // len(_SUBJECTS)) % 11
    district = rng.randint(1, 20)
    title = f"{subject} - {profile.city} {year} (secteur {district}, lot {index})"
    description = (
        f"{subject} pour {profile.city}, année {year}, secteur {district}. "
        f"Données publiées par {profile.publisher} et mises à jour selon le calendrier du service producteur."
    )
    return title, theme, description, keywords


def _dataset(profile, index, title, theme, description, keywords, rng: random.Random) -> SampleDataset:
    slug = _slugify(title)[:80].strip("-") + (f"-{index}" if index >= len(profile.curated) else "")
    issued = date(2014, 1, 1) + timedelta(days=rng.randint(0, 2500))
    modified = min(issued + timedelta(days=rng.randint(0, 1500)), date(2026, 10, 31))
    formats = rng.sample(_RESOURCE_FORMATS, k=rng.randint(1, 4))
    base = f"https://{profile.domain}"
    resources = tuple(
        SampleResource(
            title=f"{slug}.{fmt.lower()}",
            format=fmt,
            url=f"{base}/files/{slug}/{slug}.{fmt.lower()}",
            byte_size=size + rng.randint(0, size),
            description=f"{title} ({fmt})",
        )
        for fmt, size in formats
    )
    start_year = rng.randint(2010, 2022)
    return SampleDataset(
        slug=slug,
        title=title,
        description=description,
        keywords=tuple(keywords),
        theme=theme,
        publisher=profile.publisher,
        contact_email=f"opendata@{profile.domain.removeprefix('www.').removeprefix('data.')}",
        license=profile.license,
        issued=issued,
        modified=modified,
        frequency=_FREQUENCIES[index % len(_FREQUENCIES)],
        spatial=profile.city,
        bbox=profile.bbox,
        temporal=(date(start_year, 1, 1), date(start_year + rng.randint(0, 4), 12, 31)) if index % 3 else None,
        resources=resources,
    )


def slugify(text: str) -> str:
    """A lower-case ASCII slug (``Vélib' - Vélos`` → ``velib-velos``)."""
    return _slugify(text)


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())
