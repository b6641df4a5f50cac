"""What each stage takes: one input model per stage, and the one check that a phase is in the plan.

The same objects travel inside the engine request (``ChatRequest.task``): LLM providers read the
prompt built from them, the built-in engine answers from them directly. Each carries its stage name
as the class variable ``stage``. In prompts they are quoted as camelCase JSON (``to_json_dict``).
"""

from __future__ import annotations

from typing import ClassVar

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


class DesignInput(StageInput):
    stage: ClassVar[StageName] = "design"
    brief: ProjectBrief
    complexity: ComplexityProfile = Field(description="Deterministic sizing of the brief (planner rubric).")


class ReviewInput(StageInput):
    """The LLM reviewer's input: the design (it carries its brief) and what the rule checks found."""

    stage: ClassVar[StageName] = "design_review"
    design: ProjectDesign
    rule_findings: list[str] = Field(default_factory=list, description="Already found; not to repeat.")


class PlanInput(StageInput):
    stage: ClassVar[StageName] = "basic_plan"
    design: ProjectDesign


class DetailInput(StageInput):
    stage: ClassVar[StageName] = "phase_detail"
    plan: DevPlan
    phase_number: int
    # False while the plan is still streaming: engines are told that more phases follow.
    plan_complete: bool = True

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
