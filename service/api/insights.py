"""``/insights``: catalogue figures per portal, as pages with charts and tables, as JSON and as CSV.

Also ``/api/datasets.csv``, the current search as flat rows for BI tools.
The figures are computed in one pass over the records (:mod:`service.insights`)
and kept until the records or the link checks change.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from mappings.quality import DIMENSIONS
from service.api.csv_export import csv_response, dataset_rows, insight_rows
from service.api.insights_text import text_for
from service.api.openapi import documented
from service.api.pages import _html, not_found_page
from service.api.views import catalogue
from service.charts import bar_chart, line_chart, stacked_bar_chart
from service.errors import RecordNotFound
from service.schemas import CsvArgs, DatasetsCsvArgs, InsightsSchema, PortalInsightsSchema, SearchArgs, load_args

__all__ = ["blueprint", "insights_json"]

blueprint = Blueprint("insights", __name__)
_CSV_ARGS = CsvArgs()
_SEARCH_ARGS = SearchArgs()
LINK_STATES = ("ok", "wrong_type", "broken", "unchecked")
FRESHNESS_STATES = ("fresh", "overdue", "unknown")
REFERENCE_STATES = ("only_here", "shared", "only_on_reference")


def insights_json() -> dict:
    """Every portal's figures and the totals (computed once per state of the data, see ``Catalogue.insights``)."""
    return catalogue().insights()


def _one_portal(body: dict, portal_id: str) -> dict:
    for portal in body["portals"]:
        if portal["portal"] == portal_id:
            return portal
    raise RecordNotFound(f"No portal {portal_id!r}; configured portals: {', '.join(p['portal'] for p in body['portals'])}.")


# -- JSON and CSV ------------------------------------------------------------------------


@blueprint.get("/api/insights")
@documented(summary="Catalogue insights of every portal", tag="insights", errors=("503",), response=InsightsSchema,
            description="Dataset counts and trend, MQA dimensions, open licences, machine-readable formats, link health, "
            "freshness, theme and HVD coverage, comparison with data.gouv.fr and the problems to fix first.")
def api_insights():
    """Every portal's figures, and the totals."""
    return insights_json()


@blueprint.get("/api/insights/<portal_id>")
@documented(summary="Catalogue insights of one portal", tag="insights", errors=("404", "503"), response=PortalInsightsSchema,
            path_params={"portal_id": "the portal id (see /api/portals)"})
def api_portal_insights(portal_id: str):
    """One portal's figures."""
    body = insights_json()
    return {"generated_for": body["generated_for"], **_one_portal(body, portal_id)}


@blueprint.get("/api/insights.csv")
@documented(summary="Catalogue insights as CSV, one row per portal", tag="insights", args=CsvArgs,
            media_types=("text/csv",), errors=("400", "503"),
            description="UTF-8 with a BOM (Excel opens it directly); `sep=;` for a semicolon separator.")
def api_insights_csv():
    """One row per portal, then a row of totals."""
    args = load_args(_CSV_ARGS, request.args)
    body = insights_json()
    return csv_response(insight_rows(body["portals"] + [body["total"]]), "fedcat-insights.csv", args["sep"])


@blueprint.get("/api/datasets.csv")
@documented(summary="The current search as CSV, one row per dataset", tag="search", args=DatasetsCsvArgs,
            media_types=("text/csv",), errors=("400", "503"),
            description="Takes the search's filters. Without `page`, streams every result (up to 10,000; "
            "`X-Total-Count` says how many matched), or every stored record when nothing is filtered; with `page`, "
            "one page. UTF-8 with a BOM; `sep=;` as an option.")
def api_datasets_csv():
    """The search's results as flat rows."""
    csv_args = load_args(_CSV_ARGS, {k: v for k, v in request.args.items() if k == "sep"})
    search_args = request.args.copy()
    search_args.pop("sep", None)
    paged = "page" in search_args
    if not paged:
        search_args.setdefault("page_size", "100")
    query = load_args(_SEARCH_ARGS, search_args)
    rows, total = dataset_rows(catalogue().backend, query, all_pages=not paged)
    response = csv_response(rows, "fedcat-datasets.csv", csv_args["sep"])
    response.headers["X-Total-Count"] = str(total)
    return response


# -- pages -------------------------------------------------------------------------------


@blueprint.get("/insights")
def insights_page():
    """Every portal side by side (``?lang=en`` for English)."""
    body = insights_json()
    return _render(body, body["portals"], one=None)


@blueprint.get("/insights/<portal_id>")
def portal_insights_page(portal_id: str):
    """One portal's figures."""
    body = insights_json()
    try:
        portal = _one_portal(body, portal_id)
    except RecordNotFound as missing:
        return not_found_page(str(missing))
    return _render(body, [portal], one=portal_id)


def _render(body: dict, portals: list[dict], one: str | None) -> Response:
    lang = "en" if request.args.get("lang") == "en" else "fr"
    t = text_for(lang)
    context = {
        "t": t,
        "lang": lang,
        "portals": portals,
        "total": body["total"],
        "one": one,
        "reference": body["reference_portal"],
        "generated_for": body["generated_for"],
        "charts": _charts(portals, t, lang, body["reference_portal"]),
        "dimensions": DIMENSIONS,
        "link_states": LINK_STATES,
        "freshness_states": FRESHNESS_STATES,
        "reference_states": REFERENCE_STATES,
        "theme_codes": _theme_codes(portals),
        "switch_url": request.path + ("" if lang == "en" else "?lang=en"),
        "active": "insights",
    }
    response = _html(render_template("insights.html", **context))
    response.headers["Content-Language"] = lang
    return response


def _charts(portals: list[dict], t: dict[str, str], lang: str, reference: str | None) -> dict:
    names = [p["name"] for p in portals]
    themes = _theme_codes(portals)
    cities = [p for p in portals if p["portal"] != reference]
    charts = {
        "datasets": bar_chart(t["datasets_title"], names, {t["datasets"]: [p["datasets"] for p in portals]}),
        "trend": _trend_chart(portals, t),
        "dimensions": bar_chart(t["dimensions_title"], [t[d] for d in DIMENSIONS],
                                {p["name"]: [p["dimensions"][d] for d in DIMENSIONS] for p in portals}, max_value=100),
        "openness": bar_chart(t["openness_title"], names, {
            t["open_license"]: [p["open_license"] for p in portals],
            t["machine_readable"]: [p["machine_readable"] for p in portals],
        }, max_value=100),
        "links": stacked_bar_chart(t["links_title"], names, {t[s]: [p["datasets_by_link_status"][s] for p in portals] for s in LINK_STATES}),
        "freshness": stacked_bar_chart(t["freshness_title"], names, {t[s]: [p["freshness"][s] for p in portals] for s in FRESHNESS_STATES}),
        "themes": bar_chart(t["themes_title"], [_theme_label(portals, code, lang) for code in themes],
                            {p["name"]: [p["themes"].get(code, {}).get("count", 0) for code in themes] for p in portals}, horizontal=True),
        "hvd": bar_chart(f"{t['hvd_title']} : {t['hvd_candidates'].lower()}" if lang == "fr" else f"{t['hvd_title']}: {t['hvd_candidates'].lower()}",
                         [labels[lang] for labels in _hvd_labels(portals)],
                         {p["name"]: [v["candidates"] for v in p["hvd"].values()] for p in portals}, horizontal=True),
    }
    if cities and reference:
        charts["reference"] = stacked_bar_chart(t["reference_title"], [p["name"] for p in cities],
                                                {t[s]: [p["reference"][s] or 0 for p in cities] for s in REFERENCE_STATES})
    return charts


def _hvd_labels(portals: list[dict]) -> list[dict]:
    return [{"fr": v["fr"], "en": v["en"]} for v in portals[0]["hvd"].values()] if portals else []


def _trend_chart(portals: list[dict], t: dict[str, str]):
    days = sorted({point["harvest"][:10] for p in portals for point in p["trend"]})
    series = {}
    for p in portals:
        last = {point["harvest"][:10]: point["datasets"] for point in p["trend"]}
        series[p["name"]] = [last.get(day) for day in days]
    return line_chart(t["trend_title"], days, series)


def _theme_codes(portals: list[dict]) -> list[str]:
    totals: dict[str, int] = {}
    for p in portals:
        for code, theme in p["themes"].items():
            totals[code] = totals.get(code, 0) + theme["count"]
    return sorted(totals, key=lambda code: (-totals[code], code))


def _theme_label(portals: list[dict], code: str, lang: str) -> str:
    for p in portals:
        if code in p["themes"]:
            return p["themes"][code].get(lang) or code
    return code
