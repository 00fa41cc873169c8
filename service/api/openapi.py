"""The OpenAPI 3 document, generated from the marshmallow schemas each route declares.

Routes declare their contract with :func:`documented`; :func:`build_spec` walks
the app's URL map, so a route cannot be served without being described.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, render_template
from marshmallow import Schema

from service.schemas import ErrorSchema

__all__ = ["Operation", "blueprint", "build_spec", "documented"]

blueprint = Blueprint("openapi", __name__)
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_ERROR_STATUSES = {
    "400": "Invalid parameter, or a request over the limits: query string or path over 4,096 bytes, "
    "a parameter repeated more than 100 times, a malformed request line",
    "414": "Request line too long for the server itself (over about 1 MiB)",
    "431": "Request headers over the limits: more than 100, one over 8,192 bytes, or over 32 KiB in all",
    "404": "Not found",
    "429": "Too many requests from this client (FEDCAT_RATE_LIMIT); see Retry-After",
    "503": "Search temporarily unavailable",
}
#: what any route may answer, whatever it declares: the limits of service/security.py
_LIMIT_STATUSES = ("400", "414", "431", "429")


@dataclass(frozen=True)
class Operation:
    """What one route takes and returns."""

    summary: str
    tag: str
    args: type[Schema] | None = None
    response: type[Schema] | None = None
    media_types: tuple[str, ...] = ("application/json",)
    path_params: dict[str, str] = field(default_factory=dict)
    errors: tuple[str, ...] = ("400",)
    description: str = ""
    raw_schema: dict | None = None


def documented(**kwargs: Any) -> Callable:
    """Attach an :class:`Operation` to a view function."""

    def attach(view: Callable) -> Callable:
        view.openapi_operation = Operation(**kwargs)
        return view

    return attach


def build_spec(app: Flask) -> dict:
    """The OpenAPI 3.0 document of every documented route."""
    spec = APISpec(
        title="fedcat API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Federated search over French open-data catalogues, and their DCAT-AP export."},
    )
    spec.components.schema("Error", schema=ErrorSchema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        operation = getattr(app.view_functions[rule.endpoint], "openapi_operation", None)
        if operation is not None and "GET" in (rule.methods or ()):
            spec.path(path=_CONVERTER.sub(r"{\1}", rule.rule), operations={"get": _operation(operation)})
    return spec.to_dict()


def _operation(operation: Operation) -> dict:
    parameters: list[dict] = [
        {"in": "path", "name": name, "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in operation.path_params.items()
    ]
    if operation.args is not None:
        parameters.append({"in": "query", "schema": operation.args})
    content = {media_type: {"schema": _body_schema(operation, media_type)} for media_type in operation.media_types}
    responses: dict[str, Any] = {"200": {"description": "OK", "content": content}}
    for status in (*operation.errors, *_LIMIT_STATUSES):
        responses[status] = {
            "description": _ERROR_STATUSES.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return {
        "summary": operation.summary,
        "description": operation.description,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
    }


def _body_schema(operation: Operation, media_type: str):
    if operation.response is not None and media_type == "application/json":
        return operation.response
    if operation.raw_schema:
        return operation.raw_schema
    # a JSON-LD document is a JSON object; Turtle, RDF/XML, N-Triples, Atom... are text
    return {"type": "object"} if media_type.endswith("+json") else {"type": "string"}


@blueprint.get("/api/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this API."""
    return build_spec(current_app)


@blueprint.get("/api/docs")
def api_docs():
    """A readable page of the API, rendered from the OpenAPI document."""
    return render_template("api_docs.html", spec=build_spec(current_app))
