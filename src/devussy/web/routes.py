"""The route table: every API path with its handler callable, the ``api/`` file that serves it on the
host, and the request and response models (the OpenAPI document is generated from it).

``serve(handler, route)`` answers one request for a route (``OPTIONS`` preflight, the route's method,
or 405). The ``api/`` handler classes are ``RouteHandler``s bound to one route, and the dev server
calls the same ``serve`` for the route a path finds, so both run exactly the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

from devussy.web import endpoints
from devussy.web.endpoints import Endpoint, StageEndpoint
from devussy.web.requests import ArtifactsRequest
from devussy.web.responses import ArtifactFilesResponse, HealthResponse, ModelsResponse


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


def stage_route(
    path: str, api_file: str, name: str, summary: str, endpoint: StageEndpoint[Any, Any, Any, Any]
) -> Route:
    """A streaming route: its request and ``done`` models are the stage endpoint's."""
    request, done = endpoint.request_model, endpoint.done_model
    return Route(path, "POST", api_file, name, summary, endpoint, request, done, stream=True)


INTERVIEW = stage_route(
    "/api/interview", "interview.py", "interview",
    "Chat turn of the project interview; done carries the reply (and the brief once complete).",
    endpoints.INTERVIEW,
)
DESIGN = stage_route(
    "/api/design", "design.py", "design", "Project design from an idea or a full brief.", endpoints.DESIGN
)
BASIC_PLAN = stage_route(
    "/api/plan/basic", "plan/basic.py", "basic_plan",
    "Phased devplan from a design; each phase is also sent as a progress event as soon as parsed.",
    endpoints.BASIC_PLAN,
)
DETAIL = stage_route(
    "/api/plan/detail", "plan/detail.py", "detail", "Detailed, testable steps for one phase of the plan.",
    endpoints.DETAIL,
)
HANDOFF = stage_route(
    "/api/handoff", "handoff.py", "handoff", "Handoff prompt for the next agent or developer.",
    endpoints.HANDOFF,
)
ARTIFACTS = Route(
    "/api/artifacts", "POST", "artifacts.py", "artifacts",
    "The plan's artifact files as a zip download (or JSON with ?format=json).",
    endpoints.artifacts, ArtifactsRequest, ArtifactFilesResponse,
)
MODELS = Route(
    "/api/models", "GET", "models.py", "models", "Engines, providers and models this server offers.",
    endpoints.models, response=ModelsResponse,
)
HEALTH = Route(
    "/api/health", "GET", "health.py", "health", "Liveness, version and provider.", endpoints.health,
    response=HealthResponse,
)
OPENAPI = Route("/api/openapi.json", "GET", "openapi.py", "openapi", "This document.", endpoints.openapi)

ROUTES: tuple[Route, ...] = (
    INTERVIEW, DESIGN, BASIC_PLAN, DETAIL, HANDOFF, ARTIFACTS, MODELS, HEALTH, OPENAPI
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


def serve(handler: BaseHTTPRequestHandler, route: Route) -> None:
    """Answer one request for ``route``: CORS preflight, the route's endpoint, or 405."""
    if handler.command == "OPTIONS":
        endpoints.answer(handler, lambda exchange: endpoints.preflight(exchange, route.method))
    elif handler.command == route.method:
        endpoints.answer(handler, route.endpoint)
    else:
        endpoints.answer(handler, lambda exchange: endpoints.method_not_allowed(exchange, route.method))


class RouteHandler(BaseHTTPRequestHandler):
    """What every ``api/`` file's ``handler`` is: a request handler bound to one route."""

    route: ClassVar[Route]

    def _serve(self) -> None:
        serve(self, self.route)

    do_GET = do_POST = do_OPTIONS = do_HEAD = do_PUT = do_PATCH = do_DELETE = _serve

