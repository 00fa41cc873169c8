"""HTML pages for portals and their harvests, like CKAN's harvest dashboard.

``/portals`` lists each configured portal with its datasets, mean quality, last
harvest and next scheduled run; ``/portals/<id>`` shows its recent harvest jobs:
when each ran, how long it took, what it created, updated or deleted, and what
failed and why (the run's error, its warnings, each failed record with its reason).
The same data is JSON at ``/api/portals`` and ``/api/harvest/jobs``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, render_template, request

from mappings.jobs import HarvestJob
from service.api.pages import _html, not_found_page
from service.api.views import catalogue
from service.status import portal_statuses

__all__ = ["blueprint", "job_duration"]

blueprint = Blueprint("portal_pages", __name__)

JOBS_SHOWN = 20
FAILURES_SHOWN = 50
#: job statuses → French words (translated by the templates)
STATUS_WORDS = {"requested": "demandé", "running": "en cours", "done": "terminé", "done-with-errors": "terminé avec erreurs", "failed": "échoué"}


@blueprint.get("/portals")
def portals_page():
    """Every configured portal: datasets, mean quality, last harvest, next run."""
    rows = portal_statuses(catalogue(), datetime.now(timezone.utc))
    summaries = {s["id"]: s for s in catalogue().portal_summaries()}
    return _html(render_template("portals.html", active="portals", rows=rows, summaries=summaries, status_words=STATUS_WORDS))


@blueprint.get("/portals/<portal_id>")
def portal_page(portal_id: str):
    """One portal and its recent harvest jobs, failures and their reasons included."""
    portal = next((p for p in catalogue().portals if p.id == portal_id), None)
    if portal is None:
        return not_found_page("Aucun portail n’a cet identifiant.")
    summary = next(s for s in catalogue().portal_summaries() if s["id"] == portal_id)
    jobs = catalogue().backend.jobs(portal_id=portal_id, limit=JOBS_SHOWN)
    html = render_template(
        "portal.html",
        active="portals",
        portal=portal,
        summary=summary,
        jobs=jobs,
        failures_shown=FAILURES_SHOWN,
        status_words=STATUS_WORDS,
        durations={job.job_id: job_duration(job) for job in jobs},
        expanded=request.args.get("job"),
    )
    return _html(html)


def job_duration(job: HarvestJob) -> str:
    """How long a job ran, as ``1 min 05 s`` or ``12 s``; empty while it runs."""
    if not job.finished_at:
        return ""
    seconds = int((datetime.fromisoformat(job.finished_at) - datetime.fromisoformat(job.started_at)).total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
