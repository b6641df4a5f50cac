"""The route table: every API path with its endpoint, the ``api/`` file that serves it on the host,
and the request and response models (the OpenAPI document is generated from it).

Both ways in run the same code, ``endpoints.serve(handler, method, endpoint)``: each ``api/`` file's
``handler`` is a ``RouteHandler`` with its route's method and endpoint (a test checks they match),
and the dev server serves the route ``find_route`` finds. The ``api/`` files import only their own
endpoint, so a function's cold start does not pay for the others; this table imports them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

from devussy.web import endpoints, streams
from devussy.web.endpoints import Endpoint
from devussy.web.requests import ArtifactsRequest, CoverageRequest
from devussy.web.responses import HealthResponse
from devussy.web.streams import StageEndpoint
from devussy.web.wire import ArtifactFilesResponse, CoverageResponse, ModelsResponse
from devussy.web.workspace import (
    WorkspaceFilesRequest,
    WorkspaceStatusResponse,
    WorkspaceUpdateRequest,
    WorkspaceUpdateResponse,
)


@dataclass(frozen=True)
class Route:
    path: str
    method: Literal["GET", "POST"]  # OPTIONS is answered on every route
    api_file: str  # relative to api/
    name: str  # the OpenAPI operationId
    summary: str
    endpoint: Endpoint
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None  # JSON body; for a stream, its ``done`` event
    stream: bool = False  # answers with Server-Sent Events
    zip: bool = False  # answers with a zip attachment (with a response model too: ``?format=json``)


def stage_route(
    path: str, api_file: str, name: str, summary: str, endpoint: StageEndpoint[Any, Any, Any, Any]
) -> Route:
    """A streaming route: its request and ``done`` models are the stage endpoint's."""
    request, done = endpoint.request_model, endpoint.done_model
    return Route(path, "POST", api_file, name, summary, endpoint, request, done, stream=True)


INTERVIEW = stage_route(
    "/api/interview",
    "interview.py",
    "interview",
    "Chat turn of the project interview; done carries the reply (and the brief once complete).",
    streams.INTERVIEW,
)
DESIGN = stage_route(
    "/api/design", "design.py", "design", "Project design from an idea or a full brief.", streams.DESIGN
)
BASIC_PLAN = stage_route(
    "/api/plan/basic",
    "plan/basic.py",
    "basic_plan",
    "Phased devplan from a design; each phase is also sent as a progress event as soon as parsed.",
    streams.BASIC_PLAN,
)
DETAIL = stage_route(
    "/api/plan/detail",
    "plan/detail.py",
    "detail",
    "Detailed, testable steps for one phase of the plan.",
    streams.DETAIL,
)
HANDOFF = stage_route(
    "/api/handoff",
    "handoff.py",
    "handoff",
    "Handoff prompt for the next agent or developer.",
    streams.HANDOFF,
)
ARTIFACTS = Route(
    "/api/artifacts",
    "POST",
    "artifacts.py",
    "artifacts",
    "The plan's artifact files as a zip download (or JSON with ?format=json).",
    endpoints.artifacts,
    ArtifactsRequest,
    ArtifactFilesResponse,
    zip=True,
)
MODELS = Route(
    "/api/models",
    "GET",
    "models.py",
    "models",
    "Engines, providers and models this server offers.",
    endpoints.models,
    response=ModelsResponse,
)
HEALTH = Route(
    "/api/health",
    "GET",
    "health.py",
    "health",
    "Liveness, version and provider.",
    endpoints.health,
    response=HealthResponse,
)
WORKSPACE_STATUS = Route(
    "/api/workspace/status",
    "POST",
    "workspace/status.py",
    "workspace_status",
    "The living plan's state from its files: progress per phase, blocked steps, waves, next group.",
    endpoints.workspace_status,
    WorkspaceFilesRequest,
    WorkspaceStatusResponse,
)
WORKSPACE_UPDATE = Route(
    "/api/workspace/update",
    "POST",
    "workspace/update.py",
    "workspace_update",
    "Tick, block, reopen or annotate steps; answers with the updated files (progress log, next task "
    "group and handoff.md included) and the new state.",
    endpoints.workspace_update,
    WorkspaceUpdateRequest,
    WorkspaceUpdateResponse,
)
WORKSPACE_EXPORT = Route(
    "/api/workspace/export",
    "POST",
    "workspace/export.py",
    "workspace_export",
    "The plan's files back as the zip `devussy plan` writes.",
    endpoints.workspace_export,
    WorkspaceFilesRequest,
    zip=True,
)
COVERAGE = Route(
    "/api/coverage",
    "POST",
    "coverage.py",
    "coverage",
    "The coverage check of a plan against its requirements (or an edited list): statuses, violations, gaps.",
    endpoints.coverage,
    CoverageRequest,
    CoverageResponse,
)
OPENAPI = Route("/api/openapi.json", "GET", "openapi.py", "openapi", "This document.", endpoints.openapi)

ROUTES: tuple[Route, ...] = (
    INTERVIEW,
    DESIGN,
    BASIC_PLAN,
    DETAIL,
    HANDOFF,
    ARTIFACTS,
    COVERAGE,
    WORKSPACE_STATUS,
    WORKSPACE_UPDATE,
    WORKSPACE_EXPORT,
    MODELS,
    HEALTH,
    OPENAPI,
)

_BY_PATH = {route.path: route for route in ROUTES}
# The host maps api/openapi.py to /api/openapi; answer there too.
_ALIASES = {"/api/openapi": "/api/openapi.json"}


def find_route(path: str) -> Route | None:
    """The route for a request path (query string and a trailing slash ignored)."""
    clean = urlsplit(path).path
    if len(clean) > 1:
        clean = clean.rstrip("/")
    return _BY_PATH.get(_ALIASES.get(clean, clean))
