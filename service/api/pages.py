"""HTML pages: the search page, dataset pages with schema.org JSON-LD, the embeddable widget and its page.

Every page is rendered on the server with Jinja (autoescaped) and works without
JavaScript; ``widget.js`` is the only script of substance, served as a plain ES
module. HTML responses carry a strict Content-Security-Policy (no inline scripts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from mappings.freshness import freshness
from mappings.links import record_urls
from mappings.portals import Portal
from mappings.quality import assess
from service.api.schema_org import dataset_jsonld, script_json
from service.api.views import base_url, catalogue, page_json, record_links
from service.rdf_formats import RDF_FORMATS
from service.schemas import SearchArgs, load_args
from service.search.base import Hit, SearchQuery

__all__ = ["blueprint", "not_found_page", "render_dataset_page"]

blueprint = Blueprint("pages", __name__)

#: Facets the pages offer, with their French labels, in display order.
FACET_LABELS = {
    "portal": "Portail", "theme": "Thème", "format": "Format", "license": "Licence", "publisher": "Producteur",
    "link_status": "État des liens", "overdue": "Mise à jour en retard",
}
PAGE_SIZE = 20
#: Readable values of the facets whose values are codes.
VALUE_LABELS = {
    "link_status": {"ok": "Liens valides", "wrong_type": "Type inattendu", "broken": "Lien cassé", "unchecked": "Non vérifiés"},
    "overdue": {"true": "En retard", "false": "À jour"},
}
LINK_VERDICTS = {"ok": "Lien valide", "wrong_type": "Type inattendu", "broken": "Lien cassé"}
DIMENSION_LABELS = {
    "findability": "Trouvabilité", "accessibility": "Accessibilité", "interoperability": "Interopérabilité",
    "reusability": "Réutilisabilité", "contextuality": "Contexte",
}
RDF_LABELS = {"ttl": "Turtle", "rdf": "RDF/XML", "jsonld": "JSON-LD", "nt": "N-Triples"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")
#: The policy of these pages: scripts and styles from this origin only, nothing inline
#: (a JSON-LD ``<script type="application/ld+json">`` is a data block, never run).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
#: The fallback for other HTML responses: the same, except that inline <style> is tolerated.
BASELINE_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@dataclass(frozen=True)
class FacetOption:
    """One facet value on the search page: its label, count and whether it is selected."""

    facet: str
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


# -- the search page ---------------------------------------------------------------------


@blueprint.get("/")
def search_page():
    """The search page (``q``, facet filters and ``page`` in the query string); JSON clients get the API map."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return current_app.view_functions["api_index"]()
    params = _search_params(request.args)
    try:
        body = page_json(catalogue().search(load_args(SearchArgs(), params)))
    except ValidationError:
        return _html(render_template("search.html", error=True, active="search", **_search_context(params, None)), status=400)
    response = _html(render_template("search.html", error=False, active="search", **_search_context(params, body)))
    response.vary.add("Accept")
    return response


def _search_params(args: MultiDict) -> MultiDict:
    """The search page's own parameters, with a fixed page size; anything else is ignored."""
    params = MultiDict()
    if args.get("q", "").strip():
        params["q"] = args["q"].strip()
    for facet in FACET_LABELS:
        for value in dict.fromkeys(v for v in args.getlist(facet) if v):
            params.add(facet, value)
    params["page"] = str(max(1, int(args["page"]))) if args.get("page", "").isdigit() else "1"
    params["page_size"] = str(PAGE_SIZE)
    return params


def _search_context(params: MultiDict, body: dict | None) -> dict:
    """What search.html needs: the query, results, facet options, chips and paging links."""
    body = body or {"total": 0, "page": 1, "pages": 1, "results": [], "facets": {}}
    return {
        "q": params.get("q", ""),
        "body": body,
        "portal_names": _portal_names(),
        "facets": {name: _facet_options(name, body["facets"].get(name, []), params) for name in FACET_LABELS},
        "facet_labels": FACET_LABELS,
        "chips": _chips(params),
        "previous_url": _page_url(params, body["page"] - 1) if body["page"] > 1 else None,
        "next_url": _page_url(params, body["page"] + 1) if body["page"] < body["pages"] else None,
        "count_text": count_text(body["total"]),
    }


def _facet_options(facet: str, values: list[dict], params: MultiDict) -> list[FacetOption]:
    """The facet's values from the response, plus selected values it no longer lists (count 0)."""
    selected = params.getlist(facet)
    counts = {v["value"]: v["count"] for v in values}
    counts.update({value: 0 for value in selected if value not in counts})
    names = _portal_names() if facet == "portal" else VALUE_LABELS.get(facet, {})
    return [
        FacetOption(facet, value, names.get(value, value), count, value in selected, _toggle_url(params, facet, value))
        for value, count in counts.items()
    ]


def _chips(params: MultiDict) -> list[FacetOption]:
    """The active filters, each with a link that removes it."""
    names = _portal_names()
    return [
        FacetOption(facet, value, (names if facet == "portal" else VALUE_LABELS.get(facet, {})).get(value, value), 0, True, _toggle_url(params, facet, value))
        for facet in FACET_LABELS
        for value in params.getlist(facet)
    ]


def _toggle_url(params: MultiDict, facet: str, value: str) -> str:
    """The search URL with ``facet=value`` added or removed, back on page 1."""
    pairs = [(k, v) for k, v in params.items(multi=True) if k not in ("page", "page_size")]
    if (facet, value) in pairs:
        pairs.remove((facet, value))
    else:
        pairs.append((facet, value))
    return "/?" + urlencode(pairs) if pairs else "/"


def _page_url(params: MultiDict, page: int) -> str:
    pairs = [(k, v) for k, v in params.items(multi=True) if k not in ("page", "page_size")]
    return "/?" + urlencode(pairs + [("page", page)])


def count_text(total: int) -> str:
    """"N jeux de données", in French, with the singular and zero cases."""
    if total == 0:
        return "Aucun jeu de données"
    if total == 1:
        return "1 jeu de données"
    return f"{total:,} jeux de données".replace(",", "\u202f")


# -- one dataset -------------------------------------------------------------------------


def render_dataset_page(hit: Hit) -> Response:
    """The HTML page of one dataset, with schema.org JSON-LD and links to its RDF serialisations."""
    record = hit.record
    links = record_links(record)
    portal = _portal(record.portal_id)
    alternates = [(f.media_type, links[f.extension], RDF_LABELS[f.extension]) for f in RDF_FORMATS]
    cat = catalogue()
    checks = cat.link_checks.get_many(url for url, _ in record_urls(record))
    today = datetime.now(timezone.utc).date()
    html = render_template(
        "dataset.html",
        link_checks=checks,
        quality=assess(record, checks),
        freshness=freshness(record, today, margin=cat.settings.freshness_margin),
        LINK_VERDICTS=LINK_VERDICTS,
        DIMENSION_LABELS=DIMENSION_LABELS,
        record=record,
        links=links,
        portal=portal,
        missing_since=hit.missing_since,
        alternates=alternates,
        jsonld=script_json(dataset_jsonld(record, page_url=links["page"], portal=portal)),
    )
    response = _html(html)
    response.vary.add("Accept")
    return response


def not_found_page(message: str) -> Response:
    """A 404 page for browsers (API clients get the JSON error instead)."""
    return _html(render_template("not_found.html", message=message), status=404)


# -- the widget and its embed page -------------------------------------------------------


@blueprint.get("/widget.js")
def widget_script():
    """The ``<fedcat-search>`` element, loadable as a module from any origin."""
    response = send_from_directory(current_app.static_folder, "widget.js", mimetype="text/javascript", max_age=3600)
    # Module scripts are fetched with CORS: other sites can only load it with this header.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@blueprint.get("/embed")
def embed_page():
    """How to embed the widget: the snippet to copy, a live preview and a form to change its attributes."""
    portals = catalogue().portals
    themes = _themes()
    attributes = {
        "portal": _one_of(request.args.get("portal"), [p.id for p in portals]),
        "theme": _one_of(request.args.get("theme"), themes),
        "lang": _one_of(request.args.get("lang"), ["en"]),
    }
    attributes = {name: value for name, value in attributes.items() if value}
    script_url = f"{base_url()}/widget.js"
    return _html(
        render_template(
            "embed.html",
            active="embed",
            portals=portals,
            themes=themes,
            attributes=attributes,
            script_url=script_url,
            snippet=widget_snippet(script_url, attributes),
        )
    )


def widget_snippet(script_url: str, attributes: dict[str, str]) -> str:
    """The HTML a site pastes to embed the widget (attribute values escaped)."""
    attrs = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in attributes.items())
    return f'<script src="{escape(script_url, quote=True)}" type="module"></script>\n<fedcat-search{attrs}></fedcat-search>'


def _themes() -> list[str]:
    page = catalogue().search(SearchQuery(page_size=1, facet_size=100))
    return sorted((v.value for v in page.facets.get("theme", [])), key=str.casefold)


def _one_of(value: str | None, allowed: list[str]) -> str | None:
    return value if value in allowed else None


# -- shared ------------------------------------------------------------------------------


@blueprint.after_app_request
def security_headers(response: Response) -> Response:
    """``nosniff`` on every response; on HTML a Content-Security-Policy unless the page set its own."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", BASELINE_POLICY)
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


@blueprint.app_template_filter("date_fr")
def date_fr(value: str | None) -> str:
    """An ISO date or datetime as « 15 mars 2019 »; anything else is shown as it is."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


@blueprint.app_template_filter("http_url")
def http_url(value: object) -> bool:
    """True for http(s) URLs: harvested links are only made clickable then (no ``javascript:``)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _html(text: str, *, status: int = 200) -> Response:
    """An HTML response of these pages, under the strict policy."""
    response = Response(text, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _portal(portal_id: str) -> Portal | None:
    return next((p for p in catalogue().portals if p.id == portal_id), None)


def _portal_names() -> dict[str, str]:
    return {p.id: p.name for p in catalogue().portals}
