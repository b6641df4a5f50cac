"""One function per endpoint; the ``api/`` handler classes call these and nothing else.

Order of checks for every call: settings → CORS origin → bearer token → body (size, type, JSON) →
validation → stage settings (model offered?). Any failure is a JSON error with a 4xx status
(5xx only for a server fault); only a request that passed them all opens an SSE stream.
Heavy modules (request/response models, the pipeline) are imported inside the functions that use
them, to keep each function's cold start small.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from devussy.config import Settings
from devussy.errors import ConfigError, DevussyError
from devussy.redaction import redact, secrets_of
from devussy.web.auth import check_access
from devussy.web.cors import cors_headers, preflight_headers
from devussy.web.errors import CODE_STATUS, INTERNAL_ERROR_MESSAGE, HTTPError, log_failure

if TYPE_CHECKING:
    from devussy.models import ModelConfig
    from devussy.pipeline.base import StageSettings
    from devussy.web import sse

logger = logging.getLogger("devussy.web")

Handler = BaseHTTPRequestHandler
StageSettingsFactory = Callable[[Settings, str, "ModelConfig | None"], "StageSettings"]


# -- shared steps ---------------------------------------------------------------------------------


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise HTTPError(500, f"server configuration error: {exc.message}", "config_error") from None


def heartbeat_seconds() -> float:
    """Seconds of silence before a ``: ping`` (DESIGN §4: 15); ``DEVUSSY_HEARTBEAT_SECONDS`` overrides it."""
    from devussy.web.sse import HEARTBEAT_SECONDS

    try:
        value = float(os.environ.get("DEVUSSY_HEARTBEAT_SECONDS", ""))
    except ValueError:
        return HEARTBEAT_SECONDS
    return value if value > 0 else HEARTBEAT_SECONDS


def resolve_stage_settings(settings: Settings, stage: str, model_config: ModelConfig | None) -> StageSettings:
    from devussy.pipeline.settings import stage_settings

    try:
        return stage_settings(settings, stage, model_config)
    except DevussyError as exc:
        status = CODE_STATUS.get(exc.code, 500)
        raise HTTPError(status, redact(exc.message, secrets_of(settings)), exc.code) from None


def _discard_unread_body(handler: Handler, settings: Settings | None) -> None:
    """Read a small unread body so closing the socket doesn't reset it before the client reads our answer."""
    if getattr(handler, "_devussy_body_read", False):
        return
    limit = settings.max_body_bytes if settings else 1_000_000
    try:
        length = int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        return
    if 0 < length <= limit:
        with contextlib.suppress(OSError, ValueError):
            handler.rfile.read(length)


def read_json(handler: Handler, settings: Settings) -> dict[str, Any]:
    from devussy.web.requests import parse_json_object, read_body

    handler._devussy_body_read = True  # type: ignore[attr-defined]
    body = read_body(handler.headers, handler.rfile, settings.max_body_bytes)
    return parse_json_object(handler.headers, body)


def _guarded(function: Callable[..., None]) -> Callable[..., None]:
    """Turn HTTPError into its JSON answer and any other failure into a logged 500 (never a traceback)."""

    @functools.wraps(function)
    def wrapper(handler: Handler, *args: Any, **kwargs: Any) -> None:
        state: dict[str, Any] = {"settings": None, "cors": {}}
        try:
            function(handler, state, *args, **kwargs)
        except HTTPError as exc:
            from devussy.web.responses import send_error

            _discard_unread_body(handler, state["settings"])
            send_error(handler, exc, state["cors"])
        except Exception as exc:
            from devussy.web.responses import send_error

            secrets = secrets_of(state["settings"])
            log_failure(logger, f"{handler.command} {handler.path} failed", exc, secrets)
            _discard_unread_body(handler, state["settings"])
            send_error(handler, HTTPError(500, INTERNAL_ERROR_MESSAGE, "internal_error"), state["cors"])

    return wrapper


def _admit(handler: Handler, state: dict[str, Any]) -> Settings:
    """Settings, CORS and token checks shared by every endpoint."""
    settings = load_settings()
    state["settings"] = settings
    state["cors"] = cors_headers(handler.headers, settings)
    check_access(handler.headers, settings)
    return settings


@_guarded
def preflight(handler: Handler, state: dict[str, Any], methods: str) -> None:
    """``OPTIONS``: CORS preflight (no token needed; browsers never send one on a preflight)."""
    settings = load_settings()
    headers = preflight_headers(handler.headers, settings, methods)
    handler.send_response(204)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


@_guarded
def method_not_allowed(handler: Handler, state: dict[str, Any], methods: str) -> None:
    _admit(handler, state)
    raise HTTPError(405, f"use {methods} for this endpoint", "method_not_allowed",
                    headers={"Allow": f"{methods}, OPTIONS"})


# -- streaming stage endpoints --------------------------------------------------------------------


@dataclass(frozen=True)
class StageEndpoint:
    """How one SSE endpoint turns a validated request into a stage run."""

    stage: str  # settings stage name: interview, design, basic_plan, phase_detail, handoff
    label: str  # the "stage" of the SSE start event
    request_model: str  # class name in devussy.web.requests
    # (request, stage settings) -> the coroutine function run_stage runs into the sink
    work: Callable[[Any, StageSettings], sse.StageWork]
    start_extra: Callable[[Any], dict[str, Any]] = field(default=lambda request: {})
    check: Callable[[Any], None] | None = None
    # Checks that need the stage's engine (run after its settings are resolved, before any stream opens).
    check_with_engine: Callable[[Any, StageSettings], None] | None = None


@_guarded
def serve_stage(
    handler: Handler,
    state: dict[str, Any],
    endpoint: StageEndpoint,
    stage_settings_for: StageSettingsFactory | None = None,
) -> None:
    from devussy.web import requests

    settings = _admit(handler, state)
    data = read_json(handler, settings)
    request = requests.validate_request(getattr(requests, endpoint.request_model), data)
    if endpoint.check is not None:
        endpoint.check(request)
    resolve = stage_settings_for or resolve_stage_settings
    stage_settings = resolve(settings, endpoint.stage, request.llm_config)
    if endpoint.check_with_engine is not None:
        endpoint.check_with_engine(request, stage_settings)
    stream(handler, endpoint.label, endpoint.work(request, stage_settings),
           headers=state["cors"], start_extra=endpoint.start_extra(request), secrets=secrets_of(settings))


def stream(
    handler: Handler,
    label: str,
    work: sse.StageWork,
    *,
    headers: Mapping[str, str],
    start_extra: Mapping[str, Any],
    secrets: list[str],
) -> str:
    """Open the SSE response and run ``work`` into it on a fresh event loop (one per request/thread)."""
    import asyncio
    import socket

    from devussy.web import sse

    handler.close_connection = True
    try:
        handler.send_response(200)
        for name, value in {**sse.SSE_HEADERS, **headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.flush()
    except (OSError, ValueError):
        return "disconnected"
    sink = sse.APIStreamingHandler(handler.wfile, heartbeat_seconds=heartbeat_seconds())
    try:
        sink.start(label, **start_extra)
    except sse.ClientDisconnected:
        return "disconnected"
    connection = getattr(handler, "connection", None)
    client_gone = None
    if isinstance(connection, socket.socket):
        def client_gone() -> Any:
            return sse.wait_for_disconnect(connection)

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


def _interview_work(request: Any, settings: StageSettings) -> sse.StageWork:
    async def work(sink: sse.APIStreamingHandler) -> dict[str, Any]:
        from devussy.pipeline.interview import InterviewGenerator
        from devussy.web.responses import InterviewDone, done_payload

        result = await InterviewGenerator(settings).generate(request.history, request.user_input, sink)
        reply = result.value
        return done_payload(
            InterviewDone(reply=reply.reply, complete=reply.complete, brief=reply.brief, usage=result.usage)
        )

    return work


def _design_work(request: Any, settings: StageSettings) -> sse.StageWork:
    async def work(sink: sse.APIStreamingHandler) -> dict[str, Any]:
        from devussy.pipeline.project_design import ProjectDesignGenerator
        from devussy.web.responses import DesignDone, done_payload

        result = await ProjectDesignGenerator(settings).generate(request.to_brief(), sink)
        return done_payload(DesignDone(design=result.value, usage=result.usage))

    return work


def _plan_work(request: Any, settings: StageSettings) -> sse.StageWork:
    async def work(sink: sse.APIStreamingHandler) -> dict[str, Any]:
        from devussy.pipeline.basic_devplan import BasicDevPlanGenerator
        from devussy.web.responses import PlanDone, done_payload

        result = await BasicDevPlanGenerator(settings).generate(request.design, sink)
        return done_payload(PlanDone(plan=result.value, usage=result.usage))

    return work


def _detail_work(request: Any, settings: StageSettings) -> sse.StageWork:
    async def work(sink: sse.APIStreamingHandler) -> dict[str, Any]:
        from devussy.pipeline.detailed_devplan import DetailedDevPlanGenerator
        from devussy.web.responses import PhaseDone, done_payload

        result = await DetailedDevPlanGenerator(settings).generate(
            request.plan, request.phase_number, sink, plan_complete=request.plan_complete
        )
        return done_payload(PhaseDone(phase=result.value, usage=result.usage))

    return work


def _handoff_work(request: Any, settings: StageSettings) -> sse.StageWork:
    async def work(sink: sse.APIStreamingHandler) -> dict[str, Any]:
        from devussy.pipeline.handoff_prompt import HandoffPromptGenerator
        from devussy.web.responses import HandoffDone, done_payload

        result = await HandoffPromptGenerator(settings).generate(request.design, request.plan, sink)
        return done_payload(HandoffDone(handoff=result.value, usage=result.usage))

    return work


def _check_offline_brief(request: Any, settings: StageSettings) -> None:
    """The offline engine answers a vague or non-English brief with its questions, as a 422."""
    from devussy.planner import offline_planner_of

    planner = offline_planner_of(getattr(settings, "provider", None))
    if planner is None:
        return
    vague = planner.check_brief(request.to_brief())
    if vague is not None:
        raise HTTPError(
            422,
            vague.message,
            "brief_too_vague",
            details={"reason": vague.reason, "questions": list(vague.questions)},
        )


def _check_phase(request: Any) -> None:
    numbers = [phase.number for phase in request.plan.phases]
    if request.phase_number not in numbers:
        raise HTTPError(404, f"phase {request.phase_number} is not in the plan (phases: "
                        f"{', '.join(map(str, numbers))})", "unknown_phase")


INTERVIEW = StageEndpoint("interview", "interview", "InterviewRequest", _interview_work)
DESIGN = StageEndpoint("design", "design", "DesignRequest", _design_work,
                       check_with_engine=_check_offline_brief)
BASIC_PLAN = StageEndpoint("basic_plan", "plan", "BasicPlanRequest", _plan_work)
DETAIL = StageEndpoint("phase_detail", "detail", "DetailRequest", _detail_work,
                       start_extra=lambda request: {"phase": request.phase_number}, check=_check_phase)
HANDOFF = StageEndpoint("handoff", "handoff", "HandoffRequest", _handoff_work)


def interview(handler: Handler) -> None:
    serve_stage(handler, INTERVIEW)


def design(handler: Handler) -> None:
    serve_stage(handler, DESIGN)


def basic_plan(handler: Handler) -> None:
    serve_stage(handler, BASIC_PLAN)


def detail(handler: Handler) -> None:
    serve_stage(handler, DETAIL)


def handoff(handler: Handler) -> None:
    serve_stage(handler, HANDOFF)


# -- JSON endpoints -------------------------------------------------------------------------------


@_guarded
def health(handler: Handler, state: dict[str, Any]) -> None:
    from devussy import __version__
    from devussy.web.responses import send_json

    settings = _admit(handler, state)
    body = {"status": "ok", "version": __version__, "provider": settings.provider}
    send_json(handler, 200, body, state["cors"])


@_guarded
def models(handler: Handler, state: dict[str, Any]) -> None:
    from devussy.llm.registry import available_providers
    from devussy.web.responses import ModelsResponse, send_json

    settings = _admit(handler, state)
    providers = available_providers(settings)
    default = next((entry for entry in providers if entry["default"]), None)
    body = ModelsResponse(
        provider=settings.provider,
        model=settings.model,
        models=default["models"] if default else [],
        providers=providers,
    )
    send_json(handler, 200, body.to_json_dict(), state["cors"])


@_guarded
def openapi(handler: Handler, state: dict[str, Any]) -> None:
    from devussy.web.openapi import build_openapi
    from devussy.web.responses import send_json

    _admit(handler, state)
    send_json(handler, 200, build_openapi(), state["cors"])


@_guarded
def artifacts(handler: Handler, state: dict[str, Any]) -> None:
    from devussy.artifacts import build_zip, render_artifacts
    from devussy.models import slugify
    from devussy.web.requests import ArtifactsRequest, validate_request
    from devussy.web.responses import send_bytes, send_json

    settings = _admit(handler, state)
    output = parse_qs(urlsplit(handler.path).query).get("format", ["zip"])[-1]
    if output not in ("zip", "json"):
        raise HTTPError(422, "format must be zip or json", "invalid_request")
    request = validate_request(ArtifactsRequest, read_json(handler, settings))
    files = render_artifacts(request.design, request.plan, request.handoff)
    if output == "json":
        send_json(handler, 200, {"files": files}, state["cors"])
        return
    slug = slugify(request.plan.project_name)
    disposition = {"Content-Disposition": f'attachment; filename="{slug}-devplan.zip"'}
    send_bytes(handler, 200, build_zip(files, root=slug), "application/zip", {**state["cors"], **disposition})


# -- the living plan (stateless: the files come with the request) --------------------------------


@_guarded
def workspace_status(handler: Handler, state: dict[str, Any]) -> None:
    from devussy.web.requests import validate_request
    from devussy.web.responses import send_json
    from devussy.web.workspace import WorkspaceFilesRequest, status_answer

    settings = _admit(handler, state)
    request = validate_request(WorkspaceFilesRequest, read_json(handler, settings))
    send_json(handler, 200, status_answer(request).to_json_dict(), state["cors"])


@_guarded
def workspace_update(handler: Handler, state: dict[str, Any]) -> None:
    from devussy.web.requests import validate_request
    from devussy.web.responses import send_json
    from devussy.web.workspace import WorkspaceUpdateRequest, update_answer

    settings = _admit(handler, state)
    request = validate_request(WorkspaceUpdateRequest, read_json(handler, settings))
    send_json(handler, 200, update_answer(request).to_json_dict(), state["cors"])


@_guarded
def workspace_export(handler: Handler, state: dict[str, Any]) -> None:
    from devussy.web.requests import validate_request
    from devussy.web.responses import send_bytes
    from devussy.web.workspace import WorkspaceFilesRequest, zip_answer

    settings = _admit(handler, state)
    request = validate_request(WorkspaceFilesRequest, read_json(handler, settings))
    archive, filename = zip_answer(request)
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    send_bytes(handler, 200, archive, "application/zip", {**state["cors"], **disposition})
