from __future__ import annotations

import pytest

from devussy.errors import StageError
from devussy.pipeline.generation import generate
from devussy.stages.detail import STAGE, render_phase_detail, step_heading
from devussy.stages.inputs import DetailInput
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted


async def test_unknown_phase_is_refused_before_any_request() -> None:
    provider = Scripted(lambda request: "")
    with pytest.raises(StageError) as caught:
        stage_input = DetailInput(plan=samples.plan(3), phase_number=7)
        await generate(STAGE, provider.settings(), stage_input, CollectingStreamingHandler())
    assert caught.value.code == "unknown_phase"
    assert "phases: 1, 2, 3" in caught.value.message
    assert provider.requests == []


async def test_plan_phase_outline_wins_over_the_models_header() -> None:
    plan = samples.plan(3).model_copy(update={"tech_stack": ["Python", "FastAPI"]})
    answer = samples.detailed(plan.phase(2)).model_copy(
        update={"title": "Renamed by the model", "depends_on": []}
    )
    provider = Scripted(lambda request: render_phase_detail(answer))
    stage_input = DetailInput(plan=plan, phase_number=2)
    result = await generate(STAGE, provider.settings(), stage_input, CollectingStreamingHandler())
    assert result.value == samples.detailed(plan.phase(2))
    user = provider.requests[0].messages[1].content
    assert "Detail Phase 2: Part 2 – build" in user
    assert "- Phase 3: Part 3 – build" in user  # the outline
    assert "## Tech stack\n\n- Python\n- FastAPI" in user
    assert provider.requests[0].task == stage_input


def test_step_heading_styles() -> None:
    cases = {
        "### Step 2.3: Title": (2, 3, "Title"),
        "#### Step 2.3 – Title": (2, 3, "Title"),
        "**Step 2.3 — Title**": (2, 3, "Title"),
        "**2.3** Title": (2, 3, "Title"),
        "**2.3 Title**": (2, 3, "Title"),
        "### 2.3 Title": (2, 3, "Title"),
        "Step 4: Plain": (None, 4, "Plain"),
        "### 5. Numbered": (None, 5, "Numbered"),
    }
    for line, expected in cases.items():
        found = step_heading(line)
        assert found is not None, line
        assert (found.phase, found.number, found.title) == expected, line
    for line in [
        "2.3 seconds is the budget",
        "1. first criterion",
        "**1. bold item**",
        "Step 3.12 is a version",
    ]:
        assert step_heading(line) is None, line
