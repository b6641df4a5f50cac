from __future__ import annotations

from devussy.models import Requirement
from devussy.requirements.extract import extract_requirements
from devussy.stages.inputs import DesignInput, DetailInput, PlanInput
from devussy.stages.refine import instruction_requirements, offline_refinement
from tests import samples

EXISTING = [Requirement(id="R1", text="Track tasks"), Requirement(id="R3", text="Assign owners")]


def test_an_instruction_becomes_the_requirements_extraction_finds_in_it() -> None:
    added = instruction_requirements(EXISTING, "Add Stripe payments and a waitlist")[2:]
    assert [r.id for r in added] == ["R4", "R5", "R6"][: len(added)] and len(added) >= 2
    assert all(r.source == "interview" for r in added)
    assert any(r.kind == "integration" and "Stripe" in r.text for r in added)
    constraint = instruction_requirements(EXISTING, "The database already exists")[2:]
    assert [r.kind for r in constraint] == ["constraint"]


def test_an_instruction_already_in_the_list_adds_nothing() -> None:
    assert instruction_requirements(EXISTING, "track   tasks") == EXISTING


def test_offline_refinement_widens_the_list_each_stage_reads() -> None:
    design = samples.design().model_copy(update={"requirements": EXISTING})
    plan_input = offline_refinement(PlanInput(design=design, instruction="Export tasks as CSV"))
    assert [r.id for r in plan_input.design.requirements] == ["R1", "R3", "R4"]
    plan = samples.plan(3).model_copy(update={"requirements": EXISTING})
    asked = DetailInput(plan=plan, phase_number=2, instruction="Export tasks as CSV")
    detail_input = offline_refinement(asked)
    assert detail_input.phase.requirements == ["R4"] and detail_input.plan.requirements[-1].id == "R4"
    untouched = DesignInput(brief=samples.BRIEF, complexity=samples.COMPLEXITY)
    assert offline_refinement(untouched) is untouched


def test_a_design_refinement_keeps_the_list_it_revises() -> None:
    idea = samples.BRIEF.model_copy(update={"requirements": []})
    previous = samples.design().model_copy(update={"requirements": EXISTING})
    asked = DesignInput(
        brief=idea, complexity=samples.COMPLEXITY, instruction="Export tasks as CSV", previous=previous
    )
    assert [r.id for r in offline_refinement(asked).brief.requirements] == ["R1", "R3", "R4"]


def test_a_design_refinement_of_an_idea_alone_keeps_the_idea_s_requirements() -> None:
    idea = samples.BRIEF.model_copy(update={"requirements": []})
    asked = DesignInput(brief=idea, complexity=samples.COMPLEXITY, instruction="Export tasks as CSV")
    texts = [r.text for r in offline_refinement(asked).brief.requirements]
    assert texts == [*(r.text for r in extract_requirements(idea)), "Export tasks as CSV"]

