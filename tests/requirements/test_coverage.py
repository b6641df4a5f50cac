from __future__ import annotations

from devussy.models import DevPlan, Phase, Requirement, Step
from devussy.requirements.coverage import check_coverage, summary_line

REQUIREMENTS = [
    Requirement(id="R1", text="Members book climbing classes"),
    Requirement(id="R2", text="The Postgres database already exists", kind="constraint"),
    Requirement(id="R3", text="Stripe payments", kind="integration"),
    Requirement(id="R4", text="No mobile app", kind="non_goal"),
    Requirement(id="R5", text="Pages load in under a second", kind="quality"),
]


def step(
    step_id: str, title: str, details: str = "Do it.", covers: tuple[str, ...] = (), **extra: object
) -> Step:
    fields: dict[str, object] = {"acceptance_criteria": ["works"], "test_command": "pytest -q", **extra}
    return Step(id=step_id, title=title, details=details, covers=list(covers), **fields)


def plan(*phases: Phase) -> DevPlan:
    return DevPlan(project_name="Gym", summary="s", phases=list(phases), requirements=REQUIREMENTS)


def statuses(report: object) -> dict[str, str]:
    return {entry.id: entry.status for entry in report.requirements}  # type: ignore[attr-defined]


def test_after_the_basic_plan_cited_requirements_are_planned_and_the_rest_uncovered() -> None:
    report = check_coverage(
        plan(
            Phase(number=1, title="Booking", summary="s", requirements=["R1"]),
            Phase(number=2, title="Pay", summary="s", requirements=["R4"]),
        )
    )
    assert statuses(report) == {
        "R1": "planned",
        "R2": "respected",
        "R3": "uncovered",
        "R4": "respected",
        "R5": "uncovered",
    }
    assert report.pending_phases == [1, 2]
    assert not report.ok  # R3, an integration, is cited nowhere


def test_after_details_steps_cover_and_violations_are_found_in_code() -> None:
    report = check_coverage(
        plan(
            Phase(
                number=1,
                title="Core",
                summary="s",
                requirements=["R1", "R2", "R3"],
                steps=[
                    step(
                        "1.1",
                        "Map the existing database",
                        "Introspect the existing tables. Do not write migrations.",
                        ("R2",),
                    ),
                    step("1.2", "Book a class", "Members pick a class and a time.", ("R1",)),
                    step("1.3", "Create the schema", "Create the database schema for classes.", ("R1",)),
                    step(
                        "1.4",
                        "Charge with Stripe Checkout",
                        covers=("R3",),
                        test_command=None,
                        acceptance_criteria=[],
                    ),
                    step("1.5", "Build the mobile app", covers=("R1",)),
                ],
            )
        )
    )
    assert statuses(report) == {
        "R1": "covered",
        "R2": "violated",
        "R3": "covered",
        "R4": "violated",
        "R5": "uncovered",
    }
    assert [(v.requirement, v.step, v.rule) for v in report.violations] == [
        ("R2", "1.3", "existing_database"),
        ("R4", "1.5", "non_goal"),
    ]
    assert [(g.step, g.missing) for g in report.gaps] == [("1.4", ["acceptance_criteria", "test_command"])]
    assert not report.ok
    line = summary_line(report)
    assert (
        "2/3 requirements covered" in line
        and "R2 by step 1.3" in line
        and "1 step(s) without a test command" in line
    )


def test_a_plan_that_covers_everything_is_ok_and_quality_gaps_do_not_fail_it() -> None:
    report = check_coverage(
        plan(
            Phase(
                number=1,
                title="Core",
                summary="s",
                steps=[
                    step("1.1", "Book a class", covers=("R1",)),
                    step("1.2", "Stripe Checkout", covers=("R3",)),
                ],
            )
        )
    )
    assert report.ok
    assert statuses(report)["R5"] == "uncovered"


def test_without_requirements_there_is_nothing_to_cover_and_no_covers_gap() -> None:
    bare = DevPlan(
        project_name="x",
        summary="s",
        phases=[Phase(number=1, title="a", summary="s", steps=[step("1.1", "t")])],
    )
    report = check_coverage(bare)
    assert report.requirements == [] and report.gaps == [] and report.ok


def test_a_step_that_sends_data_to_a_hosted_model_violates_a_no_third_party_limit() -> None:
    requirements = [
        Requirement(id="R1", text="Tags each ticket with a topic"),
        Requirement(id="R2", text="Ticket text must never be sent to a third-party API", kind="constraint"),
    ]
    steps = [
        step("1.1", "Topic tags", "Ask the OpenAI chat API for a topic per ticket.", ("R1",)),
        step(
            "1.2",
            "Local topic model",
            "Run a small local model in-process; nothing leaves the host.",
            ("R1",),
        ),
    ]
    report = check_coverage(
        DevPlan(
            project_name="Tags",
            summary="s",
            phases=[Phase(number=1, title="Core", summary="s", requirements=["R1", "R2"], steps=steps)],
            requirements=requirements,
        )
    )
    assert [(v.requirement, v.step, v.rule) for v in report.violations] == [
        ("R2", "1.1", "no_external_processing")
    ]
