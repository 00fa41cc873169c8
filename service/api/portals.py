"""``/api/portals`` and ``/api/harvest/jobs``: what is harvested, and how the harvests went."""

from __future__ import annotations

from flask import Blueprint, request

from service.api.views import catalogue
from service.catalogue import UnknownPortal
from service.errors import InvalidQuery
from service.api.openapi import documented
from service.schemas import JobListSchema, JobsArgs, PortalListSchema, load_args

__all__ = ["blueprint"]

blueprint = Blueprint("portals", __name__)


@blueprint.get("/api/portals")
@documented(summary="The harvested portals", tag="portals", response=PortalListSchema, errors=())
def list_portals():
    """Every configured portal with its record count and last harvest."""
    portals = catalogue().portal_summaries()
    return {"total": len(portals), "results": portals}


@blueprint.get("/api/harvest/jobs")
@documented(summary="Harvest jobs, newest first", tag="portals", args=JobsArgs, response=JobListSchema)
def list_jobs():
    """Harvest jobs, newest first, optionally for one portal."""
    args = load_args(JobsArgs(), request.args)
    if args["portal"]:
        try:
            catalogue().portal(args["portal"])
        except UnknownPortal as exc:
            raise InvalidQuery(str(exc), errors={"portal": [str(exc)]}) from None
    jobs = catalogue().backend.jobs(portal_id=args["portal"], limit=args["limit"])
    return {"total": len(jobs), "results": [job.to_dict() for job in jobs]}
