"""The pages' two languages: French (the default) and English.

Templates write their French text and pass it through ``tr``; English pages look
it up here. A missing translation shows the French text (never a key), and
``tests/unit/service/api/test_page_text.py`` checks that every French text a template uses has
its English one. The language comes from ``?lang=`` (that page only), else the choice
made with the header's switch (``/language/<lang>``, remembered in a cookie), else French.
"""

from __future__ import annotations

from datetime import date

from flask import request

__all__ = ["LANGUAGES", "LANG_COOKIE", "ENGLISH", "count_text", "date_text", "page_language", "translate"]

LANGUAGES = ("fr", "en")
LANG_COOKIE = "fedcat_lang"
_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}

#: French text of the pages → English.
ENGLISH = {
    # base
    "Recherche fédérée dans les catalogues de données ouvertes de Paris, Lyon, Montpellier et data.gouv.fr.":
        "Federated search across the open-data catalogues of Paris, Lyon, Montpellier and data.gouv.fr.",
    "Aller au contenu": "Skip to content",
    "Navigation principale": "Main navigation",
    "Rechercher": "Search",
    "Intégrer": "Embed",
    "Portails": "Portals",
    "fedcat fédère les catalogues de données ouvertes de Paris, Lyon, Montpellier et data.gouv.fr.":
        "fedcat federates the open-data catalogues of Paris, Lyon, Montpellier and data.gouv.fr.",
    "Les métadonnées restent celles publiées par chaque portail.": "The metadata stay as each portal published them.",
    "API JSON": "JSON API",
    "Catalogue DCAT-AP (Turtle)": "DCAT-AP catalogue (Turtle)",
    "Intégrer la recherche": "Embed the search",
    "Langue": "Language",
    # search
    "Recherche de données ouvertes": "Open data search",
    "Trouver des données ouvertes": "Find open data",
    "Un seul moteur de recherche pour les catalogues de Paris, Lyon, Montpellier et data.gouv.fr.":
        "One search engine for the catalogues of Paris, Lyon, Montpellier and data.gouv.fr.",
    "Rechercher des jeux de données": "Search datasets",
    "Vélos, arbres, budget…": "Bikes, trees, budget…",
    "Trier par": "Sort by",
    "Pertinence": "Relevance",
    "Plus récents": "Newest first",
    "Plus anciens": "Oldest first",
    "Titre (A → Z)": "Title (A → Z)",
    "Titre (Z → A)": "Title (Z → A)",
    "Meilleure qualité": "Best quality",
    "Modifié depuis le": "Modified since",
    "Modifié jusqu’au": "Modified until",
    "Filtrer les résultats": "Filter the results",
    "Un jeu de données publié sur plusieurs portails compte une fois ; dans le filtre des portails, il compte pour chacun d’eux.":
        "A dataset published on several portals counts once; in the portal filter it counts for each of them.",
    "Portail": "Portal",
    "Thème": "Theme",
    "Format": "Format",
    "Licence": "Licence",
    "Producteur": "Publisher",
    "État des liens": "Link status",
    "Mise à jour en retard": "Update overdue",
    "Liens valides": "Valid links",
    "Type inattendu": "Unexpected type",
    "Lien cassé": "Broken link",
    "Non vérifiés": "Not checked",
    "En retard": "Overdue",
    "À jour": "Up to date",
    "Indicateurs": "Insights",
    "Appliquer les filtres": "Apply the filters",
    "pour": "for",
    "Cette recherche n’est pas valide : vérifiez les mots saisis (500 caractères au plus).":
        "This search is not valid: check the words typed (500 characters at most).",
    "Cette page est au-delà des résultats.": "This page is beyond the results.",
    "Retour à la première page": "Back to the first page",
    "Filtres actifs": "Active filters",
    "Retirer ce filtre": "Remove this filter",
    "Retirer le filtre": "Remove the filter",
    "mis à jour le": "updated on",
    "Formats": "Formats",
    "Aucun résultat : essayez d’autres mots ou retirez des filtres.": "No results: try other words or remove filters.",
    "Pages de résultats": "Result pages",
    "← Page précédente": "← Previous page",
    "Page suivante →": "Next page →",
    "Page": "Page",
    "sur": "of",
    # not found
    "Page introuvable": "Page not found",
    "Retour à la recherche": "Back to the search",
    "Aucune page à cette adresse.": "There is no page at this address.",
    # dataset
    "Fil d’Ariane": "Breadcrumb",
    "Recherche": "Search",
    "Publié par": "Published by",
    "Thèmes": "Themes",
    "Ce jeu de données n’est plus listé par son portail depuis le": "Its portal has no longer listed this dataset since",
    "Description": "Description",
    "Pas de description.": "No description.",
    "Ressources": "Resources",
    "Ressource": "Resource",
    "Télécharger": "Download",
    "Accéder": "Open",
    "Le portail ne décrit aucune ressource pour ce jeu de données.": "The portal describes no resource for this dataset.",
    "Mots-clés": "Keywords",
    "En bref": "At a glance",
    "Publié le": "Published",
    "Modifié le": "Modified",
    "Fréquence": "Frequency",
    "Couverture spatiale": "Spatial coverage",
    "Couverture temporelle": "Temporal coverage",
    "Langues": "Languages",
    "Contact": "Contact",
    "Provenance": "Provenance",
    "Source": "Source",
    "Page d’origine": "Original page",
    "Portail moissonné": "Harvested portal",
    "Moissonné le": "Harvested",
    "Identifiant fedcat": "fedcat identifier",
    "Métadonnées": "Metadata",
    # portals and harvest jobs
    "Portails moissonnés": "Harvested portals",
    "Chaque portail, ses jeux de données et ses moissonnages : ce qui a été moissonné, quand, ce qui a échoué et pourquoi.":
        "Each portal, its datasets and its harvests: what was harvested, when, what failed and why.",
    "Type": "Kind",
    "Jeux de données": "Datasets",
    "Qualité moyenne": "Mean quality",
    "Dernier moissonnage": "Last harvest",
    "Prochain": "Next run",
    "jamais moissonné": "never harvested",
    "Moissonnages": "Harvests",
    "Début": "Started",
    "Durée": "Duration",
    "Statut": "Status",
    "créés": "created",
    "mis à jour": "updated",
    "inchangés": "unchanged",
    "supprimés": "deleted",
    "en échec": "failed",
    "pages": "pages",
    "Erreur": "Error",
    "Avertissements": "Warnings",
    "Enregistrements en échec": "Failed records",
    "Aucun moissonnage pour l’instant.": "No harvest yet.",
    "Rechercher dans ce portail": "Search this portal",
    "Adresse moissonnée": "Harvested address",
    "Adresse publique": "Public address",
    "en cours": "running",
    "demandé": "requested",
    "terminé": "done",
    "terminé avec erreurs": "done with errors",
    "échoué": "failed",
    "Aucun portail n’a cet identifiant.": "No portal has this identifier.",
    "Aucun jeu de données n’a cet identifiant.": "No dataset has this identifier.",
    # embed
    "Intégrer la recherche sur votre site": "Embed the search on your site",
    "Deux lignes de HTML ajoutent à n’importe quelle page une recherche dans les données ouvertes fédérées : sans framework, accessible au clavier, en français ou en anglais.":
        "Two lines of HTML add a search of the federated open data to any page: no framework, keyboard-accessible, in French or English.",
    "Choisir les options": "Choose the options",
    "Tous les portails": "All portals",
    "Tous les thèmes": "All themes",
    "Mettre à jour le code et l’aperçu": "Update the code and the preview",
    "Copier le code": "Copy the code",
    "Collez ces lignes là où la recherche doit apparaître :": "Paste these lines where the search should appear:",
    "Aperçu en direct": "Live preview",
    "Attributs": "Attributes",
    "Attribut": "Attribute",
    "Rôle": "Role",
    "Par défaut": "Default",
    "Personnaliser l’apparence": "Customise the look",
    "Propriété": "Property",
}


def page_language() -> str:
    """The page's language: ``?lang=``, else the remembered choice, else French."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE, "")
    return remembered if remembered in LANGUAGES else "fr"


def translate(text: str, lang: str) -> str:
    """``text`` (French) in ``lang``; the French text when no translation exists."""
    return ENGLISH.get(text, text) if lang == "en" else text


def date_text(value: object, lang: str) -> str:
    """An ISO date or datetime as « 15 mars 2019 » or "15 March 2019"; anything else as it is."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    month = _MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{day.day} {month} {day.year}"
    return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"


def count_text(total: int, lang: str = "fr") -> str:
    """"N jeux de données" / "N datasets", with the singular and zero cases."""
    if lang == "en":
        return "No datasets" if total == 0 else "1 dataset" if total == 1 else f"{total:,} datasets"
    if total == 0:
        return "Aucun jeu de données"
    if total == 1:
        return "1 jeu de données"
    return f"{total:,} jeux de données".replace(",", "\u202f")
