"""A small plan with requirements, rendered by ``devussy.artifacts`` exactly as ``devussy plan`` writes it.

Phase 1 (1.1 → 1.2 → 1.3), phase 2 after phase 1 (2.1; 2.2 and 2.3 both after 2.1), phase 3 after
phase 1 only (3.1, 3.2). R1 (feature) is covered by 2.2, R2 (integration) by 3.2, R3 is a
constraint, R4 (quality) is covered by no step.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from devussy.artifacts import render_artifacts
from devussy.models import DevPlan, Handoff, Phase, Requirement, Step

NOW = datetime(2026, 5, 4, 10, 12)


def step(step_id: str, title: str, depends_on: tuple[str, ...] = (), covers: tuple[str, ...] = ()) -> Step:
    return Step(
        id=step_id,
        title=title,
        details=f"Details of {step_id}.",
        acceptance_criteria=[f"{step_id} works"],
        test_command=f"pytest -k s{step_id.replace('.', '_')}",
        depends_on=list(depends_on),
        covers=list(covers),
    )


def recipe_plan() -> DevPlan:
    return DevPlan(
        project_name="Recipe Box",
        summary="Store and search recipes.",
        requirements=[
            Requirement(id="R1", text="Search recipes by ingredient", kind="feature"),
            Requirement(id="R2", text="Stripe payments", kind="integration"),
            Requirement(id="R3", text="The Postgres database already exists", kind="constraint"),
            Requirement(id="R4", text="Pages load in under a second", kind="quality"),
        ],
        phases=[
            Phase(
                number=1,
                title="Foundation",
                summary="Repository and CI.",
                steps=[
                    step("1.1", "Create the repository"),
                    step("1.2", "Add CI", ("1.1",)),
                    step("1.3", "Configuration", ("1.2",)),
                ],
            ),
            Phase(
                number=2,
                title="Search",
                summary="Ingredient search.",
                depends_on=[1],
                requirements=["R1"],
                steps=[
                    step("2.1", "Index ingredients"),
                    step("2.2", "Search endpoint", ("2.1",), ("R1",)),
                    step("2.3", "Search page", ("2.1",)),
                ],
            ),
            Phase(
                number=3,
                title="Payments",
                summary="Stripe.",
                depends_on=[1],
                requirements=["R2"],
                steps=[
                    step("3.1", "Stripe client"),
                    step("3.2", "Checkout", ("3.1",), ("R2",)),
                ],
            ),
        ],
    )


def recipe_handoff() -> Handoff:
    return Handoff(
        project_name="Recipe Box",
        prompt="# Handoff: Recipe Box\n\nYou are picking up a planned project.\n\n## Start here\n\n"
        "Begin with step 1.1.\n\n## How to work\n\n- One commit per step.\n",
        start_phase=1,
        start_step="1.1",
    )


def recipe_files() -> dict[str, str]:
    return render_artifacts(None, recipe_plan(), recipe_handoff())


def write_folder(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_bytes(text.encode("utf-8"))
    return directory


def edit_details(files: dict[str, str], phase: int, old: str, new: str) -> dict[str, str]:
    """Replace text in the step details of ``phaseN.md`` only (not in its header)."""
    name = f"phase{phase}.md"
    header, marker, details = files[name].partition("## Step details")
    return dict(files, **{name: header + marker + details.replace(old, new)})


def tick(files: dict[str, str], *step_ids: str) -> dict[str, str]:
    """Tick boxes by hand (a plain text edit, as a person or an agent would)."""
    changed = dict(files)
    for step_id in step_ids:
        name = f"phase{step_id.split('.')[0]}.md"
        changed[name] = changed[name].replace(f"- [ ] **{step_id} ", f"- [x] **{step_id} ", 1)
    return changed
