"""The admin API: request a harvest, see requested, running and past jobs. Guarded by ``FEDCAT_ADMIN_TOKEN``.

Only registered when a token is configured: without one the routes do not
exist (404). Every request must send ``Authorization: Bearer <token>``; the
token is compared in constant time. Read routes outside ``/api/admin`` stay public.
A requested harvest runs in the scheduler process (:mod:`service.harvesting.requests`),
never in a web worker.
"""

from __future__ import annotations

import hmac
from http import HTTPStatus

from flask import Blueprint, Flask, Response, request
from marshmallow import Schema, fields

from service.harvesting.locking import PortalBusy
from mappings.portals import Portal
from service.api.openapi import documented
from service.api.views import catalogue
from service.catalogue import Catalogue, UnknownPortal
from service.errors import CatalogueError, InvalidQuery, RecordNotFound
from service.harvesting.requests import request_harvest
from service.logging_ import current_request_id
from service.schemas import JobSchema, JobsArgs, load_args

__all__ = ["HarvestConflict", "InvalidToken", "MissingToken", "blueprint", "install"]

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin")
_REALM = 'Bearer realm="fedcat-admin"'


class MissingToken(CatalogueError):
    """No bearer token was sent."""

    status = HTTPStatus.UNAUTHORIZED
    code = "missing_token"


class InvalidToken(CatalogueError):
    """A bearer token was sent, but not the configured one."""

    status = HTTPStatus.UNAUTHORIZED
    code = "invalid_token"


class HarvestConflict(CatalogueError):
    """The portal is being harvested already."""

    status = HTTPStatus.CONFLICT
    code = "harvest_running"


class AdminJobsSchema(Schema):
    """Requested jobs (waiting for the scheduler), running jobs (in any process sharing the store) and the latest jobs."""

    requested = fields.List(fields.Nested(JobSchema), required=True)
    running = fields.List(fields.Nested(JobSchema), required=True)
    recent = fields.List(fields.Nested(JobSchema), required=True)


def install(app: Flask, current: Catalogue) -> None:
    """Register the admin routes if a token is configured (else they stay off)."""
    if not current.settings.admin_token:
        return
    app.register_blueprint(blueprint)


@blueprint.before_request
def _require_token() -> None:
    expected = catalogue().settings.admin_token.encode()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingToken("This route needs the admin token: send 'Authorization: Bearer <FEDCAT_ADMIN_TOKEN>'.")
    if not hmac.compare_digest(token.strip().encode(), expected):
        raise InvalidToken("The admin token is not valid.")


@blueprint.after_request
def _challenge(response: Response) -> Response:
    if response.status_code == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = _REALM
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/portals/<portal_id>/harvest")
def trigger_harvest(portal_id: str):
    """Request a harvest of one portal, run by the scheduler process: 202 with the job, 409 if one runs or waits already."""
    portal = _portal(portal_id)
    if not catalogue().harvestable(portal):
        message = f"portal {portal.id} has kind {portal.kind!r}, which no installed harvester handles"
        raise InvalidQuery(message, errors={"portal": [message]})
    try:
        job = request_harvest(catalogue(), portal, request_id=current_request_id())
    except PortalBusy as exc:
        raise HarvestConflict(str(exc), errors={"portal": [str(exc)]}) from None
    body = {
        "job": job.to_dict(),
        "links": {"jobs": f"/api/harvest/jobs?portal={portal.id}", "admin_jobs": f"/api/admin/jobs?portal={portal.id}"},
    }
    return body, HTTPStatus.ACCEPTED, {"Location": f"/api/admin/jobs?portal={portal.id}"}


@blueprint.get("/jobs")
@documented(
    summary="Running and recent harvest jobs (admin token required)",
    tag="admin",
    args=JobsArgs,
    response=AdminJobsSchema,
    errors=("400", "401"),
    description="Send `Authorization: Bearer <FEDCAT_ADMIN_TOKEN>`. Request a harvest with "
    "`POST /api/admin/portals/{portal_id}/harvest` (202 with the job, `requested` until the scheduler "
    "process starts it, within seconds; 409 while one runs or waits).",
)
def admin_jobs():
    """Jobs still running in any process sharing the store, and the latest jobs."""
    args = load_args(JobsArgs(), request.args)
    if args["portal"]:
        _portal(args["portal"], status=InvalidQuery)
    recent = catalogue().backend.jobs(portal_id=args["portal"], limit=args["limit"])
    latest = catalogue().backend.jobs(portal_id=args["portal"], limit=500)
    return {
        "requested": [job.to_dict() for job in latest if job.status == "requested"],
        "running": [job.to_dict() for job in latest if job.status == "running"],
        "recent": [job.to_dict() for job in recent],
    }


def _portal(portal_id: str, *, status: type[CatalogueError] = RecordNotFound) -> Portal:
    """The configured portal with that id, else the error ``status`` (404 in a path, 400 in a parameter)."""
    try:
        return catalogue().portal(portal_id)
    except UnknownPortal as exc:
        raise status(str(exc), errors={"portal": [str(exc)]}) from None
