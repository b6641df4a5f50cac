"""Lean, requirement-aware prompts: each stage quotes what it needs, once, and nothing else."""

from __future__ import annotations

from devussy.models import Phase, ProjectBrief, Requirement
from devussy.planner.complexity import assess_complexity
from devussy.stages import design, detail, handoff, plan
from devussy.stages.context import brief_block, phase_requirements, revision_block
from devussy.stages.inputs import DesignInput, DetailInput, HandoffInput, PlanInput
from tests import samples

REQUIREMENTS = [
    Requirement(id="R1", text="Members book climbing classes"),
    Requirement(id="R2", text="The Postgres database already exists", kind="constraint"),
    Requirement(id="R3", text="Stripe payments", kind="integration"),
    Requirement(id="R4", text="No mobile app", kind="non_goal"),
    Requirement(id="R5", text="Instructors publish the schedule"),
]
BRIEF = samples.BRIEF.model_copy(
    update={"requirements": REQUIREMENTS, "deployment": "Fly.io", "team_size": 2}
)
DESIGN = samples.design().model_copy(
    update={"requirements": REQUIREMENTS, "brief": BRIEF, "complexity": assess_complexity(BRIEF)}
)
PLAN = samples.plan(3).model_copy(
    update={
        "requirements": REQUIREMENTS,
        "tech_stack": DESIGN.tech_stack,
        "brief": BRIEF,
        "complexity": DESIGN.complexity,
        "phases": [
            samples.phase(1).model_copy(update={"requirements": ["R1"]}),
            samples.phase(2).model_copy(update={"requirements": ["R3", "R5"]}),
            samples.phase(3),
        ],
    }
)


def user(messages: list[object]) -> str:
    return messages[1].content  # type: ignore[attr-defined,no-any-return]


def test_the_brief_block_lists_the_idea_stated_fields_and_numbered_requirements() -> None:
    block = brief_block(BRIEF)
    assert block.startswith(BRIEF.summary)
    assert "Languages: Python; TypeScript" in block and "Data stores: PostgreSQL" in block
    assert "Deployment: Fly.io" in block and "Team size: 2" in block
    assert "Integrations" not in block  # empty fields are left out
    assert "Requirements stated so far (keep their ids):\n- R1 (feature): Members book" in block
    assert "- R4 (non-goal): No mobile app" in block
    assert brief_block(ProjectBrief(name="X", summary="An idea.")) == "An idea."


def test_the_design_prompt_quotes_the_brief_once_and_no_json() -> None:
    text = user(design.STAGE.messages(DesignInput(brief=BRIEF, complexity=assess_complexity(BRIEF))))
    assert text.count(BRIEF.summary) == 1 and "```json" not in text and '"complexity"' not in text


def test_the_plan_prompt_quotes_the_design_in_its_format_with_the_requirements() -> None:
    text = user(plan.STAGE.messages(PlanInput(design=DESIGN)))
    assert design.render_design(DESIGN).strip() in text
    assert "- R3 (integration, brief): Stripe payments" in text
    assert "every feature and integration requirement needs a phase" in text
    assert BRIEF.summary not in text  # the design stands for the brief
    assert "```json" not in text


def test_a_phase_detail_prompt_quotes_its_requirements_the_constraints_and_the_design_context() -> None:
    text = user(detail.STAGE.messages(DetailInput(plan=PLAN, phase_number=2, design=DESIGN)))
    assert text.startswith('Detail Phase 2: Part 2 – build of "TaskFlow" in about')
    covers = text.split("## Requirements this phase covers\n\n", 1)[1].split("\n\n", 1)[0]
    assert covers == "- R3 (integration): Stripe payments\n- R5 (feature): Instructors publish the schedule"
    assert "R1 (feature)" not in text  # phase 1's requirement is not phase 2's job
    assert "- R2 (constraint): The Postgres database already exists\n- R4 (non-goal): No mobile app" in text
    assert "- Phase 2: Part 2 – build (R3, R5)  ← this phase" in text
    assert f"## Architecture\n\n{DESIGN.architecture}" in text
    assert f"## Data model\n\n{DESIGN.data_model}" in text
    assert "## Tech stack\n\n- Python 3.12 — FastAPI backend" in text
    assert BRIEF.summary not in text and "```json" not in text and "Depends on: 1" in text


def test_a_detail_prompt_does_not_grow_with_the_other_phases_steps() -> None:
    lean = user(detail.STAGE.messages(DetailInput(plan=PLAN, phase_number=2)))
    busy = PLAN.with_phase(samples.detailed(PLAN.phase(1), 6)).with_phase(samples.detailed(PLAN.phase(3), 6))
    assert user(detail.STAGE.messages(DetailInput(plan=busy, phase_number=2))) == lean
    assert "## Architecture" not in lean  # no design given: nothing invented


def test_phase_requirements_split_what_to_cover_from_what_to_respect() -> None:
    phase = Phase(number=9, title="x", summary="x", requirements=["R2", "R3"])
    cited, guarded = phase_requirements(PLAN, phase)
    assert [r.id for r in cited] == ["R3"] and [r.id for r in guarded] == ["R2", "R4"]


def test_the_handoff_prompt_quotes_an_outline_the_start_phase_and_the_coverage_flags() -> None:
    detailed = PLAN.with_phase(samples.detailed(PLAN.phase(1))).with_phase(samples.detailed(PLAN.phase(2)))
    text = user(handoff.STAGE.messages(HandoffInput(design=DESIGN, plan=detailed)))
    assert "  - Step 2.1: Step 1 of Part 2 – build (test: `pytest tests/test_part2.py -k piece1 -q`)" in text
    assert "## Where to start\n\n## Phase 1: Part 1 – build" in text
    assert "Implement piece 1 of phase 1" in text and "Implement piece 1 of phase 2" not in text
    assert "- R1 is uncovered: Members book climbing classes" in text
    assert "```json" not in text and DESIGN.architecture not in text


def test_empty_design_parts_get_no_heading_in_the_handoff_and_detail_prompts() -> None:
    sparse = DESIGN.model_copy(update={"testing_strategy": " ", "data_model": ""})
    detailed = PLAN.with_phase(samples.detailed(PLAN.phase(1)))
    handoff_text = user(handoff.STAGE.messages(HandoffInput(design=sparse, plan=detailed)))
    assert "## Tech stack" in handoff_text and "## Testing strategy" not in handoff_text
    detail_text = user(detail.STAGE.messages(DetailInput(plan=PLAN, phase_number=1, design=sparse)))
    assert "## Architecture" in detail_text and "## Data model" not in detail_text


def test_the_early_handoff_says_the_details_are_still_being_written_and_flags_only_contradictions() -> None:
    detailed = PLAN.with_phase(samples.detailed(PLAN.phase(1)))
    text = user(handoff.STAGE.messages(HandoffInput(design=DESIGN, plan=detailed, details_complete=False)))
    assert "## Plan (the phases are still being detailed" in text
    assert "is uncovered" not in text  # a step still streaming may cover it


def test_a_revision_quotes_the_instruction_and_the_previous_version() -> None:
    assert revision_block(None, "old", "plan") == ""
    block = revision_block("Add  a waitlist\nplease", "# Development Plan: X", "plan")
    assert "> Add a waitlist please" in block
    assert "<<<previous plan\n# Development Plan: X\nprevious plan>>>" in block
    previous = samples.plan(3)
    text = user(plan.STAGE.messages(PlanInput(design=DESIGN, instruction="Split phase 2", previous=previous)))
    assert text.endswith("previous plan>>>") and plan.render_plan(previous).strip() in text
    steps = PLAN.with_phase(samples.detailed(PLAN.phase(2)))
    text = user(detail.STAGE.messages(DetailInput(plan=steps, phase_number=2, instruction="Fewer steps")))
    assert "> Fewer steps" in text and "### Step 2.1:" in text
    assert "### Step 2.1:" not in user(detail.STAGE.messages(DetailInput(plan=steps, phase_number=2)))
