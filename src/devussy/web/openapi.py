"""The OpenAPI 3.1 document, generated from the route table and the request/response models."""

from __future__ import annotations

import functools
from typing import Any

from pydantic.json_schema import models_json_schema

from devussy import __version__
from devussy.web import requests, responses, workspace
from devussy.web.routes import ROUTES, Route

_REF = "#/components/schemas/{model}"
_ZIP_SCHEMA = {"type": "string", "contentMediaType": "application/zip"}
_EVENTS = ("StartEvent", "TokenEvent", "ProgressEvent", "ErrorEvent")
_SSE_DESCRIPTION = (
    "Server-Sent Events. Each event is `id: <n>`, `event: <type>` and `data: <one-line JSON>` whose "
    "`type` repeats the event type: `start` first, then `token` (in order) and `progress` events, then "
    "exactly one `done` or `error`. A `: ping` comment is sent after 15 s of silence."
)
_ERRORS = {
    400: "Body is not valid JSON (invalid_json).",
    401: "Missing or wrong bearer token (unauthorized), when DEVUSSY_ACCESS_TOKEN is set.",
    403: "Browser origin not allowed (origin_not_allowed).",
    405: "Wrong method (method_not_allowed).",
    408: "The body did not arrive in time (request_timeout).",
    411: "Chunked body without Content-Length (length_required).",
    413: "Body larger than DEVUSSY_MAX_BODY_BYTES (body_too_large).",
    415: "Body is not application/json (unsupported_media_type).",
    422: (
        "Invalid fields (invalid_request), or an engine or model the server does not offer "
        "(provider_not_offered, model_not_offered)."
    ),
    500: "Server misconfiguration (config_error) or an unexpected fault (internal_error).",
}


def _models() -> list[type[Any]]:
    names = {name for route in ROUTES for name in (route.request, route.response) if name}
    modules = (requests, responses, workspace)
    found = [next(getattr(m, name) for m in modules if hasattr(m, name)) for name in sorted(names)]
    extra = [getattr(responses, name) for name in (*_EVENTS, "ErrorResponse")]
    return found + extra


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.endpoint,
        "summary": route.summary,
        "security": [{}, {"bearer": []}],
    }
    if route.request:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(route.request)}},
        }
    if route.stream:
        events = [_ref(name) for name in ("StartEvent", "TokenEvent", "ProgressEvent", route.response or "")]
        events.append(_ref("ErrorEvent"))
        ok = {"description": _SSE_DESCRIPTION,
              "content": {"text/event-stream": {"schema": {"oneOf": events}}}}
    elif route.endpoint == "artifacts":
        operation["parameters"] = [{
            "name": "format", "in": "query", "required": False,
            "schema": {"type": "string", "enum": ["zip", "json"], "default": "zip"},
            "description": "zip (default): an attachment; json: the files as {name: content}.",
        }]
        ok = {"description": "The artifacts (an addition to DESIGN §4, for the web UI's download).",
              "content": {"application/zip": {"schema": _ZIP_SCHEMA},
                          "application/json": {"schema": _ref(route.response or "")}}}
    elif route.endpoint == "workspace_export":
        ok = {"description": "The plan's files as a zip attachment.",
              "content": {"application/zip": {"schema": _ZIP_SCHEMA}}}
    elif route.response:
        ok = {"description": "OK", "content": {"application/json": {"schema": _ref(route.response)}}}
    else:
        ok = {"description": "This OpenAPI document.",
              "content": {"application/json": {"schema": {"type": "object"}}}}
    codes = [401, 403, 405, 500] + ([400, 408, 411, 413, 415, 422] if route.request else [])
    errors = {str(code): {"description": _ERRORS[code], "content": {"application/json": {
        "schema": _ref("ErrorResponse")}}} for code in sorted(codes)}
    if route.endpoint == "detail":
        errors["404"] = {"description": "phaseNumber is not a phase of the plan (unknown_phase).",
                         "content": {"application/json": {"schema": _ref("ErrorResponse")}}}
    if route.endpoint.startswith("workspace_"):
        errors["422"] = {"description": _ERRORS[422] + " For the living plan also: not_a_plan, invalid_plan, "
                         "missing_phase_file, unknown_dependency, dependency_cycle, invalid_zip, and for an "
                         "update already_done, step_done, not_open, step_not_in_file, invalid_input.",
                         "content": {"application/json": {"schema": _ref("ErrorResponse")}}}
    if route.endpoint == "workspace_update":
        errors["404"] = {"description": "An action names a step the plan does not have (unknown_step).",
                         "content": {"application/json": {"schema": _ref("ErrorResponse")}}}
    operation["responses"] = {"200": ok, **errors}
    return operation


@functools.cache
def _document() -> dict[str, Any]:
    _, top = models_json_schema([(model, "validation") for model in _models()], ref_template=_REF)
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Devussy API",
            "version": __version__,
            "description": "Turn a project idea into a phased, testable development plan; stages stream.",
        },
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Only when the server sets DEVUSSY_ACCESS_TOKEN."}},
        },
    }


def build_openapi() -> dict[str, Any]:
    import copy

    return copy.deepcopy(_document())
