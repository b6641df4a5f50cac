from __future__ import annotations

from devussy.events import PhaseAnnounced, ProgressEvent, RepairRequested
from devussy.llm.base import ChatRequest
from devussy.pipeline.generation import generate
from devussy.stages.inputs import PlanInput
from devussy.stages.parsing import FormatError
from devussy.stages.plan import STAGE, parse_plan, phase_heading, render_plan
from devussy.streaming import CollectingStreamingHandler
from tests import samples
from tests.pipeline.scripted import Scripted


class TimelineSink(CollectingStreamingHandler):
    """Records, for each phase event, how much text had streamed when it was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.phase_at: list[tuple[int, int]] = []

    async def on_progress_async(self, event: ProgressEvent) -> None:
        await super().on_progress_async(event)
        if isinstance(event, PhaseAnnounced):
            self.phase_at.append((event.phase.number, len(self.text)))


async def test_phases_are_announced_while_the_plan_streams() -> None:
    plan = samples.plan(4)
    text = render_plan(plan)
    provider = Scripted(lambda request: text, words_per_chunk=1)
    sink = TimelineSink()
    design = samples.design().model_copy(update={"brief": samples.BRIEF, "complexity": samples.COMPLEXITY})
    result = await generate(STAGE, provider.settings(), PlanInput(design=design), sink)

    assert [number for number, _ in sink.phase_at] == [1, 2, 3, 4]
    for number, streamed in sink.phase_at[:-1]:
        # announced once the next heading line arrived, long before the end
        next_heading = text.index(f"## Phase {number + 1}:")
        assert next_heading < streamed < len(text)
        assert streamed < text.index("Depends on", next_heading)  # before the next phase is through
    assert sink.phase_at[-1][1] == len(text)  # the last one only at the end
    announced = [e.phase for e in sink.progress if isinstance(e, PhaseAnnounced)]
    assert announced == plan.phases
    assert result.value.phases == plan.phases
    assert result.value.brief == samples.BRIEF and result.value.complexity == samples.COMPLEXITY
    assert result.value.tech_stack == design.tech_stack
    assert sink.completions == [text]


async def test_prompt_asks_for_the_complexity_phase_count() -> None:
    provider = Scripted(lambda request: render_plan(samples.plan(3)))
    design = samples.design().model_copy(update={"complexity": samples.COMPLEXITY})
    await generate(STAGE, provider.settings(), PlanInput(design=design), CollectingStreamingHandler())
    request: ChatRequest = provider.requests[0]
    assert request.messages[0].content.startswith("Devussy stage: basic_plan")
    assert "with 3 phases" in request.messages[1].content
    assert request.task == PlanInput(design=design)
    assert request.model == "scripted-model"


async def test_repair_does_not_announce_unchanged_phases_twice() -> None:
    broken = render_plan(samples.plan(2)).replace("## Phase 2:", "## Phase 3:")  # a gap: phase 2 missing
    answers = [broken, render_plan(samples.plan(2))]
    provider = Scripted(lambda request: answers.pop(0))
    sink = CollectingStreamingHandler()
    await generate(STAGE, provider.settings(), PlanInput(design=samples.design()), sink)
    events = [type(e) for e in sink.progress]
    assert events == [PhaseAnnounced, RepairRequested, PhaseAnnounced]  # phase 2 again after the repair


def test_phase_heading_styles() -> None:
    cases = {
        "## Phase 1: Setup": (1, "Setup"),
        "### Phase 2 – API & auth": (2, "API & auth"),
        "**Phase 3 — UI**": (3, "UI"),
        "**Phase 4: Ship:**": (4, "Ship"),
        "Phase 5: Plain line": (5, "Plain line"),
        "### 6. Numbered heading": (6, "Numbered heading"),
        "## Stage 7) Release": (7, "Release"),
        "#### **Phase 8:** Bold label": (8, "Bold label"),
    }
    for line, (number, title) in cases.items():
        found = phase_heading(line)
        assert found is not None, line
        assert (found.number, found.title) == (number, title), line
    for line in [
        "1. a numbered list item",
        "Phase 3.12 is the version",
        "We start phase 2 soon.",
        "",
        "## Summary",
    ]:
        assert phase_heading(line) is None, line


def test_unknown_dependencies_are_dropped_and_missing_title_uses_design() -> None:
    plan = parse_plan("## Phase 1: A\n\nDo A.\n\nDepends on: 7\n", project_name="P", summary="S")
    assert plan.project_name == "P" and plan.summary == "S" and plan.phases[0].depends_on == []


def test_errors_name_the_phase() -> None:
    try:
        parse_plan("# Development Plan: X\n\nIntro\n\n## Phase 1\n\n## Phase 2: B\n\nB.")
    except FormatError as exc:
        assert exc.errors == ["phase 1: phase 1 has no title: write '## Phase 1: <title>'"]
    else:
        raise AssertionError("expected a FormatError")
