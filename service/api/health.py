"""Probes and metrics: ``/healthz`` (the process answers), ``/readyz`` (it can serve), ``/metrics`` (Prometheus)."""

from __future__ import annotations

from http import HTTPStatus

from flask import Blueprint, Response
from marshmallow import Schema, fields

from service import metrics
from service.api.openapi import documented
from service.api.views import catalogue
from service.errors import CatalogueError

__all__ = ["NotReady", "blueprint", "readiness"]

blueprint = Blueprint("health", __name__)


class NotReady(CatalogueError):
    """The process runs but cannot serve: its store does not answer, or no portal is configured."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "not_ready"


class AliveSchema(Schema):
    """The process answers."""

    status = fields.String(required=True, metadata={"enum": ["alive"]})


class CheckSchema(Schema):
    """One readiness check."""

    ok = fields.Boolean(required=True)
    detail = fields.String(required=True)


class ReadySchema(Schema):
    """Every readiness check passed."""

    status = fields.String(required=True, metadata={"enum": ["ready"]})
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckSchema), required=True)


@blueprint.after_request
def _never_cached(response: Response) -> Response:
    # a probe or a scrape must see the present, never a proxy's copy
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
@documented(summary="Liveness: the process answers", tag="operations", response=AliveSchema, errors=())
def healthz():
    """Always 200 while the process can answer HTTP; touches nothing else."""
    return {"status": "alive"}


@blueprint.get("/readyz")
@documented(
    summary="Readiness: the store answers and portals are configured",
    tag="operations",
    response=ReadySchema,
    errors=("503",),
    description="503 (with the failed checks in `errors`) while the store or search engine cannot be reached.",
)
def readyz():
    """200 when the store answers and at least one portal is configured, else 503 naming what failed."""
    checks = readiness()
    failed = {name: [check["detail"]] for name, check in checks.items() if not check["ok"]}
    if failed:
        raise NotReady(f"Not ready: {', '.join(sorted(failed))} check failed.", errors=failed)
    return {"status": "ready", "checks": checks}


@blueprint.get("/metrics")
@documented(
    summary="Prometheus metrics",
    tag="operations",
    media_types=("text/plain",),
    errors=(),
    description="Request latency by route, harvest runs and durations by portal, records per portal, "
    "fetch errors by kind, in the Prometheus text format.",
)
def metrics_view():
    """Every metric in the Prometheus text exposition format."""
    return Response(metrics.exposition(catalogue()), content_type=metrics.CONTENT_TYPE)


def readiness() -> dict[str, dict]:
    """Each readiness check: ``{"store": {"ok", "detail"}, "portals": {...}}``."""
    current = catalogue()
    store_ok = current.backend.ping()
    portals = len(current.portals)
    return {
        "store": {
            "ok": store_ok,
            "detail": f"{current.backend.name} answers" if store_ok else f"{current.backend.name} does not answer",
        },
        "portals": {
            "ok": portals > 0,
            "detail": f"{portals} portals configured" if portals else "no portal configured (FEDCAT_PORTALS_FILE)",
        },
    }
