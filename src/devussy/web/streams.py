"""The stage endpoints: each streams one stage's run as Server-Sent Events (``sse.py``).

A ``StageEndpoint`` declares its request body, how that becomes the stage's input, and its ``done``
event; ``serve_stage`` runs the shared checks, resolves the stage settings and runs the generic
stage runner into the SSE sink.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from devussy.config import Settings
from devussy.models import DevussyModel, ModelConfig, Phase, ProjectDesign, Usage
from devussy.pipeline import settings as pipeline_settings
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generation import generate
from devussy.pipeline.review import review_design
from devussy.redaction import secrets_of
from devussy.requirements import check_coverage
from devussy.stages import design, detail, handoff, interview, plan
from devussy.stages.inputs import (
    DesignInput,
    DetailInput,
    HandoffInput,
    InterviewInput,
    PlanInput,
    StageInput,
    require_phase,
)
from devussy.stages.names import StageName
from devussy.stages.refine import offline_refinement
from devussy.stages.spec import StageSpec
from devussy.web import sse
from devussy.web.endpoints import Exchange, admit, checked, logger, read_json
from devussy.web.errors import INTERNAL_ERROR_MESSAGE, HTTPError, log_failure
from devussy.web.requests import (
    APIRequest,
    BasicPlanRequest,
    DesignRequest,
    DetailRequest,
    HandoffRequest,
    InterviewRequest,
    validate_request,
)
from devussy.web.wire import (
    DesignDone,
    DoneEvent,
    HandoffDone,
    InterviewDone,
    PhaseDone,
    PlanDone,
    StartEvent,
)

StageSettingsFactory = Callable[[Settings, StageName, ModelConfig | None], StageSettings]

RequestT = TypeVar("RequestT", bound=APIRequest)
InT = TypeVar("InT", bound=StageInput)
OutT = TypeVar("OutT", bound=DevussyModel)
DoneT = TypeVar("DoneT", bound=DoneEvent)


def heartbeat_seconds() -> float:
    """Seconds of silence before a ``: ping`` (DESIGN §4: 15); ``DEVUSSY_HEARTBEAT_SECONDS`` overrides it."""
    try:
        value = float(os.environ.get("DEVUSSY_HEARTBEAT_SECONDS", ""))
    except ValueError:
        return sse.HEARTBEAT_SECONDS
    return value if value > 0 else sse.HEARTBEAT_SECONDS


def resolve_stage_settings(
    settings: Settings, stage: StageName, model_config: ModelConfig | None
) -> StageSettings:
    return checked(settings, lambda: pipeline_settings.stage_settings(settings, stage, model_config))


@dataclass(frozen=True)
class StageEndpoint(Generic[RequestT, InT, OutT, DoneT]):
    """An SSE endpoint: its request body, how that becomes the stage's input, and its ``done`` event."""

    spec: StageSpec[InT, OutT]
    request_model: type[RequestT]
    done_model: type[DoneT]
    stage_input: Callable[[RequestT], InT]
    done: Callable[[InT, OutT, Usage], DoneT]
    """The ``done`` event from the input the stage ran with, its value and usage."""
    start_phase: Callable[[RequestT], int | None] = field(default=lambda request: None)
    # The design endpoint: the design review follows the stage (``pipeline/review.py``).
    reviewed: bool = False
    # raises a DevussyError for input the chosen engine does not read (before any stream opens)
    engine_check: Callable[[RequestT, StageSettings], None] | None = None

    def __call__(self, exchange: Exchange) -> None:
        serve_stage(exchange, self)


def serve_stage(
    exchange: Exchange,
    endpoint: StageEndpoint[RequestT, InT, OutT, DoneT],
    stage_settings_for: StageSettingsFactory | None = None,
) -> None:
    settings = admit(exchange)
    request = validate_request(endpoint.request_model, read_json(exchange, settings))
    stage_input = checked(settings, lambda: endpoint.stage_input(request))
    spec = endpoint.spec
    resolve = stage_settings_for or resolve_stage_settings
    stage_settings = resolve(settings, spec.name, request.llm_config)
    engine_check = endpoint.engine_check
    if engine_check is not None:
        checked(settings, lambda: engine_check(request, stage_settings))
    if stage_settings.provider.capabilities.offline:  # it reads no prose: an instruction becomes requirements
        stage_input = offline_refinement(stage_input)
    wants_review = endpoint.reviewed and bool(getattr(request, "review", False))
    reviewer = resolve(settings, "design_review", request.llm_config) if wants_review else None

    async def work(sink: sse.APIStreamingHandler) -> DoneEvent:
        result = await generate(spec, stage_settings, stage_input, sink)
        if not endpoint.reviewed:
            return endpoint.done(stage_input, result.value, result.usage)
        assert isinstance(result.value, ProjectDesign)
        reviewed = await review_design(
            result.value, reviewer=reviewer, corrector=stage_settings if reviewer else None, sink=sink
        )
        event = endpoint.done(stage_input, cast(OutT, reviewed.design), result.usage + reviewed.usage)
        return event.model_copy(update={"review": reviewed.review})

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


def _design_input(request: DesignRequest) -> DesignInput:
    stage_input = design.design_input(request.to_brief())
    return stage_input.model_copy(
        update={"instruction": request.instruction, "previous": request.previous_design}
    )


def _check_offline_brief(request: DesignRequest, settings: StageSettings) -> None:
    """The offline engine answers a vague or non-English brief with its questions, as a 422."""
    from devussy.planner import offline_planner_of  # the planner's modules: loaded on first use

    planner = offline_planner_of(settings.provider)
    if planner is None:
        return
    vague = planner.check_brief(request.to_brief())
    if vague is not None:
        questions = "\n".join(f"{n}. {q}" for n, q in enumerate(vague.questions, start=1))
        raise HTTPError(
            422,
            f"{vague.message}\n{questions}",  # readable as is by a client that shows only `error`
            "brief_too_vague",
            details={"reason": vague.reason, "questions": list(vague.questions)},
        )


def _detail_input(request: DetailRequest) -> DetailInput:
    require_phase(request.plan, request.phase_number)  # a 404 before any stream opens
    return DetailInput(
        plan=request.plan,
        phase_number=request.phase_number,
        plan_complete=request.plan_complete,
        design=request.design,
        instruction=request.instruction,
    )


def _phase_done(stage_input: DetailInput, phase: Phase, usage: Usage) -> PhaseDone:
    plan = stage_input.plan
    return PhaseDone(
        phase=phase,
        requirements=plan.requirements,
        coverage=check_coverage(plan.with_phase(phase)),
        usage=usage,
    )


def _check_offline_interview(request: InterviewRequest, settings: StageSettings) -> None:
    """The offline engine reads a bounded interview (413 input_too_large, before any stream opens)."""
    if settings.provider.capabilities.offline:
        from devussy.llm.builtin import check_interview_input

        check_interview_input(request.history, request.user_input)


INTERVIEW = StageEndpoint(
    interview.STAGE,
    InterviewRequest,
    InterviewDone,
    stage_input=lambda request: InterviewInput(history=request.history, user_input=request.user_input),
    done=lambda stage_input, reply, usage: InterviewDone(
        reply=reply.reply, complete=reply.complete, brief=reply.brief, usage=usage
    ),
    engine_check=_check_offline_interview,
)
DESIGN = StageEndpoint(
    design.STAGE,
    DesignRequest,
    DesignDone,
    stage_input=_design_input,
    done=lambda stage_input, value, usage: DesignDone(
        design=value, requirements=value.requirements, usage=usage
    ),
    reviewed=True,
    engine_check=_check_offline_brief,
)
BASIC_PLAN = StageEndpoint(
    plan.STAGE,
    BasicPlanRequest,
    PlanDone,
    stage_input=lambda request: PlanInput(
        design=request.to_design(), instruction=request.instruction, previous=request.previous_plan
    ),
    done=lambda stage_input, value, usage: PlanDone(plan=value, coverage=check_coverage(value), usage=usage),
)
DETAIL = StageEndpoint(
    detail.STAGE,
    DetailRequest,
    PhaseDone,
    stage_input=_detail_input,
    done=_phase_done,
    start_phase=lambda request: request.phase_number,
)
HANDOFF = StageEndpoint(
    handoff.STAGE,
    HandoffRequest,
    HandoffDone,
    stage_input=lambda request: HandoffInput(design=request.design, plan=request.plan),
    done=lambda stage_input, value, usage: HandoffDone(handoff=value, usage=usage),
)
