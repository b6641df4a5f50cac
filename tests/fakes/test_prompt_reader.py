"""The fake model reads back what each lean prompt quotes."""

from __future__ import annotations

from devussy.planner.complexity import assess_complexity
from devussy.stages import design, detail, handoff, plan
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput
from tests.fakes.prompt_reader import (
    read_design_prompt,
    read_detail_prompt,
    read_handoff_prompt,
    read_plan_prompt,
)
from tests.stages.test_context import BRIEF, DESIGN, PLAN


def user(messages: list[object]) -> str:
    return messages[1].content  # type: ignore[attr-defined,no-any-return]


def test_the_design_prompt_gives_back_the_brief() -> None:
    stage_input = DesignInput(brief=BRIEF, complexity=assess_complexity(BRIEF))
    read = read_design_prompt(user(design.STAGE.messages(stage_input)))
    assert read.brief == BRIEF
    assert (read.complexity.level, read.complexity.phase_count) == (
        stage_input.complexity.level,
        stage_input.complexity.phase_count,
    )


def test_the_plan_prompt_gives_back_the_design() -> None:
    read = read_plan_prompt(user(plan.STAGE.messages(PlanInput(design=DESIGN, instruction="More tests"))))
    expected = DESIGN.model_copy(update={"brief": None, "complexity": None})
    assert read.design.model_copy(update={"complexity": None}) == expected
    assert read.design.complexity is not None and DESIGN.complexity is not None
    assert read.design.complexity.phase_count == DESIGN.complexity.phase_count


def test_the_detail_prompt_gives_back_the_phase_its_requirements_and_the_outline() -> None:
    stage_input = DetailInput(plan=PLAN, phase_number=2, design=DESIGN, plan_complete=False)
    read = read_detail_prompt(user(detail.STAGE.messages(stage_input)))
    assert read.phase_number == 2 and read.plan_complete is False
    assert read.phase == PLAN.phase(2)
    assert [r.id for r in read.plan.requirements] == ["R2", "R3", "R4", "R5"]
    assert [(p.number, p.title) for p in read.plan.phases] == [(p.number, p.title) for p in PLAN.phases]
    assert read.plan.tech_stack == PLAN.tech_stack
    assert read.design is not None and read.design.architecture == DESIGN.architecture


def test_the_handoff_prompt_gives_back_the_outline_and_the_start_phase() -> None:
    from tests import samples

    detailed = PLAN.with_phase(samples.detailed(PLAN.phase(1))).with_phase(samples.detailed(PLAN.phase(2)))
    read = read_handoff_prompt(user(handoff.STAGE.messages(HandoffInput(design=DESIGN, plan=detailed))))
    assert read.plan.phase(1).steps == detailed.phase(1).steps
    assert [s.id for s in read.plan.phase(2).steps] == ["2.1", "2.2"]
    assert read.design.tech_stack == DESIGN.tech_stack
