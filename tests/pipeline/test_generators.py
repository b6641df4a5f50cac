"""The original generator names: each builds its stage's input from the original arguments."""

from __future__ import annotations

from devussy.llm.builtin import BuiltinProvider
from devussy.llm.mock import MockProvider
from devussy.models import ChatTurn
from devussy.pipeline.base import StageSettings
from devussy.pipeline.generators import (
    BasicDevPlanGenerator,
    DetailedDevPlanGenerator,
    HandoffPromptGenerator,
    InterviewGenerator,
    ProjectDesignGenerator,
)
from devussy.planner.complexity import assess_complexity
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, InterviewInput, PlanInput
from devussy.streaming import CollectingStreamingHandler
from tests import samples


async def test_each_name_runs_its_stage_with_the_input_its_arguments_make() -> None:
    offline = BuiltinProvider(samples.SamplePlanner())  # type: ignore[arg-type]
    engine = MockProvider(offline.answer)
    settings = StageSettings(provider=engine, model="mock")
    sink = CollectingStreamingHandler()
    history = [ChatTurn(role="user", content="hi")]

    reply = await InterviewGenerator(settings).generate(history, "done", sink)
    design = await ProjectDesignGenerator(settings).generate(samples.BRIEF, sink)
    plan = await BasicDevPlanGenerator(settings).generate(design.value, sink)
    phase = await DetailedDevPlanGenerator(settings).generate(plan.value, 2, sink, plan_complete=False)
    handoff = await HandoffPromptGenerator(settings).generate(design.value, plan.value, sink)

    assert [request.task for request in engine.requests] == [
        InterviewInput(history=history, user_input="done"),
        DesignInput(brief=samples.BRIEF, complexity=assess_complexity(samples.BRIEF)),
        PlanInput(design=design.value),
        DetailInput(plan=plan.value, phase_number=2, plan_complete=False),
        HandoffInput(design=design.value, plan=plan.value),
    ]
    assert reply.value.brief == samples.BRIEF and phase.value.number == 2
    assert handoff.value == samples.handoff()
