"""Hand-made domain models for tests (one set for the whole suite), and a small deterministic planner
built from them."""

from __future__ import annotations

from devussy.models import (
    ChatTurn,
    ComplexityProfile,
    DevPlan,
    Handoff,
    InterviewReply,
    Phase,
    ProjectBrief,
    ProjectDesign,
    Requirement,
    Risk,
    Step,
)

BRIEF = ProjectBrief(
    name="TaskFlow",
    summary="A small team task tracker with a REST API and a web UI.",
    goals=["Track tasks", "Assign owners"],
    languages=["Python", "TypeScript"],
    frameworks=["FastAPI", "React"],
    data_stores=["PostgreSQL"],
)

COMPLEXITY = ComplexityProfile(score=30, level="standard", phase_count=3, depth=2)


def design(name: str = "TaskFlow") -> ProjectDesign:
    return ProjectDesign(
        project_name=name,
        summary="TaskFlow lets small teams track tasks.\n\nIt has an API and a web UI.",
        objectives=["Create, assign and close tasks", "p95 API latency under 200 ms"],
        tech_stack=["Python 3.12 — FastAPI backend", "PostgreSQL 16", "React + Vite front end"],
        architecture=(
            "A FastAPI service behind a reverse proxy.\n\n- `api/` — HTTP routes\n- `core/` — domain logic"
        ),
        data_model="User(id, email)\nTask(id, title, owner_id → User, status)",
        risks=[
            Risk(risk="Data loss", mitigation="Nightly pg_dump backups, restore tested monthly"),
            Risk(risk="Scope creep — too many features", mitigation="Freeze scope per phase"),
        ],
        testing_strategy="pytest for units, httpx for API tests, Playwright for the UI.",
    )


# A model's own requirement list for the sample design: a quality target, which no phase must cite, so
# a run on the samples asks for no coverage repair (without any list, requirements are extracted).
LISTED_REQUIREMENTS = [
    Requirement(id="R1", text="p95 API latency under 200 ms", kind="quality", source="design")
]


def listed_design(name: str = "TaskFlow") -> ProjectDesign:
    """The sample design as a model answers it: with its ``## Requirements`` section."""
    return design(name).model_copy(update={"requirements": LISTED_REQUIREMENTS})


def phase_outline(number: int, depends_on: list[int] | None = None) -> Phase:
    return Phase(
        number=number,
        title=f"Part {number} – build",
        summary=f"Build part {number} of TaskFlow and test it.",
        depends_on=depends_on if depends_on is not None else ([number - 1] if number > 1 else []),
    )


def phase(number: int, *, steps: int = 0) -> Phase:
    """Phase ``number`` of the sample plan, with ``steps`` detailed steps."""
    outline = phase_outline(number)
    return detailed(outline, steps) if steps else outline


def plan(phase_count: int = 3, name: str = "TaskFlow") -> DevPlan:
    return DevPlan(
        project_name=name,
        summary="Build the API first, then the UI, then ship.",
        phases=[phase_outline(n) for n in range(1, phase_count + 1)],
    )


def detailed(phase: Phase, steps: int = 2) -> Phase:
    return phase.model_copy(
        update={
            "steps": [
                Step(
                    id=f"{phase.number}.{i}",
                    title=f"Step {i} of {phase.title}",
                    details=f"Implement piece {i} of phase {phase.number} in `src/part{phase.number}.py`.",
                    acceptance_criteria=[f"piece {i} works", "tests pass"],
                    test_command=f"pytest tests/test_part{phase.number}.py -k piece{i} -q",
                    depends_on=[f"{phase.number}.{i - 1}"] if i > 1 else [],
                )
                for i in range(1, steps + 1)
            ]
        }
    )


def handoff(name: str = "TaskFlow") -> Handoff:
    return Handoff(
        project_name=name,
        prompt="You are continuing TaskFlow.\n\n## Where to start\n\nOpen `phase1.md` and do step 1.1.",
        start_phase=1,
        start_step="1.1",
    )


class SamplePlanner:
    """Stands in for devussy.planner.OfflinePlanner where a test needs a predictable engine."""

    def __init__(self, phase_count: int = 3) -> None:
        self.phase_count = phase_count

    def interview(self, history: list[ChatTurn], user_input: str) -> InterviewReply:
        if "done" in user_input.lower():
            return InterviewReply(reply="Thanks, here is your brief.", brief=BRIEF)
        return InterviewReply(reply=f"You said {len(history) + 1} things. What should it be called?")

    def design(self, brief: ProjectBrief) -> ProjectDesign:
        return design(brief.name)

    def basic_plan(self, design_: ProjectDesign) -> DevPlan:
        return plan(self.phase_count, design_.project_name)

    def phase_detail(self, plan_: DevPlan, phase_number: int, *, plan_complete: bool = True) -> Phase:
        return detailed(plan_.phase(phase_number))

    def handoff(self, design_: ProjectDesign, plan_: DevPlan) -> Handoff:
        return handoff(design_.project_name)
