"""The stages under the names the original Devussy gave them: thin names over ``generation.generate``.

Each builds its stage's input from the arguments the original ``generate`` took and runs the spec::

    result = await DetailedDevPlanGenerator(settings).generate(plan, 2, sink)   # StageResult[Phase]
"""

from __future__ import annotations

from typing import Generic, TypeVar

from devussy.models import (
    ChatTurn,
    DevPlan,
    DevussyModel,
    Handoff,
    InterviewReply,
    Phase,
    ProjectBrief,
    ProjectDesign,
)
from devussy.pipeline.base import StageResult, StageSettings
from devussy.pipeline.generation import generate
from devussy.stages import design, detail, handoff, interview, plan
from devussy.stages.inputs import (
    DesignInput,
    DetailInput,
    HandoffInput,
    InterviewInput,
    PlanInput,
    StageInput,
)
from devussy.stages.spec import StageSpec
from devussy.streaming import StreamingHandler

InT = TypeVar("InT", bound=StageInput)
OutT = TypeVar("OutT", bound=DevussyModel)


class StageGenerator(Generic[InT, OutT]):
    """Runs one stage spec with the settings it was built with."""

    def __init__(self, spec: StageSpec[InT, OutT], settings: StageSettings) -> None:
        self.spec = spec
        self.settings = settings

    async def run(self, stage_input: InT, sink: StreamingHandler) -> StageResult[OutT]:
        return await generate(self.spec, self.settings, stage_input, sink)


class InterviewGenerator(StageGenerator[InterviewInput, InterviewReply]):
    def __init__(self, settings: StageSettings) -> None:
        super().__init__(interview.STAGE, settings)

    async def generate(
        self, history: list[ChatTurn], user_input: str, sink: StreamingHandler
    ) -> StageResult[InterviewReply]:
        return await self.run(InterviewInput(history=history, user_input=user_input), sink)


class ProjectDesignGenerator(StageGenerator[DesignInput, ProjectDesign]):
    def __init__(self, settings: StageSettings) -> None:
        super().__init__(design.STAGE, settings)

    async def generate(self, brief: ProjectBrief, sink: StreamingHandler) -> StageResult[ProjectDesign]:
        return await self.run(design.design_input(brief), sink)


class BasicDevPlanGenerator(StageGenerator[PlanInput, DevPlan]):
    def __init__(self, settings: StageSettings) -> None:
        super().__init__(plan.STAGE, settings)

    async def generate(self, project_design: ProjectDesign, sink: StreamingHandler) -> StageResult[DevPlan]:
        return await self.run(PlanInput(design=project_design), sink)


class DetailedDevPlanGenerator(StageGenerator[DetailInput, Phase]):
    def __init__(self, settings: StageSettings) -> None:
        super().__init__(detail.STAGE, settings)

    async def generate(
        self,
        dev_plan: DevPlan,
        phase_number: int,
        sink: StreamingHandler,
        *,
        plan_complete: bool = True,
        design: ProjectDesign | None = None,
    ) -> StageResult[Phase]:
        """``plan_complete=False`` while the plan is still streaming: the prompt then says that more
        phases follow. With the ``design``, the prompt quotes its architecture and data model. A phase
        that is not in the plan is ``StageError(code="unknown_phase")``."""
        stage_input = DetailInput(
            plan=dev_plan, phase_number=phase_number, plan_complete=plan_complete, design=design
        )
        return await self.run(stage_input, sink)


class HandoffPromptGenerator(StageGenerator[HandoffInput, Handoff]):
    def __init__(self, settings: StageSettings) -> None:
        super().__init__(handoff.STAGE, settings)

    async def generate(
        self,
        project_design: ProjectDesign,
        dev_plan: DevPlan,
        sink: StreamingHandler,
        *,
        details_complete: bool = True,
    ) -> StageResult[Handoff]:
        """``details_complete=False``: other phases are still being detailed (the runner starts the
        handoff as soon as the start phase's first steps exist)."""
        stage_input = HandoffInput(design=project_design, plan=dev_plan, details_complete=details_complete)
        return await self.run(stage_input, sink)
