"""The steps every endpoint shares and the JSON endpoints; the route table (``routes.py``) maps each
API path to an endpoint, and ``serve`` answers one request for it.

Order of checks for every call: settings → Host (DNS rebinding) → CORS origin → bearer token → body
(size, type, JSON) → validation → stage input (the phase exists?) → stage settings (model offered?) →
what the engine reads (the offline engine's interview limits). Any failure is a
JSON error with a 4xx status (5xx only for a server fault); only a request that passed them all
opens an SSE stream (``streams.py``).

This module is what ``api/health.py`` needs at a cold start, so it imports no domain model: the
other endpoints import theirs when called (``bench/api_import.py`` measures the difference).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

from devussy import __version__
from devussy.config import Settings
from devussy.errors import ConfigError, DevussyError
from devussy.redaction import redact, secrets_of
from devussy.web.auth import check_access
from devussy.web.cors import cors_headers, preflight_headers
from devussy.web.errors import CODE_STATUS, INTERNAL_ERROR_MESSAGE, HTTPError, log_failure
from devussy.web.hosts import check_host
from devussy.web.responses import HealthResponse, send_bytes, send_error, send_json

logger = logging.getLogger("devussy.web")

Handler = BaseHTTPRequestHandler
T = TypeVar("T")


@dataclass
class Exchange:
    """One API call in progress: the request handler and what admission has learned so far."""

    handler: Handler
    settings: Settings | None = None
    cors: dict[str, str] = field(default_factory=dict)
    body_read: bool = False


Endpoint = Callable[[Exchange], None]


# -- shared steps ---------------------------------------------------------------------------------


# -- shared steps ---------------------------------------------------------------------------------


def load_settings() -> Settings:
    """The server's settings; with no engine configured, a local OpenAI-compatible server found by
    probing (cached per process; never on a serverless host) is offered as the ``local`` engine."""
    from devussy.llm.local import with_local_server

    try:
        return with_local_server(Settings.from_env())
    except ConfigError as exc:
        raise HTTPError(500, f"server configuration error: {exc.message}", "config_error") from None


def checked(settings: Settings, action: Callable[[], T]) -> T:
    """``action()``, with a DevussyError (unknown phase, model not offered…) as its HTTP error."""
    try:
        return action()
    except DevussyError as exc:
        status = CODE_STATUS.get(exc.code, 500)
        raise HTTPError(status, redact(exc.message, secrets_of(settings)), exc.code) from None


# How long an unread body may take to arrive before the error answer is sent anyway.
DRAIN_SECONDS = 2.0


def _discard_unread_body(exchange: Exchange, status: int) -> None:
    """Read an unread body before answering an error, so closing the socket doesn't reset it before the
    client reads our answer: a small one (up to the body limit; up to ``DRAIN_LIMIT`` for a 413), for at
    most ``DRAIN_SECONDS``. A larger or malformed Content-Length is not waited for: the answer goes out
    at once and the connection closes."""
    from devussy.web.requests import DRAIN_LIMIT, content_length, drain

    if exchange.body_read:
        return
    exchange.body_read = True
    handler = exchange.handler
    body_limit = exchange.settings.max_body_bytes if exchange.settings else 1_000_000
    limit = DRAIN_LIMIT if status == 413 else body_limit
    try:
        length = content_length(handler.headers)
    except HTTPError:
        return
    if length is None or not 0 < length <= min(limit, DRAIN_LIMIT):
        return
    settimeout = getattr(getattr(handler, "connection", None), "settimeout", None)
    if settimeout is not None:
        with contextlib.suppress(OSError):
            settimeout(DRAIN_SECONDS)
    drain(handler.rfile, length)


def read_json(exchange: Exchange, settings: Settings) -> dict[str, Any]:
    from devussy.web.requests import parse_json_object, read_body  # with the request models

    handler = exchange.handler
    try:
        body = read_body(handler.headers, handler.rfile, settings.max_body_bytes)
    except HTTPError as exc:
        exchange.body_read = exc.status != 413  # a too-large one is left for _discard_unread_body
        raise
    exchange.body_read = True
    return parse_json_object(handler.headers, body)


def answer(handler: Handler, endpoint: Endpoint) -> None:
    """Run ``endpoint`` for one request: an HTTPError becomes its JSON answer, any other failure a
    logged 500 (never a traceback)."""
    exchange = Exchange(handler)
    try:
        endpoint(exchange)
    except HTTPError as exc:
        _discard_unread_body(exchange, exc.status)
        send_error(handler, exc, exchange.cors)
    except Exception as exc:
        secrets = secrets_of(exchange.settings)
        log_failure(logger, f"{handler.command} {handler.path} failed", exc, secrets)
        _discard_unread_body(exchange, 500)
        send_error(handler, HTTPError(500, INTERNAL_ERROR_MESSAGE, "internal_error"), exchange.cors)


def admit(exchange: Exchange) -> Settings:
    """Settings, CORS and token checks shared by every endpoint."""
    settings = load_settings()
    exchange.settings = settings
    check_host(exchange.handler.headers, settings)
    exchange.cors = cors_headers(exchange.handler.headers, settings)
    check_access(exchange.handler.headers, settings)
    return settings


def preflight(exchange: Exchange, methods: str) -> None:
    """``OPTIONS``: CORS preflight (no token needed; browsers never send one on a preflight)."""
    settings = load_settings()
    check_host(exchange.handler.headers, settings)
    headers = preflight_headers(exchange.handler.headers, settings, methods)
    handler = exchange.handler
    handler.send_response(204)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def method_not_allowed(exchange: Exchange, methods: str) -> None:
    admit(exchange)
    raise HTTPError(
        405,
        f"use {methods} for this endpoint",
        "method_not_allowed",
        headers={"Allow": f"{methods}, OPTIONS"},
    )


def serve(handler: Handler, method: Literal["GET", "POST"], endpoint: Endpoint) -> None:
    """Answer one request for an endpoint served with ``method`` (a GET one answers HEAD too): CORS
    preflight, the endpoint, or 405."""
    methods = "GET, HEAD" if method == "GET" else method
    if handler.command == "OPTIONS":
        answer(handler, lambda exchange: preflight(exchange, methods))
    elif handler.command in methods.split(", "):
        answer(handler, endpoint)
    else:
        answer(handler, lambda exchange: method_not_allowed(exchange, methods))


class RouteHandler(BaseHTTPRequestHandler):
    """What every ``api/`` file's ``handler`` is: a request handler for one endpoint and method."""

    method: ClassVar[Literal["GET", "POST"]]
    endpoint: ClassVar[Endpoint]

    def _serve(self) -> None:
        serve(self, type(self).method, type(self).endpoint)

    do_GET = do_POST = do_OPTIONS = do_HEAD = do_PUT = do_PATCH = do_DELETE = _serve


# -- JSON endpoints -------------------------------------------------------------------------------


def health(exchange: Exchange) -> None:
    settings = admit(exchange)
    body = HealthResponse(version=__version__, provider=settings.provider)
    send_json(exchange.handler, 200, body.model_dump(mode="json"), exchange.cors)


def models(exchange: Exchange) -> None:
    from devussy.llm.registry import available_providers
    from devussy.web.wire import ModelsResponse

    settings = admit(exchange)
    providers = available_providers(settings)
    default = next((entry for entry in providers if entry.default), None)
    body = ModelsResponse(
        provider=settings.provider,
        model=settings.model,
        models=default.models if default else [],
        providers=providers,
    )
    send_json(exchange.handler, 200, body.to_json_dict(), exchange.cors)


def openapi(exchange: Exchange) -> None:
    from devussy.web.openapi import build_openapi

    admit(exchange)
    send_json(exchange.handler, 200, build_openapi(), exchange.cors)


def artifacts(exchange: Exchange) -> None:
    from devussy.artifacts import build_zip, render_artifacts
    from devussy.models import slugify
    from devussy.web.requests import ArtifactsRequest, validate_request

    settings = admit(exchange)
    handler = exchange.handler
    output = parse_qs(urlsplit(handler.path).query).get("format", ["zip"])[-1]
    if output not in ("zip", "json"):
        raise HTTPError(422, "format must be zip or json", "invalid_request")
    request = validate_request(ArtifactsRequest, read_json(exchange, settings))
    files = render_artifacts(
        request.design, request.plan, request.handoff, usage=request.usage, review=request.review
    )
    if output == "json":
        send_json(handler, 200, {"files": files}, exchange.cors)
        return
    slug = slugify(request.plan.project_name)
    disposition = {"Content-Disposition": f'attachment; filename="{slug}-devplan.zip"'}
    send_bytes(handler, 200, build_zip(files, root=slug), "application/zip", {**exchange.cors, **disposition})


def coverage(exchange: Exchange) -> None:
    """The coverage check of a plan (with the user's edited requirement list, when sent): the web UI's
    matrix always shows the server's check, never a copy of it."""
    from devussy.requirements import check_coverage
    from devussy.web.requests import CoverageRequest, validate_request
    from devussy.web.wire import CoverageResponse

    settings = admit(exchange)
    request = validate_request(CoverageRequest, read_json(exchange, settings))
    body = CoverageResponse(coverage=check_coverage(request.plan))
    send_json(exchange.handler, 200, body.to_json_dict(), exchange.cors)


# -- the living plan (stateless: the files come with the request) --------------------------------


def workspace_status(exchange: Exchange) -> None:
    from devussy.web.requests import validate_request
    from devussy.web.workspace import WorkspaceFilesRequest, status_answer

    settings = admit(exchange)
    request = validate_request(WorkspaceFilesRequest, read_json(exchange, settings))
    send_json(exchange.handler, 200, status_answer(request).to_json_dict(), exchange.cors)


def workspace_update(exchange: Exchange) -> None:
    from devussy.web.requests import validate_request
    from devussy.web.workspace import WorkspaceUpdateRequest, update_answer

    settings = admit(exchange)
    request = validate_request(WorkspaceUpdateRequest, read_json(exchange, settings))
    send_json(exchange.handler, 200, update_answer(request).to_json_dict(), exchange.cors)


def workspace_export(exchange: Exchange) -> None:
    from devussy.web.requests import validate_request
    from devussy.web.workspace import WorkspaceFilesRequest, zip_answer

    settings = admit(exchange)
    request = validate_request(WorkspaceFilesRequest, read_json(exchange, settings))
    archive, filename = zip_answer(request)
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    send_bytes(exchange.handler, 200, archive, "application/zip", {**exchange.cors, **disposition})
