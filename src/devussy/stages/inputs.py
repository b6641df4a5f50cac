"""What each stage takes: one input model per stage, and the one check that a phase is in the plan.

The same objects travel inside the engine request (``ChatRequest.task``): LLM providers read the
prompt built from them (each stage's prompt builder picks only what its stage needs, see
``stages/context.py``), the built-in engine answers from them directly. Each carries its stage name
as the class variable ``stage``.

Design, plan and detail inputs may carry a refinement: ``instruction`` (what the user asks to change)
and the previous result (``previous``; for a detail, the plan's phase already has its steps).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from devussy.errors import StageError
from devussy.models import (
    ChatTurn,
    ComplexityProfile,
    DevPlan,
    DevussyModel,
    Phase,
    ProjectBrief,
    ProjectDesign,
)
from devussy.stages.names import StageName


class StageInput(DevussyModel):
    stage: ClassVar[StageName]


class InterviewInput(StageInput):
    stage: ClassVar[StageName] = "interview"
    history: list[ChatTurn] = Field(default_factory=list)
    user_input: str


Instruction = Annotated[
    str, Field(min_length=1, max_length=2000, description="What to change, in plain words.")
]


class DesignInput(StageInput):
    stage: ClassVar[StageName] = "design"
    brief: ProjectBrief
    complexity: ComplexityProfile = Field(description="Deterministic sizing of the brief (planner rubric).")
    instruction: Instruction | None = None
    previous: ProjectDesign | None = Field(default=None, description="The design the instruction revises.")


class ReviewInput(StageInput):
    """The LLM reviewer's input: the design (it carries its brief) and what the rule checks found."""

    stage: ClassVar[StageName] = "design_review"
    design: ProjectDesign
    rule_findings: list[str] = Field(default_factory=list, description="Already found; not to repeat.")


class PlanInput(StageInput):
    stage: ClassVar[StageName] = "basic_plan"
    design: ProjectDesign
    instruction: Instruction | None = None
    previous: DevPlan | None = Field(default=None, description="The plan the instruction revises.")


class DetailInput(StageInput):
    stage: ClassVar[StageName] = "phase_detail"
    plan: DevPlan
    phase_number: int
    # False while the plan is still streaming: engines are told that more phases follow.
    plan_complete: bool = True
    # The design, when known: the prompt quotes its architecture and data model.
    design: ProjectDesign | None = None
    # Revise the phase's steps (the plan's phase holds the previous ones).
    instruction: Instruction | None = None

    @property
    def phase(self) -> Phase:
        return require_phase(self.plan, self.phase_number)


class HandoffInput(StageInput):
    stage: ClassVar[StageName] = "handoff"
    design: ProjectDesign
    plan: DevPlan
    # False while phase details are still streaming: the plan holds the steps known so far.
    details_complete: bool = True


def require_phase(plan: DevPlan, number: int) -> Phase:
    """Phase ``number`` of ``plan``, or ``StageError(code="unknown_phase")`` naming the phases it has."""
    try:
        return plan.phase(number)
    except KeyError:
        known = ", ".join(str(p.number) for p in plan.phases)
        message = f"phase {number} is not in the plan (phases: {known})"
        raise StageError(message, code="unknown_phase") from None
