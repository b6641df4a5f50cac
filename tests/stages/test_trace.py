from __future__ import annotations

import pytest
from pydantic import ValidationError

from devussy.models import DevPlan, Phase, Requirement, Step
from devussy.stages.trace import (
    amend_phase_prompt,
    amend_phases,
    amend_plan_prompt,
    amend_steps,
    known_citations,
    phase_coverage,
    phase_problems,
    plan_coverage,
    plan_problems,
)

REQUIREMENTS = [
    Requirement(id="R1", text="Members book climbing classes"),
    Requirement(id="R2", text="The Postgres database already exists", kind="constraint"),
    Requirement(id="R3", text="Stripe payments", kind="integration"),
    Requirement(id="R4", text="Pages load in under a second", kind="quality"),
    Requirement(id="R5", text="Instructors publish the class schedule"),
]


def step(step_id: str, title: str, details: str = "Do it.", covers: tuple[str, ...] = ()) -> Step:
    return Step(id=step_id, title=title, details=details, covers=list(covers), test_command="pytest -q")


def phase(number: int, cites: list[str], steps: list[Step] | None = None, title: str = "Core") -> Phase:
    return Phase(number=number, title=title, summary="Build it.", requirements=cites, steps=steps or [])


def plan(*phases: Phase) -> DevPlan:
    return DevPlan(project_name="Gym", summary="s", phases=list(phases), requirements=REQUIREMENTS)


def test_plan_problems_name_each_uncited_feature_and_integration_requirement() -> None:
    problems = plan_problems(plan(phase(1, ["R1"]), phase(2, ["R2"])))
    assert len(problems) == 2  # R3 and R5; R2 (constraint) and R4 (quality) need no phase
    assert problems[0].startswith('R3 (integration: "Stripe payments") is cited by no phase')
    assert "add R3 to the `Requirements:` line" in problems[0]
    assert problems[1].startswith('R5 (feature: "Instructors publish the class schedule")')


def test_a_phase_contradicting_a_constraint_is_a_plan_problem() -> None:
    contradicting = Phase(
        number=2, title="Database schema", summary="Create the database schema and migrations.",
        requirements=["R1"],
    )
    problems = plan_problems(plan(phase(1, ["R1", "R3", "R5"]), contradicting))
    assert len(problems) == 1
    assert problems[0].startswith("phase 2 (Database schema) contradicts R2 (constraint:")
    assert problems[0].endswith("rewrite phase 2 so it respects R2")


def test_a_plan_without_requirements_has_no_problems_and_no_coverage() -> None:
    bare = DevPlan(project_name="Gym", summary="s", phases=[phase(1, [])])
    assert plan_problems(bare) == [] and plan_coverage(bare) is None


def test_a_phase_answers_only_for_the_requirements_it_cites() -> None:
    whole = plan(phase(1, ["R1"]), phase(2, ["R3", "R5"]))
    detailed = phase(1, ["R1"], [step("1.1", "Booking form")])
    problems = phase_problems(detailed, whole)
    assert len(problems) == 1  # R1 only: R3 and R5 are phase 2's
    assert problems[0].startswith('no step of phase 1 covers R1 (feature: "Members book climbing classes")')
    assert "`Covers: R1`" in problems[0]
    covered = phase(1, ["R1"], [step("1.1", "Booking form", covers=("R1",))])
    assert phase_problems(covered, whole) == []


def test_every_step_answers_for_every_constraint() -> None:
    whole = plan(phase(1, ["R1"]))
    detailed = phase(
        1, ["R1"],
        [step("1.1", "Booking form", covers=("R1",)), step("1.2", "Write the migrations", "Create tables.")],
    )
    problems = phase_problems(detailed, whole)
    assert len(problems) == 1
    assert problems[0].startswith("step 1.2 contradicts R2 (constraint: ")
    assert problems[0].endswith("rewrite step 1.2 so it respects R2")


def test_phase_coverage_is_scoped_to_the_phase_and_the_guarded_requirements() -> None:
    whole = plan(phase(1, ["R1", "R4"]), phase(2, ["R3", "R5"]))
    detailed = phase(1, ["R1", "R4"], [step("1.1", "Booking form", covers=("R1",))])
    report = phase_coverage(detailed, whole)
    assert report is not None
    statuses = {e.id: e.status for e in report.requirements}
    assert statuses == {"R1": "covered", "R2": "respected", "R4": "uncovered"}
    assert report.ok  # a quality target is reported, never a failure


def test_amend_steps_replaces_by_id_and_appends_new_ones() -> None:
    first = phase(2, ["R1"], [step("2.1", "One"), step("2.2", "Two")])
    changed = phase(2, ["R1"], [step("2.2", "Two, rewritten", covers=("R1",)), step("2.3", "Three")])
    amended = amend_steps(first, changed)
    titles = [(s.id, s.title) for s in amended.steps]
    assert titles == [("2.1", "One"), ("2.2", "Two, rewritten"), ("2.3", "Three")]
    with pytest.raises(ValueError, match="no step"):
        amend_steps(first, phase(2, ["R1"]))


def test_amend_phases_replaces_by_number_keeps_dependencies_and_drops_unknown_ids() -> None:
    first = plan(phase(1, ["R1"]), Phase(number=2, title="Pay", summary="s", depends_on=[1]))
    changed = [
        Phase(number=2, title="Pay", summary="s", depends_on=[1], requirements=["R3", "R9"]),
        Phase(number=3, title="Schedule", summary="s", depends_on=[2], requirements=["R5"]),
    ]
    amended = amend_phases(first, changed)
    assert [(p.number, p.requirements, p.depends_on) for p in amended.phases] == [
        (1, ["R1"], []),
        (2, ["R3"], [1]),
        (3, ["R5"], [2]),
    ]
    assert plan_problems(amended) == []
    with pytest.raises(ValueError, match="no phase"):
        amend_phases(first, [])


def test_amend_phases_refuses_a_dependency_cycle_it_would_create() -> None:
    first = plan(phase(1, ["R1"]), Phase(number=2, title="Pay", summary="s", depends_on=[1]))
    with pytest.raises(ValidationError):
        amend_phases(first, [Phase(number=2, title="Pay", summary="s", depends_on=[2])])


def test_known_citations_drop_ids_the_list_does_not_have() -> None:
    cited = phase(1, ["R1", "R7"], [step("1.1", "x", covers=("R1", "R8"))])
    [kept] = known_citations([cited], REQUIREMENTS)
    assert kept.requirements == ["R1"] and kept.steps[0].covers == ["R1"]


def test_amend_prompts_list_the_problems_and_the_next_free_number() -> None:
    prompt = amend_phase_prompt(phase(2, ["R1"], [step("2.1", "a"), step("2.2", "b")]), ["no step covers R1"])
    assert "- no step covers R1" in prompt
    assert "only the steps you add or change" in prompt and "2.3, 2.4" in prompt
    prompt = amend_plan_prompt(plan(phase(1, ["R1"]), phase(2, [])), ["R3 is cited by no phase"])
    assert "only the phases you add or change" in prompt and "3, 4" in prompt
