"""The design review's rule checks: each rule fires on the design that breaks it, and only then."""

from __future__ import annotations

from devussy.models import ProjectBrief, ProjectDesign, Requirement
from devussy.review import check_design
from devussy.review.rules import addressed
from tests import samples

BRIEF = ProjectBrief(
    name="TaskFlow",
    summary="A small team task tracker with a REST API and a web UI.",
    languages=["Python"],
    frameworks=["FastAPI"],
    data_stores=["PostgreSQL"],
)


def design(**changes: object) -> ProjectDesign:
    base = ProjectDesign(
        project_name="TaskFlow",
        summary="TaskFlow lets small teams track tasks through a FastAPI service in Python.",
        objectives=["Create, assign and close tasks"],
        tech_stack=["Python 3.12", "FastAPI — HTTP API", "PostgreSQL 16 — primary store"],
        architecture="A FastAPI service in front of PostgreSQL.",
        brief=BRIEF,
    )
    return base.model_copy(update=changes)


def rules(found: list[object]) -> list[str]:
    return [finding.rule for finding in found]  # type: ignore[attr-defined]


def test_a_design_that_follows_its_brief_passes() -> None:
    assert check_design(design()) == []


def test_requirements_must_be_addressed_somewhere() -> None:
    requirements = [
        Requirement(id="R1", text="Assign tasks to team members", kind="feature"),
        Requirement(id="R2", text="Export monthly invoices as PDF", kind="feature"),
        Requirement(id="R3", text="Notify owners by Slack", kind="integration"),
        Requirement(id="R4", text="Keep audit history forever", kind="feature"),
    ]
    text = "Tasks are assigned to members of a team. Invoices: see R4's note? no — R4 is handled in the log."
    found = check_design(design(requirements=requirements, architecture=text))
    assert [(f.rule, f.requirement) for f in found] == [
        ("requirement_not_addressed", "R2"),
        ("requirement_not_addressed", "R3"),  # names Slack, which the design never uses
    ]
    assert "Export monthly invoices as PDF" in found[0].message


def test_addressed_reads_stems_ids_and_named_technologies() -> None:
    requirement = Requirement(id="R7", text="Send notifications when a task is overdue", kind="feature")
    assert addressed(requirement, "A worker notifies owners of overdue tasks.")
    assert not addressed(requirement, "A REST API for projects.")
    assert addressed(requirement, "The scheduler covers R7.")
    stripe = Requirement(id="R8", text="Take payments with Stripe", kind="integration")
    assert not addressed(stripe, "Payments are taken by card.") and addressed(stripe, "Stripe Checkout")


def test_constraints_and_non_goals_must_not_be_contradicted() -> None:
    requirements = [
        Requirement(id="R1", text="No mobile app", kind="non_goal"),
        Requirement(id="R2", text="Runs entirely offline", kind="constraint"),
    ]
    fine = design(requirements=requirements)
    assert check_design(fine) == []
    broken = design(requirements=requirements, tech_stack=[*fine.tech_stack, "React Native mobile app"])
    found = check_design(broken)
    assert [(f.rule, f.requirement) for f in found] == [("requirement_contradicted", "R1")]


def test_the_brief_technologies_are_used_and_not_replaced() -> None:
    stack = ["Python 3.12", "Django 5 — web framework", "MongoDB"]
    found = check_design(
        design(tech_stack=stack, summary="TaskFlow in Python.", architecture="Django views over MongoDB.")
    )
    assert rules(found) == [
        "brief_technology_missing",
        "brief_technology_missing",
        "technology_conflict",
        "technology_conflict",
    ]
    messages = " | ".join(f.message for f in found)
    assert "the brief names PostgreSQL" in messages and "the brief names FastAPI" in messages
    assert "MongoDB where the brief asks for PostgreSQL" in messages
    assert "Django where the brief asks for FastAPI" in messages


def test_a_store_for_tests_only_is_no_conflict() -> None:
    assert check_design(design(tech_stack=[*design().tech_stack, "SQLite for local tests"])) == []


def test_services_need_a_reason_in_the_brief_or_the_design() -> None:
    stack = [*design().tech_stack, "Redis", "Kafka — event bus", "Kubernetes"]
    found = check_design(design(tech_stack=stack))
    assert rules(found) == ["unjustified_service"] * 3
    assert found[0].message.startswith("Redis is in the tech stack, but neither the brief nor the design")

    explained = design(
        tech_stack=stack,
        architecture="A FastAPI service over PostgreSQL. Redis caches the task board for low latency. "
        "Kafka carries task events to the notification worker.",
    )
    assert [f.message.split()[0] for f in check_design(explained)] == ["Kubernetes"]
    summary = "A task tracker for millions of users with high availability."
    asked = BRIEF.model_copy(update={"summary": summary})
    assert rules(check_design(explained.model_copy(update={"brief": asked}))) == []


def test_the_sample_design_is_checked_against_its_brief() -> None:
    found = check_design(samples.design(), samples.BRIEF)
    assert [f.message for f in found] == ["the brief names TypeScript, but the design does not use it"]
