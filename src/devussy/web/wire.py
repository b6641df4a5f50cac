"""What the API sends that carries domain data: the Server-Sent Events of a stage stream (``start``,
``token``, ``error`` and each endpoint's ``done``; progress events are ``devussy.events``) and the
JSON bodies built from domain models. The OpenAPI document is generated from these models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from devussy.events import EventModel
from devussy.llm.registry import ProviderInfo
from devussy.models import (
    CoverageReport,
    DesignReview,
    DevPlan,
    DevussyModel,
    Handoff,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Requirement,
    Usage,
)
from devussy.stages.names import StageLabel


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


# The requirement and coverage fields are always sent by this server; they are optional in the schema
# so that a client also reads the done events of an older server (DevussyModel's compatibility rule).


class DesignDone(DoneEvent):
    design: ProjectDesign = Field(description="After the review's correction round, when there was one.")
    requirements: list[Requirement] = Field(
        default_factory=list,
        description="The design's numbered requirements (== design.requirements), for the user to review.",
    )
    review: DesignReview | None = Field(
        default=None, description="The rule checks' findings (always), the reviewer's when asked for."
    )


class PlanDone(DoneEvent):
    plan: DevPlan = Field(description="Carries the requirements its phases cite (plan.requirements).")
    coverage: CoverageReport | None = Field(
        default=None, description="The coverage check of this plan (after its repair round)."
    )


class PhaseDone(DoneEvent):
    phase: Phase
    requirements: list[Requirement] = Field(
        default_factory=list,
        description="The plan's requirement list as this run used it (the request's, plus any the offline "
        "engine added from an instruction): what the phase's citations refer to.",
    )
    coverage: CoverageReport | None = Field(
        default=None, description="The coverage check of the request's plan with this phase detailed."
    )


class CoverageResponse(DevussyModel):
    coverage: CoverageReport


class HandoffDone(DoneEvent):
    handoff: Handoff
