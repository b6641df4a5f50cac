"""Which knowledge-base steps apply, and requirements a project-type step already builds."""

from __future__ import annotations

from devussy.models import ProjectBrief
from devussy.planner.domain import stem
from devussy.planner.engine import design_requirements, plan_analysis
from devussy.planner.knowledge import StepTemplate, knowledge
from devussy.planner.requirement_map import build_map
from devussy.planner.templates import absorbed_units, applies, content_stems

OPERATOR = ProjectBrief(
    name="backup-operator",
    summary=(
        "A Kubernetes operator in Go that manages PostgreSQL backup schedules: a BackupSchedule custom "
        "resource, a reconcile loop that creates CronJobs, and it reports status conditions."
    ),
)


def test_a_step_applies_by_type_technology_and_flags() -> None:
    analysis = plan_analysis(OPERATOR, design_requirements(OPERATOR))
    step = StepTemplate(phase="core", title="T", details="D", acceptance=["A"], command="{test}")
    assert applies(step, analysis)
    assert not applies(step.model_copy(update={"when_types": ["cli"]}), analysis)
    assert not applies(step.model_copy(update={"unless_types": ["operator"]}), analysis)
    assert applies(step.model_copy(update={"when_all": ["go"]}), analysis)
    assert not applies(step.model_copy(update={"unless": ["go"]}), analysis)


def test_content_stems_leave_out_placeholders_and_small_words() -> None:
    expected = {stem(w) for w in ("status", "conditions", "events")}
    assert content_stems("Status conditions and events for {name}") == expected


def test_requirements_the_operator_steps_already_build_are_absorbed() -> None:
    requirements = design_requirements(OPERATOR)
    analysis = plan_analysis(OPERATOR, requirements)
    rmap = build_map(requirements)
    absorbed = {rmap.unit(k).words.text: step.title for k, step in absorbed_units(analysis, rmap).items()}
    assert absorbed["BackupSchedule custom resource"] == "Custom resource types with validation and defaults"
    assert absorbed["reports status conditions"] == "Status conditions and events"
    kb = knowledge()
    assert all(s in kb.project_types["operator"].steps for s in absorbed_units(analysis, rmap).values())


def test_nothing_is_absorbed_without_two_shared_words() -> None:
    brief = ProjectBrief(name="Crux", summary="A Django app where members book climbing gym classes.")
    requirements = design_requirements(brief)
    assert absorbed_units(plan_analysis(brief, requirements), build_map(requirements)) == {}
