from __future__ import annotations

from devussy.pipeline.generation import generate
from devussy.stages.handoff import STAGE
from devussy.stages.inputs import HandoffInput
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted


async def test_missing_start_defaults_to_first_phase_without_dependencies() -> None:
    plan = samples.plan(2)
    plan = plan.model_copy(update={"phases": [samples.detailed(p) for p in plan.phases]})
    provider = Scripted(lambda request: "# Handoff: X\n\nRead devplan.md and begin.")
    stage_input = HandoffInput(design=samples.design(), plan=plan)
    result = await generate(STAGE, provider.settings(), stage_input, CollectingStreamingHandler())
    assert (result.value.start_phase, result.value.start_step) == (1, "1.1")
    assert result.value.project_name == "TaskFlow"
    user = provider.requests[0].messages[1].content
    assert "Step 2.2: Step 2 of Part 2 – build (test: `pytest tests/test_part2.py -k piece2 -q`)" in user
