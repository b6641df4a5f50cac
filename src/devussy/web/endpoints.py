"""One function per endpoint; the route table (``routes.py``) maps each API path to one of them.

Order of checks for every call: settings → CORS origin → bearer token → body (size, type, JSON) →
validation → stage input (the phase exists?) → stage settings (model offered?). Any failure is a
JSON error with a 4xx status (5xx only for a server fault); only a request that passed them all
opens an SSE stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

from devussy.config import Settings
from devussy.errors import ConfigError, DevussyError
from devussy.models import DevussyModel, ModelConfig, Usage
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generation import generate
from devussy.redaction import redact, secrets_of
from devussy.stages import design, detail, handoff, interview, plan
from devussy.stages.inputs import (
    DetailInput,
    HandoffInput,
    InterviewInput,
    PlanInput,
    StageInput,
    require_phase,
)
from devussy.stages.names import StageName
from devussy.stages.spec import StageSpec
from devussy.web import sse
from devussy.web.auth import check_access
from devussy.web.cors import cors_headers, preflight_headers
from devussy.web.errors import CODE_STATUS, INTERNAL_ERROR_MESSAGE, HTTPError, log_failure
from devussy.web.requests import (
    APIRequest,
    ArtifactsRequest,
    BasicPlanRequest,
    DesignRequest,
    DetailRequest,
    HandoffRequest,
    InterviewRequest,
    parse_json_object,
    read_body,
    validate_request,
)
from devussy.web.responses import (
    DesignDone,
    DoneEvent,
    HandoffDone,
    HealthResponse,
    InterviewDone,
    ModelsResponse,
    PhaseDone,
    PlanDone,
    StartEvent,
    send_error,
    send_json,
)

logger = logging.getLogger("devussy.web")

Handler = BaseHTTPRequestHandler
StageSettingsFactory = Callable[[Settings, StageName, ModelConfig | None], StageSettings]

RequestT = TypeVar("RequestT", bound=APIRequest)
InT = TypeVar("InT", bound=StageInput)
OutT = TypeVar("OutT", bound=DevussyModel)
DoneT = TypeVar("DoneT", bound=DoneEvent)
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


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise HTTPError(500, f"server configuration error: {exc.message}", "config_error") from None


def heartbeat_seconds() -> float:
    """Seconds of silence before a ``: ping`` (DESIGN §4: 15); ``DEVUSSY_HEARTBEAT_SECONDS`` overrides it."""
    try:
        value = float(os.environ.get("DEVUSSY_HEARTBEAT_SECONDS", ""))
    except ValueError:
        return sse.HEARTBEAT_SECONDS
    return value if value > 0 else sse.HEARTBEAT_SECONDS


def checked(settings: Settings, action: Callable[[], T]) -> T:
    """``action()``, with a DevussyError (unknown phase, model not offered…) as its HTTP error."""
    try:
        return action()
    except DevussyError as exc:
        status = CODE_STATUS.get(exc.code, 500)
        raise HTTPError(status, redact(exc.message, secrets_of(settings)), exc.code) from None


def resolve_stage_settings(
    settings: Settings, stage: StageName, model_config: ModelConfig | None
) -> StageSettings:
    from devussy.pipeline.settings import stage_settings

    return checked(settings, lambda: stage_settings(settings, stage, model_config))


def _discard_unread_body(exchange: Exchange) -> None:
    """Read a small unread body so closing the socket doesn't reset it before the client reads our answer."""
    if exchange.body_read:
        return
    handler = exchange.handler
    limit = exchange.settings.max_body_bytes if exchange.settings else 1_000_000
    try:
        length = int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        return
    if 0 < length <= limit:
        with contextlib.suppress(OSError, ValueError):
            handler.rfile.read(length)


def read_json(exchange: Exchange, settings: Settings) -> dict[str, Any]:
    exchange.body_read = True
    handler = exchange.handler
    body = read_body(handler.headers, handler.rfile, settings.max_body_bytes)
    return parse_json_object(handler.headers, body)


def answer(handler: Handler, endpoint: Endpoint) -> None:
    """Run ``endpoint`` for one request: an HTTPError becomes its JSON answer, any other failure a
    logged 500 (never a traceback)."""
    exchange = Exchange(handler)
    try:
        endpoint(exchange)
    except HTTPError as exc:
        _discard_unread_body(exchange)
        send_error(handler, exc, exchange.cors)
    except Exception as exc:
        secrets = secrets_of(exchange.settings)
        log_failure(logger, f"{handler.command} {handler.path} failed", exc, secrets)
        _discard_unread_body(exchange)
        send_error(handler, HTTPError(500, INTERNAL_ERROR_MESSAGE, "internal_error"), exchange.cors)


def admit(exchange: Exchange) -> Settings:
    """Settings, CORS and token checks shared by every endpoint."""
    settings = load_settings()
    exchange.settings = settings
    exchange.cors = cors_headers(exchange.handler.headers, settings)
    check_access(exchange.handler.headers, settings)
    return settings


def preflight(exchange: Exchange, methods: str) -> None:
    """``OPTIONS``: CORS preflight (no token needed; browsers never send one on a preflight)."""
    settings = load_settings()
    headers = preflight_headers(exchange.handler.headers, settings, methods)
    handler = exchange.handler
    handler.send_response(204)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def method_not_allowed(exchange: Exchange, methods: str) -> None:
    admit(exchange)
    raise HTTPError(405, f"use {methods} for this endpoint", "method_not_allowed",
                    headers={"Allow": f"{methods}, OPTIONS"})


# -- streaming stage endpoints --------------------------------------------------------------------


@dataclass(frozen=True)
class StageEndpoint(Generic[RequestT, InT, OutT, DoneT]):
    """An SSE endpoint: its request body, how that becomes the stage's input, and its ``done`` event."""

    spec: StageSpec[InT, OutT]
    request_model: type[RequestT]
    done_model: type[DoneT]
    stage_input: Callable[[RequestT], InT]
    done: Callable[[OutT, Usage], DoneT]
    start_phase: Callable[[RequestT], int | None] = field(default=lambda request: None)

    def __call__(self, exchange: Exchange) -> None:
        serve_stage(exchange, self)


def serve_stage(
    exchange: Exchange,
    endpoint: StageEndpoint[RequestT, InT, OutT, DoneT],
    stage_settings_for: StageSettingsFactory = resolve_stage_settings,
) -> None:
    settings = admit(exchange)
    request = validate_request(endpoint.request_model, read_json(exchange, settings))
    stage_input = checked(settings, lambda: endpoint.stage_input(request))
    spec = endpoint.spec
    stage_settings = stage_settings_for(settings, spec.name, request.llm_config)

    async def work(sink: sse.APIStreamingHandler) -> DoneEvent:
        result = await generate(spec, stage_settings, stage_input, sink)
        return endpoint.done(result.value, result.usage)

    start = StartEvent(stage=spec.label, phase=endpoint.start_phase(request))
    stream(exchange, start, work, secrets=secrets_of(settings))


def stream(
    exchange: Exchange,
    start: StartEvent,
    work: sse.StageWork,
    *,
    secrets: list[str],
) -> str:
    """Open the SSE response and run ``work`` into it on a fresh event loop (one per request/thread)."""
    handler = exchange.handler
    handler.close_connection = True
    try:
        handler.send_response(200)
        for name, value in {**sse.SSE_HEADERS, **exchange.cors}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.flush()
    except (OSError, ValueError):
        return "disconnected"
    sink = sse.APIStreamingHandler(handler.wfile, heartbeat_seconds=heartbeat_seconds())
    try:
        sink.send(start)
    except sse.ClientDisconnected:
        return "disconnected"
    connection = getattr(handler, "connection", None)
    client_gone: Callable[[], Awaitable[None]] | None = None
    if isinstance(connection, socket.socket):
        sock = connection

        def client_gone() -> Awaitable[None]:
            return sse.wait_for_disconnect(sock)

    try:
        outcome = asyncio.run(sse.run_stage(sink, work, client_gone=client_gone, secrets=secrets))
    except Exception as exc:  # a fault in the streaming machinery itself: headers are out, end with an event
        log_failure(logger, f"streaming {handler.path} failed", exc, secrets)
        outcome = "error"
        if not sink.finished and not sink.disconnected:
            try:
                sink.error(INTERNAL_ERROR_MESSAGE, "internal_error")
            except (sse.ClientDisconnected, RuntimeError):
                outcome = "disconnected"
    if outcome == "disconnected":
        logger.info("client disconnected from %s; stage cancelled", handler.path)
    return outcome


def _detail_input(request: DetailRequest) -> DetailInput:
    require_phase(request.plan, request.phase_number)  # a 404 before any stream opens
    return DetailInput(
        plan=request.plan, phase_number=request.phase_number, plan_complete=request.plan_complete
    )


INTERVIEW = StageEndpoint(
    interview.STAGE,
    InterviewRequest,
    InterviewDone,
    stage_input=lambda request: InterviewInput(history=request.history, user_input=request.user_input),
    done=lambda reply, usage: InterviewDone(
        reply=reply.reply, complete=reply.complete, brief=reply.brief, usage=usage
    ),
)
DESIGN = StageEndpoint(
    design.STAGE,
    DesignRequest,
    DesignDone,
    stage_input=lambda request: design.design_input(request.to_brief()),
    done=lambda value, usage: DesignDone(design=value, usage=usage),
)
BASIC_PLAN = StageEndpoint(
    plan.STAGE,
    BasicPlanRequest,
    PlanDone,
    stage_input=lambda request: PlanInput(design=request.design),
    done=lambda value, usage: PlanDone(plan=value, usage=usage),
)
DETAIL = StageEndpoint(
    detail.STAGE,
    DetailRequest,
    PhaseDone,
    stage_input=_detail_input,
    done=lambda value, usage: PhaseDone(phase=value, usage=usage),
    start_phase=lambda request: request.phase_number,
)
HANDOFF = StageEndpoint(
    handoff.STAGE,
    HandoffRequest,
    HandoffDone,
    stage_input=lambda request: HandoffInput(design=request.design, plan=request.plan),
    done=lambda value, usage: HandoffDone(handoff=value, usage=usage),
)


# -- JSON endpoints -------------------------------------------------------------------------------


def health(exchange: Exchange) -> None:
    from devussy import __version__

    settings = admit(exchange)
    body = HealthResponse(version=__version__, provider=settings.provider)
    send_json(exchange.handler, 200, body.to_json_dict(), exchange.cors)


def models(exchange: Exchange) -> None:
    from devussy.llm.registry import available_providers

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
    from devussy.web.responses import send_bytes

    settings = admit(exchange)
    handler = exchange.handler
    output = parse_qs(urlsplit(handler.path).query).get("format", ["zip"])[-1]
    if output not in ("zip", "json"):
        raise HTTPError(422, "format must be zip or json", "invalid_request")
    request = validate_request(ArtifactsRequest, read_json(exchange, settings))
    files = render_artifacts(request.design, request.plan, request.handoff)
    if output == "json":
        send_json(handler, 200, {"files": files}, exchange.cors)
        return
    slug = slugify(request.plan.project_name)
    disposition = {"Content-Disposition": f'attachment; filename="{slug}-devplan.zip"'}
    send_bytes(handler, 200, build_zip(files, root=slug), "application/zip", {**exchange.cors, **disposition})
