from __future__ import annotations

import pytest

from devussy.models import (
    ComplexityFactor,
    ComplexityProfile,
    DevPlan,
    Handoff,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Risk,
    Step,
)


def make_step(phase: int, n: int, title: str | None = None, **extra: object) -> Step:
    return Step(
        id=f"{phase}.{n}",
        title=title or f"Step {n} of phase {phase}",
        details=f"Do the work for {phase}.{n}.\n\n- sub point\n- `code` point",
        acceptance_criteria=[f"criterion A for {phase}.{n}", "tests pass"],
        test_command="pytest -q tests/",
        depends_on=[f"{phase}.{n - 1}"] if n > 1 else [],
        **extra,
    )


@pytest.fixture
def design() -> ProjectDesign:
    return ProjectDesign(
        project_name="Recipe Box",
        summary="A small web app to store and search recipes.",
        objectives=["Store recipes", "Search by ingredient"],
        tech_stack=["Python", "FastAPI", "PostgreSQL"],
        architecture="A FastAPI service in front of PostgreSQL.",
        data_model="Recipe(id, title, ingredients[])",
        risks=[Risk(risk="Search is slow", mitigation="Use a GIN index")],
        testing_strategy="pytest with a disposable database.",
        brief=ProjectBrief(name="Recipe Box", summary="store recipes"),
        complexity=ComplexityProfile(
            score=35,
            level="standard",
            factors=[ComplexityFactor(name="data store", points=10, reason="PostgreSQL")],
            phase_count=3,
            depth=3,
        ),
    )


@pytest.fixture
def plan() -> DevPlan:
    return DevPlan(
        project_name="Recipe Box",
        summary="Build the recipe box in three phases.",
        tech_stack=["Python", "FastAPI", "PostgreSQL"],
        phases=[
            Phase(
                number=1,
                title="Foundation",
                summary="Repo, CI, skeleton.",
                steps=[make_step(1, n) for n in range(1, 4)],
            ),
            Phase(
                number=2,
                title="Storage",
                summary="Schema and persistence.",
                depends_on=[1],
                steps=[make_step(2, n) for n in range(1, 5)],
            ),
            Phase(
                number=3,
                title="Search",
                summary="Ingredient search.",
                depends_on=[1, 2],
                steps=[make_step(3, n) for n in range(1, 3)],
            ),
        ],
    )


@pytest.fixture
def handoff() -> Handoff:
    return Handoff(
        project_name="Recipe Box",
        prompt="## Start here\n\nRead devplan.md, then begin with step 1.1.",
        start_phase=1,
        start_step="1.1",
    )
