"""A scripted re-plan engine: answers each stage with what the test set up, and records the calls."""

from __future__ import annotations

from dataclasses import dataclass, field

from devussy.models import DevPlan, Handoff, Phase, ProjectBrief, ProjectDesign, Requirement, Risk
from tests.workspace.plans import step

NEW_REQUIREMENTS = [
    Requirement(id="R1", text="Search recipes by ingredient", kind="feature"),
    Requirement(id="R2", text="A shared design system", kind="feature"),
    Requirement(id="R3", text="Stripe payments", kind="integration"),
]


@dataclass
class ScriptedEngine:
    outline: list[Phase]
    details: dict[int, Phase]
    briefs: list[ProjectBrief] = field(default_factory=list)
    detail_calls: list[tuple[int, DevPlan]] = field(default_factory=list)

    async def design(self, brief: ProjectBrief) -> ProjectDesign:
        self.briefs.append(brief)
        return ProjectDesign(
            project_name="Recipe Box",
            summary="Design.",
            objectives=["o"],
            tech_stack=["Python"],
            architecture="a",
            data_model="d",
            risks=[Risk(risk="r", mitigation="m")],
            testing_strategy="t",
            requirements=NEW_REQUIREMENTS,
            brief=brief,
        )

    async def plan(self, design: ProjectDesign) -> DevPlan:
        return DevPlan(
            project_name="Recipe Box",
            summary="Store and search recipes.",
            phases=self.outline,
            requirements=NEW_REQUIREMENTS,
        )

    async def detail(self, plan: DevPlan, phase_number: int) -> Phase:
        self.detail_calls.append((phase_number, plan))
        return self.details[phase_number]

    async def handoff(self, design: ProjectDesign, plan: DevPlan) -> Handoff:
        return Handoff(project_name="Recipe Box", prompt="## How to work\n\nSmall steps.", start_phase=1)


def design_system_engine() -> ScriptedEngine:
    """A design-system phase first, Foundation unchanged, Search changed, Payments gone."""
    outline = [
        Phase(number=1, title="Design system", summary="Tokens and components.", requirements=["R2"]),
        Phase(number=2, title="Foundation", summary="Repository and CI.", depends_on=[1]),
        Phase(
            number=3,
            title="Search",
            summary="Ingredient search with a shared look.",
            depends_on=[2],
            requirements=["R1"],
        ),
    ]
    details = {
        1: Phase(
            number=1,
            title="Design system",
            summary="Tokens and components.",
            requirements=["R2"],
            steps=[step("1.1", "Design tokens", covers=("R2",)), step("1.2", "Component library", ("1.1",))],
        ),
        3: Phase(
            number=3,
            title="Search",
            summary="Ingredient search with a shared look.",
            depends_on=[2],
            steps=[step("3.1", "Index ingredients"), step("3.2", "Search API", ("3.1",), ("R1",))],
        ),
    }
    return ScriptedEngine(outline, details)
