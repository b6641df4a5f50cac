"""The route table: every API path, the ``api/`` file that serves it on the host, the endpoint
function behind it and what it takes and returns (the OpenAPI document is generated from this)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Route:
    path: str
    method: str  # GET or POST (OPTIONS is answered on every route)
    api_file: str  # relative to api/
    endpoint: str  # function name in devussy.web.endpoints
    summary: str
    request: str | None = None  # model name in devussy.web.requests
    response: str | None = None  # JSON: model in devussy.web.responses; SSE: its done-event model
    stream: bool = False  # answers with Server-Sent Events


ROUTES: tuple[Route, ...] = (
    Route("/api/interview", "POST", "interview.py", "interview",
          "Chat turn of the project interview; done carries the reply (and the brief once complete).",
          "InterviewRequest", "InterviewDone", stream=True),
    Route("/api/design", "POST", "design.py", "design",
          "Project design from an idea or a full brief.", "DesignRequest", "DesignDone", stream=True),
    Route("/api/plan/basic", "POST", "plan/basic.py", "basic_plan",
          "Phased devplan from a design; each phase is also sent as a progress event as soon as parsed.",
          "BasicPlanRequest", "PlanDone", stream=True),
    Route("/api/plan/detail", "POST", "plan/detail.py", "detail",
          "Detailed, testable steps for one phase of the plan.", "DetailRequest", "PhaseDone", stream=True),
    Route("/api/handoff", "POST", "handoff.py", "handoff",
          "Handoff prompt for the next agent or developer.", "HandoffRequest", "HandoffDone", stream=True),
    Route("/api/artifacts", "POST", "artifacts.py", "artifacts",
          "The plan's artifact files as a zip download (or JSON with ?format=json).",
          "ArtifactsRequest", "ArtifactFilesResponse"),
    Route("/api/workspace/status", "POST", "workspace/status.py", "workspace_status",
          "The living plan's state from its files: progress per phase, blocked steps, waves, next group.",
          "WorkspaceFilesRequest", "WorkspaceStatusResponse"),
    Route("/api/workspace/update", "POST", "workspace/update.py", "workspace_update",
          "Tick, block, reopen or annotate steps; answers with the updated files (progress log, next task "
          "group and handoff.md included) and the new state.",
          "WorkspaceUpdateRequest", "WorkspaceUpdateResponse"),
    Route("/api/workspace/export", "POST", "workspace/export.py", "workspace_export",
          "The plan's files back as the zip `devussy plan` writes.", "WorkspaceFilesRequest"),
    Route("/api/models", "GET", "models.py", "models",
          "Engines, providers and models this server offers.", response="ModelsResponse"),
    Route("/api/health", "GET", "health.py", "health", "Liveness, version and provider.",
          response="HealthResponse"),
    Route("/api/openapi.json", "GET", "openapi.py", "openapi", "This document.", response=None),
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
