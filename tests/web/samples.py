"""Small valid domain objects for web/API tests."""

from __future__ import annotations

from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Risk, Step


def brief() -> ProjectBrief:
    return ProjectBrief(
        name="Todo API",
        summary="A small REST API for todo lists with user accounts.",
        languages=["Python"],
        frameworks=["FastAPI"],
        integrations=["Stripe"],
    )


def design() -> ProjectDesign:
    return ProjectDesign(
        project_name="Todo API",
        summary="A REST API for todo lists.",
        objectives=["Let users manage todo lists"],
        tech_stack=["Python", "FastAPI", "PostgreSQL"],
        architecture="A FastAPI service in front of PostgreSQL.",
        data_model="users(id, email); todos(id, user_id, title, done)",
        risks=[Risk(risk="Scope creep", mitigation="Ship the core first")],
        testing_strategy="pytest with a test database.",
        brief=brief(),
    )


def phase(number: int, *, steps: int = 0) -> Phase:
    return Phase(
        number=number,
        title=f"Phase {number} work",
        summary=f"What phase {number} delivers.",
        depends_on=list(range(1, number)),
        steps=[
            Step(
                id=f"{number}.{index}",
                title=f"Step {index}",
                details="Do the thing.",
                acceptance_criteria=["It works"],
                test_command="pytest -q",
            )
            for index in range(1, steps + 1)
        ],
    )


def plan(phases: int = 3) -> DevPlan:
    return DevPlan(
        project_name="Todo API",
        summary="Build the todo API in phases.",
        phases=[phase(n) for n in range(1, phases + 1)],
        tech_stack=["Python"],
    )


def handoff() -> Handoff:
    return Handoff(
        project_name="Todo API",
        prompt="# Handoff\nStart with phase 1, step 1.1.",
        start_phase=1,
        start_step="1.1",
    )
