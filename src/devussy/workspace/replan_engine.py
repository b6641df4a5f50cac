"""The pipeline's stages as a re-plan engine: any configured engine (the builtin offline planner by
default), each stage with the settings ``devussy plan`` would use for it.

The one module of ``devussy.workspace`` that imports the pipeline, and only when a re-plan runs.
"""

from __future__ import annotations

from collections.abc import Callable

from devussy.config import Settings
from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign
from devussy.streaming import NullStreamingHandler

Report = Callable[[str], None]


class PipelineEngine:
    """Runs the design, plan, phase detail and handoff stages; ``report`` gets one line per stage."""

    def __init__(self, settings: Settings, report: Report | None = None) -> None:
        from devussy.pipeline.settings import stage_settings

        self._settings = {
            stage: stage_settings(settings, stage)
            for stage in ("design", "basic_plan", "phase_detail", "handoff")
        }
        self._report = report or (lambda line: None)

    async def design(self, brief: ProjectBrief) -> ProjectDesign:
        from devussy.pipeline.generators import ProjectDesignGenerator

        self._report("design    with the change as a requirement")
        generator = ProjectDesignGenerator(self._settings["design"])
        result = await generator.generate(brief, NullStreamingHandler())
        return result.value

    async def plan(self, design: ProjectDesign) -> DevPlan:
        from devussy.pipeline.generators import BasicDevPlanGenerator

        self._report("plan      the phase outline")
        generator = BasicDevPlanGenerator(self._settings["basic_plan"])
        result = await generator.generate(design, NullStreamingHandler())
        return result.value

    async def detail(self, plan: DevPlan, phase_number: int) -> Phase:
        from devussy.pipeline.generators import DetailedDevPlanGenerator

        self._report(f"phase {phase_number:<3} steps")
        generator = DetailedDevPlanGenerator(self._settings["phase_detail"])
        result = await generator.generate(plan, phase_number, NullStreamingHandler())
        return result.value

    async def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff:
        from devussy.pipeline.generators import HandoffPromptGenerator

        self._report("handoff   prompt for the next agent")
        generator = HandoffPromptGenerator(self._settings["handoff"])
        result = await generator.generate(design, plan, NullStreamingHandler())
        return result.value
