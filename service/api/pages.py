"""HTML pages: the search page, dataset pages with schema.org JSON-LD, the embeddable widget and its page.

Every page is rendered on the server with Jinja (autoescaped) and works without
JavaScript; ``widget.js`` is the only script of substance, served as a plain ES
module. HTML responses carry a strict Content-Security-Policy (no inline scripts).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, send_from_directory
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from mappings.portals import Portal
from mappings.vocabularies.formats import file_type
from service.api.index import api_map
from service.api.page_text import LANG_COOKIE, LANGUAGES, count_text, date_text, page_language, translate
from service.api.schema_org import dataset_jsonld, script_json
from service.api.views import base_url, catalogue, record_links
from service.rdf_formats import RDF_FORMATS
from service.schemas import SearchArgs, load_args
from service.search.base import Hit, SearchQuery

__all__ = ["blueprint", "count_text", "not_found_page", "render_dataset_page", "wants_html"]

blueprint = Blueprint("pages", __name__)

#: Facets the pages offer, with their French labels, in display order.
FACET_LABELS = {
    "portal": "Portail", "theme": "Thème", "format": "Format", "license": "Licence", "publisher": "Producteur",
    "link_status": "État des liens", "overdue": "Mise à jour en retard",
}
PAGE_SIZE = 20
#: The deepest page the search API serves at this page size (page × page_size ≤ 10,000).
LAST_PAGE = 10_000 // PAGE_SIZE
#: The search page's sort menu: value, French label (translated in the template).
SORT_OPTIONS = (
    ("relevance", "Pertinence"),
    ("-modified", "Plus récents"),
    ("modified", "Plus anciens"),
    ("title", "Titre (A → Z)"),
    ("-title", "Titre (Z → A)"),
    ("-quality", "Meilleure qualité"),
)
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
        return jsonify(api_map())
    params = _search_params(request.args)
    beyond = int(params["page"]) > LAST_PAGE
    try:
        body = catalogue().search_page(load_args(SearchArgs(), _first_page(params) if beyond else params), root=base_url())
    except ValidationError:
        return _html(render_template("search.html", error=True, active="search", **_search_context(params, None)), status=400)
    if beyond:
        # like the API past the last result: an empty page (not a 400), its counts and facets intact
        body = {**body, "page": int(params["page"]), "results": []}
    response = _html(render_template("search.html", error=False, active="search", **_search_context(params, body)))
    response.vary.add("Accept")
    return response


def _first_page(params: MultiDict) -> MultiDict:
    first = params.copy()
    first["page"] = "1"
    return first


def _search_params(args: MultiDict) -> MultiDict:
    """The search page's own parameters, with a fixed page size; anything else is ignored."""
    params = MultiDict()
    if args.get("q", "").strip():
        params["q"] = args["q"].strip()
    for facet in FACET_LABELS:
        for value in dict.fromkeys(v for v in args.getlist(facet) if v):
            params.add(facet, value)
    if args.get("sort") in dict(SORT_OPTIONS) and args["sort"] != "relevance":
        params["sort"] = args["sort"]
    for bound in ("modified_since", "modified_until"):
        if args.get(bound, "").strip():
            params[bound] = args[bound].strip()
    params["page"] = str(max(1, int(args["page"]))) if args.get("page", "").isdigit() else "1"
    params["page_size"] = str(PAGE_SIZE)
    return params


def _search_context(params: MultiDict, body: dict | None) -> dict:
    """What search.html needs: the query, results, facet options, chips and paging links."""
    body = body or {"total": 0, "page": 1, "pages": 1, "results": [], "facets": {}}
    return {
        "q": params.get("q", ""),
        "sort": params.get("sort", "relevance"),
        "sort_options": SORT_OPTIONS,
        "modified_since": params.get("modified_since", ""),
        "modified_until": params.get("modified_until", ""),
        "beyond_results": body["page"] > body["pages"],
        "first_url": _page_url(params, 1),
        "body": body,
        "portal_names": _portal_names(),
        "facets": {name: _facet_options(name, body["facets"].get(name, []), params) for name in FACET_LABELS},
        "facet_labels": FACET_LABELS,
        "chips": _chips(params),
        "previous_url": _page_url(params, body["page"] - 1) if body["page"] > 1 else None,
        "next_url": _page_url(params, body["page"] + 1) if body["page"] < body["pages"] else None,
        "count_text": count_text(body["total"], page_language()),
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


# -- one dataset -------------------------------------------------------------------------


def render_dataset_page(hit: Hit) -> Response:
    """The HTML page of one dataset, with schema.org JSON-LD and links to its RDF serialisations."""
    record = hit.record
    links = record_links(record)
    portal = _portal(record.portal_id)
    alternates = [(f.media_type, links[f.extension], RDF_LABELS[f.extension]) for f in RDF_FORMATS]
    quality = catalogue().quality(record)
    html = render_template(
        "dataset.html",
        link_checks=quality.link_checks,
        quality=quality.report,
        freshness=quality.freshness,
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


def not_found_page(message: str, *, detail: str = "") -> Response:
    """A 404 page for browsers (API clients get the JSON error instead).

    :param message: French text of page_text.ENGLISH, shown in the page's language.
    :param detail: what was asked for (an identifier), shown as it is.
    """
    response = _html(render_template("not_found.html", message=message, detail=detail), status=404)
    response.vary.add("Accept")
    return response


def wants_html() -> bool:
    """True for a browser: it prefers HTML to JSON, and the path is not the API's."""
    if request.path.startswith("/api/") or request.path == "/api":
        return False
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html" and accept["text/html"] > accept["application/json"]


@blueprint.app_errorhandler(404)
def page_not_found(error):
    """Browsers get an HTML page for an address that leads nowhere; API clients the JSON error."""
    if wants_html():
        return not_found_page("Aucune page à cette adresse.")
    from service.errors import error_body

    return current_app.json.response(error_body(404, error.description or "Not Found")), 404


# -- what browsers and crawlers ask for ---------------------------------------------------


@blueprint.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at every first visit (an SVG: every current browser draws it)."""
    icon = Path(current_app.static_folder, "favicon.svg").read_bytes()
    response = Response(icon, mimetype="image/svg+xml")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


@blueprint.get("/robots.txt")
def robots_txt():
    """Crawlers may read the pages and DCAT; the API and the admin routes are left out; the sitemap is named."""
    lines = ["User-agent: *", "Disallow: /api/", "Allow: /api/docs", "", f"Sitemap: {base_url()}/sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@blueprint.get("/sitemap.xml")
def sitemap_xml():
    """Every dataset page (with its last modification), the search page and the portal pages (sitemaps.org 0.9).

    One sitemap holds at most 50,000 addresses: past that, ``?page=`` walks the rest and
    page 1 becomes a sitemap index.
    """
    from service.api.sitemap import render_sitemap

    return render_sitemap(base_url(), request.args.get("page", ""))


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
    """An ISO date or datetime as « 15 mars 2019 » (or "15 March 2019" on English pages); anything else as it is."""
    return date_text(value, page_language())


@blueprint.app_template_filter("format_label")
def format_label(value: str | None) -> str:
    """A format as people name it: ``WFS_SRVC`` → "WFS", ``CSV`` → "CSV" (EU file types); unknown ones as they are."""
    info = file_type(value) if value else None
    return info.label if info else str(value or "")


@blueprint.app_context_processor
def page_language_context() -> dict:
    """``tr`` (French text → the page's language), ``lang`` and ``lang_url`` for the language switch."""
    lang = page_language()

    def lang_url(other: str) -> str:
        pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        here = f"{request.path}?{urlencode(pairs)}" if pairs else request.path
        return f"/language/{other}?{urlencode({'next': here})}"

    # "tr", not "t": the insights pages pass a "t" of their own (a dict of messages)
    return {"tr": lambda text: translate(text, lang), "lang": lang, "lang_url": lang_url, "languages": LANGUAGES}


@blueprint.get("/language/<lang>")
def choose_language(lang: str):
    """The header's language switch: remember the choice (a cookie), then back to the page (``next``)."""
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"  # only this site's pages: never an open redirect
    response = redirect(target, code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


@blueprint.after_app_request
def vary_on_language(response: Response) -> Response:
    """HTML pages depend on the remembered language."""
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
    return response


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
