"""The OpenAPI 3.1 document, generated from the route table and the pydantic models it holds.

Besides each route's request body and response, ``components.schemas`` holds what a client needs to
read a stage stream: the SSE events (``StartEvent``, ``TokenEvent``, ``ErrorEvent``, each route's
``done`` model), ``ProgressEvent`` (the stage progress events, a union told apart by ``event``), and
the stage vocabulary (``StageName``, ``StageLabel``). A stream route's ``text/event-stream`` schema
is the union of its events, told apart by ``type``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel, TypeAdapter

from devussy import __version__
from devussy.events import CoverageChecked, PhaseAnnounced, RepairRequested, StageProgress
from devussy.stages.names import STAGE_LABELS, StageLabel, StageName
from devussy.web.responses import ErrorResponse
from devussy.web.routes import ROUTES, Route
from devussy.web.wire import ErrorEvent, StartEvent, TokenEvent

_REF = "#/components/schemas/{model}"
_ZIP_SCHEMA = {"type": "string", "contentMediaType": "application/zip"}
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
# Named unions and enums: component name → (type, description).
_NAMED_TYPES: dict[str, tuple[Any, str]] = {
    "ProgressEvent": (StageProgress, "A stage's milestone (a `progress` event), told apart by `event`."),
    "StageName": (StageName, "The pipeline stages, as settings, checkpoints and engines name them."),
    "StageLabel": (
        StageLabel,
        "The stages as the API's `start` event names them: "
        + ", ".join(f"{name} → {label}" for name, label in STAGE_LABELS.items())
        + ".",
    ),
}
_EVENTS: tuple[type[BaseModel], ...] = (
    StartEvent,
    TokenEvent,
    PhaseAnnounced,
    RepairRequested,
    CoverageChecked,
    ErrorEvent,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _stream_schema(done: type[BaseModel]) -> dict[str, Any]:
    """The events of one stream. Each has a constant ``type``; the progress events share ``progress``
    and are told apart by ``event`` (``ProgressEvent``'s own discriminator). No discriminator object
    at this level: its mapping would have to point ``progress`` at a union, which OpenAPI tools
    (openapi-typescript) refuse."""
    names = [StartEvent.__name__, TokenEvent.__name__, "ProgressEvent", done.__name__, ErrorEvent.__name__]
    return {
        "oneOf": [_ref(name) for name in names],
        "description": "One event of the stream: `type` says which; progress ones are told apart by `event`.",
    }


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "security": [{}, {"bearer": []}],
    }
    if route.request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(route.request.__name__)}},
        }
    if route.stream:
        assert route.response is not None
        ok = {
            "description": _SSE_DESCRIPTION,
            "content": {"text/event-stream": {"schema": _stream_schema(route.response)}},
        }
    elif route.zip and route.response is not None:
        operation["parameters"] = [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["zip", "json"], "default": "zip"},
                "description": "zip (default): an attachment; json: the files as {name: content}.",
            }
        ]
        ok = {
            "description": "The artifacts (an addition to DESIGN §4, for the web UI's download).",
            "content": {
                "application/zip": {"schema": _ZIP_SCHEMA},
                "application/json": {"schema": _ref(route.response.__name__)},
            },
        }
    elif route.zip:
        ok = {
            "description": "The plan's files as a zip attachment.",
            "content": {"application/zip": {"schema": _ZIP_SCHEMA}},
        }
    elif route.response is not None:
        ok = {"description": "OK", "content": {"application/json": {"schema": _ref(route.response.__name__)}}}
    else:
        ok = {
            "description": "This OpenAPI document.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    codes = [401, 403, 405, 500] + ([400, 408, 411, 413, 415, 422] if route.request else [])
    errors = {
        str(code): {
            "description": _ERRORS[code],
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        }
        for code in sorted(codes)
    }
    if route.path == "/api/plan/detail":
        errors["404"] = {
            "description": "phaseNumber is not a phase of the plan (unknown_phase).",
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        }
    if route.path == "/api/design":
        errors["422"] = {
            "description": _ERRORS[422] + " With the offline engine also brief_too_vague: a "
            "brief too short, without a feature, or not in English, with its reason and the "
            "questions to answer (ask them with the interview).",
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        }
    if route.path.startswith("/api/workspace/"):
        errors["422"] = {
            "description": _ERRORS[422] + " For the living plan also: not_a_plan, invalid_plan, "
            "missing_phase_file, unknown_dependency, dependency_cycle, invalid_zip, and for an "
            "update already_done, step_done, not_open, step_not_in_file, invalid_input.",
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        }
    if route.path == "/api/workspace/update":
        errors["404"] = {
            "description": "An action names a step the plan does not have (unknown_step).",
            "content": {"application/json": {"schema": _ref("ErrorResponse")}},
        }
    operation["responses"] = {"200": ok, **errors}
    return operation


def _schemas() -> dict[str, Any]:
    models = {model for route in ROUTES for model in (route.request, route.response) if model is not None}
    models.update((*_EVENTS, ErrorResponse))
    inputs = [(model.__name__, TypeAdapter(model)) for model in sorted(models, key=lambda m: m.__name__)]
    inputs += [(name, TypeAdapter(kind)) for name, (kind, _) in _NAMED_TYPES.items()]
    keyed, top = TypeAdapter.json_schemas(
        [(name, "validation", adapter) for name, adapter in inputs], ref_template=_REF
    )
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    for name, (_, description) in _NAMED_TYPES.items():
        schemas[name] = {"title": name, "description": description, **keyed[(name, "validation")]}
    return dict(sorted(schemas.items()))


@functools.cache
def _document() -> dict[str, Any]:
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
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Only when the server sets DEVUSSY_ACCESS_TOKEN.",
                }
            },
        },
    }


def build_openapi() -> dict[str, Any]:
    return copy.deepcopy(_document())
