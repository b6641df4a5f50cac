"""Response bodies (pydantic models, so the OpenAPI document is generated from what the code sends)
and the helpers that write JSON/bytes responses."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal

from pydantic import Field

from devussy.events import EventModel
from devussy.llm.registry import ProviderInfo
from devussy.models import DevPlan, DevussyModel, Handoff, Phase, ProjectBrief, ProjectDesign, Usage
from devussy.stages.names import StageLabel
from devussy.web.errors import HTTPError

logger = logging.getLogger("devussy.web")


class ErrorResponse(DevussyModel):
    error: str = Field(description="What went wrong, for people.")
    code: str = Field(description="Stable machine-readable code, e.g. invalid_request, unknown_phase.")


class HealthResponse(DevussyModel):
    status: Literal["ok"] = "ok"
    version: str
    provider: str


class ModelsResponse(DevussyModel):
    provider: str = Field(description="The engine the server uses by default.")
    model: str | None = Field(default=None, description="Its default model, if one is configured.")
    models: list[str] = Field(description="Every model a request's modelConfig.model may name.")
    providers: list[ProviderInfo] = Field(description="Engines/providers the server offers (no secrets).")


class ArtifactFilesResponse(DevussyModel):
    files: dict[str, str] = Field(description="Artifact file name → content.")


# -- SSE events (the JSON on each `data:` line; progress events are in devussy.events) ------------


class StartEvent(EventModel):
    type: Literal["start"] = "start"
    stage: StageLabel
    phase: int | None = Field(default=None, description="Only for the detail stage.")


class TokenEvent(EventModel):
    type: Literal["token"] = "token"
    content: str


class ErrorEvent(EventModel):
    type: Literal["error"] = "error"
    error: str
    code: str


class DoneEvent(EventModel):
    """The terminal ``done`` event; each stage endpoint's subclass adds its result."""

    type: Literal["done"] = "done"
    done: Literal[True] = True
    usage: Usage


class InterviewDone(DoneEvent):
    reply: str
    complete: bool
    brief: ProjectBrief | None = Field(default=None, description="Present once the interview is complete.")


class DesignDone(DoneEvent):
    design: ProjectDesign


class PlanDone(DoneEvent):
    plan: DevPlan


class PhaseDone(DoneEvent):
    phase: Phase


class HandoffDone(DoneEvent):
    handoff: Handoff


# -- writing --------------------------------------------------------------------------------------


def send_bytes(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)
        handler.wfile.flush()
    except (OSError, ValueError):
        logger.info("client went away before the response was written")


def send_json(
    handler: BaseHTTPRequestHandler, status: int, body: Any, headers: Mapping[str, str] | None = None
) -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    send_bytes(handler, status, data, "application/json; charset=utf-8", headers)


def send_error(
    handler: BaseHTTPRequestHandler, error: HTTPError, headers: Mapping[str, str] | None = None
) -> None:
    send_json(handler, error.status, error.body(), {**(headers or {}), **error.headers})
